import Benchmark
import PhoneNumberCarriers
import PhoneNumberGeocoding
import PhoneNumberTimeZones
import PhoneNumbers

// Lookups of the geocoder, the carrier mapper and the time-zone mapper (docs/phone-numbers.md).
// Every iteration is one pass over the same 64 parsed numbers; "ns per number" is the pass's wall
// clock divided by 64. The first use of a language (decoding its table) happens in the warm-up and
// is measured by `swift run -c release GeoDataLoadTime` instead. Names use `_`, not `/` (see
// PhoneNumbersBenchmarks).

let nsPerNumber = BenchmarkMetric.custom("ns per number", polarity: .prefersSmaller, useScalingFactor: false)

/// Fixed lines of Russian, CIS and European cities, mobiles, and a few other countries.
let inputs: [PhoneNumber] = [
    "+74951234567", "+78123456789", "+73833456789", "+73432345678", "+78432345678", "+78312345678",
    "+73472345678", "+78462345678", "+74732345678", "+78632345678", "+73912345678", "+74212345678",
    "+74232345678", "+73452345678", "+73512345678", "+78452345678", "+79031234567", "+79261234567",
    "+79161234567", "+79121234567", "+79501234567", "+79991234567", "+77172345678", "+77272345678",
    "+77011234567", "+375172345678", "+375291234567", "+380442345678", "+380501234567", "+998712345678",
    "+996312345678", "+994122345678", "+995322345678", "+37410234567", "+37322234567", "+4930123456",
    "+4989123456", "+4915112345678", "+33123456789", "+33612345678", "+390612345678", "+34912345678",
    "+442083612345", "+447400123456", "+48221234567", "+420212345678", "+3612345678", "+40212345678",
    "+35921234567", "+302101234567", "+31201234567", "+3222345678", "+41431234567", "+4312345678",
    "+12015550123", "+12125551234", "+14155552671", "+861012345678", "+8613812345678", "+81312345678",
    "+5491123456789", "+551123456789", "+525512345678", "+902122345678",
].map { try! PhoneNumber(parsing: $0) }

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, nsPerNumber],
        timeUnits: .microseconds,
        warmupIterations: 3,
        maxDuration: .seconds(2),
        maxIterations: 20_000,
        thresholds: [.mallocCountTotal: .strict]
    )

    // The core's type check that every checked lookup starts with (the baseline).
    Benchmark("Core_type") { benchmark in
        let start = ContinuousClock.now
        for number in inputs { blackHole(number.type) }
        benchmark.record(since: start, count: inputs.count)
    }

    for language in ["en", "ru", "de", "zh"] {
        Benchmark("Geocoder_description-\(language)") { benchmark in
            let start = ContinuousClock.now
            for number in inputs { blackHole(PhoneNumberGeocoder.description(for: number, language: language)) }
            benchmark.record(since: start, count: inputs.count)
        }
    }

    // The prefix lookup alone: no type check (the caller knows the number is valid).
    Benchmark("Geocoder_valid-number-en") { benchmark in
        let start = ContinuousClock.now
        for number in inputs { blackHole(PhoneNumberGeocoder.description(forValidNumber: number, language: "en")) }
        benchmark.record(since: start, count: inputs.count)
    }

    Benchmark("Geocoder_valid-number-ru") { benchmark in
        let start = ContinuousClock.now
        for number in inputs { blackHole(PhoneNumberGeocoder.description(forValidNumber: number, language: "ru")) }
        benchmark.record(since: start, count: inputs.count)
    }

    for language in ["en", "ru"] {
        Benchmark("Carrier_name-\(language)") { benchmark in
            let start = ContinuousClock.now
            for number in inputs { blackHole(PhoneNumberCarrier.name(for: number, language: language)) }
            benchmark.record(since: start, count: inputs.count)
        }
        Benchmark("Carrier_valid-number-\(language)") { benchmark in
            let start = ContinuousClock.now
            for number in inputs { blackHole(PhoneNumberCarrier.name(forValidNumber: number, language: language)) }
            benchmark.record(since: start, count: inputs.count)
        }
    }

    Benchmark("TimeZones_number") { benchmark in
        let start = ContinuousClock.now
        for number in inputs { blackHole(PhoneNumberTimeZones.timeZones(for: number)) }
        benchmark.record(since: start, count: inputs.count)
    }

    Benchmark("TimeZones_geographical-number") { benchmark in
        let start = ContinuousClock.now
        for number in inputs { blackHole(PhoneNumberTimeZones.timeZones(forGeographicalNumber: number)) }
        benchmark.record(since: start, count: inputs.count)
    }
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
