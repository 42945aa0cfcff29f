extension BulkBuilder {
    /// Everything but the stored numbers: dense indices, links resolved and grouped, the lead and
    /// customer tables, and the build report. Needs no parsed number, so it runs while they are parsed.
    struct Structure: Sendable {
        var contacts: Dense
        var companies: Dense
        var leads: Dense
        var customers: Dense
        var report = AccountIndex.BuildReport()

        var leadContacts: Adjacency
        var contactLeads: Adjacency
        var customerContacts: Adjacency
        var contactCustomers: Adjacency
        var companyLeads: Adjacency
        var companyCustomers: Adjacency
        var companyContacts: Adjacency
        /// Each contact's company index, or -1.
        var contactCompany: [Int32]
        /// Per lead, by dense index: its id, and whether it is active.
        var leadInfo: [(id: Int, active: Bool)]
        /// Per customer: whether it is open.
        var customerOpen: [Bool]

        var leadTable = EntityTable<LeadRecord>()
        var customerTable = EntityTable<CustomerRecord>()

        init(_ data: AccountData) {
            var changeIndex = 0
            var report = AccountIndex.BuildReport()

            // Entities: a later one with the same id replaces the earlier.
            contacts = Dense(count: data.contacts.count) { data.contacts[$0].id }
            companies = Dense(count: data.companies.count) { data.companies[$0].id }
            leads = Dense(count: data.leads.count) { data.leads[$0].id }
            customers = Dense(count: data.customers.count) { data.customers[$0].id }
            // Invalid ids, reported in change order.
            for contact in data.contacts {
                if contact.id < 0 {
                    report.record(.invalidID(.contact(contact.id), at: changeIndex, in: .upsertContact(contact)))
                }
                changeIndex += 1
            }
            for company in data.companies {
                if company.id < 0 {
                    report.record(.invalidID(.company(company.id), at: changeIndex, in: .upsertCompany(company)))
                }
                changeIndex += 1
            }
            for lead in data.leads {
                if lead.id < 0 { report.record(.invalidID(.lead(lead.id), at: changeIndex, in: .upsertLead(lead))) }
                changeIndex += 1
            }
            for customer in data.customers {
                if customer.id < 0 {
                    report.record(.invalidID(.customer(customer.id), at: changeIndex, in: .upsertCustomer(customer)))
                }
                changeIndex += 1
            }

            // Links, in order, checked as ChangeBatch.apply checks them.
            var contactLead: [(owner: Int32, item: Int32)] = []  // (lead, contact)
            var contactCustomer: [(owner: Int32, item: Int32)] = []  // (customer, contact)
            contactLead.reserveCapacity(data.links.count / 2)
            var leadMain = [Int32](repeating: -1, count: leads.count)
            var leadCompany = [Int32](repeating: -1, count: leads.count)
            var customerCompany = [Int32](repeating: -1, count: customers.count)
            var contactCompany = [Int32](repeating: -1, count: contacts.count)
            for link in data.links {
                defer { changeIndex += 1 }
                let (a, b) = link.ends
                if a.id < 0 {
                    report.record(.invalidID(a, at: changeIndex, in: .link(link)))
                    continue
                }
                if b.id < 0 {
                    report.record(.invalidID(b, at: changeIndex, in: .link(link)))
                    continue
                }
                guard let aIndex = a.kind == .company ? companies(a.id) : contacts(a.id) else {
                    report.record(.unknown(a, at: changeIndex, in: .link(link)))
                    continue
                }
                let bIndex: Int32?
                switch b.kind {
                case .lead: bIndex = leads(b.id)
                case .customer: bIndex = customers(b.id)
                case .company: bIndex = companies(b.id)
                case .contact: bIndex = contacts(b.id)
                }
                guard let bIndex else {
                    report.record(.unknown(b, at: changeIndex, in: .link(link)))
                    continue
                }
                switch link {
                case .contactLead(_, _, let isMain):
                    contactLead.append((bIndex, aIndex))
                    if isMain { leadMain[Int(bIndex)] = aIndex }
                case .companyLead: leadCompany[Int(bIndex)] = aIndex
                case .contactCustomer: contactCustomer.append((bIndex, aIndex))
                case .companyCustomer: customerCompany[Int(bIndex)] = aIndex
                case .contactCompany: contactCompany[Int(aIndex)] = bIndex
                }
            }
            self.report = report
            self.contactCompany = contactCompany

            // States that decide the parts.
            let leads = self.leads
            let customers = self.customers
            leadInfo = (0..<leads.count).map { i in
                (leads.ids[i], data.leads[Int(leads.source[i])].isActive)
            }
            let closedStatuses = data.settings.closedCustomerStatusIDs
            customerOpen = customers.source.map { position -> Bool in
                data.customers[Int(position)].isOpen(closedStatuses: closedStatuses)
            }

            // Both sides of every link, grouped.
            leadContacts = Adjacency(owners: leads.count, pairs: contactLead, isSorted: false)
            contactLead = []
            contactLeads = leadContacts.inverted(owners: contacts.count)
            customerContacts = Adjacency(owners: customers.count, pairs: contactCustomer, isSorted: false)
            contactCustomer = []
            contactCustomers = customerContacts.inverted(owners: contacts.count)
            companyLeads = Adjacency(owners: companies.count, single: leadCompany)
            companyCustomers = Adjacency(owners: companies.count, single: customerCompany)
            companyContacts = Adjacency(owners: companies.count, single: contactCompany)

            // Leads: the main contact first, the others by id, then the company.
            let contactIDs = contacts.ids
            let companyIDs = companies.ids
            let leadContacts = self.leadContacts
            var context = WriteContext(generation: 0)
            leadTable = fill(ids: leads.ids, &context) { i, pool in
                let start = UInt32(pool.count)
                let main = leadMain[i]
                if main >= 0 { pool.append(UInt64(UInt(bitPattern: contactIDs[Int(main)]))) }
                for contact in leadContacts.of(i) where contact != main {
                    pool.append(UInt64(UInt(bitPattern: contactIDs[Int(contact)])))
                }
                let count = pool.count - Int(start)
                precondition(count <= Int(LeadRecord.countMask), "a lead has more than 16,777,215 contacts")
                var packed = UInt32(count)
                let lead = data.leads[Int(leads.source[i])]
                if lead.isDeleted { packed |= LeadRecord.deletedFlag }
                if Lead.isClosedStatus(lead.statusID) { packed |= LeadRecord.closedStatusFlag }
                if main >= 0 { packed |= LeadRecord.mainFlag }
                if leadCompany[i] >= 0 {
                    pool.append(UInt64(UInt(bitPattern: companyIDs[Int(leadCompany[i])])))
                    packed |= LeadRecord.companyFlag
                }
                return LeadRecord(id: leads.ids[i], poolStart: start, packed: packed)
            }

            // Customers: contacts by id, then the company.
            let customerContacts = self.customerContacts
            customerTable = fill(ids: customers.ids, &context) { i, pool in
                let start = UInt32(pool.count)
                for contact in customerContacts.of(i) {
                    pool.append(UInt64(UInt(bitPattern: contactIDs[Int(contact)])))
                }
                let count = pool.count - Int(start)
                precondition(count <= Int(CustomerRecord.countMask), "a customer has more than 16,777,215 contacts")
                var packed = UInt32(count)
                let customer = data.customers[Int(customers.source[i])]
                if customer.isDeleted { packed |= CustomerRecord.deletedFlag }
                if customerCompany[i] >= 0 {
                    pool.append(UInt64(UInt(bitPattern: companyIDs[Int(customerCompany[i])])))
                    packed |= CustomerRecord.companyFlag
                }
                return CustomerRecord(
                    id: customers.ids[i], statusID: customer.statusID ?? .min, poolStart: start, packed: packed)
            }
        }

        /// The contacts' or the companies' table, and their postings.
        func parties(isCompany: Bool, _ data: AccountData, keys: ParsedKeys) -> (EntityTable<PartyRecord>, [Posting]) {
            let dense = isCompany ? companies : contacts
            let leadLinks = isCompany ? companyLeads : contactLeads
            let customerLinks = isCompany ? companyCustomers : contactCustomers
            let keyOffset = isCompany ? data.contacts.count : 0
            let contactIDs = contacts.ids
            let companyIDs = companies.ids
            let customerIDs = customers.ids
            var postings: [Posting] = []
            postings.reserveCapacity(dense.count * 3 / 2)
            var context = WriteContext(generation: 0)
            let table = fill(ids: dense.ids, &context) { (i, pool) -> PartyRecord in
                let position = Int(dense.source[i])
                let (createdAt, isDeleted) =
                    isCompany
                    ? (data.companies[position].createdAt, data.companies[position].isDeleted)
                    : (data.contacts[position].createdAt, data.contacts[position].isDeleted)
                let owner = PartyID(isCompany: isCompany, id: dense.ids[i])
                let start = UInt32(pool.count)
                let keyRange = keys.of(keyOffset + position)
                pool.append(contentsOf: keys.keys[keyRange])
                // The groups are sorted by id; writing each part in turn keeps each part sorted.
                let leadsAt = pool.count
                var active: UInt32 = 0
                for lead in leadLinks.of(i) where leadInfo[Int(lead)].active {
                    pool.append(UInt64(UInt(bitPattern: leadInfo[Int(lead)].id)))
                    active += 1
                }
                for lead in leadLinks.of(i) where !leadInfo[Int(lead)].active {
                    pool.append(UInt64(UInt(bitPattern: leadInfo[Int(lead)].id)))
                }
                let other = UInt32(pool.count - leadsAt) - active
                let customersAt = pool.count
                var open: UInt32 = 0
                for customer in customerLinks.of(i) where customerOpen[Int(customer)] {
                    pool.append(UInt64(UInt(bitPattern: customerIDs[Int(customer)])))
                    open += 1
                }
                for customer in customerLinks.of(i) where !customerOpen[Int(customer)] {
                    pool.append(UInt64(UInt(bitPattern: customerIDs[Int(customer)])))
                }
                let closed = UInt32(pool.count - customersAt) - open
                let relatedAt = pool.count
                if isCompany {
                    for contact in companyContacts.of(i) {
                        pool.append(UInt64(UInt(bitPattern: contactIDs[Int(contact)])))
                    }
                } else if contactCompany[i] >= 0 {
                    pool.append(UInt64(UInt(bitPattern: companyIDs[Int(contactCompany[i])])))
                }
                if !isDeleted && !keyRange.isEmpty {
                    let summary = PostingPayload(
                        createdAt: createdAt, activeLeadCount: active, openCustomerCount: open,
                        activeLeadID: active > 0 ? Int(bitPattern: UInt(pool[leadsAt])) : 0,
                        openCustomerID: open > 0 ? Int(bitPattern: UInt(pool[customersAt])) : 0)
                    for key in keys.keys[keyRange] { postings.append(summary.posting(key, owner)) }
                }
                return PartyRecord(
                    id: dense.ids[i], createdAt: createdAt, poolStart: start, keyCount: UInt32(keyRange.count),
                    activeLeadCount: active, otherLeadCount: other, openCustomerCount: open,
                    otherCustomerCount: closed, relatedCount: UInt32(pool.count - relatedAt),
                    flags: isDeleted ? PartyRecord.deletedFlag : 0)
            }
            return (table, postings)
        }
    }
}
