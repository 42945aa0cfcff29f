extension AccountSnapshot {
    /// The contact with `id`, as the index keeps it.
    ///
    /// - Complexity: O(1) in the size of the account, O(k) in its phone keys and links.
    public func contact(_ id: Int) -> PhoneHolderSummary? {
        state.contacts.find(id).map { PhoneHolderSummary($0, isCompany: false) }
    }

    /// The company with `id`, as the index keeps it.
    public func company(_ id: Int) -> PhoneHolderSummary? {
        state.companies.find(id).map { PhoneHolderSummary($0, isCompany: true) }
    }

    /// The lead with `id`, as the index keeps it.
    public func lead(_ id: Int) -> LeadSummary? { state.leads.find(id).map(LeadSummary.init) }

    /// The customer with `id`, as the index keeps it.
    public func customer(_ id: Int) -> CustomerSummary? { state.customers.find(id).map(CustomerSummary.init) }

    /// The company of contact `id` (a contact has at most one); nil when it has none or is not
    /// here. Reads one word: a notification's card asks it on every call.
    public func companyOfContact(_ id: Int) -> Int? {
        guard let entry = state.contacts.find(id), entry.record.relatedRange.count > 0 else { return nil }
        return Int(bitPattern: UInt(entry.word(entry.record.relatedRange.lowerBound)))
    }

    /// The main contact and the company of lead `id`, without building its summary; nils when it
    /// has none or is not here.
    public func partiesOfLead(_ id: Int) -> (mainContactID: Int?, companyID: Int?) {
        guard let entry = state.leads.find(id) else { return (nil, nil) }
        return (entry.main, entry.company)
    }

    /// Everything the index holds, in a canonical order: two snapshots hold the same account exactly
    /// when their dumps are equal, however they were built.
    ///
    /// - Complexity: O(n log n) in the size of the account. For tests and diagnostics.
    public func dump() -> AccountIndexDump {
        var contacts: [PhoneHolderSummary] = []
        state.contacts.forEach { contacts.append(PhoneHolderSummary($0, isCompany: false)) }
        var companies: [PhoneHolderSummary] = []
        state.companies.forEach { companies.append(PhoneHolderSummary($0, isCompany: true)) }
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
