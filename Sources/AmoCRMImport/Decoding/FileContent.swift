import AccountIndex

/// What one file holds, decoded, before files are put together.
struct FileContent: Sendable {
    var contacts: [Contact] = []
    var companies: [Company] = []
    var leads: [Lead] = []
    var customers: [Customer] = []
    var users: [AccountUser] = []
    var statuses: [CustomerStatus] = []
    var links: [AccountLink] = []
    var account: AccountObject?
    var pages = 0
    /// Lead pipeline statuses (`GET /api/v4/leads/pipelines/{id}/statuses`) met under `statuses`.
    var leadStatusesSkipped = 0
    /// `_embedded` keys the loader does not read, such as `pipelines`.
    var ignoredEmbeddedKeys: Set<String> = []
}

/// One status of amoCRM's customers (`GET /api/v4/customers/statuses`).
public struct CustomerStatus: Hashable, Sendable {
    /// amoCRM's `type` of the status: 3 is "closed".
    public static let closedType = 3

    public var id: Int
    public var name: String
    /// amoCRM's status type: 0 regular, 1 expected purchase, 2 did not purchase, 3 closed,
    /// 4 recently purchased; nil when absent.
    public var type: Int?

    public init(id: Int, name: String = "", type: Int?) {
        self.id = id
        self.name = name
        self.type = type
    }

    /// Of type 3: customers in it do not count for a call.
    public var isClosed: Bool { type == Self.closedType }
}

/// A user of the account (`GET /api/v4/users`): who a `responsible_user_id` is.
public struct AccountUser: Hashable, Sendable {
    public var id: Int
    public var name: String
    public var email: String?

    public init(id: Int, name: String = "", email: String? = nil) {
        self.id = id
        self.name = name
        self.email = email
    }
}

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

    /// Whether customers are on: `segments`, `dynamic` (the old name of segments) and
    /// `periodicity` (recurring purchases) are; `disabled` and `unavailable` (not in the plan) are not.
    public var customersEnabled: Bool { Self.enabledModes.contains(customersMode) }

    static let enabledModes: Set<String> = ["segments", "dynamic", "periodicity"]
    static let disabledModes: Set<String> = ["disabled", "unavailable"]
}
