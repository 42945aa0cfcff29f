import PhoneNumbers
import _PhoneNumberPrefixTables

/// The time zones a phone number may be in, offline, as libphonenumber's
/// `PhoneNumberToTimeZonesMapper` maps them: IANA names such as "Europe/Moscow".
///
/// ```swift
/// let number = try PhoneNumber(parsing: "+7 383 123-45-67")
/// PhoneNumberTimeZones.timeZones(for: number)  // ["Asia/Novosibirsk"]
/// ```
///
/// A separate product from the geocoder: the table is small (3,240 prefixes, 28 KB of source), so an
/// app that needs only time zones does not pay for the geocoder's names. Thread-safe.
public enum PhoneNumberTimeZones {
    /// The answer when no time zone is known.
    public static let unknown = "Etc/Unknown"

    /// The time zones of a number (libphonenumber's `getTimeZonesForNumber`): by its prefix for
    /// fixed lines (and the mobiles of countries whose mobiles have area codes), by its country
    /// calling code for other valid numbers, `["Etc/Unknown"]` for invalid ones.
    ///
    /// - Complexity: the number's type check and one trie walk of at most 9 digits.
    public static func timeZones(for number: PhoneNumber) -> [String] {
        let type = number.type
        if type == .unknown { return [unknown] }
        if !type.isGeographical(countryCode: number.countryCode) { return countryLevelTimeZones(for: number) }
        return timeZones(forGeographicalNumber: number)
    }

    /// The time zones of the longest prefix of the number that has any, without checking its type
    /// (libphonenumber's `getTimeZonesForGeographicalNumber`); `["Etc/Unknown"]` when none does.
    public static func timeZones(forGeographicalNumber number: PhoneNumber) -> [String] {
        let table = TimeZoneData.table
        let name = withE164Prefix(number) { table.longestMatch($0)?.name }
        return name.map { split(table.names.bytes($0)) } ?? [unknown]
    }

    /// The time zones of the calling code: the whole code, or its first two digits (as PyPI
    /// phonenumbers' `_country_level_time_zones_for_number` tries them).
    static func countryLevelTimeZones(for number: PhoneNumber) -> [String] {
        let table = TimeZoneData.table
        var code = number.countryCode
        var digits: (UInt8, UInt8, UInt8) = (0, 0, 0)
        let count = code >= 100 ? 3 : (code >= 10 ? 2 : 1)
        let name: Int? = withUnsafeMutableBytes(of: &digits) { raw in
            for i in stride(from: count - 1, through: 0, by: -1) {
                raw[i] = UInt8(truncatingIfNeeded: code % 10) &+ 48
                code /= 10
            }
            let all = UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count)
            if let name = table.exactMatch(all) { return name }
            return count == 3 ? table.exactMatch(UnsafeBufferPointer(rebasing: all[..<2])) : nil
        }
        return name.map { split(table.names.bytes($0)) } ?? [unknown]
    }

    /// One line of the table: zones joined by `&`.
    static func split(_ line: UnsafeBufferPointer<UInt8>) -> [String] {
        line.split(separator: UInt8(ascii: "&")).map { String(decoding: $0, as: UTF8.self) }
    }
}
