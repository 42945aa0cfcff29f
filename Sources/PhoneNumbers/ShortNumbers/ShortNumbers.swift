/// Short numbers: service codes, emergency numbers, carrier and SMS short codes, dialled within a
/// region (libphonenumber's `ShortNumberInfo`).
///
/// A short number is a ``PhoneNumber`` parsed with the region it is dialled from: `112` dialled in
/// Russia parses to country code 7 and national number `112`, which is not a valid (long) number
/// of Russia but is a valid short number there.
///
/// ```swift
/// let number = try PhoneNumber(parsing: "112", defaultRegion: "RU")
/// ShortNumbers.isValidShortNumber(number, forRegion: "RU")   // true
/// ShortNumbers.expectedCost(number, forRegion: "RU")         // .tollFree
/// ShortNumbers.isEmergencyNumber("112", region: "RU")        // true
/// ShortNumbers.connectsToEmergencyNumber("9116666666", region: "US")   // true: 911 and more digits
/// ShortNumbers.connectsToEmergencyNumber("9111", region: "BR")         // false: Brazil wants 911 exactly
/// ```
///
/// The answers are PyPI `phonenumbers`' (the pinned version of scripts/phonenumbers.version),
/// checked line by line against a corpus it made (docs/phone-numbers.md, "Short numbers"). Region
/// codes are case-insensitive, as everywhere in this module; `phonenumbers` accepts upper case only.
///
/// Every check is a few DFA steps over the digits of the number: no allocation, no regular
/// expression, no lock after the first use (which decodes the short-number metadata, about 20 KB).
public enum ShortNumbers {
    /// The regions that have short-number metadata (libphonenumber's `SUPPORTED_SHORT_REGIONS`), sorted.
    public static var supportedRegions: [String] {
        ShortNumberMetadata.shared.regions.map(\.key.code)
    }

    // MARK: Possible and valid

    /// Whether the number has a possible length for a short number of the region it is dialled
    /// from (libphonenumber's `isPossibleShortNumberForRegion`): a cheaper, more lenient check than
    /// ``isValidShortNumber(_:forRegion:)``.
    ///
    /// - Parameters:
    ///   - number: The short number, parsed with `region`.
    ///   - region: The region the number is dialled from, such as "RU". False when the number's
    ///     country code is not the region's.
    /// - Complexity: O(1).
    public static func isPossibleShortNumber(_ number: PhoneNumber, forRegion region: String) -> Bool {
        guard let record = dialledRecord(number, region) else { return false }
        return record.pointee.desc(.general).hasPossibleLength(Int(number.nationalNumberLength))
    }

    /// Whether the number has a possible short-number length in some region of its country code
    /// (libphonenumber's `isPossibleShortNumber`).
    ///
    /// - Complexity: O(r) in the regions sharing the country code.
    public static func isPossibleShortNumber(_ number: PhoneNumber) -> Bool {
        let length = Int(number.nationalNumberLength)
        return regions(of: number.countryCode).contains { $0.pointee.desc(.general).hasPossibleLength(length) }
    }

    /// Whether the number matches a short-number pattern of the region it is dialled from
    /// (libphonenumber's `isValidShortNumberForRegion`). It does not tell whether the number is
    /// in service.
    ///
    /// - Parameters:
    ///   - number: The short number, parsed with `region`.
    ///   - region: The region the number is dialled from. False when the number's country code is
    ///     not the region's.
    /// - Complexity: O(n) in the digits; no allocation.
    public static func isValidShortNumber(_ number: PhoneNumber, forRegion region: String) -> Bool {
        guard let record = dialledRecord(number, region) else { return false }
        return number.withNationalDigits { isValid($0, record) }
    }

    /// Whether the number is a valid short number (libphonenumber's `isValidShortNumber`): in the
    /// only region of its country code, or, for a shared code (+1, +7, +44, ...), in the first
    /// region whose short-code pattern it matches.
    ///
    /// - Complexity: O(n·r) in the digits and the regions sharing the country code; no allocation.
    public static func isValidShortNumber(_ number: PhoneNumber) -> Bool {
        number.withNationalDigits { digits in
            let metadata = PhoneNumberMetadata.shared
            let indices = metadata.regionIndices(forCallingCode: number.countryCode)
            if indices.count > 1 {
                // libphonenumber: a region whose short codes match makes the number valid.
                if shortCodeRegion(digits, indices) != nil { return true }
                return false
            }
            guard let index = indices.first, let record = shortRecord(metadata.region(at: Int(index)).key) else {
                return false
            }
            return isValid(digits, record)
        }
    }

    /// Whether a number that reached `region` is a valid short number there: in `region` when the
    /// number has its country code (``isValidShortNumber(_:forRegion:)``), otherwise in the regions
    /// of the number's own code (``isValidShortNumber(_:)``). Not in libphonenumber: what a
    /// caller-ID lookup asks of a caller's number read with the account's region.
    ///
    /// ```swift
    /// let caller = try PhoneNumber(parsing: "900", defaultRegion: "RU")
    /// ShortNumbers.isValidShortNumber(caller, preferringRegion: "RU")   // true
    /// ```
    ///
    /// - Parameters:
    ///   - number: The caller's number.
    ///   - region: The region the number was read with; nil for none.
    /// - Complexity: O(n) in the digits; no allocation.
    public static func isValidShortNumber(_ number: PhoneNumber, preferringRegion region: String?) -> Bool {
        if let region, let key = RegionKey(region), let main = PhoneNumberMetadata.shared.region(key),
            main.callingCode == number.countryCode
        {
            guard let record = shortRecord(key) else { return false }
            return number.withNationalDigits { isValid($0, record) }
        }
        return isValidShortNumber(number)
    }

    // MARK: Cost

    /// The expected cost of calling the number from `region` (libphonenumber's
    /// `expectedCostForRegion`); nothing is implied about its validity. Emergency numbers are
    /// toll-free.
    ///
    /// - Returns: ``ShortNumberCost/unknownCost`` when the number's country code is not the
    ///   region's, its length is not possible there, or it matches no cost category.
    /// - Complexity: O(n) in the digits; no allocation.
    public static func expectedCost(_ number: PhoneNumber, forRegion region: String) -> ShortNumberCost {
        guard let record = dialledRecord(number, region) else { return .unknownCost }
        return number.withNationalDigits { cost($0, record) }
    }

    /// The expected cost of the number (libphonenumber's `expectedCost`): for a country code
    /// shared by several regions, the highest of their costs in the order premium rate, unknown,
    /// standard rate, toll free (unknown ranks above standard: it might be premium).
    ///
    /// - Complexity: O(n·r) in the digits and the regions sharing the country code; no allocation.
    public static func expectedCost(_ number: PhoneNumber) -> ShortNumberCost {
        number.withNationalDigits { digits in
            let metadata = PhoneNumberMetadata.shared
            let indices = metadata.regionIndices(forCallingCode: number.countryCode)
            var result = ShortNumberCost.tollFree
            for index in indices {
                let record = shortRecord(metadata.region(at: Int(index)).key)
                let regionCost: ShortNumberCost = record.map { cost(digits, $0) } ?? .unknownCost
                if indices.count == 1 { return regionCost }
                switch regionCost {
                case .premiumRate, .unknownCost: return regionCost
                case .standardRate: result = .standardRate
                case .tollFree: break
                }
            }
            return indices.isEmpty ? .unknownCost : result
        }
    }

    // MARK: Carrier-specific and SMS

    /// Whether the short number is carrier-specific when dialled from `region` (libphonenumber's
    /// `isCarrierSpecificForRegion`): it may connect to a different end point, or nowhere,
    /// depending on the caller's carrier. Meaningful for valid short numbers.
    ///
    /// - Complexity: O(n) in the digits; no allocation.
    public static func isCarrierSpecific(_ number: PhoneNumber, forRegion region: String) -> Bool {
        guard let record = dialledRecord(number, region) else { return false }
        return number.withNationalDigits {
            ShortNumberMetadata.shared.matches($0, record.pointee.desc(.carrierSpecific))
        }
    }

    /// Whether the short number is carrier-specific (libphonenumber's `isCarrierSpecific`), in
    /// the region ``isValidShortNumber(_:)`` picks for it.
    ///
    /// - Complexity: O(n·r); no allocation.
    public static func isCarrierSpecific(_ number: PhoneNumber) -> Bool {
        number.withNationalDigits { digits in
            let metadata = PhoneNumberMetadata.shared
            let indices = metadata.regionIndices(forCallingCode: number.countryCode)
            let record: UnsafePointer<ShortRegionRecord>?
            if indices.count == 1 {
                record = shortRecord(metadata.region(at: Int(indices[0])).key)
            } else {
                record = shortCodeRegion(digits, indices)
            }
            guard let record else { return false }
            return ShortNumberMetadata.shared.matches(digits, record.pointee.desc(.carrierSpecific))
        }
    }

    /// Whether the short number is an SMS service when dialled from `region` (libphonenumber's
    /// `isSmsServiceForRegion`): its main or only use is sending and receiving text messages.
    ///
    /// - Complexity: O(n) in the digits; no allocation.
    public static func isSMSService(_ number: PhoneNumber, forRegion region: String) -> Bool {
        guard let record = dialledRecord(number, region) else { return false }
        return number.withNationalDigits { ShortNumberMetadata.shared.matches($0, record.pointee.desc(.smsServices)) }
    }

    // MARK: Examples

    /// A valid short number of the region, nil when the metadata has none.
    public static func exampleShortNumber(forRegion region: String) -> String? {
        guard let key = RegionKey(region), let record = shortRecord(key) else { return nil }
        return ShortNumberMetadata.shared.example(record.pointee.desc(.shortCode))
    }

    /// A short number of the region with the given cost; nil when the metadata has none, or for
    /// ``ShortNumberCost/unknownCost``.
    public static func exampleShortNumber(forRegion region: String, cost: ShortNumberCost) -> String? {
        guard let key = RegionKey(region), let record = shortRecord(key) else { return nil }
        let slot: ShortNumberDescSlot
        switch cost {
        case .tollFree: slot = .tollFree
        case .standardRate: slot = .standardRate
        case .premiumRate: slot = .premiumRate
        case .unknownCost: return nil
        }
        return ShortNumberMetadata.shared.example(record.pointee.desc(slot))
    }

    // MARK: Internals

    /// The short-number record of `region` when the number's country code is the region's
    /// (libphonenumber's `regionDialingFromMatchesNumber`), nil otherwise or without metadata.
    @inline(__always)
    static func dialledRecord(_ number: PhoneNumber, _ region: String) -> UnsafePointer<ShortRegionRecord>? {
        guard let key = RegionKey(region) else { return nil }
        return dialledRecord(number, key)
    }

    @inline(__always)
    static func dialledRecord(_ number: PhoneNumber, _ key: RegionKey) -> UnsafePointer<ShortRegionRecord>? {
        guard let record = shortRecord(key) else { return nil }
        let metadata = PhoneNumberMetadata.shared
        guard let region = metadata.region(key), region.callingCode == number.countryCode else { return nil }
        return record
    }

    @inline(__always)
    static func shortRecord(_ key: RegionKey) -> UnsafePointer<ShortRegionRecord>? {
        ShortNumberMetadata.shared.region(key)
    }

    /// The short-number records of the regions of a country code, in the calling-code map's order.
    static func regions(of callingCode: Int) -> some Sequence<UnsafePointer<ShortRegionRecord>> {
        let metadata = PhoneNumberMetadata.shared
        return metadata.regionIndices(forCallingCode: callingCode).lazy.compactMap {
            shortRecord(metadata.region(at: Int($0)).key)
        }
    }

    /// libphonenumber's `getRegionCodeForShortNumberFromRegionList` for two or more regions: the
    /// first whose short-code description the number matches.
    static func shortCodeRegion(
        _ digits: UnsafeBufferPointer<UInt8>, _ indices: UnsafeBufferPointer<Int32>
    ) -> UnsafePointer<ShortRegionRecord>? {
        let metadata = PhoneNumberMetadata.shared
        let short = ShortNumberMetadata.shared
        for index in indices {
            if let record = shortRecord(metadata.region(at: Int(index)).key),
                short.matches(digits, record.pointee.desc(.shortCode))
            {
                return record
            }
        }
        return nil
    }

    /// The general description, then the short-code description.
    @inline(__always)
    static func isValid(_ digits: UnsafeBufferPointer<UInt8>, _ record: UnsafePointer<ShortRegionRecord>) -> Bool {
        let short = ShortNumberMetadata.shared
        return short.matches(digits, record.pointee.desc(.general))
            && short.matches(digits, record.pointee.desc(.shortCode))
    }

    static func cost(_ digits: UnsafeBufferPointer<UInt8>, _ record: UnsafePointer<ShortRegionRecord>)
        -> ShortNumberCost
    {
        let short = ShortNumberMetadata.shared
        let r = record.pointee
        guard r.desc(.general).hasPossibleLength(digits.count) else { return .unknownCost }
        if short.matches(digits, r.desc(.premiumRate)) { return .premiumRate }
        if short.matches(digits, r.desc(.standardRate)) { return .standardRate }
        if short.matches(digits, r.desc(.tollFree)) { return .tollFree }
        // libphonenumber asks isEmergencyNumber of the national number: a whole match, no lengths.
        let emergency = r.desc(.emergency)
        if emergency.pattern >= 0 && short.automata.matchesWhole(emergency.pattern, digits) { return .tollFree }
        return .unknownCost
    }
}
