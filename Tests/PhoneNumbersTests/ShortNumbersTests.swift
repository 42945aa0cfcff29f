import Testing

@testable import PhoneNumbers

/// ShortNumbers beyond the corpus: the metadata's shape, region codes, examples, long texts.
@Suite struct ShortNumbersTests {
    @Test func metadataDecodes() {
        let metadata = ShortNumberMetadata.shared
        #expect(metadata.regions.count == 241)
        #expect(ShortNumbers.supportedRegions.count == 241)
        #expect(ShortNumbers.supportedRegions == ShortNumbers.supportedRegions.sorted())
        #expect(ShortNumberMetadata.sourceVersion.hasPrefix("phonenumbers "))
    }

    @Test func everyExampleIsValidInItsRegion() throws {
        for region in ShortNumbers.supportedRegions {
            guard let example = ShortNumbers.exampleShortNumber(forRegion: region) else { continue }
            let number = try PhoneNumber(parsing: example, defaultRegion: region)
            #expect(ShortNumbers.isValidShortNumber(number, forRegion: region), "\(region) \(example)")
            for cost in [ShortNumberCost.tollFree, .standardRate, .premiumRate] {
                guard let example = ShortNumbers.exampleShortNumber(forRegion: region, cost: cost) else { continue }
                let number = try PhoneNumber(parsing: example, defaultRegion: region)
                #expect(ShortNumbers.expectedCost(number, forRegion: region) == cost, "\(region) \(example) \(cost)")
            }
        }
        #expect(ShortNumbers.exampleShortNumber(forRegion: "RU", cost: .unknownCost) == nil)
        #expect(ShortNumbers.exampleShortNumber(forRegion: "ZZ") == nil)
    }

    /// A deliberate difference: phonenumbers wants upper-case region codes (and applies Brazil's
    /// exact-match rule only to "BR"); region codes are case-insensitive everywhere in this module.
    @Test func regionCodesAreCaseInsensitive() throws {
        let number = try PhoneNumber(parsing: "112", defaultRegion: "de")
        #expect(ShortNumbers.isValidShortNumber(number, forRegion: "de"))
        #expect(ShortNumbers.isEmergencyNumber("112", region: "de"))
        #expect(!ShortNumbers.connectsToEmergencyNumber("1900", region: "br"))
        #expect(ShortNumbers.connectsToEmergencyNumber("1120", region: "fr"))
    }

    @Test func unknownRegions() throws {
        let number = try PhoneNumber(parsing: "+800 1234 5678")
        #expect(!ShortNumbers.isPossibleShortNumber(number))
        #expect(!ShortNumbers.isValidShortNumber(number))
        #expect(ShortNumbers.expectedCost(number) == .unknownCost)
        for region in ["001", "ZZ", "", "RUS", "1"] {
            #expect(!ShortNumbers.isEmergencyNumber("112", region: region))
            #expect(!ShortNumbers.isValidShortNumber(number, forRegion: region))
        }
    }

    @Test func longTexts() {
        let padding = String(repeating: "Emergency call, ", count: 40)
        #expect(padding.utf8.count > 256)
        #expect(ShortNumbers.isEmergencyNumber(padding + "112", region: "DE"))
        #expect(ShortNumbers.connectsToEmergencyNumber(padding + "1120000", region: "DE"))
        #expect(!ShortNumbers.isEmergencyNumber(padding + "+49 112", region: "DE"))
    }

    @Test func preferringRegion() throws {
        let ru = try PhoneNumber(parsing: "112", defaultRegion: "RU")
        #expect(ShortNumbers.isValidShortNumber(ru, preferringRegion: "RU"))
        #expect(ShortNumbers.isValidShortNumber(ru, preferringRegion: nil))
        #expect(ShortNumbers.isValidShortNumber(ru, preferringRegion: "US"))  // not +1: the regions of +7
        let us = try PhoneNumber(parsing: "40404", defaultRegion: "US")
        #expect(ShortNumbers.isValidShortNumber(us, preferringRegion: "US"))
        #expect(!ShortNumbers.isValidShortNumber(us, preferringRegion: "CA"))  // +1, so Canada's codes decide
    }
}
