/// Why a text could not be parsed as a phone number.
///
/// The codes are libphonenumber's `NumberParseException.ErrorType`; `code.name` is its name as the
/// CLI prints it (`TOO_SHORT_NSN`). The code is a struct with static members rather than an enum,
/// so that a new code can be added without breaking exhaustive switches in client code.
public struct PhoneNumberParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        @usableFromInline
        let rawValue: UInt8

        @usableFromInline
        init(_ rawValue: UInt8) { self.rawValue = rawValue }

        /// The number starts with `+` (or an international prefix) but the country calling code
        /// after it does not exist, or there is no default region for a number written nationally.
        public static let invalidCountryCode = Code(0)
        /// The text does not look like a phone number at all.
        public static let notANumber = Code(1)
        /// After the international prefix there are too few digits for a number.
        public static let tooShortAfterIDD = Code(2)
        /// The national significant number is shorter than two digits.
        public static let tooShortNSN = Code(3)
        /// The text is over 250 characters, or the national number over 17 digits.
        public static let tooLong = Code(4)

        /// libphonenumber's name of the code: `INVALID_COUNTRY_CODE`, `NOT_A_NUMBER`,
        /// `TOO_SHORT_AFTER_IDD`, `TOO_SHORT_NSN` or `TOO_LONG`.
        public var name: String {
            switch rawValue {
            case 0: return "INVALID_COUNTRY_CODE"
            case 1: return "NOT_A_NUMBER"
            case 2: return "TOO_SHORT_AFTER_IDD"
            case 3: return "TOO_SHORT_NSN"
            default: return "TOO_LONG"
            }
        }

        public var description: String { name }
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
