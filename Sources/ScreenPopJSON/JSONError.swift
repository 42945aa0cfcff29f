/// A JSON document that cannot be read, or a value that is not what the reader asked for.
///
/// Every error says where: the byte ``offset`` from the start of the buffer, the ``line`` and
/// ``column``, and the JSON ``path`` of the value (`$._embedded.contacts[12].custom_fields_values[0]`);
/// and what: its ``code``, what was ``expected`` and what was ``found``.
///
/// ```swift
/// do {
///     _ = try JSONReader.withReader(#"{"id": "12"}"#) { r throws(JSONError) in
///         try r.beginObject()
///         _ = try r.nextKey()
///         return try r.readInt()
///     }
/// } catch {
///     print(error)   // line 1, column 8 (byte 7), $.id: expected an integer, found a string
/// }
/// ```
///
/// The location and path are worked out when the error is made, by reading the document again up
/// to the error's offset: the reader's fast path never tracks them.
public struct JSONError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of error. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The codes themselves: one byte, and every `switch` over them is exhaustive, so a new
        /// code cannot print as an old one.
        @usableFromInline
        enum BackingCode: Hashable, Sendable, CaseIterable {
            case unexpectedEndOfInput
            case unexpectedCharacter
            case invalidEscape
            case unpairedSurrogate
            case invalidUTF8
            case controlCharacterInString
            case invalidNumber
            case numberOutOfRange
            case typeMismatch
            case nestingTooDeep
            case unsupportedEncoding
            case invalidValue
            case missingKey
        }

        @usableFromInline
        let backingCode: BackingCode

        @inlinable
        init(_ backingCode: BackingCode) { self.backingCode = backingCode }

        /// The input ended inside a value, or held no value at all.
        public static let unexpectedEndOfInput = Code(.unexpectedEndOfInput)
        /// A character that JSON's grammar does not allow here (including content after the
        /// top-level value).
        public static let unexpectedCharacter = Code(.unexpectedCharacter)
        /// A backslash escape that JSON does not define, or a `\u` escape without four hex digits.
        public static let invalidEscape = Code(.invalidEscape)
        /// A `\u` escape of a UTF-16 surrogate without its other half.
        public static let unpairedSurrogate = Code(.unpairedSurrogate)
        /// Bytes that are not valid UTF-8.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// A control character (U+0000 to U+001F) not escaped inside a string.
        public static let controlCharacterInString = Code(.controlCharacterInString)
        /// A number that JSON's grammar does not allow (`01`, `1.`, `-`, `1e`).
        public static let invalidNumber = Code(.invalidNumber)
        /// An integer that does not fit the type asked for, or any number past `Double`'s range
        /// (`1e400`: it would read as infinity, which JSON cannot write back).
        public static let numberOutOfRange = Code(.numberOutOfRange)
        /// A value of another type than the one asked for.
        public static let typeMismatch = Code(.typeMismatch)
        /// Objects and arrays nested deeper than the reader's limit.
        public static let nestingTooDeep = Code(.nestingTooDeep)
        /// Input in UTF-16 or UTF-32 (a byte order mark says so); JSON here is UTF-8.
        public static let unsupportedEncoding = Code(.unsupportedEncoding)
        /// A value of the right type that the caller does not accept (a negative id, an unknown
        /// enumeration value). Raised by callers through ``JSONReader/error(_:expected:found:at:)``.
        public static let invalidValue = Code(.invalidValue)
        /// A key the caller needs is absent. Raised by callers.
        public static let missingKey = Code(.missingKey)

        /// The code's name in snake_case: `unexpected_end_of_input`, `number_out_of_range`.
        public var description: String {
            switch backingCode {
            case .unexpectedEndOfInput: "unexpected_end_of_input"
            case .unexpectedCharacter: "unexpected_character"
            case .invalidEscape: "invalid_escape"
            case .unpairedSurrogate: "unpaired_surrogate"
            case .invalidUTF8: "invalid_utf8"
            case .controlCharacterInString: "control_character_in_string"
            case .invalidNumber: "invalid_number"
            case .numberOutOfRange: "number_out_of_range"
            case .typeMismatch: "type_mismatch"
            case .nestingTooDeep: "nesting_too_deep"
            case .unsupportedEncoding: "unsupported_encoding"
            case .invalidValue: "invalid_value"
            case .missingKey: "missing_key"
            }
        }

        /// Every code, for tests.
        static var allCodes: [Code] { BackingCode.allCases.map(Code.init) }
    }

    public let code: Code
    /// Bytes from the start of the buffer (a byte order mark counts).
    public let offset: Int
    /// 1-based.
    public let line: Int
    /// 1-based, in Unicode scalars from the start of the line.
    public let column: Int
    /// Where in the document, in JSONPath's dot notation: `$` is the top-level value,
    /// `.key` an object member (`["key"]` when the key is not an identifier), `[n]` an array element.
    public let path: String
    /// What the reader or its caller expected: "an integer", "',' or '}'".
    public let expected: String?
    /// What it found: "a string", "'x'", "the end of input".
    public let found: String?

    /// A new error; ``JSONReader/error(_:expected:found:at:)`` fills in the location.
    public init(
        code: Code, offset: Int, line: Int, column: Int, path: String, expected: String?, found: String?
    ) {
        self.code = code
        self.offset = offset
        self.line = line
        self.column = column
        self.path = path
        self.expected = expected
        self.found = found
    }

    /// `expected an integer, found a string`.
    public var message: String {
        switch (expected, found) {
        case (let expected?, let found?): "expected \(expected), found \(found)"
        case (let expected?, nil): "expected \(expected)"
        case (nil, let found?): found
        case (nil, nil): code.description
        }
    }

    /// `line 3, column 17 (byte 45), $._embedded.contacts[0].id: expected an integer, found a string`.
    public var description: String {
        "line \(line), column \(column) (byte \(offset)), \(path): \(message)"
    }
}
