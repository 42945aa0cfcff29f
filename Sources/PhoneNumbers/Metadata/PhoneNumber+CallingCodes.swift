extension PhoneNumber {
    /// The country calling code of `region` (libphonenumber's `getCountryCodeForRegion`): 7 for
    /// "RU" and "KZ", 1 for "US" and "CA"; nil for an unknown region and for "001".
    public static func callingCode(ofRegion region: String) -> Int? {
        guard let key = RegionKey(region), key != .nonGeographic,
            let record = PhoneNumberMetadata.shared.region(key)
        else { return nil }
        return record.callingCode
    }

    /// The regions of a country calling code, the main one first (libphonenumber's
    /// `getRegionCodesForCountryCode`): `["RU", "KZ"]` for 7, `["001"]` for 800; empty when unknown.
    public static func regions(ofCallingCode callingCode: Int) -> [String] {
        let metadata = PhoneNumberMetadata.shared
        return metadata.regionIndices(forCallingCode: callingCode).map { metadata.region(at: Int($0)).key.code }
    }
}
