// Package-level questions about a number's regions, for the modules of this package that build on the
// core (PhoneNumberGeocoding: a country's name for a number of a shared calling code, Argentina's
// mobile token). Not public API: libphonenumber answers them with `getRegionCodesForCountryCode`
// and `isValidNumberForRegion`, which the core does not promise yet.

extension PhoneNumber {
    /// The region whose name libphonenumber's `getCountryNameForNumber` shows: the only region of the
    /// calling code (valid or not, "001" included), or else the one region where the number is valid;
    /// nil when no region or more than one claims it.
    package var countryNameRegionCode: String? {
        let metadata = PhoneNumberMetadata.shared
        let candidates = metadata.regionIndices(forCallingCode: countryCode)
        if candidates.count == 1 { return metadata.region(at: Int(candidates[0])).key.code }
        return withNationalDigits { digits in
            var found: RegionMetadata?
            for index in candidates {
                let region = metadata.region(at: Int(index))
                guard metadata.isValid(digits, region) else { continue }
                if found != nil { return nil }
                found = region
            }
            return found?.key.code
        }
    }

    /// Whether subscribers in `region` keep their mobile number when they change carrier (libphonenumber's
    /// `isMobileNumberPortableRegion`); false for an unknown region. Case-insensitive, as region codes
    /// are everywhere in the core.
    package static func isMobileNumberPortable(region code: String) -> Bool {
        guard let key = RegionKey(code), let region = PhoneNumberMetadata.shared.region(key) else { return false }
        return region.isMobileNumberPortable
    }

    /// The main region of a calling code (libphonenumber's `getRegionCodeForCountryCode`), nil for
    /// an unknown one.
    package static func mainRegionCode(forCountryCode countryCode: Int) -> String? {
        PhoneNumberMetadata.shared.mainMetadata(forCallingCode: countryCode)?.key.code
    }
}

extension PhoneNumber {
    /// Calls `body` with the national significant number as ASCII digits, without allocating (the
    /// prefix tables of the geocoder walk them).
    @inlinable
    package func withNationalSignificantDigits<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withNationalDigits(body)
    }
}
