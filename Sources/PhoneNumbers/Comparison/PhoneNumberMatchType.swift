/// How closely two phone numbers agree: libphonenumber's `MatchType`, the answer of the
/// `match` methods of ``PhoneNumber``.
///
/// The cases are ordered from the weakest answer to the strongest, as libphonenumber numbers them,
/// so that a caller can ask for "at least" a level:
///
/// ```swift
/// let level = PhoneNumber.match("+7 999 888-55-33", "8 (999) 888-55-33")  // .nationalSignificantNumber
/// level >= .nationalSignificantNumber                                      // true
/// ```
public enum PhoneNumberMatchType: Int, Hashable, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    /// One of the texts is not a phone number (libphonenumber's `NOT_A_NUMBER`): it does not parse,
    /// even when read in the other number's region.
    case notANumber = 0
    /// None of the matches below (`NO_MATCH`): different numbers, different extensions, or national
    /// numbers of different country calling codes.
    case noMatch = 1
    /// One national significant number ends with the other (`SHORT_NSN_MATCH`), and the country
    /// calling codes are equal or one of them is unknown: "+1 345 657 1234" and "657 1234". It also
    /// covers one number with an extension and the other without, and an Italian leading zero on
    /// one side only.
    case shortNationalSignificantNumber = 2
    /// The national significant numbers and extensions are equal, but one of the numbers was written
    /// without its country calling code (`NSN_MATCH`): "+7 999 888-55-33" and "8 (999) 888-55-33".
    case nationalSignificantNumber = 3
    /// Country calling code, national significant number (with its Italian leading zeros) and
    /// extension are all equal (`EXACT_MATCH`).
    case exact = 4

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// libphonenumber's name of the answer: `EXACT_MATCH`, `NSN_MATCH`, `SHORT_NSN_MATCH`,
    /// `NO_MATCH` or `NOT_A_NUMBER`.
    public var name: String {
        switch self {
        case .notANumber: "NOT_A_NUMBER"
        case .noMatch: "NO_MATCH"
        case .shortNationalSignificantNumber: "SHORT_NSN_MATCH"
        case .nationalSignificantNumber: "NSN_MATCH"
        case .exact: "EXACT_MATCH"
        }
    }

    /// The same as ``name``.
    public var description: String { name }
}
