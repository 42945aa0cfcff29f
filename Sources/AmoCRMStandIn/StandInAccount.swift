import AccountIndex
import AccountSynthesis
import AmoCRM

/// The account a stand-in of amoCRM serves, as values a test changes: what
/// ``AmoCRM/AccountDirectory`` loads (``AmoCRM/LoadedAccount`` without its summary).
///
/// The changes are amoCRM's as its API shows them: an entity upserted with the links it lists
/// (a key given replaces every link the entity lists under it; a key not given keeps them), a
/// lead's status changed, an entity deleted (gone from the lists, its links with it), a user added.
/// Each stamps the entity's `updated_at` with the instant it is given; nothing else is touched (the
/// other end of a new link keeps its `updated_at`).
///
/// ```swift
/// var account = StandInAccount(SyntheticAccount(seed: 1, contacts: 10))
/// account.upsertLead(Lead(id: 7, statusID: 20), at: 1_700_000_000, contacts: [20_000_001], mainContact: 20_000_001)
/// account.delete(.contact(20_000_002))
/// ```
public struct StandInAccount: Hashable, Sendable {
    /// Entities, links and settings; one entity per id.
    public var data: AccountData
    /// Names, times, responsible users, pipelines, in the order of ``data``'s arrays (always as
    /// long as they are).
    public var details: AccountDetails
    /// The object of `GET /api/v4/account`.
    public var account: AccountObject
    /// `GET /api/v4/users`, in this order.
    public var users: [AccountUser]
    /// `GET /api/v4/customers/statuses`.
    public var customerStatuses: [CustomerStatus]
    /// `GET /api/v4/leads/pipelines`, each pipeline with its statuses.
    public var pipelines: [LeadPipeline]

    public init(
        data: AccountData, details: AccountDetails = AccountDetails(), account: AccountObject,
        users: [AccountUser] = [], customerStatuses: [CustomerStatus] = [], pipelines: [LeadPipeline] = []
    ) {
        self.data = data
        self.details = details
        self.account = account
        self.users = users
        self.customerStatuses = customerStatuses
        self.pipelines = pipelines
        padDetails()
    }

    /// What `AccountDirectory` loaded.
    public init(_ loaded: LoadedAccount) {
        self.init(
            data: loaded.data, details: loaded.details, account: loaded.account, users: loaded.users,
            customerStatuses: loaded.customerStatuses, pipelines: loaded.pipelines)
    }

    /// A synthetic account with the account object, statuses and pipelines its saved pages have
    /// (`SyntheticAccount.amoCRMPages`), so that it serves what `AccountDirectory` loads from them.
    public init(_ synthetic: SyntheticAccount, users: [AccountUser] = []) {
        self.init(
            data: synthetic.data, details: synthetic.details, account: SyntheticAccount.amoCRMAccountObject,
            users: users, customerStatuses: SyntheticAccount.amoCRMCustomerStatuses,
            pipelines: SyntheticAccount.amoCRMPipelines)
    }

    /// An account with no entities: `customersMode` `periodicity` (customers on), country RU.
    public static func empty(country: String = "RU") -> StandInAccount {
        var settings = AccountSettings(defaultRegion: country, customersEnabled: true)
        settings.closedCustomerStatusIDs = [SyntheticAccount.closedCustomerStatusID]
        return StandInAccount(
            data: AccountData(settings: settings),
            account: AccountObject(id: 1, country: country, customersMode: "periodicity"),
            customerStatuses: SyntheticAccount.amoCRMCustomerStatuses)
    }

    /// Details arrays as long as the data's, as `PageWriter` fills the missing ones.
    private mutating func padDetails() {
        for contact in data.contacts.dropFirst(details.contacts.count) {
            details.contacts.append(EntityDetails(createdAt: contact.createdAt))
        }
        for company in data.companies.dropFirst(details.companies.count) {
            details.companies.append(EntityDetails(createdAt: company.createdAt))
        }
        details.leads += Array(repeating: EntityDetails(), count: max(0, data.leads.count - details.leads.count))
        details.customers += Array(
            repeating: EntityDetails(), count: max(0, data.customers.count - details.customers.count))
    }

    // MARK: Reading

    /// The position of `entity` in its array of ``data`` (and of ``details``); nil when absent.
    /// - Complexity: O(n) in the entities of its kind.
    public func index(of entity: EntityRef) -> Int? {
        switch entity.kind {
        case .contact: data.contacts.firstIndex { $0.id == entity.id }
        case .company: data.companies.firstIndex { $0.id == entity.id }
        case .lead: data.leads.firstIndex { $0.id == entity.id }
        case .customer: data.customers.firstIndex { $0.id == entity.id }
        }
    }

    /// The details of `entity`, when it is in the account.
    public func details(of entity: EntityRef) -> EntityDetails? {
        index(of: entity).map { detailsArray(entity.kind)[$0] }
    }

    func detailsArray(_ kind: EntityKind) -> [EntityDetails] {
        switch kind {
        case .contact: details.contacts
        case .company: details.companies
        case .lead: details.leads
        case .customer: details.customers
        }
    }

    /// The ids of an entity kind, in the order of ``data``.
    func ids(_ kind: EntityKind) -> [Int] {
        switch kind {
        case .contact: data.contacts.map(\.id)
        case .company: data.companies.map(\.id)
        case .lead: data.leads.map(\.id)
        case .customer: data.customers.map(\.id)
        }
    }

    // MARK: Changing

    /// Adds or replaces a contact; its `created_at` is `contact.createdAt`.
    ///
    /// - Parameters:
    ///   - name: The new name; nil keeps the name (empty for a new contact). Likewise
    ///     `responsibleUserID`.
    ///   - at: Its new `updated_at`, Unix seconds.
    ///   - leads: Every lead it lists (`_embedded.leads`), replacing those it listed; nil keeps
    ///     them. Likewise `customers` and `companies` (at most one company: a contact's company
    ///     replaces the one it had).
    public mutating func upsertContact(
        _ contact: Contact, name: String? = nil, responsibleUserID: Int? = nil, at time: Int,
        leads: [Int]? = nil, customers: [Int]? = nil, companies: [Int]? = nil
    ) {
        let ref = contact.ref
        let (i, isNew) = upsertEntity(ref) { data, i in
            if let i { data.contacts[i] = contact } else { data.contacts.append(contact) }
        }
        stamp(
            ref, i, isNew: isNew, name: name, responsibleUserID: responsibleUserID, createdAt: contact.createdAt,
            at: time)
        replaceIDs(ref, [.leads: leads, .customers: customers, .companies: companies])
    }

    /// Adds or replaces a company; the parameters are ``upsertContact(_:name:responsibleUserID:at:leads:customers:companies:)``'s.
    public mutating func upsertCompany(
        _ company: Company, name: String? = nil, responsibleUserID: Int? = nil, at time: Int,
        contacts: [Int]? = nil, leads: [Int]? = nil, customers: [Int]? = nil
    ) {
        let ref = company.ref
        let (i, isNew) = upsertEntity(ref) { data, i in
            if let i { data.companies[i] = company } else { data.companies.append(company) }
        }
        stamp(
            ref, i, isNew: isNew, name: name, responsibleUserID: responsibleUserID, createdAt: company.createdAt,
            at: time)
        replaceIDs(ref, [.contacts: contacts, .leads: leads, .customers: customers])
    }

    /// Adds or replaces a lead (a new lead's `created_at` is `at`).
    ///
    /// - Parameters:
    ///   - pipelineID: nil keeps the pipeline. Likewise `price`.
    ///   - contacts: Every contact of the lead; nil keeps them. `mainContact` (one of them) is the
    ///     main one.
    ///   - companies: The lead's company (at most one), or none; nil keeps it.
    public mutating func upsertLead(
        _ lead: Lead, name: String? = nil, responsibleUserID: Int? = nil, pipelineID: Int? = nil, price: Int? = nil,
        at time: Int, contacts: [Int]? = nil, mainContact: Int? = nil, companies: [Int]? = nil
    ) {
        let ref = EntityRef.lead(lead.id)
        let (i, isNew) = upsertEntity(ref) { data, i in
            if let i { data.leads[i] = lead } else { data.leads.append(lead) }
        }
        stamp(ref, i, isNew: isNew, name: name, responsibleUserID: responsibleUserID, createdAt: nil, at: time)
        if let pipelineID { details.leads[i].pipelineID = pipelineID }
        if let price { details.leads[i].price = price }
        replaceEntries(
            ref,
            [
                .contacts: contacts.map { $0.map { EmbeddedLinks.Entry(id: $0, isMain: $0 == mainContact) } },
                .companies: companies.map { $0.map { EmbeddedLinks.Entry(id: $0) } },
            ])
    }

    /// Adds or replaces a customer (a new customer's `created_at` is `at`).
    public mutating func upsertCustomer(
        _ customer: Customer, name: String? = nil, responsibleUserID: Int? = nil, at time: Int,
        contacts: [Int]? = nil, companies: [Int]? = nil
    ) {
        let ref = EntityRef.customer(customer.id)
        let (i, isNew) = upsertEntity(ref) { data, i in
            if let i { data.customers[i] = customer } else { data.customers.append(customer) }
        }
        stamp(ref, i, isNew: isNew, name: name, responsibleUserID: responsibleUserID, createdAt: nil, at: time)
        replaceIDs(ref, [.contacts: contacts, .companies: companies])
    }

    /// Moves a lead to another status (142 won, 143 lost); false when there is no such lead.
    @discardableResult
    public mutating func setLeadStatus(_ leadID: Int, to statusID: Int, at time: Int) -> Bool {
        guard let i = index(of: .lead(leadID)) else { return false }
        data.leads[i].statusID = statusID
        details.leads[i].updatedAt = time
        return true
    }

    /// Sets the `updated_at` of `entity` and nothing else; false when it is not there.
    @discardableResult
    public mutating func touch(_ entity: EntityRef, at time: Int) -> Bool {
        guard let i = index(of: entity) else { return false }
        switch entity.kind {
        case .contact: details.contacts[i].updatedAt = time
        case .company: details.companies[i].updatedAt = time
        case .lead: details.leads[i].updatedAt = time
        case .customer: details.customers[i].updatedAt = time
        }
        return true
    }

    /// Deletes `entity` as amoCRM's API shows a deletion: the lists omit it, and nothing lists a
    /// link to it any more. False when it was not there.
    @discardableResult
    public mutating func delete(_ entity: EntityRef) -> Bool {
        guard let i = index(of: entity) else { return false }
        switch entity.kind {
        case .contact:
            data.contacts.remove(at: i)
            details.contacts.remove(at: i)
        case .company:
            data.companies.remove(at: i)
            details.companies.remove(at: i)
        case .lead:
            data.leads.remove(at: i)
            details.leads.remove(at: i)
        case .customer:
            data.customers.remove(at: i)
            details.customers.remove(at: i)
        }
        data.links.removeAll { link in
            let (a, b) = link.ends
            return a == entity || b == entity
        }
        return true
    }

    /// Adds a user, or replaces the one with its id.
    public mutating func addUser(_ user: AccountUser) {
        if let i = users.firstIndex(where: { $0.id == user.id }) {
            users[i] = user
        } else {
            users.append(user)
        }
    }

    // MARK: Internals of the changes

    /// Puts the entity in place through `put` (its index, nil when new); returns its index and
    /// whether it is new.
    private mutating func upsertEntity(_ ref: EntityRef, _ put: (inout AccountData, Int?) -> Void) -> (Int, Bool) {
        let existing = index(of: ref)
        put(&data, existing)
        if let existing { return (existing, false) }
        switch ref.kind {
        case .contact: details.contacts.append(EntityDetails())
        case .company: details.companies.append(EntityDetails())
        case .lead: details.leads.append(EntityDetails())
        case .customer: details.customers.append(EntityDetails())
        }
        return (detailsArray(ref.kind).count - 1, true)
    }

    /// Sets the details a change gives: `createdAt` (a contact's or company's own), or `time` for a
    /// new lead or customer; `updated_at` is `time`.
    private mutating func stamp(
        _ ref: EntityRef, _ i: Int, isNew: Bool, name: String?, responsibleUserID: Int?, createdAt: Int?, at time: Int
    ) {
        func update(_ d: inout EntityDetails) {
            if let name { d.name = name }
            if let responsibleUserID { d.responsibleUserID = responsibleUserID }
            if let createdAt { d.createdAt = createdAt } else if isNew { d.createdAt = time }
            d.updatedAt = time
        }
        switch ref.kind {
        case .contact: update(&details.contacts[i])
        case .company: update(&details.companies[i])
        case .lead: update(&details.leads[i])
        case .customer: update(&details.customers[i])
        }
    }

    private mutating func replaceIDs(_ owner: EntityRef, _ lists: [EmbeddedLinks.Key: [Int]?]) {
        var entries: [EmbeddedLinks.Key: [EmbeddedLinks.Entry]?] = [:]
        for (key, ids) in lists { entries[key] = ids.map { $0.map { EmbeddedLinks.Entry(id: $0) } } }
        replaceEntries(owner, entries)
    }

    /// Replaces, for each key given a list, every link `owner` lists under it by the list's.
    private mutating func replaceEntries(_ owner: EntityRef, _ lists: [EmbeddedLinks.Key: [EmbeddedLinks.Entry]?]) {
        for key in EmbeddedLinks.Key.allCases {
            guard let entries = lists[key] ?? nil else { continue }
            data.links.removeAll { Self.key(of: $0, listedBy: owner) == key }
            for entry in entries {
                guard let link = EmbeddedLinks.link(owner: owner, key: key, id: entry.id, isMain: entry.isMain) else {
                    continue
                }
                add(link)
            }
        }
    }

    /// The key under which `owner` lists `link`; nil when `owner` is not one of its ends.
    static func key(of link: AccountLink, listedBy owner: EntityRef) -> EmbeddedLinks.Key? {
        let (a, b) = link.ends
        if a == owner { return EmbeddedLinks.Key(listing: b.kind) }
        if b == owner { return EmbeddedLinks.Key(listing: a.kind) }
        return nil
    }

    /// Appends `link`, dropping what amoCRM would not keep beside it: the same link, the other
    /// company of a contact, lead or customer, the other main contact of a lead (no longer main).
    private mutating func add(_ link: AccountLink) {
        switch link {
        case .contactLead(let contact, let lead, let isMain):
            data.links.removeAll {
                if case .contactLead(contact, lead, _) = $0 { return true }
                return false
            }
            if isMain {
                for i in data.links.indices {
                    if case .contactLead(let other, lead, true) = data.links[i] {
                        data.links[i] = .contactLead(contactID: other, leadID: lead, isMain: false)
                    }
                }
            }
        case .contactCompany(let contact, _):
            data.links.removeAll {
                if case .contactCompany(contact, _) = $0 { return true }
                return false
            }
        case .companyLead(_, let lead):
            data.links.removeAll {
                if case .companyLead(_, lead) = $0 { return true }
                return false
            }
        case .companyCustomer(_, let customer):
            data.links.removeAll {
                if case .companyCustomer(_, customer) = $0 { return true }
                return false
            }
        case .contactCustomer:
            data.links.removeAll { $0 == link }
        }
        data.links.append(link)
    }
}
