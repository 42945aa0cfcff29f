import Benchmark
import PhoneNumbers

// How to read the figures (docs/performance.md):
//
// Every benchmark iteration is one pass over a fixed list of inputs, the same list every time,
// so the allocation count of an iteration is deterministic and can be gated in CI. The custom
// metric "ns per number" is the wall-clock time of that pass divided by the number of inputs in
// it: its median is the median over passes of the mean time per number. `wallClock` is the time
// of the whole pass and `throughput` the passes per second.
//
// Names use `_` where `/` would read better: benchmark 1.38.1 writes the thresholds of "A/b" to
// `Target.A_b.p90.json` but looks them up as `Target.A/b.p90.json`, so a name with `/` (or a space)
// is never checked against its thresholds.

/// Wall-clock nanoseconds of one pass divided by the inputs in it, rounded.
let nsPerNumber = BenchmarkMetric.custom("ns per number", polarity: .prefersSmaller, useScalingFactor: false)
/// The median over the inputs of a pass of each input's own time (the mean of `repeats` runs).
let medianNsPerNumber = BenchmarkMetric.custom("median ns per number", polarity: .prefersSmaller, useScalingFactor: false)
/// Wall-clock nanoseconds of one pass divided by the text fields in it, rounded.
let nsPerField = BenchmarkMetric.custom("ns per field", polarity: .prefersSmaller, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident, nsPerNumber],
        timeUnits: .microseconds,
        warmupIterations: 3,
        maxDuration: .seconds(3),
        maxIterations: 10_000,
        // The gate is the allocation count, and it must not move at all; time is never gated.
        thresholds: [.mallocCountTotal: .strict]
    )

    let corpus = Corpus.golden

    // 1. Parse and format every input of the golden corpus, failures included.
    Benchmark("Parse+E164_golden-corpus") { benchmark in
        let inputs = corpus.all
        let start = ContinuousClock.now
        for input in inputs {
            parseAndFormat(input)
        }
        benchmark.record(since: start, count: inputs.count)
    }

    // 1b. The spec's figure: the median over the golden corpus of the time of one number. Each
    // input is timed over 16 parses (a single parse is too short for the clock), then the median
    // of the 81,026 per-input means is recorded.
    Benchmark(
        "Parse+E164_golden-corpus-median",
        configuration: .init(metrics: [.wallClock, medianNsPerNumber], maxDuration: .seconds(10), maxIterations: 5)
    ) { benchmark in
        let inputs = corpus.all
        let repeats = 16
        var perInput: [Double] = []
        perInput.reserveCapacity(inputs.count)
        for input in inputs {
            let start = ContinuousClock.now
            for _ in 0..<repeats { parseAndFormat(input) }
            perInput.append(nanoseconds(ContinuousClock.now - start) / Double(repeats))
        }
        benchmark.stopMeasurement()
        perInput.sort()
        benchmark.measurement(medianNsPerNumber, Int(perInput[perInput.count / 2].rounded()))
    }

    // 1c. Finding numbers in free text: 100-character CRM fields with two numbers each, region RU,
    // VALID leniency (the spec's target: at most 1 µs a field, median).
    Benchmark(
        "Extract_100-char-fields-two-numbers",
        configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal, nsPerField])
    ) { benchmark in
        let fields = Corpus.hundredCharacterFields
        let rounds = 20
        let start = ContinuousClock.now
        for _ in 0..<rounds {
            for field in fields {
                for match in PhoneNumberMatcher(text: field, defaultRegion: "RU") { blackHole(match.range) }
            }
        }
        let elapsed = ContinuousClock.now - start
        benchmark.stopMeasurement()
        benchmark.measurement(nsPerField, Int((nanoseconds(elapsed) / Double(rounds * fields.count)).rounded()))
    }

    // 2. What a Russian CRM sees: 1,000 parses, 50 rounds of 20 inputs, region RU.
    Benchmark("Parse+E164_ru-crm") { benchmark in
        let inputs = Corpus.russianCRM
        let rounds = 50
        let start = ContinuousClock.now
        for _ in 0..<rounds {
            for input in inputs {
                parseAndFormat(input)
            }
        }
        benchmark.record(since: start, count: rounds * inputs.count)
    }

    // 2b. One benchmark per way of writing a number: 50 rounds of the format's 20 inputs
    // (FormatInputs.swift), so that a change that slows one format down shows under its name.
    for (name, inputs) in FormatInputs.all {
        Benchmark("Parse_format_\(name)") { benchmark in
            let rounds = 50
            let start = ContinuousClock.now
            for _ in 0..<rounds {
                for input in inputs {
                    parseAndFormat(input)
                }
            }
            benchmark.record(since: start, count: rounds * inputs.count)
        }
    }

    // 3. The allocation promise: ASCII inputs of at most 32 characters whose parse succeeds
    // without an extension parse with no heap allocation at all; its threshold is 0.
    Benchmark(
        "Parse_ascii-short-no-alloc",
        configuration: .init(
            metrics: [.wallClock, .throughput, .mallocCountTotal, nsPerNumber],
            thresholds: [.mallocCountTotal: .strict]
        )
    ) { benchmark in
        let inputs = corpus.asciiShort
        let start = ContinuousClock.now
        for input in inputs {
            blackHole(try? PhoneNumber(parsing: input.text, defaultRegion: input.region))
        }
        benchmark.record(since: start, count: inputs.count)
    }

    // 4. Validation of numbers parsed beforehand: isValid, type and region together.
    Benchmark(
        "Validation_isValid+type+region",
        configuration: .init(
            metrics: [.wallClock, .throughput, .mallocCountTotal, nsPerNumber],
            thresholds: [.mallocCountTotal: .strict]
        )
    ) { benchmark in
        let numbers = corpus.parsed
        let start = ContinuousClock.now
        for number in numbers {
            blackHole(number.isValid)
            blackHole(number.type)
            blackHole(number.regionCode)
        }
        benchmark.record(since: start, count: numbers.count)
    }

    // 5. Comparing numbers (ComparisonBenchmarks.swift).
    comparisonBenchmarks()
}

@inline(__always)
func parseAndFormat(_ input: Corpus.Input) {
    do {
        let number = try PhoneNumber(parsing: input.text, defaultRegion: input.region)
        blackHole(number.e164)
    } catch {
        blackHole(error.code)
    }
}

func nanoseconds(_ duration: Duration) -> Double {
    let (seconds, attoseconds) = duration.components
    return Double(seconds) * 1e9 + Double(attoseconds) / 1e9
}

extension Benchmark {
    /// Stops the measurement (so that recording does not count) and records the time per number.
    func record(since start: ContinuousClock.Instant, count: Int) {
        let elapsed = ContinuousClock.now - start
        stopMeasurement()
        let (seconds, attoseconds) = elapsed.components
        let nanoseconds = Double(seconds) * 1e9 + Double(attoseconds) / 1e9
        measurement(nsPerNumber, Int((nanoseconds / Double(count)).rounded()))
    }
}
