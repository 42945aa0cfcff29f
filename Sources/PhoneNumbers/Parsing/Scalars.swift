/// Character classes of libphonenumber's built-in patterns, as predicates over Unicode scalar values.
///
/// libphonenumber matches these with case-insensitive Unicode regular expressions; the tables
/// below spell out what those expressions accept, including the case-insensitive equivalents that
/// Python's and Java's engines add (`İ` and `ı` for `i`, `ſ` for `s`, `K` (Kelvin) for `k`,
/// `ᲁ` for `д`, `ᲂ` for `о`).
enum Scalars {
    static let plus: UInt32 = 0x2B
    static let fullwidthPlus: UInt32 = 0xFF0B

    /// `[+＋]`
    @inline(__always)
    static func isPlus(_ c: UInt32) -> Bool { c == plus || c == fullwidthPlus }

    /// The value of a decimal digit (Unicode general category Nd, any script), or nil.
    @inline(__always)
    static func digitValue(_ c: UInt32) -> UInt8? {
        if c &- 0x30 < 10 { return UInt8(truncatingIfNeeded: c &- 0x30) }
        if c < 0x660 { return nil }
        return nonASCIIDigitValue(c)
    }

    /// The zero of every run of ten decimal digits outside ASCII, in order: Unicode 16's
    /// characters of general category Nd, as the Swift standard library knows them (a test checks
    /// the table against `Unicode.Scalar.Properties` for every scalar).
    static let decimalZeros: StaticArray76 = StaticArray76(
        0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66,
        0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6, 0xE50, 0xED0, 0xF20,
        0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
        0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0,
        0xA9F0, 0xAA50, 0xABF0, 0xFF10, 0x104A0, 0x10D30, 0x10D40, 0x11066,
        0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0,
        0x116D0, 0x116DA, 0x11730, 0x118E0, 0x11950, 0x11BF0, 0x11C50, 0x11D50,
        0x11DA0, 0x11DE0, 0x11F50, 0x16130, 0x16A60, 0x16AC0, 0x16B50, 0x16D70,
        0x1CCF0, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0,
        0x1E4F0, 0x1E5F1, 0x1E950, 0x1FBF0
    )

    static func nonASCIIDigitValue(_ c: UInt32) -> UInt8? {
        // The largest zero not above c, by binary search.
        var low = 0
        var high = StaticArray76.count
        while low < high {
            let mid = (low + high) >> 1
            if decimalZeros[mid] <= c { low = mid + 1 } else { high = mid }
        }
        guard low > 0 else { return nil }
        let offset = c &- decimalZeros[low - 1]
        return offset < 10 ? UInt8(truncatingIfNeeded: offset) : nil
    }

    @inline(__always)
    static func isDigit(_ c: UInt32) -> Bool { digitValue(c) != nil }

    /// libphonenumber's VALID_PUNCTUATION, matched case-insensitively (so `X` as well as `x`).
    @inline(__always)
    static func isPunctuation(_ c: UInt32) -> Bool {
        if c < 0x80 {
            // A bit set: space ( ) - . / below 0x40; X [ ] x ~ above.
            let word: UInt64 = c < 0x40 ? 0xE301_0000_0000 : 0x4100_0000_2900_0000
            return word &>> UInt64(c & 0x3F) & 1 != 0
        }
        return isNonASCIIPunctuation(c)
    }

    @inline(__always)
    static func isNonASCIIPunctuation(_ c: UInt32) -> Bool {
        switch c {
        case 0xA0, 0xAD, 0x200B, 0x2010...0x2015, 0x2053, 0x2060, 0x2212, 0x223C, 0x3000, 0x30FC,
            0xFF08, 0xFF09, 0xFF0D...0xFF0F, 0xFF3B, 0xFF3D, 0xFF5E:
            return true
        default:
            return false
        }
    }

    /// libphonenumber's VALID_ALPHA (ASCII letters) matched case-insensitively.
    @inline(__always)
    static func isAlpha(_ c: UInt32) -> Bool {
        if c < 0x80 { return (c | 0x20) &- 0x61 < 26 }
        return c == 0x130 || c == 0x131 || c == 0x17F || c == 0x212A
    }

    @inline(__always)
    static func isASCIILetter(_ c: UInt32) -> Bool { c < 0x80 && (c | 0x20) &- 0x61 < 26 }

    /// Whether `c` is a letter or a number: what the "unwanted end characters" pattern keeps
    /// (Java `\p{L}` or `\p{N}`; Python `\w` without `_`).
    @inline(__always)
    static func isLetterOrNumber(_ c: UInt32) -> Bool {
        if c < 0x80 { return (c | 0x20) &- 0x61 < 26 || c &- 0x30 < 10 }
        return isNonASCIILetterOrNumber(c)
    }

    /// Kept out of line: code that reads Unicode properties sets up the standard library's
    /// resilient types on entry, which would tax every caller's ASCII fast path.
    @inline(never)
    static func isNonASCIILetterOrNumber(_ c: UInt32) -> Bool {
        guard let scalar = Unicode.Scalar(c) else { return false }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return true
        default:
            return scalar.properties.numericType != nil
        }
    }

    /// Case-insensitive equality with a lower-case pattern character, as the regex engines do it.
    @inline(__always)
    static func equalsIgnoringCase(_ c: UInt32, _ lower: UInt32) -> Bool {
        if c == lower { return true }
        switch lower {
        case 0x61...0x7A:  // ASCII letters
            if c == lower &- 32 { return true }
            switch lower {
            case 0x69: return c == 0x130 || c == 0x131  // i: İ ı
            case 0x73: return c == 0x17F  // s: ſ
            case 0x6B: return c == 0x212A  // k: Kelvin sign
            default: return false
            }
        case 0xF3: return c == 0xD3  // ó Ó
        case 0x431: return c == 0x411  // б Б
        case 0x434: return c == 0x414 || c == 0x1C81  // д Д ᲁ
        case 0x43E: return c == 0x41E || c == 0x1C82  // о О ᲂ
        case 0xFF41...0xFF5A: return c == lower &- 32  // full-width letters
        default: return false
        }
    }

    /// The keypad digit of a letter in a vanity number (ITU E.161), matching Python's
    /// `char.upper()` lookup: ASCII letters plus `ı` (-> I) and `ſ` (-> S).
    @inline(__always)
    static func keypadDigit(_ c: UInt32) -> UInt8? {
        var upper = c
        if c &- 0x61 < 26 {
            upper = c &- 32
        } else if c == 0x131 {
            upper = 0x49
        } else if c == 0x17F {
            upper = 0x53
        }
        guard upper &- 0x41 < 26 else { return nil }
        // A B C -> 2, D E F -> 3, ..., P Q R S -> 7, T U V -> 8, W X Y Z -> 9
        let table: StaticString = "22233344455566677778889999"
        return table.utf8Start[Int(upper &- 0x41)] &- 48
    }
}

/// A fixed table of 76 scalar values without heap storage.
struct StaticArray76: Sendable {
    static let count = 76
    private let storage: InlineArray<76, UInt32>

    init(_ values: UInt32...) {
        precondition(values.count == Self.count)
        storage = InlineArray { values[$0] }
    }

    @inline(__always)
    subscript(i: Int) -> UInt32 { storage[i] }
}
