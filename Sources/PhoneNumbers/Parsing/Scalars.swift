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

    @inline(never)
    static func nonASCIIDigitValue(_ c: UInt32) -> UInt8? {
        guard let scalar = Unicode.Scalar(c), scalar.properties.numericType == .decimal,
            let value = scalar.properties.numericValue, value >= 0, value <= 9
        else { return nil }
        return UInt8(value)
    }

    @inline(__always)
    static func isDigit(_ c: UInt32) -> Bool { digitValue(c) != nil }

    /// libphonenumber's VALID_PUNCTUATION, matched case-insensitively (so `X` as well as `x`).
    @inline(__always)
    static func isPunctuation(_ c: UInt32) -> Bool {
        if c < 0x80 {
            switch c {
            case 0x20, 0x28, 0x29, 0x2D, 0x2E, 0x2F, 0x58, 0x5B, 0x5D, 0x78, 0x7E: return true
            default: return false
            }
        }
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
    static func isLetterOrNumber(_ c: UInt32) -> Bool {
        if c < 0x80 { return (c | 0x20) &- 0x61 < 26 || c &- 0x30 < 10 }
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
