extension PhoneNumber {
    /// Why a number's length is or is not possible for its calling code: libphonenumber's
    /// `ValidationResult`, as `isPossibleNumberWithReason` answers it.
    ///
    /// The account audit says why a stored number is not valid with it: a number of a possible
    /// length that is still not valid is in no range of its country; one that is too short or too
    /// long has lost or gained digits.
    ///
    /// ```swift
    /// try PhoneNumber(parsing: "+7 999 888 55").possibleLength   // .tooShort
    /// ```
    public enum PossibleLength: String, Hashable, Sendable, CaseIterable {
        case isPossible = "IS_POSSIBLE"
        /// Possible only when dialled locally, without the area code.
        case isPossibleLocalOnly = "IS_POSSIBLE_LOCAL_ONLY"
        case invalidCountryCode = "INVALID_COUNTRY_CODE"
        case tooShort = "TOO_SHORT"
        /// Between the shortest and the longest length, but not one of the lengths.
        case invalidLength = "INVALID_LENGTH"
        case tooLong = "TOO_LONG"
    }

    /// The national number's length checked against the possible lengths of its calling code's
    /// main region (libphonenumber's `isPossibleNumberWithReason`).
    ///
    /// - Complexity: O(1).
    public var possibleLength: PossibleLength {
        let metadata = PhoneNumberMetadata.shared
        guard let region = metadata.mainMetadata(forCallingCode: countryCode) else { return .invalidCountryCode }
        let general = region.desc(.general)
        switch region.checkLength(
            Int(nationalNumberLength), lengths: general.lengths, localOnly: general.localOnlyLengths)
        {
        case .isPossible: return .isPossible
        case .isPossibleLocalOnly: return .isPossibleLocalOnly
        case .tooShort: return .tooShort
        case .invalidLength: return .invalidLength
        case .tooLong: return .tooLong
        }
    }
}
