/// Why a text could not be parsed as a phone number.
///
/// The codes are libphonenumber's `NumberParseException.ErrorType`; `code.name` is its name as the
/// CLI prints it (`TOO_SHORT_NSN`). The code is a struct with static members rather than an enum,
/// so that a new code can be added without breaking exhaustive switches in client code.
public struct PhoneNumberParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The codes themselves: one byte, and every `switch` over them is exhaustive, so a new
        /// code cannot print as an old one.
        @usableFromInline
        enum BackingCode: Hashable, Sendable, CaseIterable {
            case invalidCountryCode
            case notANumber
            case tooShortAfterIDD
            case tooShortNSN
            case tooLong
        }

        @usableFromInline
        let backingCode: BackingCode

        @inlinable
        init(_ backingCode: BackingCode) { self.backingCode = backingCode }

        /// The number starts with `+` (or an international prefix) but the country calling code
        /// after it does not exist, or there is no default region for a number written nationally.
        public static let invalidCountryCode = Code(.invalidCountryCode)
        /// The text does not look like a phone number at all.
        public static let notANumber = Code(.notANumber)
        /// After the international prefix there are too few digits for a number.
        public static let tooShortAfterIDD = Code(.tooShortAfterIDD)
        /// The national significant number is shorter than two digits.
        public static let tooShortNSN = Code(.tooShortNSN)
        /// The text is over 250 characters, or the national number over 17 digits.
        public static let tooLong = Code(.tooLong)

        /// libphonenumber's name of the code: `INVALID_COUNTRY_CODE`, `NOT_A_NUMBER`,
        /// `TOO_SHORT_AFTER_IDD`, `TOO_SHORT_NSN` or `TOO_LONG`. The CLI prints it, so it keeps
        /// libphonenumber's spelling rather than the snake_case of the other codes.
        public var name: String {
            switch backingCode {
            case .invalidCountryCode: "INVALID_COUNTRY_CODE"
            case .notANumber: "NOT_A_NUMBER"
            case .tooShortAfterIDD: "TOO_SHORT_AFTER_IDD"
            case .tooShortNSN: "TOO_SHORT_NSN"
            case .tooLong: "TOO_LONG"
            }
        }

        /// The same as ``name``.
        public var description: String { name }

        /// Every code, for tests.
        static var allCodes: [Code] { BackingCode.allCases.map(Code.init) }
    }

    /// What went wrong.
    public let code: Code
    /// A sentence that explains the failure.
    public let reason: StaticString

    @usableFromInline
    init(_ code: Code, _ reason: StaticString) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code.name): \(reason)" }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
