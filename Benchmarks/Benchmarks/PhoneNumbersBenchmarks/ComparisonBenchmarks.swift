import Benchmark
import PhoneNumbers

/// Number comparison (`PhoneNumber.match`): parsed numbers against each other, and numbers written
/// as text, as a CRM compares a caller's number with the spellings on its contact cards.
/// Without `peakMemoryResident`, whose sampling allocates inside the measured window, so that the
/// allocation counts are those of the comparisons alone (0: no extension needs a heap string).
func comparisonBenchmarks() {
    // Parsed/parsed: every 16th of the golden corpus's numbers, sorted by calling code and national
    // number (a few thousand numbers, a contact list's worth; the whole corpus would measure memory
    // traffic over megabytes instead). Each number is compared with itself (exact), with its
    // neighbour (same calling code: the suffix check decides) and with the number half the list
    // away (mostly another calling code). Shuffled, so that the branches do not line up.
    Benchmark(
        "Compare_parsed-parsed",
        configuration: .init(
            metrics: [.wallClock, .throughput, .mallocCountTotal, nsPerNumber],
            thresholds: [.mallocCountTotal: .strict]
        )
    ) { benchmark in
        let pairs = ComparisonInputs.parsedPairs
        let start = ContinuousClock.now
        for (a, b) in pairs {
            blackHole(a.match(b))
        }
        benchmark.record(since: start, count: pairs.count)
    }

    // Parsed/string: a parsed +7 number against the spellings of a Russian CRM.
    Benchmark(
        "Compare_parsed-string_ru-crm",
        configuration: .init(
            metrics: [.wallClock, .throughput, .mallocCountTotal, nsPerNumber],
            thresholds: [.mallocCountTotal: .strict]
        )
    ) { benchmark in
        let number = ComparisonInputs.russianNumber
        let texts = ComparisonInputs.russianSpellings
        let rounds = 50
        let start = ContinuousClock.now
        for _ in 0..<rounds {
            for text in texts { blackHole(number.match(text)) }
        }
        benchmark.record(since: start, count: rounds * texts.count)
    }

    // String/string: every pair of the Russian CRM spellings (with and without a country code).
    Benchmark(
        "Compare_string-string_ru-crm",
        configuration: .init(
            metrics: [.wallClock, .throughput, .mallocCountTotal, nsPerNumber],
            thresholds: [.mallocCountTotal: .strict]
        )
    ) { benchmark in
        let texts = ComparisonInputs.russianSpellings
        let start = ContinuousClock.now
        for a in texts {
            for b in texts { blackHole(PhoneNumber.match(a, b)) }
        }
        benchmark.record(since: start, count: texts.count * texts.count)
    }
}

enum ComparisonInputs {
    static let parsedPairs: [(PhoneNumber, PhoneNumber)] = {
        let sorted = Corpus.golden.parsed.sorted {
            ($0.countryCode, $0.nationalSignificantNumber) < ($1.countryCode, $1.nationalSignificantNumber)
        }
        let numbers = stride(from: 0, to: sorted.count, by: 16).map { sorted[$0] }
        var pairs: [(PhoneNumber, PhoneNumber)] = []
        pairs.reserveCapacity(numbers.count * 3)
        for i in numbers.indices {
            pairs.append((numbers[i], numbers[i]))
            pairs.append((numbers[i], numbers[(i + 1) % numbers.count]))
            pairs.append((numbers[i], numbers[(i + numbers.count / 2) % numbers.count]))
        }
        var random = SplitMix64(seed: 0x0C0F_FEE0_BEEF_0001)
        pairs.shuffle(using: &random)
        return pairs
    }()

    static let russianNumber = try! PhoneNumber(parsing: "+7 999 888 55 33")

    static let russianSpellings: [String] = [
        "8 (999) 888-55-33", "+7 999 888 55 33", "+7(999)888-55-33", "89998885533", "79998885533",
        "+79998885533", "9998885533", "888-55-33", "+7 999 888-55-33 доб. 12", "8 (999) 888-55-34",
        "+375 29 888 55 33", "8 (495) 123-45-67", "tel:+7-999-888-55-33", "нет",
    ]
}
