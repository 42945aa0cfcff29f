/// Base64 (RFC 4648): standard, with padding, for call payloads in PostgreSQL notifications; and
/// URL-safe without padding (section 5), for stream tickets that travel in query strings.
public enum Base64 {
    private static let standard = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let urlSafe = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Standard base64 with padding.
    public static func encode(_ bytes: [UInt8]) -> String { encode(bytes, alphabet: standard, padding: true) }

    /// URL-safe base64 without padding: only letters, digits, `-` and `_`.
    public static func encodeURLSafe(_ bytes: [UInt8]) -> String { encode(bytes, alphabet: urlSafe, padding: false) }

    /// The bytes of standard base64 with padding; nil when `text` is not that.
    public static func decode(_ text: Substring) -> [UInt8]? { decode(text, urlSafe: false) }

    /// The bytes of URL-safe base64 without padding; nil when `text` is not that.
    public static func decodeURLSafe(_ text: Substring) -> [UInt8]? { decode(text, urlSafe: true) }

    private static func encode(_ bytes: [UInt8], alphabet: [UInt8], padding: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int(n >> UInt32(shift) & 63)]) }
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            var n = UInt32(bytes[index]) << 16
            if rest == 2 { n |= UInt32(bytes[index + 1]) << 8 }
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            if rest == 2 { out.append(alphabet[Int(n >> 6 & 63)]) }
            if padding {
                if rest == 1 { out.append(UInt8(ascii: "=")) }
                out.append(UInt8(ascii: "="))
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func decode(_ text: Substring, urlSafe: Bool) -> [UInt8]? {
        var values: [UInt8] = []
        values.reserveCapacity(text.utf8.count)
        var padding = 0
        for byte in text.utf8 {
            let value: UInt8
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = byte - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = byte - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+") where !urlSafe, UInt8(ascii: "-") where urlSafe: value = 62
            case UInt8(ascii: "/") where !urlSafe, UInt8(ascii: "_") where urlSafe: value = 63
            case UInt8(ascii: "=") where !urlSafe:
                padding += 1
                continue
            default: return nil
            }
            guard padding == 0 else { return nil }
            values.append(value)
        }
        if urlSafe {
            // Without padding, a last group of one character cannot be.
            guard values.count % 4 != 1 else { return nil }
        } else {
            guard (values.count + padding) % 4 == 0, padding <= 2 else { return nil }
        }
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 3 / 4)
        var index = 0
        while index < values.count {
            let group = values[index..<min(index + 4, values.count)]
            var n: UInt32 = 0
            for (offset, value) in group.enumerated() { n |= UInt32(value) << UInt32(18 - 6 * offset) }
            let count = group.count - 1
            for k in 0..<count { out.append(UInt8(truncatingIfNeeded: n >> UInt32(16 - 8 * k))) }
            index += 4
        }
        return out
    }
}
