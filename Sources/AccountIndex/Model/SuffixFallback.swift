/// The fallback match on the last digits of a number, for numbers stored without a country code
/// or with a wrong one (amoCRM itself matches on the last 8 to 10 digits).
public struct SuffixFallback: Hashable, Sendable {
    /// The fewest digits a suffix may have, and the most.
    public static let digitRange: ClosedRange<Int> = 6...15

    /// Whether resolving tries the fallback when nothing matches exactly; a resolve call can
    /// override it (``ResolveOptions/suffixFallback``).
    public var isEnabled: Bool
    /// How many last digits of the country code and national number must agree. Numbers with fewer
    /// digits take no part in the fallback. Fixed when an index is built; clamped to ``digitRange``.
    public var digits: Int {
        get { storedDigits }
        set { storedDigits = Swift.min(Swift.max(newValue, Self.digitRange.lowerBound), Self.digitRange.upperBound) }
    }
    private var storedDigits: Int

    public init(isEnabled: Bool = true, digits: Int = 10) {
        self.isEnabled = isEnabled
        self.storedDigits = 10
        self.digits = digits
    }
}
