import PhoneNumbers

/// A phone number as the index keys it: the digits of the country calling code and the national
/// significant number, packed into one `UInt64`.
///
/// The high 5 bits hold the digit count (which keeps leading zeros, as in Italian numbers) and the
/// low 59 bits the digits as an integer. Calling codes are prefix-free, so the digit string alone
/// gives the country code and the national number back: two keys are equal exactly when the E.164
/// forms are. The extension is not part of the key. Numbers of more than 17 digits (E.164 allows
/// 15) have no key.
///
/// ```swift
/// let key = PhoneKey(try PhoneNumber(parsing: "8 999 888-55-33", defaultRegion: "RU"))!
/// key.e164          // "+79998885533"
/// key.digitCount    // 11
/// ```
public struct PhoneKey: Hashable, Sendable, Comparable, BitwiseCopyable, CustomStringConvertible {
    /// The most digits a key can hold.
    public static let maxDigits = 17

    @usableFromInline static let valueBits: UInt64 = 59
    @usableFromInline static let valueMask: UInt64 = (1 << valueBits) - 1

    /// The packed form: digit count in the high 5 bits, the digits' value in the low 59.
    public let rawValue: UInt64

    @inlinable
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    @inlinable
    init(digitCount: Int, value: UInt64) {
        rawValue = UInt64(truncatingIfNeeded: digitCount) << Self.valueBits | value
    }

    /// The key of `number`, or nil when it has more than ``maxDigits`` digits.
    ///
    /// - Complexity: O(1), no heap allocation.
    @inlinable
    public init?(_ number: PhoneNumber) {
        var value = UInt64(number.countryCode)
        var count = value >= 100 ? 3 : (value >= 10 ? 2 : 1)
        // Through a pointer: the string's own view would copy a small string for every byte.
        var national = number.nationalSignificantNumber
        let fits = national.withUTF8 { digits in
            for byte in digits {
                value = value &* 10 &+ UInt64(byte &- 48)
                count += 1
                if count > Self.maxDigits { return false }
            }
            return true
        }
        guard fits else { return nil }
        self.init(digitCount: count, value: value)
    }

    /// The key of an E.164 string (`+79998885533`, the `+` optional), or nil if it is not one.
    public init?(e164: String) {
        var value: UInt64 = 0
        var count = 0
        var utf8 = Substring(e164).utf8
        if utf8.first == UInt8(ascii: "+") { utf8 = utf8.dropFirst() }
        for byte in utf8 {
            guard byte >= 48 && byte <= 57, count < Self.maxDigits else { return nil }
            value = value * 10 + UInt64(byte - 48)
            count += 1
        }
        guard count > 0 else { return nil }
        self.init(digitCount: count, value: value)
    }

    /// How many digits the country code and national number have together.
    @inlinable
    public var digitCount: Int { Int(truncatingIfNeeded: rawValue >> Self.valueBits) }

    /// The digits as an integer (leading zeros are counted by ``digitCount``).
    @inlinable
    public var digitValue: UInt64 { rawValue & Self.valueMask }

    /// `+` and the digits: the number's E.164 form.
    public var e164: String {
        let count = digitCount
        return String(unsafeUninitializedCapacity: count + 1) { buffer in
            buffer[0] = UInt8(ascii: "+")
            var value = digitValue
            var i = count
            while i > 0 {
                buffer[i] = UInt8(truncatingIfNeeded: value % 10) &+ 48
                value /= 10
                i -= 1
            }
            return count + 1
        }
    }

    /// The number back as a ``PhoneNumber``.
    public var number: PhoneNumber? { try? PhoneNumber(parsing: e164, defaultRegion: nil) }

    /// The bucket of the last-digits fallback: the last `digits` digits when the number has at least
    /// that many, tagged with the count; otherwise the key itself (short numbers match only exactly).
    ///
    /// Numbers that are equal have the same bucket, so one bucket holds every exact match and
    /// every fallback match of a number.
    @inlinable
    func bucket(suffixDigits digits: Int) -> PhoneKey {
        bucket(suffixDigits: digits, modulus: Self.powerOfTen(digits))
    }

    /// ``bucket(suffixDigits:)`` with `modulus` = 10^digits computed once.
    @inlinable @inline(__always)
    func bucket(suffixDigits digits: Int, modulus: UInt64) -> PhoneKey {
        guard digitCount >= digits else { return self }
        return PhoneKey(digitCount: digits, value: digitValue % modulus)
    }

    @usableFromInline
    static func powerOfTen(_ n: Int) -> UInt64 {
        var power: UInt64 = 1
        for _ in 0..<n { power &*= 10 }
        return power
    }

    public static func < (a: PhoneKey, b: PhoneKey) -> Bool { a.rawValue < b.rawValue }

    public var description: String { e164 }
}

extension PhoneKey {
    /// The keys of one stored phone value: every number in it, each once.
    ///
    /// Strict parsing with the default region comes first: when it succeeds, its number is the one key,
    /// valid or not (a German number stored without `+` in a Russian account parses as a Russian
    /// number that is not valid; it is kept, so that the last-digits fallback can find it). When
    /// strict parsing fails (several numbers, comments around them), the free-text finder at
    /// ``PhoneNumberLeniency/possible`` leniency gives one key per number it finds.
    ///
    /// ```swift
    /// PhoneKey.keys(inStoredValue: "+7 999 888 55 33, +7 999 111 22 33", defaultRegion: "RU")
    /// // [+79998885533, +79991112233]
    /// ```
    ///
    /// - Parameters:
    ///   - text: The value as stored.
    ///   - defaultRegion: The account's country.
    /// - Returns: The keys in the order the numbers appear.
    public static func keys(inStoredValue text: String, defaultRegion: String?) -> [PhoneKey] {
        var keys: [UInt64] = []
        appendKeys(inStoredValue: text, defaultRegion: defaultRegion, to: &keys)
        return keys.map(PhoneKey.init(rawValue:))
    }

    /// Appends the raw values of ``keys(inStoredValue:defaultRegion:)`` to `keys`, without allocating
    /// an array for the common case of one number: the one implementation of that rule.
    static func appendKeys(inStoredValue text: String, defaultRegion: String?, to keys: inout [UInt64]) {
        if let number = try? PhoneNumber(parsing: text, defaultRegion: defaultRegion) {
            if let key = PhoneKey(number) { keys.append(key.rawValue) }
            return
        }
        let start = keys.count
        for match in PhoneNumberMatcher(text: text, defaultRegion: defaultRegion, leniency: .possible) {
            if let key = PhoneKey(match.number), !keys[start...].contains(key.rawValue) { keys.append(key.rawValue) }
        }
    }

    /// The keys of all of an entity's phone values, sorted, each once.
    public static func keys(inStoredValues values: [PhoneValue], defaultRegion: String?) -> [PhoneKey] {
        var keys: [UInt64] = []
        appendKeys(inStoredValues: values, defaultRegion: defaultRegion, to: &keys)
        return keys.map(PhoneKey.init(rawValue:))
    }

    /// Appends the raw values of ``keys(inStoredValues:defaultRegion:)`` to `keys`: the keys of a
    /// contact or company as the index keeps them, for a batch's upsert and the bulk build alike.
    static func appendKeys(inStoredValues values: [PhoneValue], defaultRegion: String?, to keys: inout [UInt64]) {
        let start = keys.count
        for value in values { appendKeys(inStoredValue: value.value, defaultRegion: defaultRegion, to: &keys) }
        guard keys.count - start > 1 else { return }
        // Sorted, each once, in place.
        keys[start...].sort()
        var write = start + 1
        for read in (start + 1)..<keys.count where keys[read] != keys[write - 1] {
            keys[write] = keys[read]
            write += 1
        }
        keys.removeLast(keys.count - write)
    }
}
