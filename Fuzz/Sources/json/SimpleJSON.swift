/// A second, deliberately plain reading of JSON (RFC 8259) to compare ScreenPopJSON's reader with:
/// recursive descent over the bytes, nothing shared with the reader. It follows the reader's
/// documented choices where the RFC leaves one: a UTF-8 byte order mark at the start is skipped;
/// at most `maxDepth` objects and arrays are open at once; a number past `Double`'s range is refused;
/// objects keep every member in order, duplicates included.
enum SimpleJSON: Equatable {
    case null
    case bool(Bool)
    /// The number's text, checked against the grammar and `Double`'s range.
    case number([UInt8])
    /// The string's value as UTF-8.
    case string([UInt8])
    case array([SimpleJSON])
    case object([Member])

    struct Member: Equatable {
        var key: [UInt8]
        var value: SimpleJSON
    }

    /// The document in `bytes`, or nil when it is not exactly one JSON value (white space aside).
    static func parse(_ bytes: [UInt8], maxDepth: Int) -> SimpleJSON? {
        var parser = Parser(bytes: bytes, position: 0, maxDepth: maxDepth)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { parser.position = 3 }
        parser.skipWhitespace()
        guard let value = parser.value(depth: 0) else { return nil }
        parser.skipWhitespace()
        return parser.position == bytes.count ? value : nil
    }

    private struct Parser {
        let bytes: [UInt8]
        var position: Int
        let maxDepth: Int

        var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func skipWhitespace() {
            while let c = current, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { position += 1 }
        }

        mutating func take(_ c: UInt8) -> Bool {
            guard current == c else { return false }
            position += 1
            return true
        }

        mutating func literal(_ word: String) -> Bool {
            let text = Array(word.utf8)
            guard bytes.count - position >= text.count, bytes[position..<(position + text.count)].elementsEqual(text)
            else { return false }
            position += text.count
            return true
        }

        /// A value; `depth` containers are open around it.
        mutating func value(depth: Int) -> SimpleJSON? {
            guard let c = current else { return nil }
            switch c {
            case UInt8(ascii: "{"):
                guard depth < maxDepth else { return nil }
                position += 1
                var members: [Member] = []
                skipWhitespace()
                if take(UInt8(ascii: "}")) { return .object(members) }
                while true {
                    skipWhitespace()
                    guard take(UInt8(ascii: "\"")), let key = stringBody() else { return nil }
                    skipWhitespace()
                    guard take(UInt8(ascii: ":")) else { return nil }
                    skipWhitespace()
                    guard let value = value(depth: depth + 1) else { return nil }
                    members.append(Member(key: key, value: value))
                    skipWhitespace()
                    if take(UInt8(ascii: ",")) { continue }
                    return take(UInt8(ascii: "}")) ? .object(members) : nil
                }
            case UInt8(ascii: "["):
                guard depth < maxDepth else { return nil }
                position += 1
                var elements: [SimpleJSON] = []
                skipWhitespace()
                if take(UInt8(ascii: "]")) { return .array(elements) }
                while true {
                    skipWhitespace()
                    guard let value = value(depth: depth + 1) else { return nil }
                    elements.append(value)
                    skipWhitespace()
                    if take(UInt8(ascii: ",")) { continue }
                    return take(UInt8(ascii: "]")) ? .array(elements) : nil
                }
            case UInt8(ascii: "\""):
                position += 1
                return stringBody().map { .string($0) }
            case UInt8(ascii: "t"):
                return literal("true") ? .bool(true) : nil
            case UInt8(ascii: "f"):
                return literal("false") ? .bool(false) : nil
            case UInt8(ascii: "n"):
                return literal("null") ? .null : nil
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return number()
            default:
                return nil
            }
        }

        mutating func digits() -> Int {
            let start = position
            while let c = current, c >= 0x30, c <= 0x39 { position += 1 }
            return position - start
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, finite as a `Double`.
        mutating func number() -> SimpleJSON? {
            let start = position
            _ = take(UInt8(ascii: "-"))
            if take(UInt8(ascii: "0")) {
                // no more integer digits after a leading zero
            } else if digits() == 0 {
                return nil
            }
            if take(UInt8(ascii: ".")) { guard digits() > 0 else { return nil } }
            if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
                if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
                guard digits() > 0 else { return nil }
            }
            let text = Array(bytes[start..<position])
            guard let double = Double(String(decoding: text, as: UTF8.self)), double.isFinite else { return nil }
            return .number(text)
        }

        mutating func hex4() -> UInt32? {
            guard bytes.count - position >= 4 else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[position]
                let digit: UInt8
                switch c {
                case 0x30...0x39: digit = c - 0x30
                case 0x41...0x46: digit = c - 0x41 + 10
                case 0x61...0x66: digit = c - 0x61 + 10
                default: return nil
                }
                value = value << 4 | UInt32(digit)
                position += 1
            }
            return value
        }

        /// The rest of a string after its opening quote, as UTF-8.
        mutating func stringBody() -> [UInt8]? {
            var out: [UInt8] = []
            while let c = current {
                position += 1
                switch c {
                case UInt8(ascii: "\""):
                    return out
                case 0x00..<0x20:
                    return nil
                case UInt8(ascii: "\\"):
                    guard let e = current else { return nil }
                    position += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        guard var scalar = hex4() else { return nil }
                        if scalar >= 0xDC00 && scalar <= 0xDFFF { return nil }
                        if scalar >= 0xD800 && scalar <= 0xDBFF {
                            guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")), let low = hex4(),
                                low >= 0xDC00, low <= 0xDFFF
                            else { return nil }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        out.append(contentsOf: Array(String(Unicode.Scalar(scalar)!).utf8))
                    default:
                        return nil
                    }
                case 0x20..<0x80:
                    out.append(c)
                default:
                    // UTF-8 by its table (Unicode 3.9, table 3-7): no overlong forms, no surrogates.
                    let start = position - 1
                    let count: Int
                    var low: UInt8 = 0x80, high: UInt8 = 0xBF
                    switch c {
                    case 0xC2...0xDF: count = 1
                    case 0xE0: count = 2; low = 0xA0
                    case 0xE1...0xEC, 0xEE...0xEF: count = 2
                    case 0xED: count = 2; high = 0x9F
                    case 0xF0: count = 3; low = 0x90
                    case 0xF1...0xF3: count = 3
                    case 0xF4: count = 3; high = 0x8F
                    default: return nil
                    }
                    guard bytes.count - position >= count else { return nil }
                    let second = bytes[position]
                    guard second >= low && second <= high else { return nil }
                    for k in 1..<count where bytes[position + k] & 0xC0 != 0x80 { return nil }
                    position += count
                    out.append(contentsOf: bytes[start..<position])
                }
            }
            return nil
        }
    }
}
