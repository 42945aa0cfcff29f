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
