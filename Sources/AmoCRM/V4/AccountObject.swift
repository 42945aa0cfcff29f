import AccountIndex

/// The parts of `GET /api/v4/account` the loader reads.
public struct AccountObject: Hashable, Sendable {
    /// amoCRM's account id, when given.
    public var id: Int?
    public var name: String?
    public var subdomain: String?
    /// The account's country as a region code ("RU"), upper-cased; nil when amoCRM gives none.
    public var country: String?
    /// amoCRM's `customers_mode`: `unavailable`, `disabled`, `segments`, `dynamic` or `periodicity`.
    public var customersMode: String

    public init(
        id: Int? = nil, name: String? = nil, subdomain: String? = nil, country: String? = nil, customersMode: String
    ) {
        self.id = id
        self.name = name
        self.subdomain = subdomain
        self.country = country
        self.customersMode = customersMode
    }

    /// Whether customers are on: `segments`, `dynamic` (the old name of segments) and
    /// `periodicity` (recurring purchases) are; `disabled` and `unavailable` (not in the plan) are not.
    public var customersEnabled: Bool { Self.enabledModes.contains(customersMode) }

    static let enabledModes: Set<String> = ["segments", "dynamic", "periodicity"]
    static let disabledModes: Set<String> = ["disabled", "unavailable"]

    /// The index's settings for this account: its country as the default region, customers on or
    /// off, the closed customer statuses (type 3) among `customerStatuses`.
    public func settings(customerStatuses: [CustomerStatus], suffixFallback: SuffixFallback = SuffixFallback())
        -> AccountSettings
    {
        var settings = AccountSettings(defaultRegion: country, customersEnabled: customersEnabled)
        settings.closedCustomerStatusIDs = Set(customerStatuses.lazy.filter(\.isClosed).map(\.id))
        settings.suffixFallback = suffixFallback
        return settings
    }
}
