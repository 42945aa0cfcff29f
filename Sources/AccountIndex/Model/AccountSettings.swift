/// The account-wide settings that matching and the decision depend on.
///
/// ```swift
/// var settings = AccountSettings(defaultRegion: "RU")
/// settings.closedCustomerStatusIDs = [3_000_142]
/// settings.suffixFallback.digits = 9
/// ```
public struct AccountSettings: Hashable, Sendable {
    /// The account's country as a region code ("RU"): the region for numbers written without a
    /// country code, in stored phone values and in callers' numbers. Fixed for an index's lifetime.
    public var defaultRegion: String?
    /// Whether the account has customers switched on. When off, no customer counts for a call
    /// (amoCRM's `customers_mode` of `disabled` or `unavailable`).
    public var customersEnabled: Bool
    /// The ids of the customer statuses of type 3 ("closed"): a customer in one of them does not count.
    public var closedCustomerStatusIDs: Set<Int>
    /// The last-digits fallback used when no stored number matches exactly.
    public var suffixFallback: SuffixFallback

    public init(
        defaultRegion: String?, customersEnabled: Bool = true, closedCustomerStatusIDs: Set<Int> = [],
        suffixFallback: SuffixFallback = SuffixFallback()
    ) {
        self.defaultRegion = defaultRegion
        self.customersEnabled = customersEnabled
        self.closedCustomerStatusIDs = closedCustomerStatusIDs
        self.suffixFallback = suffixFallback
    }
}

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
