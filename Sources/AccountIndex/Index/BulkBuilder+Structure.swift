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

            // Entities, checked as their upserts are (ChangeValidation): one that fails is left out and
            // reported, in change order; a later one with the same id replaces the earlier.
            func checked(
                count: Int, id: (Int) -> Int, entity: (Int) -> EntityRef, upsert: (Int) -> AccountChange
            ) -> Dense {
                defer { changeIndex += count }
                return Dense(count: count) { position in
                    let id = id(position)
                    do throws(AccountChangeError) {
                        try ChangeValidation.checkUpsert(
                            of: entity(id), at: changeIndex + position, in: upsert(position))
                        return id
                    } catch {
                        report.record(error)
                        return nil
                    }
                }
            }
            self.contacts = checked(
                count: data.contacts.count, id: { data.contacts[$0].id }, entity: EntityRef.contact,
                upsert: { .upsertContact(data.contacts[$0]) })
            self.companies = checked(
                count: data.companies.count, id: { data.companies[$0].id }, entity: EntityRef.company,
                upsert: { .upsertCompany(data.companies[$0]) })
            self.leads = checked(
                count: data.leads.count, id: { data.leads[$0].id }, entity: EntityRef.lead,
                upsert: { .upsertLead(data.leads[$0]) })
            self.customers = checked(
                count: data.customers.count, id: { data.customers[$0].id }, entity: EntityRef.customer,
                upsert: { .upsertCustomer(data.customers[$0]) })

            // Links, in order, checked as a batch checks them (ChangeValidation); a later "at most
            // one" link replaces the earlier, as in a batch.
            let (contacts, companies, leads, customers) = (self.contacts, self.companies, self.leads, self.customers)
            func find(_ entity: EntityRef) -> Int32? {
                switch entity.kind {
                case .contact: contacts(entity.id)
                case .company: companies(entity.id)
                case .lead: leads(entity.id)
                case .customer: customers(entity.id)
                }
            }
            var contactLead: [(owner: Int32, item: Int32)] = []  // (lead, contact)
            var contactCustomer: [(owner: Int32, item: Int32)] = []  // (customer, contact)
            contactLead.reserveCapacity(data.links.count / 2)
            var leadMain = [Int32](repeating: -1, count: leads.count)
            var leadCompany = [Int32](repeating: -1, count: leads.count)
            var customerCompany = [Int32](repeating: -1, count: customers.count)
            var contactCompany = [Int32](repeating: -1, count: contacts.count)
            for link in data.links {
                defer { changeIndex += 1 }
                let ends: (Int32, Int32)
                do throws(AccountChangeError) {
                    ends = try ChangeValidation.checkLink(link, at: changeIndex, in: .link(link), find: find)
                } catch {
                    report.record(error)
                    continue
                }
                let (aIndex, bIndex) = ends
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

            // The leads and the customers, encoded as a batch encodes them.
            let contactIDs = contacts.ids
            let companyIDs = companies.ids
            let leadContacts = self.leadContacts
            var context = WriteContext(generation: 0)
            leadTable = fill(ids: leads.ids, &context) { i, pool in
                let lead = data.leads[Int(leads.source[i])]
                let main = leadMain[i]
                let company = leadCompany[i]
                return LeadRecord.encode(
                    id: leads.ids[i], isDeleted: lead.isDeleted, hasClosedStatus: Lead.isClosedStatus(lead.statusID),
                    main: main >= 0 ? contactIDs[Int(main)] : nil,
                    contacts: { write in for contact in leadContacts.of(i) { write(contactIDs[Int(contact)]) } },
                    company: company >= 0 ? companyIDs[Int(company)] : nil, into: &pool)
            }
            let customerContacts = self.customerContacts
            customerTable = fill(ids: customers.ids, &context) { i, pool in
                let customer = data.customers[Int(customers.source[i])]
                let company = customerCompany[i]
                return CustomerRecord.encode(
                    id: customers.ids[i], isDeleted: customer.isDeleted, statusID: customer.statusID,
                    contacts: { write in for contact in customerContacts.of(i) { write(contactIDs[Int(contact)]) } },
                    company: company >= 0 ? companyIDs[Int(company)] : nil, into: &pool)
            }
        }

        /// The contacts' or the companies' table, and their postings.
        func parties(isCompany: Bool, _ data: AccountData, keys: ParsedKeys) -> (EntityTable<PartyRecord>, [Posting]) {
            let dense = isCompany ? companies : contacts
            let leadLinks = isCompany ? companyLeads : contactLeads
            let customerLinks = isCompany ? companyCustomers : contactCustomers
            let keyOffset = isCompany ? data.contacts.count : 0
            // A contact's company (-1 for none) or a company's contacts, as dense indices.
            let related = isCompany ? companyContacts : nil
            let relatedIDs = isCompany ? contacts.ids : companies.ids
            let customerIDs = customers.ids
            let leadInfo = self.leadInfo
            let customerOpen = self.customerOpen
            let contactCompany = self.contactCompany
            var postings: [Posting] = []
            postings.reserveCapacity(dense.count * 3 / 2)
            var context = WriteContext(generation: 0)
            let table = fill(ids: dense.ids, &context) { (i, pool) -> PartyRecord in
                let position = Int(dense.source[i])
                let (createdAt, isDeleted) =
                    isCompany
                    ? (data.companies[position].createdAt, data.companies[position].isDeleted)
                    : (data.contacts[position].createdAt, data.contacts[position].isDeleted)
                let start = pool.count
                let keyRange = keys.of(keyOffset + position)
                // The groups are sorted by dense index, which is id order: each part comes sorted.
                let leads = leadLinks.of(i)
                let customers = customerLinks.of(i)
                let record = PartyRecord.encode(
                    id: dense.ids[i], createdAt: createdAt, isDeleted: isDeleted, keys: keys.keys[keyRange],
                    ids: { part, write in
                        switch part {
                        case .activeLeads:
                            for lead in leads where leadInfo[Int(lead)].active { write(leadInfo[Int(lead)].id) }
                        case .otherLeads:
                            for lead in leads where !leadInfo[Int(lead)].active { write(leadInfo[Int(lead)].id) }
                        case .openCustomers:
                            for customer in customers where customerOpen[Int(customer)] {
                                write(customerIDs[Int(customer)])
                            }
                        case .otherCustomers:
                            for customer in customers where !customerOpen[Int(customer)] {
                                write(customerIDs[Int(customer)])
                            }
                        case .related:
                            if let related {
                                for contact in related.of(i) { write(relatedIDs[Int(contact)]) }
                            } else if contactCompany[i] >= 0 {
                                write(relatedIDs[Int(contactCompany[i])])
                            }
                        }
                    }, into: &pool)
                if let payload = record.postingPayload(words: pool[start...]) {
                    let owner = PartyID(isCompany: isCompany, id: dense.ids[i])
                    for key in keys.keys[keyRange] { postings.append(payload.posting(key, owner)) }
                }
                return record
            }
            return (table, postings)
        }
    }
}
