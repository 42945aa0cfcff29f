import Benchmark
import PhoneNumbers

/// `Format_<name>`: one format of every number of the golden corpus that parses (72,597 numbers,
/// parsed when the benchmarks are registered, so that no parse is timed).
///
/// Each number is timed over `repeats` formats, and an iteration records the median over the
/// numbers of those per-number means (the target: at most 100 ns, as the parse target is set on
/// `Parse+E164_golden-corpus-median`) and their mean. The result string is the only allocation: none
/// for a result of 15 bytes or fewer (a small string), one for a longer one, so an iteration's
/// `mallocCountTotal` is `repeats` times the number of long results, plus the array of times.
func formattingBenchmarks() {
    let numbers = Corpus.golden.parsed
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal, nsPerNumber, medianNsPerNumber],
        maxDuration: .seconds(3),
        maxIterations: 20,
        thresholds: [.mallocCountTotal: .strict]
    )
    let formats: [(name: String, format: PhoneNumberFormat)] = [
        ("national", .national), ("international", .international), ("rfc3966", .rfc3966), ("e164", .e164),
    ]
    for (name, format) in formats {
        Benchmark("Format_\(name)", configuration: configuration) { benchmark in
            benchmark.timeEachNumber(numbers) { blackHole($0.formatted(format)) }
        }
    }
    // Dialled from other regions, in turn: the CRM's own (RU, KZ), Europe, NANPA, Asia, South America.
    // The region of each number is fixed before the measurement.
    let callingFrom = ["RU", "KZ", "DE", "US", "GB", "FR", "CN", "BR"]
    let pairs = numbers.indices.map { (number: numbers[$0], from: callingFrom[$0 % callingFrom.count]) }
    Benchmark("Format_out-of-country", configuration: configuration) { benchmark in
        benchmark.timeEachNumber(pairs) { blackHole($0.number.formatted(forCallingFrom: $0.from)) }
    }
}

extension Benchmark {
    /// Times `body` on each element over 16 runs, then stops the measurement and records the median
    /// and the mean over the elements of their time per run.
    @inline(__always)
    func timeEachNumber<Element>(_ elements: [Element], _ body: (Element) -> Void) {
        let repeats = 16
        var perInput = UnsafeMutableBufferPointer<Double>.allocate(capacity: elements.count)
        defer { perInput.deallocate() }
        for (i, element) in elements.enumerated() {
            let start = ContinuousClock.now
            for _ in 0..<repeats { body(element) }
            perInput[i] = nanoseconds(ContinuousClock.now - start) / Double(repeats)
        }
        stopMeasurement()
        let total = perInput.reduce(0, +)
        perInput.sort()
        measurement(medianNsPerNumber, Int(perInput[perInput.count / 2].rounded()))
        measurement(nsPerNumber, Int((total / Double(perInput.count)).rounded()))
    }
}
