import PhoneNumbers
import _PhoneNumberPrefixTables

/// Where a phone number is from, in words: a city or area ("Moscow", "Москва", "München"), or the
/// country, offline, as libphonenumber's `PhoneNumberOfflineGeocoder` describes it.
///
/// ```swift
/// let number = try PhoneNumber(parsing: "+7 812 345-67-89")
/// PhoneNumberGeocoder.description(for: number, language: "ru")  // "г. Санкт-Петербург"
/// PhoneNumberGeocoder.description(for: number, language: "en")  // "St Petersburg"
/// PhoneNumberGeocoder.description(for: number, language: "en", region: "DE")  // "Russia"
/// ```
///
/// The data is PyPI phonenumbers' (scripts/phonenumbers.version), compiled into the module; each
/// language's table is decoded the first time it is asked for. The answers agree with PyPI
/// phonenumbers' `geocoder` module, fallbacks included: a language without a name for an area falls
/// back to English (except Chinese, Japanese and Korean), a number of a non-geographical type (most
/// mobiles, toll free, ...) gets its country's name, and so does any number from another region than
/// the user's `region`.
///
/// All methods are thread-safe.
public enum PhoneNumberGeocoder {
    static let tables = LocalizedPrefixTables(languages: GeocodingData.languages) { GeocodingData.table(at: $0) }

    /// A description of where `number` is from (libphonenumber's `getDescriptionForNumber`), or nil
    /// when there is none (invalid numbers, numbers of calling codes shared by regions that all claim
    /// them, languages without a country name).
    ///
    /// - Parameters:
    ///   - number: Any parsed number; its validity and type are checked.
    ///   - language: An ISO 639-1 code such as "en", "ru" or "zh".
    ///   - script: An ISO 15924 script such as "Hant", or nil.
    ///   - region: The user's region, such as "RU": numbers from another region are described by
    ///     their country's name only. It also selects regional names ("zh" with region "TW" reads
    ///     zh_Hant names).
    /// - Complexity: the number's type check, then one trie walk (at most 9 digits) per language
    ///   of the fallback chain.
    public static func description(
        for number: PhoneNumber, language: String, script: String? = nil, region: String? = nil
    ) -> String? {
        let type = number.type
        if type == .unknown { return nil }
        if !type.isGeographical(countryCode: number.countryCode) {
            return countryName(for: number, language: language)
        }
        return description(forValidNumber: number, language: language, script: script, region: region)
    }

    /// As ``description(for:language:script:region:)``, for a number already known to be valid and
    /// geographical (libphonenumber's `getDescriptionForValidNumber`): no type check.
    public static func description(
        forValidNumber number: PhoneNumber, language: String, script: String? = nil, region: String? = nil
    ) -> String? {
        if let region {
            let numberRegion = number.regionCode
            if region != numberRegion { return CountryNames.shared.name(region: numberRegion, language: language) }
        }
        let area: String?
        if let token = mobileToken(for: number) {
            // Argentina's mobile numbers carry a 9 before the area code: look up the number without it.
            let mainRegion = PhoneNumber.mainRegionCode(forCountryCode: number.countryCode)
            let national = number.nationalSignificantNumber.utf8.dropFirst(token)
            let stripped =
                (try? PhoneNumber(parsing: String(decoding: national, as: UTF8.self), defaultRegion: mainRegion))
                ?? number
            area = tables.name(for: stripped, language: language, script: script, region: mainRegion ?? "ZZ")
        } else {
            area = tables.name(for: number, language: language, script: script, region: region)
        }
        return area ?? countryName(for: number, language: language)
    }

    /// The name of the country `number` is from, in `language` (libphonenumber's
    /// `getCountryNameForNumber`); nil when the calling code is shared and not exactly one of its
    /// regions claims the number, or when the language has no name for the country.
    public static func countryName(for number: PhoneNumber, language: String) -> String? {
        CountryNames.shared.name(region: number.countryNameRegionCode, language: language)
    }

    /// The length of the mobile token that starts the national number, if any.
    static func mobileToken(for number: PhoneNumber) -> Int? {
        for entry in CountryNameData.mobileTokens where entry.countryCode == number.countryCode {
            let token = UnsafeBufferPointer(start: entry.token.utf8Start, count: entry.token.utf8CodeUnitCount)
            let matches = number.withNationalSignificantDigits { digits in digits.starts(with: token) }
            return matches ? token.count : nil
        }
        return nil
    }
}
