/// Builds an index from a whole account in one pass: the fast path of ``AccountIndex/init(building:)``.
///
/// It gives exactly what applying ``AccountData/changes`` one by one to an empty index gives,
/// skipping those that fail (the property tests compare the two): the same validation, in the same
/// order, the same "a later one replaces" rules, and the same errors in the build report. Instead
/// of staging entity by entity, it gives every entity a dense index, resolves the links to pairs
/// of indices, groups them (counting sort), and writes each slab once.
struct BulkBuilder {
    /// Phone keys of `data.contacts[i]` and `data.companies[i]`, when parsed ahead (in parallel).
    struct ParsedKeys: Sendable {
        var contacts: [[UInt64]]
        var companies: [[UInt64]]
    }

    /// A dense index per distinct id; for each index, the position of the last entity with that id.
    struct Dense {
        var index: [Int: Int32] = [:]
        var ids: [Int] = []
        var source: [Int] = []

        init(capacity: Int) {
            index.reserveCapacity(capacity)
            ids.reserveCapacity(capacity)
            source.reserveCapacity(capacity)
        }

        var count: Int { ids.count }

        mutating func add(id: Int, position: Int) {
            if let existing = index[id] {
                source[Int(existing)] = position
            } else {
                index[id] = Int32(ids.count)
                ids.append(id)
                source.append(position)
            }
        }

        @inline(__always)
        func callAsFunction(_ id: Int) -> Int32? { index[id] }
    }

    /// Pairs grouped by their first element: for each owner, the sorted, unique seconds.
    struct Adjacency {
        var offsets: [Int32]
        var items: [Int32]

        init(owners: Int, pairs: [(Int32, Int32)], sortKey: (Int32) -> Int) {
            var offsets = [Int32](repeating: 0, count: owners + 1)
            for (owner, _) in pairs { offsets[Int(owner) + 1] += 1 }
            for i in 0..<owners { offsets[i + 1] += offsets[i] }
            var fill = offsets
            var items = [Int32](repeating: 0, count: pairs.count)
            for (owner, item) in pairs {
                items[Int(fill[Int(owner)])] = item
                fill[Int(owner)] += 1
            }
            // Sort each group by the item's id and drop duplicates, compacting as we go.
            var write = 0
            var compacted = [Int32](repeating: 0, count: owners + 1)
            for owner in 0..<owners {
                let start = Int(offsets[owner])
                let end = Int(offsets[owner + 1])
                if end - start > 1 { items[start..<end].sort { sortKey($0) < sortKey($1) } }
                var previous: Int32 = -1
                for i in start..<end where items[i] != previous {
                    previous = items[i]
                    items[write] = previous
                    write += 1
                }
                compacted[owner + 1] = Int32(write)
            }
            items.removeLast(items.count - write)
            self.offsets = compacted
            self.items = items
        }

        @inline(__always)
        func of(_ owner: Int) -> ArraySlice<Int32> { items[Int(offsets[owner])..<Int(offsets[owner + 1])] }

        /// The same pairs, grouped by the second element.
        func inverted(owners: Int, sortKey: (Int32) -> Int) -> Adjacency {
            var pairs: [(Int32, Int32)] = []
            pairs.reserveCapacity(items.count)
            for owner in 0..<(offsets.count - 1) {
                for item in of(owner) { pairs.append((item, Int32(owner))) }
            }
            return Adjacency(owners: owners, pairs: pairs, sortKey: sortKey)
        }
    }

    static func build(_ data: AccountData, keys: ParsedKeys?, report: inout AccountIndex.BuildReport) -> IndexState {
        let settings = data.settings
        let region = settings.defaultRegion
        var changeIndex = 0

        func skip(_ error: AccountChangeError) { report.record(error) }

        // Entities: a later one with the same id replaces the earlier.
        var contacts = Dense(capacity: data.contacts.count)
        for (position, contact) in data.contacts.enumerated() {
            if contact.id < 0 {
                skip(.invalidID(.contact(contact.id), at: changeIndex, in: .upsertContact(contact)))
            } else {
                contacts.add(id: contact.id, position: position)
            }
            changeIndex += 1
        }
        var companies = Dense(capacity: data.companies.count)
        for (position, company) in data.companies.enumerated() {
            if company.id < 0 {
                skip(.invalidID(.company(company.id), at: changeIndex, in: .upsertCompany(company)))
            } else {
                companies.add(id: company.id, position: position)
            }
            changeIndex += 1
        }
        var leads = Dense(capacity: data.leads.count)
        for (position, lead) in data.leads.enumerated() {
            if lead.id < 0 {
                skip(.invalidID(.lead(lead.id), at: changeIndex, in: .upsertLead(lead)))
            } else {
                leads.add(id: lead.id, position: position)
            }
            changeIndex += 1
        }
        var customers = Dense(capacity: data.customers.count)
        for (position, customer) in data.customers.enumerated() {
            if customer.id < 0 {
                skip(.invalidID(.customer(customer.id), at: changeIndex, in: .upsertCustomer(customer)))
            } else {
                customers.add(id: customer.id, position: position)
            }
            changeIndex += 1
        }

        // Links, in order, checked as ChangeBatch.apply checks them.
        var contactLead: [(Int32, Int32)] = []  // (lead, contact)
        var contactCustomer: [(Int32, Int32)] = []  // (customer, contact)
        var leadMain = [Int32](repeating: -1, count: leads.count)
        var leadCompany = [Int32](repeating: -1, count: leads.count)
        var customerCompany = [Int32](repeating: -1, count: customers.count)
        var contactCompany = [Int32](repeating: -1, count: contacts.count)
        for link in data.links {
            defer { changeIndex += 1 }
            let (a, b) = link.ends
            func fail(_ error: AccountChangeError) { skip(error) }
            if a.id < 0 {
                fail(.invalidID(a, at: changeIndex, in: .link(link)))
                continue
            }
            if b.id < 0 {
                fail(.invalidID(b, at: changeIndex, in: .link(link)))
                continue
            }
            let aIndex = a.kind == .company ? companies(a.id) : contacts(a.id)
            guard let aIndex else {
                fail(.unknown(a, at: changeIndex, in: .link(link)))
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
                fail(.unknown(b, at: changeIndex, in: .link(link)))
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

        // States that decide the parts.
        let leadActive = leads.source.map { data.leads[$0].isActive }
        // Id and state side by side: one cache line per link instead of two.
        let leadInfo = zip(leads.ids, leadActive).map { (id: $0, active: $1) }
        let leadClosed = leads.source.map { Lead.isClosedStatus(data.leads[$0].statusID) }
        let closedStatuses = settings.closedCustomerStatusIDs
        let customerOpen = customers.source.map { position -> Bool in
            let customer = data.customers[position]
            return !customer.isDeleted && !(customer.statusID.map(closedStatuses.contains) ?? false)
        }

        // Both sides of every link, grouped.
        let contactID = { (i: Int32) in contacts.ids[Int(i)] }
        let companyID = { (i: Int32) in companies.ids[Int(i)] }
        let leadID = { (i: Int32) in leads.ids[Int(i)] }
        let customerID = { (i: Int32) in customers.ids[Int(i)] }
        let leadContacts = Adjacency(owners: leads.count, pairs: contactLead, sortKey: contactID)
        contactLead = []
        let contactLeads = leadContacts.inverted(owners: contacts.count, sortKey: leadID)
        let customerContacts = Adjacency(owners: customers.count, pairs: contactCustomer, sortKey: contactID)
        contactCustomer = []
        let contactCustomers = customerContacts.inverted(owners: contacts.count, sortKey: customerID)
        func grouped(_ single: [Int32], owners: Int, sortKey: (Int32) -> Int) -> Adjacency {
            var pairs: [(Int32, Int32)] = []
            for (item, owner) in single.enumerated() where owner >= 0 { pairs.append((owner, Int32(item))) }
            return Adjacency(owners: owners, pairs: pairs, sortKey: sortKey)
        }
        let companyLeads = grouped(leadCompany, owners: companies.count, sortKey: leadID)
        let companyCustomers = grouped(customerCompany, owners: companies.count, sortKey: customerID)
        let companyContacts = grouped(contactCompany, owners: companies.count, sortKey: contactID)

        var state = IndexState(settings: settings)

        // Contacts and companies.
        func partyKeys(isCompany: Bool, position: Int) -> [UInt64] {
            if let keys { return isCompany ? keys.companies[position] : keys.contacts[position] }
            let phones = isCompany ? data.companies[position].phones : data.contacts[position].phones
            return PhoneKey.keys(inStoredValues: phones, defaultRegion: region).map(\.rawValue)
        }
        var postings: [Posting] = []
        func buildParties(isCompany: Bool) -> EntityTable<PartyRecord> {
            let dense = isCompany ? companies : contacts
            let leadLinks = isCompany ? companyLeads : contactLeads
            let customerLinks = isCompany ? companyCustomers : contactCustomers
            let table = EntityTable<PartyRecord>(bits: slabBits(forCount: dense.count))
            return fill(table, dense) { i, pool in
                let position = dense.source[i]
                let createdAt = isCompany ? data.companies[position].createdAt : data.contacts[position].createdAt
                let isDeleted = isCompany ? data.companies[position].isDeleted : data.contacts[position].isDeleted
                let keys = partyKeys(isCompany: isCompany, position: position)
                let owner = PartyID(isCompany: isCompany, id: dense.ids[i])
                let start = UInt32(pool.count)
                pool.append(contentsOf: keys)
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
                    pool.append(UInt64(UInt(bitPattern: customerID(customer))))
                    open += 1
                }
                for customer in customerLinks.of(i) where !customerOpen[Int(customer)] {
                    pool.append(UInt64(UInt(bitPattern: customerID(customer))))
                }
                let closed = UInt32(pool.count - customersAt) - open
                let relatedAt = pool.count
                if isCompany {
                    for contact in companyContacts.of(i) { pool.append(UInt64(UInt(bitPattern: contactID(contact)))) }
                } else if contactCompany[i] >= 0 {
                    pool.append(UInt64(UInt(bitPattern: companyID(contactCompany[i]))))
                }
                if !isDeleted && !keys.isEmpty {
                    let summary = PartySummary_(
                        createdAt: createdAt, activeLeadCount: active, openCustomerCount: open,
                        activeLeadID: active > 0 ? Int(bitPattern: UInt(pool[leadsAt])) : 0,
                        openCustomerID: open > 0 ? Int(bitPattern: UInt(pool[customersAt])) : 0)
                    for key in keys { postings.append(summary.posting(key, owner)) }
                }
                return PartyRecord(
                    id: dense.ids[i], createdAt: createdAt, poolStart: start, keyCount: UInt32(keys.count),
                    activeLeadCount: active, otherLeadCount: other, openCustomerCount: open, otherCustomerCount: closed,
                    relatedCount: UInt32(pool.count - relatedAt), flags: isDeleted ? PartyRecord.deletedFlag : 0)
            }
        }
        state.contacts = buildParties(isCompany: false)
        state.companies = buildParties(isCompany: true)

        // Leads: the main contact first, the others by id, then the company.
        state.leads = fill(EntityTable<LeadRecord>(bits: slabBits(forCount: leads.count)), leads) { i, pool in
            let start = UInt32(pool.count)
            let main = leadMain[i]
            if main >= 0 { pool.append(UInt64(UInt(bitPattern: contactID(main)))) }
            for contact in leadContacts.of(i) where contact != main {
                pool.append(UInt64(UInt(bitPattern: contactID(contact))))
            }
            let count = pool.count - Int(start)
            precondition(count <= Int(LeadRecord.countMask), "a lead has more than 16,777,215 contacts")
            var packed = UInt32(count)
            if data.leads[leads.source[i]].isDeleted { packed |= LeadRecord.deletedFlag }
            if leadClosed[i] { packed |= LeadRecord.closedStatusFlag }
            if main >= 0 { packed |= LeadRecord.mainFlag }
            if leadCompany[i] >= 0 {
                pool.append(UInt64(UInt(bitPattern: companyID(leadCompany[i]))))
                packed |= LeadRecord.companyFlag
            }
            return LeadRecord(id: leads.ids[i], poolStart: start, packed: packed)
        }

        // Customers: contacts by id, then the company.
        state.customers = fill(EntityTable<CustomerRecord>(bits: slabBits(forCount: customers.count)), customers) {
            i, pool in
            let start = UInt32(pool.count)
            for contact in customerContacts.of(i) { pool.append(UInt64(UInt(bitPattern: contactID(contact)))) }
            let count = pool.count - Int(start)
            precondition(count <= Int(CustomerRecord.countMask), "a customer has more than 16,777,215 contacts")
            var packed = UInt32(count)
            let source = customers.source[i]
            if data.customers[source].isDeleted { packed |= CustomerRecord.deletedFlag }
            if customerCompany[i] >= 0 {
                pool.append(UInt64(UInt(bitPattern: companyID(customerCompany[i]))))
                packed |= CustomerRecord.companyFlag
            }
            return CustomerRecord(
                id: customers.ids[i], statusID: data.customers[source].statusID ?? .min, poolStart: start,
                packed: packed)
        }

        // Stored numbers.
        var phones = PostingTable(
            suffixDigits: settings.suffixFallback.digits, bits: slabBits(forCount: postings.count))
        let slabOf = postings.map { phones.slabNumber(of: $0.key) }
        let order = countingSort(count: postings.count, slabs: 1 << phones.bits, slabOf: { slabOf[$0] })
        var slab = ContiguousArray<Posting>()
        for s in 0..<(order.offsets.count - 1) where order.offsets[s] < order.offsets[s + 1] {
            slab.removeAll(keepingCapacity: true)
            for i in order.items[Int(order.offsets[s])..<Int(order.offsets[s + 1])] { slab.append(postings[Int(i)]) }
            slab.sort(by: Posting.precedes)
            phones.install(SlabStorage.make(records: slab, pool: []), at: UInt32(s))
        }
        state.phones = phones
        return state
    }

    /// Writes every entity of `dense` into `table`: encodes them in input order (so that the arrays
    /// it reads are read in order), then copies each slab's records and words together.
    private static func fill<Record: SlabRecord>(
        _ table: EntityTable<Record>, _ dense: Dense, encode: (Int, inout ContiguousArray<UInt64>) -> Record
    ) -> EntityTable<Record> {
        var table = table
        var encoded = ContiguousArray<Record>()
        encoded.reserveCapacity(dense.count)
        var words = ContiguousArray<UInt64>()
        words.reserveCapacity(dense.count * 2)
        for i in 0..<dense.count {
            encoded.append(encode(i, &words))
            precondition(words.count <= Int(UInt32.max), "more than 4 billion link words in one table")
        }

        let order = countingSort(
            count: dense.count, slabs: 1 << table.bits, slabOf: { table.slabNumber(of: dense.ids[$0]) })
        var records = ContiguousArray<Record>()
        var pool = ContiguousArray<UInt64>()
        var members: [Int32] = []
        encoded.withUnsafeBufferPointer { encoded in
            words.withUnsafeBufferPointer { words in
                for s in 0..<(order.offsets.count - 1) where order.offsets[s] < order.offsets[s + 1] {
                    members.removeAll(keepingCapacity: true)
                    members.append(contentsOf: order.items[Int(order.offsets[s])..<Int(order.offsets[s + 1])])
                    members.sort { encoded[Int($0)].id < encoded[Int($1)].id }
                    records.removeAll(keepingCapacity: true)
                    pool.removeAll(keepingCapacity: true)
                    for i in members {
                        var record = encoded[Int(i)]
                        let start = Int(record.poolStart)
                        record.poolStart = UInt32(pool.count)
                        pool.append(contentsOf: words[start..<start + record.poolCount])
                        records.append(record)
                    }
                    table.install(SlabStorage.make(records: records, pool: pool), at: UInt32(s))
                }
            }
        }
        return table
    }

    /// Items 0..<count grouped by slab: `items[offsets[s]..<offsets[s+1]]` are those of slab `s`.
    private static func countingSort(count: Int, slabs: Int, slabOf: (Int) -> UInt32) -> (
        offsets: [Int32], items: [Int32]
    ) {
        var offsets = [Int32](repeating: 0, count: slabs + 1)
        var slabOfItem = [UInt32](repeating: 0, count: count)
        for i in 0..<count {
            let s = slabOf(i)
            slabOfItem[i] = s
            offsets[Int(s) + 1] += 1
        }
        for s in 0..<slabs { offsets[s + 1] += offsets[s] }
        var fill = offsets
        var items = [Int32](repeating: 0, count: count)
        for i in 0..<count {
            let s = Int(slabOfItem[i])
            items[Int(fill[s])] = Int32(i)
            fill[s] += 1
        }
        return (offsets, items)
    }
}
