extension JSONReader {
    /// Reads a string, escapes decoded.
    ///
    /// - Throws: ``JSONError/Code/typeMismatch`` when the next value is not a string; for a broken
    ///   string ``JSONError/Code/invalidEscape``, ``JSONError/Code/unpairedSurrogate``,
    ///   ``JSONError/Code/invalidUTF8``, ``JSONError/Code/controlCharacterInString`` or
    ///   ``JSONError/Code/unexpectedEndOfInput``, at the offending byte.
    /// - Complexity: O(n) in the string's length; one allocation for strings of more than 15 UTF-8 bytes.
    @inlinable
    public mutating func readString() throws(JSONError) -> String {
        let (content, escaped) = try readStringContent()
        return escaped ? Self.decodeEscaped(content) : String(decoding: content, as: UTF8.self)
    }

    /// Reads a string or `null` (nil).
    @inlinable
    public mutating func readStringOrNull() throws(JSONError) -> String? {
        if try readNull() { return nil }
        return try readString()
    }

    /// Reads a string and hands its bytes to `body` without making a `String`: for strings the
    /// caller only compares or parses. Escapes are decoded first when there are any.
    public mutating func withStringBytes<T>(_ body: (UnsafeRawBufferPointer) throws(JSONError) -> T) throws(JSONError)
        -> T
    {
        let (content, escaped) = try readStringContent()
        if !escaped { return try body(content) }
        var decoded = Self.decodeEscaped(content)
        let result = decoded.withUTF8 { utf8 in
            Result { () throws(JSONError) -> T in try body(UnsafeRawBufferPointer(utf8)) }
        }
        return try result.get()
    }

    // MARK: Scanning

    /// Reads the next value, which must be a string: its bytes between the quotes, undecoded, and
    /// whether they hold escapes.
    @usableFromInline
    mutating func readStringContent() throws(JSONError) -> (content: UnsafeRawBufferPointer, escaped: Bool) {
        skipWhitespace()
        lastValueStart = position
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
            throw mismatch(expected: .string)
        }
        let (end, escaped) = try scanString(from: position)
        let content = UnsafeRawBufferPointer(rebasing: bytes[(position &+ 1)..<(end &- 1)])
        position = end
        afterValue = true
        return (content, escaped)
    }

    /// Checks the string whose opening quote is at `open` and finds its end.
    ///
    /// - Returns: The offset just past the closing quote, and whether the string has escapes.
    @usableFromInline
    func scanString(from open: Int) throws(JSONError) -> (end: Int, escaped: Bool) {
        let count = bytes.count
        var index = open &+ 1
        var escaped = false
        while true {
            // Eight plain ASCII bytes at a time: no quote, backslash, control character or high bit.
            while index &+ 8 <= count {
                let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                let special = Self.specialBytes(word)
                if special != 0 {
                    index &+= special.trailingZeroBitCount >> 3
                    break
                }
                index &+= 8
            }
            guard index < count else {
                throw error(.unexpectedEndOfInput, expected: "'\"'", found: "the end of input", at: index)
            }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                return (index &+ 1, escaped)
            case UInt8(ascii: "\\"):
                escaped = true
                index = try scanEscape(at: index)
            case 0..<0x20:
                throw error(
                    .controlCharacterInString, expected: "an escaped control character",
                    found: "the control character U+\(Self.hex(UInt32(byte), digits: 4))", at: index)
            case 0x80...:
                let length = Self.utf8SequenceLength(bytes, at: index)
                guard length > 0 else {
                    if Self.isTruncatedUTF8(bytes, at: index) {
                        throw error(.unexpectedEndOfInput, expected: "'\"'", found: "the end of input", at: count)
                    }
                    throw error(
                        .invalidUTF8, expected: "UTF-8", found: Self.describeInvalidUTF8(bytes, at: index), at: index)
                }
                index &+= length
            default:
                index &+= 1
            }
        }
    }

    /// The bytes of `word` that end a fast scan: a quote, a backslash, a control character or a
    /// byte with the high bit set, as the high bit of each byte in the result. Bytes above the
    /// first such byte may be flagged wrongly (borrows), so only the lowest flag is meaningful.
    @inlinable
    static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let zeroQuote = (quote &- ones) & ~quote
        let zeroBackslash = (backslash &- ones) & ~backslash
        let control = (word &- ones &* 0x20) & ~word
        return (zeroQuote | zeroBackslash | control | word) & highs
    }

    /// Checks the escape at `index` (its backslash); returns the offset after it.
    @usableFromInline
    func scanEscape(at index: Int) throws(JSONError) -> Int {
        guard index &+ 1 < bytes.count else {
            throw error(.unexpectedEndOfInput, expected: "an escape", found: "the end of input", at: index &+ 1)
        }
        switch bytes[index &+ 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return index &+ 2
        case UInt8(ascii: "u"):
            let unit = try hexUnit(at: index)
            if (0xDC00...0xDFFF).contains(unit) {
                throw error(
                    .unpairedSurrogate, expected: "a high surrogate before a low one",
                    found: "a lone low surrogate \\u\(Self.hex(unit, digits: 4))", at: index)
            }
            guard (0xD800...0xDBFF).contains(unit) else { return index &+ 6 }
            let next = index &+ 6
            guard next &+ 1 < bytes.count, bytes[next] == UInt8(ascii: "\\"), bytes[next &+ 1] == UInt8(ascii: "u")
            else {
                throw error(
                    .unpairedSurrogate, expected: "a low surrogate escape after \\u\(Self.hex(unit, digits: 4))",
                    found: next < bytes.count ? Self.describeByte(bytes[next]) : "the end of input", at: next)
            }
            let low = try hexUnit(at: next)
            guard (0xDC00...0xDFFF).contains(low) else {
                throw error(
                    .unpairedSurrogate, expected: "a low surrogate after \\u\(Self.hex(unit, digits: 4))",
                    found: "\\u\(Self.hex(low, digits: 4))", at: next)
            }
            return next &+ 6
        default:
            throw error(
                .invalidEscape, expected: "one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX",
                found: "'\\\(Self.printable(bytes[index &+ 1]))'", at: index)
        }
    }

    /// The code unit of the `\uXXXX` escape at `index` (its backslash).
    func hexUnit(at index: Int) throws(JSONError) -> UInt32 {
        var unit: UInt32 = 0
        for offset in 2..<6 {
            guard index &+ offset < bytes.count else {
                throw error(
                    .unexpectedEndOfInput, expected: "four hex digits after \\u", found: "the end of input",
                    at: index &+ offset)
            }
            guard let digit = Self.hexValue(bytes[index &+ offset]) else {
                throw error(
                    .invalidEscape, expected: "four hex digits after \\u",
                    found: Self.describeByte(bytes[index &+ offset]), at: index)
            }
            unit = unit << 4 | digit
        }
        return unit
    }

    @usableFromInline
    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte &- 48)
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte &- 87)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte &- 55)
        default: nil
        }
    }

    /// The length of the valid UTF-8 sequence at `index` (a byte ≥ 0x80), or 0 if it is not valid:
    /// Unicode's table of well-formed sequences, so no overlong forms, surrogates or values past U+10FFFF.
    @usableFromInline
    static func utf8SequenceLength(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Int {
        let count = bytes.count
        let lead = bytes[index]
        func continuation(_ offset: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool {
            index &+ offset < count && range.contains(bytes[index &+ offset])
        }
        switch lead {
        case 0xC2...0xDF:
            return continuation(1) ? 2 : 0
        case 0xE0:
            return continuation(1, 0xA0...0xBF) && continuation(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF:
            return continuation(1) && continuation(2) ? 3 : 0
        case 0xED:
            return continuation(1, 0x80...0x9F) && continuation(2) ? 3 : 0
        case 0xF0:
            return continuation(1, 0x90...0xBF) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF1...0xF3:
            return continuation(1) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF4:
            return continuation(1, 0x80...0x8F) && continuation(2) && continuation(3) ? 4 : 0
        default:
            return 0
        }
    }

    /// Whether the sequence at `index` is a valid beginning cut short by the end of the buffer.
    static func isTruncatedUTF8(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Bool {
        let lead = bytes[index]
        let length: Int
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return false
        }
        guard index + length > bytes.count else { return false }
        // Complete what is there with the smallest continuation bytes the lead allows, and check.
        var padded = [UInt8](bytes[index...])
        while padded.count < length {
            padded.append(padded.count == 1 && (lead == 0xE0 || lead == 0xF0) ? 0xA0 : 0x80)
        }
        return padded.withUnsafeBytes { utf8SequenceLength($0, at: 0) == length }
    }

    // MARK: Decoding

    /// Decodes the escapes of a string's content, already checked by ``scanString(from:)``.
    @usableFromInline
    static func decodeEscaped(_ content: UnsafeRawBufferPointer) -> String {
        // Every escape is at least as long as what it decodes to.
        String(unsafeUninitializedCapacity: content.count) { output in
            var read = 0
            var written = 0
            func put(_ byte: UInt8) {
                output[written] = byte
                written &+= 1
            }
            func unit(at index: Int) -> UInt32 {
                var value: UInt32 = 0
                for offset in 2..<6 { value = value << 4 | (hexValue(content[index &+ offset]) ?? 0) }
                return value
            }
            while read < content.count {
                let byte = content[read]
                guard byte == UInt8(ascii: "\\"), read &+ 1 < content.count else {
                    put(byte)
                    read &+= 1
                    continue
                }
                let escape = content[read &+ 1]
                read &+= 2
                switch escape {
                case UInt8(ascii: "b"): put(0x08)
                case UInt8(ascii: "f"): put(0x0C)
                case UInt8(ascii: "n"): put(0x0A)
                case UInt8(ascii: "r"): put(0x0D)
                case UInt8(ascii: "t"): put(0x09)
                case UInt8(ascii: "u"):
                    var scalar = unit(at: read &- 2)
                    read &+= 4
                    if (0xD800...0xDBFF).contains(scalar), read &+ 6 <= content.count {
                        let low = unit(at: read)
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        read &+= 6
                    }
                    for byte in UTF8.encode(Unicode.Scalar(scalar) ?? "\u{FFFD}")! { put(byte) }
                default: put(escape)  // " \ /
                }
            }
            return written
        }
    }

    // MARK: Describing bytes

    @usableFromInline
    static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    /// A character for a message: itself when printable ASCII, else its code.
    @usableFromInline
    static func printable(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? String(UnicodeScalar(byte)) : "0x" + hex(UInt32(byte), digits: 2)
    }

    /// `'x'`, `a space`, `byte 0xFF`.
    @usableFromInline
    static func describeByte(_ byte: UInt8) -> String {
        switch byte {
        case 0x21...0x7E: "'\(Character(UnicodeScalar(byte)))'"
        case 0x20: "a space"
        case 0x0A: "a line feed"
        default: "byte 0x\(hex(UInt32(byte), digits: 2))"
        }
    }

    static func describeInvalidUTF8(_ bytes: UnsafeRawBufferPointer, at index: Int) -> String {
        let end = min(bytes.count, index + 4)
        let shown = bytes[index..<end].map { "0x" + hex(UInt32($0), digits: 2) }.joined(separator: " ")
        return "the invalid byte sequence \(shown)"
    }
}
