extension JSONReader {
    // MARK: Objects

    /// Reads the `{` that opens an object. Then call ``nextKey()`` until it returns nil, reading or
    /// skipping each member's value after its key.
    ///
    /// - Throws: ``JSONError/Code/typeMismatch`` when the next value is not an object,
    ///   ``JSONError/Code/nestingTooDeep`` past ``maxDepth``.
    /// - Complexity: O(1) apart from white space.
    @inlinable
    public mutating func beginObject() throws(JSONError) {
        skipWhitespace()
        lastValueStart = position
        guard position < bytes.count, bytes[position] == UInt8(ascii: "{") else {
            throw mismatch(expected: .object)
        }
        try open()
    }

    /// The key of the object's next member, or nil after the object's last member (the `}` is then
    /// read). After a key, read or skip the member's value before calling again.
    ///
    /// - Returns: The key's bytes, valid as long as the reader's buffer; compare with `==` to a
    ///   string literal, or make a `String` with ``JSONKey/string``.
    /// - Throws: ``JSONError/Code/unexpectedCharacter`` unless the next token is a key (first
    ///   member, or after `,`), `,` or `}`.
    @inlinable
    public mutating func nextKey() throws(JSONError) -> JSONKey? {
        skipWhitespace()
        guard position < bytes.count else {
            throw endOfInput(expected: afterValue ? "',' or '}'" : "a string key or '}'")
        }
        var byte = bytes[position]
        if afterValue {
            if byte == UInt8(ascii: "}") { return close() }
            guard byte == UInt8(ascii: ",") else { throw unexpected(expected: "',' or '}' after an object member") }
            position &+= 1
            skipWhitespace()
            guard position < bytes.count else { throw endOfInput(expected: "a string key") }
            byte = bytes[position]
            guard byte == UInt8(ascii: "\"") else { throw unexpected(expected: "a string key after ','") }
        } else {
            if byte == UInt8(ascii: "}") { return close() }
            guard byte == UInt8(ascii: "\"") else { throw unexpected(expected: "a string key or '}'") }
        }
        let key = try scanKey()
        skipWhitespace()
        guard position < bytes.count else { throw endOfInput(expected: "':'") }
        guard bytes[position] == UInt8(ascii: ":") else { throw unexpected(expected: "':' after a key") }
        position &+= 1
        afterValue = false
        return key
    }

    // MARK: Arrays

    /// Reads the `[` that opens an array. Then call ``nextElement()`` until it returns false,
    /// reading or skipping one element each time it returns true.
    ///
    /// - Throws: ``JSONError/Code/typeMismatch`` when the next value is not an array,
    ///   ``JSONError/Code/nestingTooDeep`` past ``maxDepth``.
    @inlinable
    public mutating func beginArray() throws(JSONError) {
        skipWhitespace()
        lastValueStart = position
        guard position < bytes.count, bytes[position] == UInt8(ascii: "[") else {
            throw mismatch(expected: .array)
        }
        try open()
    }

    /// Whether the array has another element; false after its last one (the `]` is then read).
    ///
    /// - Throws: ``JSONError/Code/unexpectedCharacter`` unless the next token is a value (first
    ///   element, or after `,`), `,` or `]`.
    @inlinable
    public mutating func nextElement() throws(JSONError) -> Bool {
        skipWhitespace()
        guard position < bytes.count else {
            throw endOfInput(expected: afterValue ? "',' or ']'" : "a value or ']'")
        }
        let byte = bytes[position]
        if byte == UInt8(ascii: "]") {
            position &+= 1
            depth &-= 1
            afterValue = true
            return false
        }
        if afterValue {
            guard byte == UInt8(ascii: ",") else { throw unexpected(expected: "',' or ']' after an array element") }
            position &+= 1
            skipWhitespace()
            if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
                throw unexpected(expected: "a value after ','")
            }
            afterValue = false
        }
        return true
    }

    /// Skips the rest of the object or array whose members are being read: for a caller that has
    /// what it needs and leaves early. Call it after ``nextKey()`` or ``nextElement()`` returned a
    /// member whose value was read or skipped, or right after ``beginObject()``/``beginArray()``.
    public mutating func skipRestOfContainer(isObject: Bool) throws(JSONError) {
        if isObject {
            while try nextKey() != nil { try skipValue() }
        } else {
            while try nextElement() { try skipValue() }
        }
    }

    // MARK: Internals

    @inlinable
    mutating func open() throws(JSONError) {
        guard depth < maxDepth else { throw tooDeep() }
        depth &+= 1
        position &+= 1
        afterValue = false
    }

    @inlinable
    mutating func close() -> JSONKey? {
        position &+= 1
        depth &-= 1
        afterValue = true
        return nil
    }

    /// Reads the key string at `position` (its opening quote).
    @inlinable
    mutating func scanKey() throws(JSONError) -> JSONKey {
        let start = position &+ 1
        var index = start
        // Keys are short and plain: look for the closing quote, hand anything else to the full scan.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                position = index &+ 1
                return JSONKey(bytes: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), isEscaped: false)
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { break }
            index &+= 1
        }
        let (end, escaped) = try scanString(from: position)
        position = end
        return JSONKey(bytes: UnsafeRawBufferPointer(rebasing: bytes[start..<(end &- 1)]), isEscaped: escaped)
    }
}

/// An object member's key as it is in the document: the bytes between the quotes.
///
/// Compare it to a literal with `==` (escapes are decoded for the comparison when the key has
/// any); ``string`` decodes it.
public struct JSONKey: CustomStringConvertible {
    /// The key's bytes in the document, without the quotes, escapes not decoded.
    public let bytes: UnsafeRawBufferPointer
    /// Whether the key has backslash escapes.
    public let isEscaped: Bool

    @inlinable
    init(bytes: UnsafeRawBufferPointer, isEscaped: Bool) {
        self.bytes = bytes
        self.isEscaped = isEscaped
    }

    /// The key, escapes decoded.
    public var string: String {
        isEscaped ? JSONReader.decodeEscaped(bytes) : String(decoding: bytes, as: UTF8.self)
    }

    public var description: String { string }

    /// Whether the key is `literal`.
    @inlinable
    public static func == (key: JSONKey, literal: StaticString) -> Bool {
        guard !key.isEscaped else { return key.string == literal.description }
        let count = literal.utf8CodeUnitCount
        guard key.bytes.count == count else { return false }
        let expected = literal.utf8Start
        var index = 0
        while index < count {
            if key.bytes[index] != expected[index] { return false }
            index &+= 1
        }
        return true
    }

    /// Whether the key is `string`.
    public static func == (key: JSONKey, string: String) -> Bool {
        guard !key.isEscaped else { return key.string == string }
        return key.bytes.elementsEqual(string.utf8)
    }
}
