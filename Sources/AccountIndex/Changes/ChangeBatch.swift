/// The writer's staging area for one batch of changes.
///
/// Every entity a change touches is decoded once into a mutable state and kept here; reads see the
/// staged state first and the base snapshot after. Each change checks everything it needs before it
/// mutates anything, so a change that throws leaves the batch as it was. ``commit()`` encodes the
/// staged states into a copy of the base: nothing reaches readers before that.
struct ChangeBatch {
    let base: IndexState
    var settings: AccountSettings
    /// Staged parties; a nil state means deleted.
    var parties: [PartyID: PartyState?] = [:]
    var leads: [Int: LeadState?] = [:]
    var customers: [Int: CustomerState?] = [:]

    init(base: IndexState) {
        self.base = base
        self.settings = base.settings
    }

    var isEmpty: Bool { parties.isEmpty && leads.isEmpty && customers.isEmpty && settings == base.settings }

    // MARK: Reading

    func party(_ id: PartyID) -> PartyState? {
        if let staged = parties[id] { return staged }
        return base.party(id).map(PartyState.init)
    }

    func lead(_ id: Int) -> LeadState? {
        if let staged = leads[id] { return staged }
        return base.leads.find(id).map(LeadState.init)
    }

    func customer(_ id: Int) -> CustomerState? {
        if let staged = customers[id] { return staged }
        return base.customers.find(id).map(CustomerState.init)
    }

    /// Whether `entity` exists; its id must not be negative.
    func exists(_ entity: EntityRef) -> Bool {
        switch entity.kind {
        case .contact: exists(PartyID.contact(entity.id))
        case .company: exists(PartyID.company(entity.id))
        case .lead: leadExists(entity.id)
        case .customer: customerExists(entity.id)
        }
    }

    func exists(_ id: PartyID) -> Bool {
        if let staged = parties[id] { return staged != nil }
        return id.isCompany ? base.companies.contains(id.id) : base.contacts.contains(id.id)
    }

    func leadExists(_ id: Int) -> Bool {
        if let staged = leads[id] { return staged != nil }
        return base.leads.contains(id)
    }

    func customerExists(_ id: Int) -> Bool {
        if let staged = customers[id] { return staged != nil }
        return base.customers.contains(id)
    }

    // MARK: Writing (the entity must exist)

    mutating func modifyParty(_ id: PartyID, _ body: (inout PartyState) -> Void) {
        let index: Dictionary<PartyID, PartyState?>.Index
        if let staged = parties.index(forKey: id) {
            index = staged
        } else {
            parties.updateValue(base.party(id).map(PartyState.init), forKey: id)
            index = parties.index(forKey: id)!
        }
        guard parties.values[index] != nil else { return }
        body(&parties.values[index]!)
    }

    mutating func modifyLead(_ id: Int, _ body: (inout LeadState) -> Void) {
        if leads[id] == nil { leads.updateValue(base.leads.find(id).map(LeadState.init), forKey: id) }
        guard leads[id]! != nil else { return }
        body(&leads[id]!!)
    }

    mutating func modifyCustomer(_ id: Int, _ body: (inout CustomerState) -> Void) {
        if customers[id] == nil { customers.updateValue(base.customers.find(id).map(CustomerState.init), forKey: id) }
        guard customers[id]! != nil else { return }
        body(&customers[id]!!)
    }

    func isOpen(_ customer: CustomerState) -> Bool { customer.isOpen(closedStatuses: settings.closedCustomerStatusIDs) }
}

extension ChangeBatch {
    /// Applies one change to the staged state, or throws and leaves it as it was.
    ///
    /// The checks are ``ChangeValidation``'s, the bulk build's too.
    mutating func apply(_ change: AccountChange, at index: Int) throws(AccountChangeError) {
        /// For the checks: `()` when `entity` exists.
        func existing(_ entity: EntityRef) -> Void? { exists(entity) ? () : nil }

        switch change {
        case .upsertContact(let contact):
            try ChangeValidation.checkUpsert(of: .contact(contact.id), at: index, in: change)
            upsertParty(
                .contact(contact.id), createdAt: contact.createdAt, isDeleted: contact.isDeleted, phones: contact.phones
            )
        case .upsertCompany(let company):
            try ChangeValidation.checkUpsert(of: .company(company.id), at: index, in: change)
            upsertParty(
                .company(company.id), createdAt: company.createdAt, isDeleted: company.isDeleted, phones: company.phones
            )
        case .upsertLead(let lead):
            try ChangeValidation.checkUpsert(of: .lead(lead.id), at: index, in: change)
            setLead(lead.id, isDeleted: lead.isDeleted, hasClosedStatus: Lead.isClosedStatus(lead.statusID))
        case .upsertCustomer(let customer):
            try ChangeValidation.checkUpsert(of: .customer(customer.id), at: index, in: change)
            setCustomer(customer.id, isDeleted: customer.isDeleted, statusID: customer.statusID)
        case .deleteContact(let id):
            try ChangeValidation.need(.contact(id), at: index, in: change, find: existing)
            deleteParty(.contact(id))
        case .deleteCompany(let id):
            try ChangeValidation.need(.company(id), at: index, in: change, find: existing)
            deleteParty(.company(id))
        case .deleteLead(let id):
            try ChangeValidation.need(.lead(id), at: index, in: change, find: existing)
            deleteLead(id)
        case .deleteCustomer(let id):
            try ChangeValidation.need(.customer(id), at: index, in: change, find: existing)
            deleteCustomer(id)
        case .setLeadStatus(let id, let statusID):
            let current = try ChangeValidation.need(.lead(id), at: index, in: change) { lead($0.id) }
            setLead(id, isDeleted: current.isDeleted, hasClosedStatus: Lead.isClosedStatus(statusID))
        case .setCustomerStatus(let id, let statusID):
            let current = try ChangeValidation.need(.customer(id), at: index, in: change) { customer($0.id) }
            setCustomer(id, isDeleted: current.isDeleted, statusID: statusID)
        case .setCustomersEnabled(let on):
            settings.customersEnabled = on
        case .setSuffixFallbackEnabled(let on):
            settings.suffixFallback.isEnabled = on
        case .setClosedCustomerStatuses(let ids):
            setClosedCustomerStatuses(ids)
        case .link(let link):
            _ = try ChangeValidation.checkLink(link, at: index, in: change, find: existing)
            self.link(link)
        case .unlink(let link):
            _ = try ChangeValidation.checkLink(link, at: index, in: change, find: existing)
            unlink(link)
        }
    }

    // MARK: Entities

    mutating func upsertParty(_ id: PartyID, createdAt: Int, isDeleted: Bool, phones: [PhoneValue]) {
        var keys: [UInt64] = []
        PhoneKey.appendKeys(inStoredValues: phones, defaultRegion: base.settings.defaultRegion, to: &keys)
        if exists(id) {
            modifyParty(id) {
                $0.createdAt = createdAt
                $0.isDeleted = isDeleted
                $0.keys = keys
            }
        } else {
            parties.updateValue(PartyState(createdAt: createdAt, isDeleted: isDeleted, keys: keys), forKey: id)
        }
    }

    mutating func deleteParty(_ id: PartyID) {
        let party = party(id)!
        for lead in party.activeLeads + party.otherLeads {
            modifyLead(lead) { lead in
                if id.isCompany {
                    if lead.company == id.id { lead.company = nil }
                } else {
                    lead.contacts.removeSorted(id.id)
                    if lead.main == id.id { lead.main = nil }
                }
            }
        }
        for customer in party.openCustomers + party.otherCustomers {
            modifyCustomer(customer) { customer in
                if id.isCompany {
                    if customer.company == id.id { customer.company = nil }
                } else {
                    customer.contacts.removeSorted(id.id)
                }
            }
        }
        for other in party.related {
            modifyParty(PartyID(isCompany: !id.isCompany, id: other)) { $0.related.removeSorted(id.id) }
        }
        parties.updateValue(nil, forKey: id)
    }

    /// Stages nothing when the lead stays as it is: most status changes move a lead between open
    /// stages, which the index does not see, and an empty batch publishes no snapshot.
    mutating func setLead(_ id: Int, isDeleted: Bool, hasClosedStatus: Bool) {
        guard let lead = lead(id) else {
            leads.updateValue(LeadState(isDeleted: isDeleted, hasClosedStatus: hasClosedStatus), forKey: id)
            return
        }
        let wasActive = lead.isActive
        let isActive = Lead.isActive(isDeleted: isDeleted, hasClosedStatus: hasClosedStatus)
        if lead.isDeleted == isDeleted && lead.hasClosedStatus == hasClosedStatus { return }
        modifyLead(id) {
            $0.isDeleted = isDeleted
            $0.hasClosedStatus = hasClosedStatus
        }
        guard wasActive != isActive else { return }
        for party in lead.parties {
            modifyParty(party) { $0.fileLead(id, active: isActive) }
        }
    }

    mutating func deleteLead(_ id: Int) {
        for party in lead(id)!.parties {
            modifyParty(party) { $0.fileLead(id, active: nil) }
        }
        leads.updateValue(nil, forKey: id)
    }

    mutating func setCustomer(_ id: Int, isDeleted: Bool, statusID: Int?) {
        guard let customer = customer(id) else {
            customers.updateValue(CustomerState(isDeleted: isDeleted, statusID: statusID), forKey: id)
            return
        }
        if customer.isDeleted == isDeleted && customer.statusID == statusID { return }
        let wasOpen = isOpen(customer)
        modifyCustomer(id) {
            $0.isDeleted = isDeleted
            $0.statusID = statusID
        }
        let nowOpen = isOpen(self.customer(id)!)
        if wasOpen != nowOpen { moveCustomer(id, of: customer, open: nowOpen) }
    }

    mutating func moveCustomer(_ id: Int, of customer: CustomerState, open: Bool) {
        for party in customer.parties {
            modifyParty(party) { $0.fileCustomer(id, open: open) }
        }
    }

    mutating func deleteCustomer(_ id: Int) {
        for party in customer(id)!.parties {
            modifyParty(party) { $0.fileCustomer(id, open: nil) }
        }
        customers.updateValue(nil, forKey: id)
    }

    mutating func setClosedCustomerStatuses(_ ids: Set<Int>) {
        let old = settings.closedCustomerStatusIDs
        guard ids != old else { return }
        settings.closedCustomerStatusIDs = ids
        var all: [Int] = []
        base.customers.forEach { all.append($0.record.id) }
        for (id, state) in customers where state != nil { all.append(id) }
        for id in all.normalized() {
            guard let customer = customer(id) else { continue }
            let wasOpen = customer.isOpen(closedStatuses: old)
            let nowOpen = customer.isOpen(closedStatuses: ids)
            if wasOpen != nowOpen { moveCustomer(id, of: customer, open: nowOpen) }
        }
    }

    // MARK: Links (both ends exist)

    mutating func link(_ link: AccountLink) {
        switch link {
        case .contactLead(let contact, let leadID, let isMain):
            modifyLead(leadID) {
                $0.contacts.insertSorted(contact)
                if isMain { $0.main = contact }
            }
            let active = lead(leadID)!.isActive
            modifyParty(.contact(contact)) { $0.fileLead(leadID, active: active) }
        case .companyLead(let company, let leadID):
            let lead = lead(leadID)!
            guard lead.company != company else { return }
            if let old = lead.company {
                modifyParty(.company(old)) { $0.fileLead(leadID, active: nil) }
            }
            modifyLead(leadID) { $0.company = company }
            modifyParty(.company(company)) { $0.fileLead(leadID, active: lead.isActive) }
        case .contactCustomer(let contact, let customerID):
            modifyCustomer(customerID) { $0.contacts.insertSorted(contact) }
            let open = isOpen(customer(customerID)!)
            modifyParty(.contact(contact)) { $0.fileCustomer(customerID, open: open) }
        case .companyCustomer(let company, let customerID):
            let customer = customer(customerID)!
            guard customer.company != company else { return }
            if let old = customer.company {
                modifyParty(.company(old)) { $0.fileCustomer(customerID, open: nil) }
            }
            modifyCustomer(customerID) { $0.company = company }
            let open = isOpen(customer)
            modifyParty(.company(company)) { $0.fileCustomer(customerID, open: open) }
        case .contactCompany(let contact, let company):
            let party = party(.contact(contact))!
            guard party.related != [company] else { return }
            for old in party.related { modifyParty(.company(old)) { $0.related.removeSorted(contact) } }
            modifyParty(.contact(contact)) { $0.related = [company] }
            modifyParty(.company(company)) { $0.related.insertSorted(contact) }
        }
    }

    mutating func unlink(_ link: AccountLink) {
        switch link {
        case .contactLead(let contact, let leadID, _):
            modifyLead(leadID) {
                $0.contacts.removeSorted(contact)
                if $0.main == contact { $0.main = nil }
            }
            modifyParty(.contact(contact)) { $0.fileLead(leadID, active: nil) }
        case .companyLead(let company, let leadID):
            guard lead(leadID)!.company == company else { return }
            modifyLead(leadID) { $0.company = nil }
            modifyParty(.company(company)) { $0.fileLead(leadID, active: nil) }
        case .contactCustomer(let contact, let customerID):
            modifyCustomer(customerID) { $0.contacts.removeSorted(contact) }
            modifyParty(.contact(contact)) { $0.fileCustomer(customerID, open: nil) }
        case .companyCustomer(let company, let customerID):
            guard customer(customerID)!.company == company else { return }
            modifyCustomer(customerID) { $0.company = nil }
            modifyParty(.company(company)) { $0.fileCustomer(customerID, open: nil) }
        case .contactCompany(let contact, let company):
            guard party(.contact(contact))!.related.contains(company) else { return }
            modifyParty(.contact(contact)) { $0.related = [] }
            modifyParty(.company(company)) { $0.related.removeSorted(contact) }
        }
    }
}

extension ChangeBatch {
    /// The base with every staged change encoded: phone postings first (from the difference between
    /// each staged party's indexed keys before and after), then the four entity tables. Replaced
    /// slabs and directory nodes go to `context`.
    func commit(_ context: inout WriteContext) -> IndexState {
        var state = base
        state.settings = settings
        var removals: [Posting] = []
        var additions: [Posting] = []
        var contacts: [(id: Int, state: PartyState?)] = []
        var companies: [(id: Int, state: PartyState?)] = []
        for (id, staged) in parties {
            let before = base.party(id)?.postings(id) ?? []
            let after = staged?.postings(id) ?? []
            if before != after {
                removals += before
                additions += after
            }
            if id.isCompany { companies.append((id.id, staged)) } else { contacts.append((id.id, staged)) }
        }
        state.phones.commit(removing: removals, adding: additions, &context)
        state.contacts.commit(contacts, &context) { id, party, pool in party.encode(id: id, into: &pool) }
        state.companies.commit(companies, &context) { id, party, pool in party.encode(id: id, into: &pool) }
        state.leads.commit(leads.map { ($0.key, $0.value) }, &context) { id, lead, pool in
            lead.encode(id: id, into: &pool)
        }
        state.customers.commit(customers.map { ($0.key, $0.value) }, &context) { id, customer, pool in
            customer.encode(id: id, into: &pool)
        }
        return state
    }
}
