import PhoneNumbers

/// Inputs of the short-number benchmarks, made once: every region's example short numbers (and
/// its toll-free, standard- and premium-rate ones) parsed with the region, and texts dialled in
/// each region (`112`, `911`, the example, `+` forms, formatted ones).
enum ShortNumberInputs {
    struct Dialled: Sendable {
        let number: PhoneNumber
        let region: String
    }

    static let numbers: [Dialled] = ShortNumbers.supportedRegions.flatMap { region -> [Dialled] in
        let examples =
            [ShortNumbers.exampleShortNumber(forRegion: region)]
            + [ShortNumberCost.tollFree, .standardRate, .premiumRate].map {
                ShortNumbers.exampleShortNumber(forRegion: region, cost: $0)
            }
        return examples.compactMap { example in
            guard let example, let number = try? PhoneNumber(parsing: example, defaultRegion: region) else {
                return nil
            }
            return Dialled(number: number, region: region)
        }
    }

    static let texts: [(text: String, region: String)] = ShortNumbers.supportedRegions.flatMap { region in
        let example = ShortNumbers.exampleShortNumber(forRegion: region) ?? "100"
        return ["112", "911", example, "+1 911", "1-1-2", example + "0"].map { ($0, region) }
    }
}
