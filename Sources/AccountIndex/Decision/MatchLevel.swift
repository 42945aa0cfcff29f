/// How the caller's number matched the stored ones.
public enum MatchLevel: Hashable, Sendable, CustomStringConvertible {
    /// A stored number is the caller's number (same E.164; extensions are ignored).
    case exact
    /// No stored number is the caller's, but some end in the same last `digits` digits: a number
    /// stored without a country code or with a wrong one, or a different number. Treat with care.
    case suffix(digits: Int)
    /// Nothing matched (or the number could not be read).
    case none

    public var description: String {
        switch self {
        case .exact: "exact"
        case .suffix(let digits): "suffix(\(digits))"
        case .none: "none"
        }
    }
}
