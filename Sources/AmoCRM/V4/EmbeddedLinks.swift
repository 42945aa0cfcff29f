import AccountIndex

/// Which entity lists which link in its `_embedded`, in amoCRM API v4: the one table that the page
/// reader, the page writer and ``AccountIndex/AccountData``'s `link` helpers share.
///
/// | Owner | `_embedded` key | The link |
/// | --- | --- | --- |
/// | contact | `leads`, `customers`, `companies` | contact–lead, contact–customer, contact–company |
/// | company | `contacts`, `leads`, `customers` | contact–company, company–lead, company–customer |
/// | lead | `contacts` (with `is_main`), `companies` | contact–lead, company–lead |
/// | customer | `contacts`, `companies` | contact–customer, company–customer |
///
/// Every link is listed by both of its ends, so a link read from either side is the same
/// ``AccountIndex/AccountLink``.
public enum EmbeddedLinks {
    /// An `_embedded` key that lists links.
    public enum Key: String, Hashable, Sendable, CaseIterable {
        case contacts, companies, leads, customers

        /// The key under which an entity of `kind` is listed.
        public init(listing kind: EntityKind) {
            switch kind {
            case .contact: self = .contacts
            case .company: self = .companies
            case .lead: self = .leads
            case .customer: self = .customers
            }
        }
    }

    /// The link that `owner` lists when its `_embedded[key]` holds `id`; nil when an entity of
    /// that kind does not list that key (a lead's `leads`, say), which the reader skips.
    public static func link(owner: EntityRef, key: Key, id: Int, isMain: Bool = false) -> AccountLink? {
        switch (owner.kind, key) {
        case (.contact, .leads): .contactLead(contactID: owner.id, leadID: id)
        case (.contact, .customers): .contactCustomer(contactID: owner.id, customerID: id)
        case (.contact, .companies): .contactCompany(contactID: owner.id, companyID: id)
        case (.company, .contacts): .contactCompany(contactID: id, companyID: owner.id)
        case (.company, .leads): .companyLead(companyID: owner.id, leadID: id)
        case (.company, .customers): .companyCustomer(companyID: owner.id, customerID: id)
        case (.lead, .contacts): .contactLead(contactID: id, leadID: owner.id, isMain: isMain)
        case (.lead, .companies): .companyLead(companyID: id, leadID: owner.id)
        case (.customer, .contacts): .contactCustomer(contactID: id, customerID: owner.id)
        case (.customer, .companies): .companyCustomer(companyID: id, customerID: owner.id)
        default: nil
        }
    }

    /// The keys an entity of `kind` lists, in the order amoCRM writes them.
    public static func keys(of kind: EntityKind) -> [Key] {
        Key.allCases.filter { link(owner: EntityRef(kind: kind, id: 1), key: $0, id: 1) != nil }
    }

    /// One entry of an `_embedded` list.
    public struct Entry: Hashable, Sendable {
        public var id: Int
        /// A lead's main contact (`is_main`); false elsewhere.
        public var isMain: Bool

        public init(id: Int, isMain: Bool = false) {
            self.id = id
            self.isMain = isMain
        }
    }

    /// What each entity lists, from the account's links: both ends of every link, in link order.
    /// What ``link(owner:key:id:isMain:)`` reads back as the same links.
    public static func listing(_ links: [AccountLink]) -> [EntityRef: [Key: [Entry]]] {
        var listed: [EntityRef: [Key: [Entry]]] = [:]
        for link in links {
            let (a, b) = link.ends
            for (owner, other) in [(a, b), (b, a)] {
                let key = Key(listing: other.kind)
                guard self.link(owner: owner, key: key, id: other.id, isMain: link.isMain) != nil else { continue }
                listed[owner, default: [:]][key, default: []].append(
                    Entry(id: other.id, isMain: owner.kind == .lead && link.isMain))
            }
        }
        return listed
    }
}

extension AccountLink {
    /// Whether a contact–lead link makes the contact the lead's main one.
    var isMain: Bool {
        if case .contactLead(_, _, let isMain) = self { return isMain }
        return false
    }
}

extension AccountData {
    /// Adds the links a lead lists (its `_embedded.contacts`, the `main` one with `is_main`, and
    /// `companies`).
    public mutating func link(lead: Int, contacts: [Int], main: Int? = nil, company: Int? = nil) {
        add(.lead(lead), .contacts, contacts, main: main)
        add(.lead(lead), .companies, company.map { [$0] } ?? [])
    }

    /// Adds the links a contact lists (its `_embedded.leads`, `customers` and `companies`).
    public mutating func link(contact: Int, leads: [Int] = [], customers: [Int] = [], company: Int? = nil) {
        add(.contact(contact), .leads, leads)
        add(.contact(contact), .customers, customers)
        add(.contact(contact), .companies, company.map { [$0] } ?? [])
    }

    /// Adds the links a company lists.
    public mutating func link(company: Int, contacts: [Int] = [], leads: [Int] = [], customers: [Int] = []) {
        add(.company(company), .contacts, contacts)
        add(.company(company), .leads, leads)
        add(.company(company), .customers, customers)
    }

    /// Adds the links a customer lists.
    public mutating func link(customer: Int, contacts: [Int], company: Int? = nil) {
        add(.customer(customer), .contacts, contacts)
        add(.customer(customer), .companies, company.map { [$0] } ?? [])
    }

    private mutating func add(_ owner: EntityRef, _ key: EmbeddedLinks.Key, _ ids: [Int], main: Int? = nil) {
        for id in ids {
            if let link = EmbeddedLinks.link(owner: owner, key: key, id: id, isMain: id == main) { links.append(link) }
        }
    }
}
