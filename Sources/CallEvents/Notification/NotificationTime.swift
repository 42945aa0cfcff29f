import ScreenPopSupport

/// When a notification was made: Unix time in milliseconds, UTC.
///
/// ```swift
/// let time = NotificationTime(millisecondsSince1970: 1_764_028_800_123)
/// time.description   // "2025-11-25T00:00:00.123Z"
/// ```
public struct NotificationTime: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let millisecondsSince1970: Int64

    public init(millisecondsSince1970: Int64) {
        self.millisecondsSince1970 = millisecondsSince1970
    }

    /// The system's wall clock now (`CLOCK_REALTIME`).
    public static func now() -> NotificationTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return NotificationTime(millisecondsSince1970: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }

    /// Whole seconds since 1970 (amoCRM's timestamps).
    public var secondsSince1970: Int64 { millisecondsSince1970.floorDivided(by: 1000) }

    /// ISO 8601 in UTC with milliseconds: `2025-11-25T00:00:00.123Z`.
    public var description: String {
        let seconds = secondsSince1970
        let milliseconds = Int(millisecondsSince1970 - seconds * 1000)
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = Self.civil(fromDays: days)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(Int(year), 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(milliseconds, 3))Z"
    }

    public static func < (a: NotificationTime, b: NotificationTime) -> Bool {
        a.millisecondsSince1970 < b.millisecondsSince1970
    }

    /// Howard Hinnant's `civil_from_days`: the proleptic Gregorian date of a day count from 1970-01-01.
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = days + 719_468
        let era = z.floorDivided(by: 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
