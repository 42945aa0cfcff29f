extension PhoneNumber {
    /// Whether the number has a possible length for its country calling code (libphonenumber's
    /// `isPossibleNumber`): a cheap check that ignores the digits themselves.
    public var isPossible: Bool {
        let metadata = PhoneNumberMetadata.shared
        guard let region = metadata.mainMetadata(forCallingCode: countryCode) else { return false }
        let general = region.desc(.general)
        switch region.checkLength(
            Int(nationalNumberLength), lengths: general.lengths, localOnly: general.localOnlyLengths)
        {
        case .isPossible, .isPossibleLocalOnly: return true
        case .tooShort, .tooLong, .invalidLength: return false
        }
    }

    /// Whether the number matches a number pattern of its region (libphonenumber's `isValidNumber`).
    /// It does not tell whether the number is in service.
    public var isValid: Bool {
        withNationalDigits { digits in PhoneNumberMetadata.shared.isValid(digits, callingCode: countryCode) }
    }

    /// The type of the number (libphonenumber's `getNumberType`); ``PhoneNumberType/unknown``
    /// when it is not valid.
    public var type: PhoneNumberType {
        withNationalDigits { digits in
            let metadata = PhoneNumberMetadata.shared
            guard let region = metadata.regionMetadata(for: self, digits) else { return .unknown }
            return metadata.numberType(digits, region)
        }
    }

    /// ``regionCode``, ``type`` and ``isValid`` together, for a reader that wants all three (as
    /// `screenpop normalize` does): the region is looked up once, not three times, and the number is
    /// valid exactly when its type is known (libphonenumber's `isValidNumber` is
    /// `getNumberTypeHelper(...) != UNKNOWN` in the region `getRegionCodeForNumber` finds).
    public var classification: Classification {
        withNationalDigits { digits in
            let metadata = PhoneNumberMetadata.shared
            guard let region = metadata.regionMetadata(for: self, digits) else {
                return Classification(regionCode: nil, type: .unknown)
            }
            return Classification(regionCode: region.key.code, type: metadata.numberType(digits, region))
        }
    }

    /// What ``classification`` answers.
    public struct Classification: Hashable, Sendable {
        /// ``PhoneNumber/regionCode``.
        public var regionCode: String?
        /// ``PhoneNumber/type``.
        public var type: PhoneNumberType
        /// ``PhoneNumber/isValid``.
        public var isValid: Bool { type != .unknown }
    }

    /// The region the number belongs to, such as "RU" or "KZ" for +7 (libphonenumber's
    /// `getRegionCodeForNumber`): "001" for non-geographic calling codes such as +800, nil when no
    /// region of a shared calling code claims the number.
    public var regionCode: String? {
        withNationalDigits { digits in
            PhoneNumberMetadata.shared.regionMetadata(for: self, digits)?.key.code
        }
    }
}

extension PhoneNumberMetadata {
    /// The record of the region a number belongs to: the only region of its calling code, or
    /// the first whose leading digits match (or, for regions without leading digits, whose number
    /// patterns match).
    func regionMetadata(for number: PhoneNumber, _ digits: UnsafeBufferPointer<UInt8>) -> RegionMetadata? {
        let candidates = regionIndices(forCallingCode: number.countryCode)
        if candidates.count == 1 { return region(at: Int(candidates.first!)) }
        for index in candidates {
            let region = region(at: Int(index))
            if region.leadingDigits >= 0 {
                if automata.matchesPrefix(region.leadingDigits, digits) { return region }
            } else if isValid(digits, region) {
                return region
            }
        }
        return nil
    }

    /// `isValid(digits, region)` in the region `regionMetadata(for:)` picks, without testing a
    /// region twice: a region without leading digits is picked only when the number is valid there.
    func isValid(_ digits: UnsafeBufferPointer<UInt8>, callingCode: Int) -> Bool {
        let candidates = regionIndices(forCallingCode: callingCode)
        if candidates.count == 1 { return isValid(digits, region(at: Int(candidates.first!))) }
        for index in candidates {
            let region = region(at: Int(index))
            if region.leadingDigits >= 0 {
                if automata.matchesPrefix(region.leadingDigits, digits) { return isValid(digits, region) }
            } else if isValid(digits, region) {
                return true
            }
        }
        return false
    }

    /// Whether `numberType` would answer anything but `.unknown`, testing the likeliest
    /// descriptions first and stopping at the first match.
    func isValid(_ digits: UnsafeBufferPointer<UInt8>, _ region: RegionMetadata) -> Bool {
        guard matches(digits, region.desc(.general)) else { return false }
        if matches(digits, region.desc(.fixedLine)) { return true }
        if !region.sameMobileAndFixedLinePattern && matches(digits, region.desc(.mobile)) { return true }
        return matches(digits, region.desc(.tollFree)) || matches(digits, region.desc(.premiumRate))
            || matches(digits, region.desc(.sharedCost)) || matches(digits, region.desc(.voip))
            || matches(digits, region.desc(.personalNumber)) || matches(digits, region.desc(.pager))
            || matches(digits, region.desc(.uan)) || matches(digits, region.desc(.voicemail))
    }

    /// libphonenumber's `getNumberTypeHelper`.
    func numberType(_ digits: UnsafeBufferPointer<UInt8>, _ region: RegionMetadata) -> PhoneNumberType {
        guard matches(digits, region.desc(.general)) else { return .unknown }
        if matches(digits, region.desc(.premiumRate)) { return .premiumRate }
        if matches(digits, region.desc(.tollFree)) { return .tollFree }
        if matches(digits, region.desc(.sharedCost)) { return .sharedCost }
        if matches(digits, region.desc(.voip)) { return .voip }
        if matches(digits, region.desc(.personalNumber)) { return .personalNumber }
        if matches(digits, region.desc(.pager)) { return .pager }
        if matches(digits, region.desc(.uan)) { return .uan }
        if matches(digits, region.desc(.voicemail)) { return .voicemail }
        if matches(digits, region.desc(.fixedLine)) {
            if region.sameMobileAndFixedLinePattern || matches(digits, region.desc(.mobile)) {
                return .fixedLineOrMobile
            }
            return .fixedLine
        }
        if !region.sameMobileAndFixedLinePattern && matches(digits, region.desc(.mobile)) { return .mobile }
        return .unknown
    }

    /// libphonenumber's `isNumberMatchingDesc`: a possible length, then the pattern.
    @inline(__always)
    func matches(_ digits: UnsafeBufferPointer<UInt8>, _ desc: NumberDesc) -> Bool {
        guard desc.isPresent, desc.pattern >= 0 else { return false }
        let length = digits.count
        if desc.lengths != 0 && (length >= 32 || (desc.lengths >> UInt32(length)) & 1 == 0) { return false }
        return automata.matchesWhole(desc.pattern, digits)
    }
}
