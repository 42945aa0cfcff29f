import AccountIndex

/// What amoCRM says of an entity beyond what the index needs: the name a notification shows, the
/// responsible user, the times that pick the newest copy of an entity, a lead's pipeline and price.
///
/// The index's model (``AccountIndex/Contact``, ``AccountIndex/Lead``...) keeps only what calls are
/// resolved by; these ride beside it, in ``AccountDetails``.
public struct EntityDetails: Hashable, Sendable {
    public var name: String
    /// Unix time, seconds.
    public var createdAt: Int
    /// Unix time, seconds; of two copies of an entity, the later is kept.
    public var updatedAt: Int
    public var responsibleUserID: Int?
    /// A lead's pipeline; nil for the other kinds.
    public var pipelineID: Int?
    /// A lead's price (amoCRM's `price`, its budget) in the account's currency; nil for none and
    /// for the other kinds.
    public var price: Int?

    public init(
        name: String = "", createdAt: Int = 0, updatedAt: Int? = nil, responsibleUserID: Int? = nil,
        pipelineID: Int? = nil, price: Int? = nil
    ) {
        self.name = name
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.responsibleUserID = responsibleUserID
        self.pipelineID = pipelineID
        self.price = price
    }
}

/// The ``EntityDetails`` of an account's entities, each array in the order of the matching array of
/// its ``AccountIndex/AccountData`` (the details of `data.contacts[i]` are `contacts[i]`).
public struct AccountDetails: Hashable, Sendable {
    public var contacts: [EntityDetails]
    public var companies: [EntityDetails]
    public var leads: [EntityDetails]
    public var customers: [EntityDetails]

    public init(
        contacts: [EntityDetails] = [], companies: [EntityDetails] = [], leads: [EntityDetails] = [],
        customers: [EntityDetails] = []
    ) {
        self.contacts = contacts
        self.companies = companies
        self.leads = leads
        self.customers = customers
    }

    /// Every entity of `data` whose name is not empty, with its name: what notifications show.
    public func names(of data: AccountData) -> [(EntityRef, String)] {
        var names: [(EntityRef, String)] = []
        func add(_ refs: some Sequence<EntityRef>, _ details: [EntityDetails]) {
            for (ref, detail) in zip(refs, details) where !detail.name.isEmpty { names.append((ref, detail.name)) }
        }
        add(data.contacts.lazy.map(\.ref), contacts)
        add(data.companies.lazy.map(\.ref), companies)
        add(data.leads.lazy.map { .lead($0.id) }, leads)
        add(data.customers.lazy.map { .customer($0.id) }, customers)
        return names
    }
}
