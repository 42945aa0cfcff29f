/// A pull reader of JSON over UTF-8 bytes: the caller walks the document value by value, reads the
/// scalars it wants and skips the rest. No tree is built, and nothing is allocated except the
/// strings the caller reads.
///
/// The reader is a cursor: each call reads the next value (or the next key, or the next element) at
/// the current position and moves past it. Objects and arrays are walked with ``beginObject()`` and
/// ``nextKey()``, ``beginArray()`` and ``nextElement()``; ``skipValue()`` passes over a value of
/// any type, checking it. Everything is checked as it is read: the grammar (RFC 8259), UTF-8 in
/// strings, escapes (with `\u` surrogate pairs), number syntax and range, and the nesting depth.
/// A UTF-8 byte order mark at the start is skipped; UTF-16 and UTF-32 are refused.
///
/// ```swift
/// let json = #"{"id": 42, "name": "Иван", "tags": [1, 2], "is_deleted": false}"#
/// let (id, name) = try JSONReader.withReader(json) { r throws(JSONError) in
///     var id = 0, name = ""
///     try r.beginObject()
///     while let key = try r.nextKey() {
///         if key == "id" { id = try r.readInt() }
///         else if key == "name" { name = try r.readString() }
///         else { try r.skipValue() }
///     }
///     try r.finish()
///     return (id, name)
/// }
/// ```
///
/// Errors are ``JSONError`` values with the byte offset, line and column, the JSON path of the
/// value and what was expected; the reader works the location out only when it makes an error.
///
/// The reader does not own its bytes: the buffer must outlive it (``withReader(_:maxDepth:_:)``
/// scopes one to an array or a string). It is not thread-safe; read one document on one task.
public struct JSONReader {
    /// The default limit on the nesting of objects and arrays.
    public static let defaultMaxDepth = 512

    @usableFromInline let bytes: UnsafeRawBufferPointer
    /// Where the document starts: after a byte order mark, if any.
    @usableFromInline let bodyStart: Int
    /// The position of the next byte to read.
    @usableFromInline var position: Int
    /// Whether a value was just completed, so the next token of a container is ',' or its end.
    @usableFromInline var afterValue: Bool
    /// Objects and arrays open.
    @usableFromInline var depth: Int
    /// The start of the value last read by a `read` method or ``peek()``.
    @usableFromInline var lastValueStart: Int
    /// The most objects and arrays that may be open at once.
    public let maxDepth: Int

    /// A reader at the start of `bytes`.
    ///
    /// - Parameters:
    ///   - bytes: A JSON text in UTF-8. It must stay valid while the reader is used.
    ///   - maxDepth: The most objects and arrays that may be open at once; deeper input is an error
    ///     (``JSONError/Code/nestingTooDeep``), so that no input can exhaust the stack.
    /// - Throws: ``JSONError/Code/unsupportedEncoding`` for a UTF-16 or UTF-32 byte order mark.
    public init(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = JSONReader.defaultMaxDepth) throws(JSONError) {
        self.bytes = bytes
        self.maxDepth = max(1, maxDepth)
        var start = 0
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF {
            start = 3
        }
        self.bodyStart = start
        self.position = start
        self.afterValue = false
        self.depth = 0
        self.lastValueStart = start
        if bytes.count >= 2 && ((bytes[0] == 0xFE && bytes[1] == 0xFF) || (bytes[0] == 0xFF && bytes[1] == 0xFE))
            || (bytes.count >= 4 && bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 0xFE && bytes[3] == 0xFF)
        {
            throw error(.unsupportedEncoding, expected: "UTF-8", found: "a UTF-16 or UTF-32 byte order mark", at: 0)
        }
    }

    /// Runs `body` with a reader over the UTF-8 of `text`.
    public static func withReader<T>(
        _ text: String, maxDepth: Int = defaultMaxDepth, _ body: (inout JSONReader) throws(JSONError) -> T
    ) throws(JSONError) -> T {
        var text = text
        // withUTF8 rethrows untyped errors: carry the typed one out in a Result.
        let result = text.withUTF8 { utf8 in
            Result { () throws(JSONError) -> T in
                var reader = try JSONReader(UnsafeRawBufferPointer(utf8), maxDepth: maxDepth)
                return try body(&reader)
            }
        }
        return try result.get()
    }

    /// Runs `body` with a reader over `bytes`.
    public static func withReader<T>(
        _ bytes: [UInt8], maxDepth: Int = defaultMaxDepth, _ body: (inout JSONReader) throws(JSONError) -> T
    ) throws(JSONError) -> T {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONError) -> T in
                var reader = try JSONReader(raw, maxDepth: maxDepth)
                return try body(&reader)
            }
        }
        return try result.get()
    }

    /// The byte offset of the next byte to read, from the start of the buffer.
    @inlinable
    public var offset: Int { position }

    /// The byte offset where the value last read (or peeked at) starts: what a caller's own
    /// ``error(_:expected:found:at:)`` about that value should point at.
    @inlinable
    public var lastValueOffset: Int { lastValueStart }

    /// How many objects and arrays are open.
    @inlinable
    public var currentDepth: Int { depth }

    // MARK: Looking ahead

    /// The type of the next value, without reading it. Skips white space; after it, ``offset`` and
    /// ``lastValueOffset`` are the value's first byte.
    ///
    /// - Throws: ``JSONError/Code/unexpectedEndOfInput`` at the end of input,
    ///   ``JSONError/Code/unexpectedCharacter`` when no value can start here.
    @inlinable
    public mutating func peek() throws(JSONError) -> JSONKind {
        skipWhitespace()
        lastValueStart = position
        guard position < bytes.count else { throw endOfInput(expected: "a value") }
        guard let kind = JSONKind(firstByte: bytes[position]) else {
            throw unexpected(expected: "a value")
        }
        return kind
    }

    /// Reads `null` if it is next and returns true; otherwise reads nothing and returns false.
    /// For optional values: `if try r.readNull() { ... } else { x = try r.readInt() }`.
    @inlinable
    public mutating func readNull() throws(JSONError) -> Bool {
        skipWhitespace()
        lastValueStart = position
        guard position < bytes.count, bytes[position] == UInt8(ascii: "n") else { return false }
        try readLiteral("null")
        return true
    }

    /// Checks that nothing but white space follows the top-level value.
    ///
    /// - Throws: ``JSONError/Code/unexpectedCharacter`` for anything else.
    public mutating func finish() throws(JSONError) {
        skipWhitespace()
        guard position == bytes.count else { throw unexpected(expected: "the end of input") }
    }

    // MARK: White space

    @inlinable
    mutating func skipWhitespace() {
        while position < bytes.count {
            let byte = bytes[position]
            if byte > 0x20 { return }
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            position &+= 1
        }
    }
}

/// The type of a JSON value.
public enum JSONKind: Hashable, Sendable, CustomStringConvertible {
    case object, array, string, number, bool, null

    /// The kind of value that starts with `byte`, or nil if none does.
    @inlinable
    init?(firstByte byte: UInt8) {
        switch byte {
        case UInt8(ascii: "{"): self = .object
        case UInt8(ascii: "["): self = .array
        case UInt8(ascii: "\""): self = .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): self = .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): self = .bool
        case UInt8(ascii: "n"): self = .null
        default: return nil
        }
    }

    /// "an object", "a string": for messages.
    public var description: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }
}
