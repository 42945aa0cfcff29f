/// A whole account as plain values: what a loader produces and ``AccountIndex/init(building:)`` takes.
///
/// The order of the arrays matters only where amoCRM's rules make a later fact replace an earlier
/// one: a later entity with the same id replaces the earlier, a later "at most one" link replaces
/// the earlier (see ``AccountLink``), and a later main contact of a lead replaces the earlier.
/// Building from the data is the same as applying ``changes`` to an empty index, one by one,
/// skipping those that fail (links to entities that are not in the data).
///
/// ```swift
/// var data = AccountData(settings: AccountSettings(defaultRegion: "RU"))
/// data.contacts.append(Contact(id: 1, createdAt: 1_700_000_000, phones: [PhoneValue("8 999 888-55-33")]))
/// data.leads.append(Lead(id: 10, statusID: 20))
/// data.links.append(.contactLead(contactID: 1, leadID: 10, isMain: true))
/// let index = AccountIndex(building: data)
/// ```
///
/// The module `AmoCRM` adds `link(lead:contacts:main:company:)` and its kin, which add the links an
/// entity lists in amoCRM's `_embedded`.
public struct AccountData: Hashable, Sendable {
    public var settings: AccountSettings
    public var contacts: [Contact]
    public var companies: [Company]
    public var leads: [Lead]
    public var customers: [Customer]
    public var links: [AccountLink]

    public init(
        settings: AccountSettings, contacts: [Contact] = [], companies: [Company] = [], leads: [Lead] = [],
        customers: [Customer] = [], links: [AccountLink] = []
    ) {
        self.settings = settings
        self.contacts = contacts
        self.companies = companies
        self.leads = leads
        self.customers = customers
        self.links = links
    }

    /// The changes that, applied to an empty index with these settings, give the same index:
    /// every entity upserted (contacts, companies, leads, customers), then every link.
    public var changes: [AccountChange] {
        var changes: [AccountChange] = []
        changes.reserveCapacity(contacts.count + companies.count + leads.count + customers.count + links.count)
        changes.append(contentsOf: contacts.lazy.map { .upsertContact($0) })
        changes.append(contentsOf: companies.lazy.map { .upsertCompany($0) })
        changes.append(contentsOf: leads.lazy.map { .upsertLead($0) })
        changes.append(contentsOf: customers.lazy.map { .upsertCustomer($0) })
        changes.append(contentsOf: links.lazy.map { .link($0) })
        return changes
    }
}
