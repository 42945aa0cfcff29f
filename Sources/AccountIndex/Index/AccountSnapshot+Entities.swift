/// A contact or company as the index keeps it.
public struct PartySummary: Hashable, Sendable, CustomStringConvertible {
    public let entity: EntityRef
    public let createdAt: Int
    public let isDeleted: Bool
    /// The numbers found in its phone values, sorted.
    public let phoneKeys: [PhoneKey]
    /// Linked leads that are active, sorted.
    public let activeLeadIDs: [Int]
    /// Linked leads that are deleted, won or lost, sorted.
    public let otherLeadIDs: [Int]
    /// Linked customers that are neither deleted nor closed, sorted.
    public let openCustomerIDs: [Int]
    /// Linked customers that are deleted or closed, sorted.
    public let otherCustomerIDs: [Int]
    /// For a contact, its company (at most one); for a company, its contacts, sorted.
    public let relatedIDs: [Int]

    init(_ entry: SlabEntry<PartyRecord>, isCompany: Bool) {
        let state = PartyState(entry)
        entity = EntityRef(kind: isCompany ? .company : .contact, id: entry.record.id)
        createdAt = state.createdAt
        isDeleted = state.isDeleted
        phoneKeys = state.keys.map(PhoneKey.init(rawValue:))
        activeLeadIDs = state.activeLeads
        otherLeadIDs = state.otherLeads
        openCustomerIDs = state.openCustomers
        otherCustomerIDs = state.otherCustomers
        relatedIDs = state.related
    }

    public var description: String {
        var text = "\(entity) created=\(createdAt)"
        if isDeleted { text += " deleted" }
        text +=
            " phones=\(phoneKeys) leads=\(activeLeadIDs)+\(otherLeadIDs) customers=\(openCustomerIDs)+\(otherCustomerIDs)"
        return text + (entity.kind == .contact ? " company=\(relatedIDs)" : " contacts=\(relatedIDs)")
    }
}

/// A lead as the index keeps it.
public struct LeadSummary: Hashable, Sendable, CustomStringConvertible {
    public let id: Int
    public let isDeleted: Bool
    /// Whether its status is won (142) or lost (143).
    public let hasClosedStatus: Bool
    public let mainContactID: Int?
    /// Every contact, sorted.
    public let contactIDs: [Int]
    public let companyID: Int?

    public var isActive: Bool { !isDeleted && !hasClosedStatus }

    init(_ entry: SlabEntry<LeadRecord>) {
        let state = LeadState(entry)
        id = entry.record.id
        isDeleted = state.isDeleted
        hasClosedStatus = state.hasClosedStatus
        mainContactID = state.main
        contactIDs = state.contacts.sorted()
        companyID = state.company
    }

    public var description: String {
        var text = "lead \(id)"
        if isDeleted { text += " deleted" }
        if hasClosedStatus { text += " closed" }
        text += " contacts=\(contactIDs)"
        if let mainContactID { text += " main=\(mainContactID)" }
        if let companyID { text += " company=\(companyID)" }
        return text
    }
}

/// A customer as the index keeps it.
public struct CustomerSummary: Hashable, Sendable, CustomStringConvertible {
    public let id: Int
    public let isDeleted: Bool
    public let statusID: Int?
    /// Every contact, sorted.
    public let contactIDs: [Int]
    public let companyID: Int?

    init(_ entry: SlabEntry<CustomerRecord>) {
        let state = CustomerState(entry)
        id = entry.record.id
        isDeleted = state.isDeleted
        statusID = state.statusID
        contactIDs = state.contacts
        companyID = state.company
    }

    public var description: String {
        var text = "customer \(id)"
        if isDeleted { text += " deleted" }
        text += " status=\(statusID.map(String.init) ?? "none") contacts=\(contactIDs)"
        if let companyID { text += " company=\(companyID)" }
        return text
    }
}

extension AccountSnapshot {
    /// The contact with `id`, as the index keeps it.
    ///
    /// - Complexity: O(1) in the size of the account, O(k) in its phone keys and links.
    public func contact(_ id: Int) -> PartySummary? {
        state.contacts.find(id).map { PartySummary($0, isCompany: false) }
    }

    /// The company with `id`, as the index keeps it.
    public func company(_ id: Int) -> PartySummary? {
        state.companies.find(id).map { PartySummary($0, isCompany: true) }
    }

    /// The lead with `id`, as the index keeps it.
    public func lead(_ id: Int) -> LeadSummary? { state.leads.find(id).map(LeadSummary.init) }

    /// The customer with `id`, as the index keeps it.
    public func customer(_ id: Int) -> CustomerSummary? { state.customers.find(id).map(CustomerSummary.init) }

    /// Everything the index holds, in a canonical order: two snapshots hold the same account exactly
    /// when their dumps are equal, however they were built.
    ///
    /// - Complexity: O(n log n) in the size of the account. For tests and diagnostics.
    public func dump() -> AccountIndexDump {
        var contacts: [PartySummary] = []
        state.contacts.forEach { contacts.append(PartySummary($0, isCompany: false)) }
        var companies: [PartySummary] = []
        state.companies.forEach { companies.append(PartySummary($0, isCompany: true)) }
        var leads: [LeadSummary] = []
        state.leads.forEach { leads.append(LeadSummary($0)) }
        var customers: [CustomerSummary] = []
        state.customers.forEach { customers.append(CustomerSummary($0)) }
        var postings: [AccountIndexDump.StoredNumber] = []
        state.phones.forEach { postings.append(.init(number: $0.key, owner: $0.owner.ref)) }
        return AccountIndexDump(
            settings: state.settings,
            contacts: contacts.sorted { $0.entity.id < $1.entity.id },
            companies: companies.sorted { $0.entity.id < $1.entity.id },
            leads: leads.sorted { $0.id < $1.id },
            customers: customers.sorted { $0.id < $1.id },
            storedNumbers: postings.sorted { ($0.number, $0.owner) < ($1.number, $1.owner) })
    }
}

/// Everything an index holds, in a canonical order (``AccountSnapshot/dump()``).
public struct AccountIndexDump: Hashable, Sendable, CustomStringConvertible {
    /// One stored number of one contact or company.
    public struct StoredNumber: Hashable, Sendable {
        public let number: PhoneKey
        public let owner: EntityRef
    }

    public let settings: AccountSettings
    public let contacts: [PartySummary]
    public let companies: [PartySummary]
    public let leads: [LeadSummary]
    public let customers: [CustomerSummary]
    /// Every stored number, sorted by number, then owner.
    public let storedNumbers: [StoredNumber]

    /// One line per entity and stored number.
    public var description: String {
        var lines: [String] = []
        lines.append(
            "settings region=\(settings.defaultRegion ?? "none") customers=\(settings.customersEnabled) "
                + "closed=\(settings.closedCustomerStatusIDs.sorted()) fallback=\(settings.suffixFallback.isEnabled)/\(settings.suffixFallback.digits)"
        )
        lines += contacts.map(\.description)
        lines += companies.map(\.description)
        lines += leads.map(\.description)
        lines += customers.map(\.description)
        lines += storedNumbers.map { "number \($0.number) \($0.owner)" }
        return lines.joined(separator: "\n")
    }
}
