import PhoneNumbers
import _PhoneNumberPrefixTables

/// The carrier (mobile operator) a mobile number's range was allocated to, offline, as
/// libphonenumber's `PhoneNumberToCarrierMapper` names it.
///
/// It is the **original** carrier of the number range: where numbers are portable (Russia since
/// 2013, most of Europe), the subscriber may have moved to another one. ``safeDisplayName(for:language:script:region:)``
/// answers only where numbers cannot move.
///
/// ```swift
/// let number = try PhoneNumber(parsing: "+7 903 123-45-67")
/// PhoneNumberCarrier.name(for: number, language: "en")  // "Beeline"
/// PhoneNumberCarrier.name(for: number, language: "ru")  // "Билайн"
/// ```
///
/// The data is PyPI phonenumbers' (scripts/phonenumbers.version); each language's table is decoded
/// the first time it is asked for. All methods are thread-safe.
public enum PhoneNumberCarrier {
    static let tables = LocalizedPrefixTables(languages: CarrierData.languages) { CarrierData.table(at: $0) }

    /// The carrier name for a mobile, fixed-line-or-mobile or pager number (libphonenumber's
    /// `getNameForNumber`), in `language` or, failing that, English; nil for other numbers and
    /// for ranges without a carrier.
    ///
    /// - Complexity: the number's type check, then one trie walk (at most 9 digits) per language of
    ///   the fallback chain.
    public static func name(
        for number: PhoneNumber, language: String, script: String? = nil, region: String? = nil
    ) -> String? {
        switch number.type {
        case .mobile, .fixedLineOrMobile, .pager:
            return name(forValidNumber: number, language: language, script: script, region: region)
        default:
            return nil
        }
    }

    /// As ``name(for:language:script:region:)`` without the type check (libphonenumber's
    /// `getNameForValidNumber`).
    public static func name(
        forValidNumber number: PhoneNumber, language: String, script: String? = nil, region: String? = nil
    ) -> String? {
        tables.name(for: number, language: language, script: script, region: region)
    }

    /// The carrier name only when it is safe to show: the number's region does not have mobile number
    /// portability (libphonenumber's `getSafeDisplayName`).
    public static func safeDisplayName(
        for number: PhoneNumber, language: String, script: String? = nil, region: String? = nil
    ) -> String? {
        if let numberRegion = number.regionCode, isMobileNumberPortable(region: numberRegion) { return nil }
        return name(for: number, language: language, script: script, region: region)
    }

    /// Whether subscribers in `region` (such as "RU") can keep their mobile number when they change
    /// carrier (libphonenumber's `isMobileNumberPortableRegion`, from the core's metadata).
    public static func isMobileNumberPortable(region: String) -> Bool {
        PhoneNumber.isMobileNumberPortable(region: region)
    }
}
