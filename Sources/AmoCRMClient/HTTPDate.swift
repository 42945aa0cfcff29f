#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// HTTP dates (RFC 9110, section 5.6.7) without Foundation: the `Retry-After` of a 429 or 503 may be
/// one instead of a number of seconds.
///
/// ```swift
/// HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT")   // 784111777
/// HTTPDate.format(784_111_777)                       // "Sun, 06 Nov 1994 08:49:37 GMT"
/// ```
///
/// A recipient must accept all three forms: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`, the one
/// senders use), and the obsolete RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime
/// (`Sun Nov  6 08:49:37 1994`) forms. Names are matched case-sensitively, as the grammar says; the
/// day name is not checked against the date.
public enum HTTPDate {
    static let shortDays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let longDays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The Unix time (seconds, UTC) of an HTTP date; nil when `text` is not one.
    ///
    /// - Parameters:
    ///   - text: The field value; spaces and tabs around it are ignored.
    ///   - currentYear: For RFC 850's two-digit years: a year that would be more than 50 years
    ///     after this one is taken a century earlier (RFC 9110). The year of the wall clock by default.
    /// - Complexity: O(n) in the length of `text`.
    public static func parse(_ text: some StringProtocol, currentYear: Int? = nil) -> Int? {
        let tokens = String(text).split(whereSeparator: { $0 == " " || $0 == "\t" })
        switch tokens.count {
        case 6:
            // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
            guard tokens[0].hasSuffix(","), shortDays.contains(String(tokens[0].dropLast())), tokens[5] == "GMT",
                tokens[1].count == 2, tokens[3].count == 4, let day = Int(tokens[1]),
                let month = months.firstIndex(of: String(tokens[2])), let year = Int(tokens[3])
            else { return nil }
            return unixTime(year: year, month: month + 1, day: day, time: tokens[4])
        case 4:
            // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
            let date = tokens[1].split(separator: "-", omittingEmptySubsequences: false)
            guard tokens[0].hasSuffix(","), longDays.contains(String(tokens[0].dropLast())), tokens[3] == "GMT",
                date.count == 3, date[0].count == 2, date[2].count == 2, let day = Int(date[0]),
                let month = months.firstIndex(of: String(date[1])), let twoDigits = Int(date[2])
            else { return nil }
            let reference = currentYear ?? civil(fromDays: Int(wallClockNanoseconds() / 1_000_000_000) / 86_400).year
            var year = reference - reference % 100 + twoDigits
            if year > reference + 50 { year -= 100 }
            return unixTime(year: year, month: month + 1, day: day, time: tokens[2])
        case 5:
            // asctime: Sun Nov  6 08:49:37 1994
            guard shortDays.contains(String(tokens[0])), let month = months.firstIndex(of: String(tokens[1])),
                (1...2).contains(tokens[2].count), tokens[4].count == 4, let day = Int(tokens[2]),
                let year = Int(tokens[4])
            else { return nil }
            return unixTime(year: year, month: month + 1, day: day, time: tokens[3])
        default:
            return nil
        }
    }

    /// The IMF-fixdate of a Unix time: `Sun, 06 Nov 1994 08:49:37 GMT`.
    public static func format(_ unixSeconds: Int) -> String {
        let days = unixSeconds >= 0 ? unixSeconds / 86_400 : (unixSeconds - 86_399) / 86_400
        let seconds = unixSeconds - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        let weekday = ((days % 7) + 11) % 7  // 1970-01-01 was a Thursday (4)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let paddedYear = String(repeating: "0", count: max(0, 4 - String(year).count)) + String(year)
        return "\(shortDays[weekday]), \(two(day)) \(months[month - 1]) \(paddedYear) "
            + "\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60)) GMT"
    }

    /// `hh:mm:ss` on a valid date, as Unix seconds; a leap second (`:60`) counts as the next second.
    private static func unixTime(year: Int, month: Int, day: Int, time: Substring) -> Int? {
        let parts = time.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
            let hour = Int(parts[0]), let minute = Int(parts[1]), let second = Int(parts[2]),
            (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
            year >= 1, (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        return days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a day since 1970-01-01 (Hinnant's `civil_from_days`).
    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The wall clock (`CLOCK_REALTIME`), nanoseconds since 1970.
    static func wallClockNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}

/// The `Retry-After` of a 429 or 503: seconds, or an HTTP date.
enum RetryAfter {
    /// How long `value` says to wait from `now` (Unix nanoseconds); a date past is no wait; nil when
    /// `value` is neither a number of seconds nor an HTTP date.
    static func delay(_ value: String, now: Int64) -> Duration? {
        let trimmed = value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        if !trimmed.isEmpty, trimmed.utf8.allSatisfy({ (0x30...0x39).contains($0) }) {
            return Int(trimmed).map { .seconds($0) } ?? .seconds(Int.max / 1_000_000_000)
        }
        guard let date = HTTPDate.parse(trimmed) else { return nil }
        let wait = Int64(date) * 1_000_000_000 - now
        return .nanoseconds(max(0, wait))
    }
}
