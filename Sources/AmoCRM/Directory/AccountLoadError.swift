import ScreenPopJSON

/// Why an account directory could not be loaded: the file, the place in it, and what is wrong.
///
/// ```
/// Examples/demo-account/contacts-2.json:14:17: $._embedded.contacts[3].id: expected a positive id, found -5
/// ```
///
/// When several files are bad, the error is about the first of them in file-name order, so the
/// same directory always gives the same error.
public struct AccountLoadError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of error. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// Every code, so that a new one must be named where codes are printed.
        enum BackingCode: Hashable, Sendable, CaseIterable {
            case io, invalidJSON, invalidData, missingAccount
        }

        let backingCode: BackingCode

        /// The directory or a file could not be listed, opened or read.
        public static let io = Code(backingCode: .io)
        /// A file is not well-formed JSON (``AccountLoadError/jsonError`` says how).
        public static let invalidJSON = Code(backingCode: .invalidJSON)
        /// A file is JSON but not what amoCRM's API returns: a known key with a value of the wrong
        /// type, a required key missing, an invalid id or enumeration value.
        public static let invalidData = Code(backingCode: .invalidData)
        /// The directory has no `account.json`.
        public static let missingAccount = Code(backingCode: .missingAccount)

        /// The code's name, snake_case as every code of the package: `io`, `invalid_json`,
        /// `invalid_data`, `missing_account`.
        public var description: String {
            switch backingCode {
            case .io: "io"
            case .invalidJSON: "invalid_json"
            case .invalidData: "invalid_data"
            case .missingAccount: "missing_account"
            }
        }
    }

    public let code: Code
    /// The file (the directory's path joined with the file name), or the directory itself.
    public let file: String
    /// Where in the file, in JSONPath notation (`$._embedded.contacts[12].id`); nil for errors
    /// that are not about a place in a file.
    public var jsonPath: String? { jsonError?.path }
    /// 1-based line of the place in the file.
    public var line: Int? { jsonError?.line }
    /// 1-based column, in Unicode scalars.
    public var column: Int? { jsonError?.column }
    /// Byte offset of the place in the file.
    public var offset: Int? { jsonError?.offset }
    /// What is wrong: "expected a positive id, found -5".
    public let message: String
    /// The reader's error, for errors about a place in a file.
    public let jsonError: JSONError?

    init(code: Code, file: String, message: String, jsonError: JSONError? = nil) {
        self.code = code
        self.file = file
        self.message = message
        self.jsonError = jsonError
    }

    /// An error at a place in `file`.
    init(file: String, _ error: JSONError) {
        let data: Set<JSONError.Code> = [.typeMismatch, .invalidValue, .missingKey, .numberOutOfRange]
        self.init(
            code: data.contains(error.code) ? .invalidData : .invalidJSON, file: file, message: error.message,
            jsonError: error)
    }

    /// `file:line:column: path: message`, as compilers write it, or `file: message`.
    public var description: String {
        guard let error = jsonError else { return "\(file): \(message)" }
        return "\(file):\(error.line):\(error.column): \(error.path): \(message)"
    }
}
