/// The generic part of reading `application/x-www-form-urlencoded` bodies the way PHP's `parse_str`
/// reads them: splitting a body into pairs, percent-decoding keys and values, and splitting a key
/// such as `add[0][users][1]` into its name and bracketed parts.
///
/// CallEvents (the call-event form bodies of `/api/v2/events`) and AmoCRM (amoCRM's webhooks) both
/// read forms with it and each turn its failures into their own errors.
///
/// - Pairs are separated by `&`; empty pairs are skipped; a pair without `=` has the empty value.
/// - Keys and values are percent-decoded (either case of hex) and `+` is a space. A `%` not followed
///   by two hex digits, or bytes that are not UTF-8 once decoded, are errors.
/// - A key is a name and bracketed parts: `add[0][users][1]` is `add` and `0`, `users`, `1`. An
///   unclosed `[` or text after a `]` make it malformed.
///
/// ```swift
/// let body = Array("add%5B0%5D%5Btype%5D=phone_call&x=1+2".utf8)
/// try FormURLEncoded.forEachPair(in: body) { pair in
///     let key = try FormURLEncoded.decode(body[pair.key])     // "add[0][type]", then "x"
///     let value = try FormURLEncoded.decode(body[pair.value]) // "phone_call", then "1 2"
///     FormURLEncoded.splitKey(key)                            // ("add", ["0", "type"]), then ("x", [])
/// }
/// ```
public enum FormURLEncoded {
    /// Where one `key=value` pair is in the body; both ranges are still encoded.
    public struct Pair: Hashable, Sendable {
        /// The key's bytes.
        public var key: Range<Int>
        /// The value's bytes; empty, at the end of the pair, when the pair has no `=`.
        public var value: Range<Int>

        public init(key: Range<Int>, value: Range<Int>) {
            self.key = key
            self.value = value
        }
    }

    /// Why a key or value cannot be decoded.
    public enum DecodingError: Error, Hashable, Sendable {
        /// The `%` at this byte offset of the body is not followed by two hex digits.
        case badEscape(offset: Int)
        /// The key or value starting at this byte offset of the body is not UTF-8 once percent-decoded.
        case notUTF8(offset: Int)
    }

    /// A key split at its brackets: `a[b][]` is the name `a` and the parts `b` and the empty part.
    public struct Key: Hashable, Sendable {
        public var name: String
        public var parts: [String]

        public init(name: String, parts: [String]) {
            self.name = name
            self.parts = parts
        }
    }

    /// Calls `visit` with each non-empty pair of `body`, in body order.
    ///
    /// - Complexity: O(n) in the body's length, besides what `visit` does.
    @inlinable
    public static func forEachPair<Failure: Error>(
        in body: [UInt8], _ visit: (Pair) throws(Failure) -> Void
    ) throws(Failure) {
        var start = 0
        while start <= body.count {
            var end = start
            while end < body.count && body[end] != UInt8(ascii: "&") { end += 1 }
            if end > start {
                var equals = start
                while equals < end && body[equals] != UInt8(ascii: "=") { equals += 1 }
                try visit(Pair(key: start..<equals, value: equals < end ? (equals + 1)..<end : end..<end))
            }
            start = end + 1
        }
    }

    /// Percent-decodes one key or value (`+` is a space) and checks that it is UTF-8.
    ///
    /// - Parameter bytes: A slice of the body, so that errors give offsets in the body.
    /// - Throws: ``DecodingError``.
    /// - Complexity: O(n) in the slice's length.
    public static func decode(_ bytes: ArraySlice<UInt8>) throws(DecodingError) -> String {
        if !bytes.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") || $0 >= 0x80 }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let byte = bytes[i]
            if byte == UInt8(ascii: "+") {
                decoded.append(UInt8(ascii: " "))
                i += 1
            } else if byte == UInt8(ascii: "%") {
                guard i + 2 < bytes.endIndex, let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2])
                else { throw .badEscape(offset: i) }
                decoded.append(high << 4 | low)
                i += 3
            } else {
                decoded.append(byte)
                i += 1
            }
        }
        guard let text = String(validating: decoded, as: UTF8.self) else {
            throw .notUTF8(offset: bytes.startIndex)
        }
        return text
    }

    /// The name of a decoded key: the text before its first `[`, or all of it.
    ///
    /// Lets a reader skip the keys whose names it does not read before checking their brackets.
    public static func name(ofKey key: String) -> Substring {
        let utf8 = key.utf8
        guard let open = utf8.firstIndex(of: UInt8(ascii: "[")) else { return key[...] }
        return key[..<open]
    }

    /// Splits a decoded key into its name and bracketed parts.
    ///
    /// - Returns: nil when a `[` is not closed or text follows a `]` (`a[b`, `a[b]c`).
    /// - Complexity: O(n) in the key's length.
    public static func splitKey(_ key: String) -> Key? {
        let utf8 = Array(key.utf8)
        guard let open = utf8.firstIndex(of: UInt8(ascii: "[")) else { return Key(name: key, parts: []) }
        var parts: [String] = []
        var i = open
        while i < utf8.count {
            guard utf8[i] == UInt8(ascii: "["), let close = utf8[(i + 1)...].firstIndex(of: UInt8(ascii: "]")) else {
                return nil
            }
            parts.append(String(decoding: utf8[(i + 1)..<close], as: UTF8.self))
            i = close + 1
        }
        return Key(name: String(decoding: utf8[..<open], as: UTF8.self), parts: parts)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
