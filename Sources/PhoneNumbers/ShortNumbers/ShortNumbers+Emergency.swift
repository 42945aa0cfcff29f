extension ShortNumbers {
    /// Whether the text, exactly as dialled in `region`, is an emergency number there
    /// (libphonenumber's `isEmergencyNumber`). Formatting is allowed (`1-1-2`, `Tel: 112`); more
    /// digits are not.
    ///
    /// It takes text rather than a ``PhoneNumber`` because `+1 911` and `911` differ: a number
    /// written with a plus sign (or the full-width one) is never an emergency number here.
    ///
    /// ```swift
    /// ShortNumbers.isEmergencyNumber("112", region: "DE")     // true
    /// ShortNumbers.isEmergencyNumber("+49 112", region: "DE") // false
    /// ShortNumbers.isEmergencyNumber("1120", region: "DE")    // false
    /// ```
    ///
    /// - Parameters:
    ///   - text: The number as dialled. Its number is read as libphonenumber's
    ///     `extractPossibleNumber` does, then its digits (of any script) are kept.
    ///   - region: The region where the number is dialled; false for regions without short-number
    ///     metadata.
    /// - Complexity: O(n) in the text; no allocation for texts of up to 256 UTF-8 bytes.
    public static func isEmergencyNumber(_ text: String, region: String) -> Bool {
        matchesEmergencyNumber(text, region, allowPrefixMatch: false)
    }

    /// Whether the text, exactly as dialled in `region`, might connect to an emergency service
    /// there (libphonenumber's `connectsToEmergencyNumber`): an emergency number, or, where the
    /// region's network allows it, an emergency number followed by more digits (`9116666666` in
    /// the USA). Brazil, Chile and Nicaragua want the emergency number exactly.
    ///
    /// ``isEmergencyNumber(_:region:)`` implies this.
    ///
    /// - Complexity: O(n) in the text; no allocation for texts of up to 256 UTF-8 bytes.
    public static func connectsToEmergencyNumber(_ text: String, region: String) -> Bool {
        matchesEmergencyNumber(text, region, allowPrefixMatch: true)
    }

    /// Regions where an emergency number must be dialled exactly, without more digits after it.
    static func emergencyNumbersMustBeExact(_ key: RegionKey) -> Bool {
        key.rawValue == 0x4252 || key.rawValue == 0x434C || key.rawValue == 0x4E49  // BR, CL, NI
    }

    static func matchesEmergencyNumber(_ text: String, _ region: String, allowPrefixMatch: Bool) -> Bool {
        guard let key = RegionKey(region), let record = shortRecord(key) else { return false }
        let whole = record.pointee.desc(.emergency).pattern
        guard whole >= 0 else { return false }
        let pattern = allowPrefixMatch && !emergencyNumbersMustBeExact(key) ? record.pointee.emergencyPrefix : whole
        let prefix = pattern != whole
        let byteCount = text.utf8.count
        if byteCount <= 256 {
            return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 256) { scalars in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { digits in
                    let count = ScalarStorage.decode(text, into: scalars.baseAddress!)
                    return matchesEmergency(
                        UnsafeBufferPointer(rebasing: scalars[0..<count]), digits.baseAddress!, pattern, prefix)
                }
            }
        }
        let scalars = Array(text.unicodeScalars.lazy.map(\.value))
        var digits = [UInt8](repeating: 0, count: scalars.count)
        return scalars.withUnsafeBufferPointer { scalars in
            digits.withUnsafeMutableBufferPointer { matchesEmergency(scalars, $0.baseAddress!, pattern, prefix) }
        }
    }

    /// The possible number of the text (libphonenumber's `extractPossibleNumber`), not starting
    /// with a plus sign, reduced to its digits (`normalizeDigitsOnly`), matched in whole or prefix
    /// mode. `digits` has room for one byte per scalar.
    private static func matchesEmergency(
        _ text: UnsafeBufferPointer<UInt32>, _ digits: UnsafeMutablePointer<UInt8>, _ pattern: Int32, _ prefix: Bool
    ) -> Bool {
        let range = TextChecks.possibleNumberRange(text) ?? 0..<0
        if let first = range.first, Scalars.isPlus(text[first]) { return false }
        var count = 0
        for i in range {
            if let value = normalizingDigitValue(text[i]) {
                digits[count] = 48 &+ value
                count &+= 1
            }
        }
        let number = UnsafeBufferPointer(start: digits, count: count)
        let automata = ShortNumberMetadata.shared.automata
        return prefix ? automata.matchesPrefix(pattern, number) : automata.matchesWhole(pattern, number)
    }

    /// The digit value `normalizeDigitsOnly` gives a character: decimal digits of any script, and,
    /// as Python's `unicodedata.digit` has it, the other characters with a digit value
    /// (superscripts, subscripts, circled and parenthesized digits, ...).
    @inline(__always)
    static func normalizingDigitValue(_ c: UInt32) -> UInt8? {
        if let value = Scalars.digitValue(c) { return value }
        guard c >= 0xB2 else { return nil }
        return otherDigitValue(c)
    }

    /// Characters of numeric type "digit" that are not decimal digits (Unicode 14, Python 3.11's
    /// `unicodedata`): runs of (first scalar, length, value of the first).
    private static let otherDigits: [(first: UInt32, count: UInt32, value: UInt8)] = [
        (0xB2, 2, 2), (0xB9, 1, 1), (0x1369, 9, 1), (0x19DA, 1, 1), (0x2070, 1, 0), (0x2074, 6, 4),
        (0x2080, 10, 0), (0x2460, 9, 1), (0x2474, 9, 1), (0x2488, 9, 1), (0x24EA, 1, 0), (0x24F5, 9, 1),
        (0x24FF, 1, 0), (0x2776, 9, 1), (0x2780, 9, 1), (0x278A, 9, 1), (0x10A40, 4, 1), (0x10E60, 9, 1),
        (0x11052, 9, 1), (0x1F100, 1, 0), (0x1F101, 10, 0),
    ]

    @inline(never)
    private static func otherDigitValue(_ c: UInt32) -> UInt8? {
        for run in otherDigits where c &- run.first < run.count {
            return run.value &+ UInt8(truncatingIfNeeded: c &- run.first)
        }
        return nil
    }
}
