import Testing

@testable import PhoneNumbers

@Suite struct MetadataTests {
    let metadata = PhoneNumberMetadata.shared

    @Test func everyRegionAndNonGeographicCallingCodeIsThere() {
        #expect(metadata.regionCodes.count == 245)
        #expect(metadata.regions.count == 254)
        #expect(PhoneNumberMetadata.sourceVersion == "libphonenumber v9.0.43")
        for region in metadata.regions {
            #expect(!metadata.regionIndices(forCallingCode: region.callingCode).isEmpty)
        }
    }

    /// Zimbabwe's new numbering came with 9.0.43 (9.0.35 reads `0800 12` as `+26380012`:
    /// docs/metadata-format.md). Canada's area code 368, valid since before 9.0.35, is what a port
    /// that fell further behind rejected.
    @Test func theMetadataIsThePinnedRelease() throws {
        #expect(try PhoneNumber(parsing: "0800 12", defaultRegion: "ZW").e164 == "+263080012")
        let canada = try PhoneNumber(parsing: "+1 368 223 4567")
        #expect(canada.isValid)
        #expect(canada.regionCode == "CA")
    }

    @Test func mainCountryComesFirstForSharedCallingCodes() {
        #expect(metadata.regionIndices(forCallingCode: 7).map { metadata.regions[Int($0)].key.code } == ["RU", "KZ"])
        #expect(metadata.mainMetadata(forCallingCode: 1)?.key.code == "US")
        #expect(metadata.mainMetadata(forCallingCode: 44)?.key.code == "GB")
        #expect(metadata.mainMetadata(forCallingCode: 800)?.key.code == "001")
        #expect(metadata.mainMetadata(forCallingCode: 999) == nil)
    }

    @Test func nonGeographicAndUnknownRegionsHaveNoDefaultRegionRecord() {
        #expect(metadata.region(RegionKey("ZZ")!) == nil)
        #expect(metadata.region(RegionKey("001")!) == nil)
        #expect(metadata.region(RegionKey("ru")!)?.callingCode == 7)
        #expect(RegionKey("R") == nil && RegionKey("RUSS") == nil && RegionKey("R-") == nil)
    }

    @Test func russianRecordMatchesTheOracle() throws {
        let ru = try #require(metadata.region(RegionKey("RU")!))
        #expect(Array(ru.nationalPrefix) == Array("8".utf8))
        #expect(ru.isMainCountryForCode)
        let general = ru.desc(.general)
        #expect(general.lengths == (1 << 10 | 1 << 14))
        #expect(general.localOnlyLengths == 1 << 7)
        #expect(!ru.desc(.pager).isPresent)
    }

    @Test func decodingRejectsCorruptData() {
        #expect(throws: PhoneNumberMetadata.DecodingError.self) { try PhoneNumberMetadata(encoded: "U1BNRA==") }
        #expect(throws: PhoneNumberMetadata.DecodingError.self) { try PhoneNumberMetadata(encoded: "") }
    }
}
