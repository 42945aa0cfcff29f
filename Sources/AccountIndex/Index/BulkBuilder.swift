/// Builds an index from a whole account in one pass: the fast path of ``AccountIndex/init(building:)``.
///
/// It gives exactly what applying ``AccountData/changes`` one by one to an empty index gives,
/// skipping those that fail (the property tests compare the two): the same validation, in the same
/// order, the same "a later one replaces" rules, and the same errors in the build report. Instead
/// of staging entity by entity, it gives every entity a dense index in id order, resolves the
/// links to pairs of indices, groups them (counting sort), and writes each slab once, straight
/// into its final allocation.
///
/// The work splits in parts that ``AccountIndex/building(_:parallelism:)`` runs side by side:
/// parsing the stored numbers (``parseKeys(_:parties:)``) while ``Structure`` resolves the links
/// and writes the leads and customers; then the contacts and the companies; then the numbers.
enum BulkBuilder {
    // MARK: Stored numbers

    /// The phone keys of every contact, then every company (party `p` is `data.contacts[p]` or
    /// `data.companies[p - contacts.count]`), flat: party `p`'s keys, sorted and each once, are
    /// `keys[offsets[p] ..< offsets[p + 1]]`.
    struct ParsedKeys: Sendable {
        var keys: [UInt64] = []
        var offsets: [Int] = [0]

        mutating func append(_ other: ParsedKeys) {
            let base = keys.count
            keys.append(contentsOf: other.keys)
            offsets.append(contentsOf: other.offsets.dropFirst().lazy.map { $0 + base })
        }

        @inline(__always)
        func of(_ party: Int) -> Range<Int> { offsets[party]..<offsets[party + 1] }
    }

    /// Parses the stored numbers of the parties in `range` (see ``ParsedKeys``).
    static func parseKeys(_ data: AccountData, parties range: Range<Int>) -> ParsedKeys {
        let region = data.settings.defaultRegion
        var result = ParsedKeys()
        result.keys.reserveCapacity(range.count * 2)
        result.offsets.reserveCapacity(range.count + 1)
        for party in range {
            let phones =
                party < data.contacts.count
                ? data.contacts[party].phones : data.companies[party - data.contacts.count].phones
            let start = result.keys.count
            for value in phones {
                PhoneKey.appendKeys(inStoredValue: value.value, defaultRegion: region, to: &result.keys)
            }
            if result.keys.count - start > 1 {
                // Sorted, each once, in place.
                result.keys[start...].sort()
                var write = start + 1
                for read in (start + 1)..<result.keys.count where result.keys[read] != result.keys[write - 1] {
                    result.keys[write] = result.keys[read]
                    write += 1
                }
                result.keys.removeLast(result.keys.count - write)
            }
            result.offsets.append(result.keys.count)
        }
        return result
    }

    /// Every party's keys, on `parallelism` tasks.
    static func parseKeys(_ data: AccountData, parallelism: Int) async -> ParsedKeys {
        let parties = data.contacts.count + data.companies.count
        // More pieces than tasks, so that a task that finishes early takes another.
        let pieces = max(1, min(parties / 4096, parallelism * 8))
        let size = (parties + pieces - 1) / max(pieces, 1)
        return await withTaskGroup(of: (Int, ParsedKeys).self) { group in
            var next = 0
            var results: [ParsedKeys?] = Array(repeating: nil, count: pieces)
            func add(_ piece: Int, to group: inout TaskGroup<(Int, ParsedKeys)>) {
                let range = min(piece * size, parties)..<min((piece + 1) * size, parties)
                group.addTask { (piece, parseKeys(data, parties: range)) }
            }
            while next < min(max(1, parallelism), pieces) {
                add(next, to: &group)
                next += 1
            }
            while let (piece, keys) = await group.next() {
                results[piece] = keys
                if next < pieces {
                    add(next, to: &group)
                    next += 1
                }
            }
            var all = ParsedKeys()
            all.keys.reserveCapacity(results.reduce(0) { $0 + ($1?.keys.count ?? 0) })
            all.offsets.reserveCapacity(parties + 1)
            for result in results { all.append(result!) }
            return all
        }
    }

    // MARK: Entities and links

    /// A dense index per distinct id, in id order; for each, the position of the last entity with
    /// that id in the input.
    struct Dense: Sendable {
        var ids: [Int] = []
        var source: [Int32] = []
        var map: IDMap

        var count: Int { ids.count }

        /// `idAt(position)` for positions `0..<count`; negative ids are left out (the caller reports them).
        init(count: Int, idAt: (Int) -> Int) {
            ids.reserveCapacity(count)
            source.reserveCapacity(count)
            var increasing = true
            for position in 0..<count {
                let id = idAt(position)
                guard id >= 0 else { continue }
                if let last = ids.last, last >= id { increasing = false }
                ids.append(id)
                source.append(Int32(position))
            }
            if !increasing {
                // Sort by id, then position; keep the last position of each id.
                var pairs = zip(ids, source).map { (id: $0, position: $1) }
                pairs.sort { ($0.id, $0.position) < ($1.id, $1.position) }
                ids.removeAll(keepingCapacity: true)
                source.removeAll(keepingCapacity: true)
                for pair in pairs {
                    if ids.last == pair.id {
                        source[source.count - 1] = pair.position
                    } else {
                        ids.append(pair.id)
                        source.append(pair.position)
                    }
                }
            }
            map = IDMap(ids)
        }

        @inline(__always)
        func callAsFunction(_ id: Int) -> Int32? { map[id] }
    }

    /// Pairs grouped by their first element: for each owner, the seconds in increasing order, each once.
    struct Adjacency: Sendable {
        var offsets: [Int32]
        var items: [Int32]

        /// - Parameter isSorted: the pairs of each owner already come in increasing order, each once.
        init(owners: Int, pairs: [(owner: Int32, item: Int32)], isSorted: Bool) {
            var offsets = [Int32](repeating: 0, count: owners + 1)
            for pair in pairs { offsets[Int(pair.owner) + 1] += 1 }
            for i in 0..<owners { offsets[i + 1] += offsets[i] }
            var items = [Int32](repeating: 0, count: pairs.count)
            do {
                var fill = offsets
                for pair in pairs {
                    items[Int(fill[Int(pair.owner)])] = pair.item
                    fill[Int(pair.owner)] += 1
                }
            }
            if !isSorted {
                // Dense indices are in id order: sorting them sorts by id. Drop duplicates.
                var write = 0
                var start = 0
                for owner in 0..<owners {
                    let end = Int(offsets[owner + 1])
                    if end - start > 1 { items[start..<end].sort() }
                    var previous: Int32 = -1
                    for i in start..<end where items[i] != previous {
                        previous = items[i]
                        items[write] = previous
                        write += 1
                    }
                    start = end
                    offsets[owner + 1] = Int32(write)
                }
                items.removeLast(items.count - write)
            }
            self.offsets = offsets
            self.items = items
        }

        /// Groups `single[item]` (an owner or -1) by owner.
        init(owners: Int, single: [Int32]) {
            var pairs: [(owner: Int32, item: Int32)] = []
            pairs.reserveCapacity(single.count)
            for (item, owner) in single.enumerated() where owner >= 0 { pairs.append((owner, Int32(item))) }
            self.init(owners: owners, pairs: pairs, isSorted: true)
        }

        @inline(__always)
        func of(_ owner: Int) -> ArraySlice<Int32> { items[Int(offsets[owner])..<Int(offsets[owner + 1])] }

        /// The same pairs, grouped by the second element (sorted: owners are visited in order).
        func inverted(owners: Int) -> Adjacency {
            var pairs: [(owner: Int32, item: Int32)] = []
            pairs.reserveCapacity(items.count)
            for owner in 0..<(offsets.count - 1) {
                for item in of(owner) { pairs.append((item, Int32(owner))) }
            }
            return Adjacency(owners: owners, pairs: pairs, isSorted: true)
        }
    }

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
                let customer = data.customers[Int(position)]
                return !customer.isDeleted && !(customer.statusID.map(closedStatuses.contains) ?? false)
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

    // MARK: Assembly

    /// The whole index, on the calling thread.
    static func build(_ data: AccountData, report: inout AccountIndex.BuildReport) -> IndexState {
        let keys = parseKeys(data, parties: 0..<(data.contacts.count + data.companies.count))
        let structure = Structure(data)
        let (contacts, contactPostings) = structure.parties(isCompany: false, data, keys: keys)
        let (companies, companyPostings) = structure.parties(isCompany: true, data, keys: keys)
        report = structure.report
        return assemble(data, structure, contacts, companies, phones: phones(data, contactPostings, companyPostings))
    }

    /// The whole index, on up to `parallelism` tasks at a time.
    static func build(_ data: AccountData, parallelism: Int, report: inout AccountIndex.BuildReport) async
        -> IndexState
    {
        // The numbers are parsed while the links are resolved and the leads and customers written.
        async let parsedStructure = Structure(data)
        // As many parsing tasks as threads: while the structure holds one, the others parse; once it
        // is done, they all do.
        let keys = await parseKeys(data, parallelism: max(1, parallelism))
        let structure = await parsedStructure
        // The contacts while the companies and then their numbers' slabs.
        async let contactPart = structure.parties(isCompany: false, data, keys: keys)
        let (companies, companyPostings) = structure.parties(isCompany: true, data, keys: keys)
        let (contacts, contactPostings) = await contactPart
        report = structure.report
        return assemble(data, structure, contacts, companies, phones: phones(data, contactPostings, companyPostings))
    }

    private static func assemble(
        _ data: AccountData, _ structure: Structure, _ contacts: EntityTable<PartyRecord>,
        _ companies: EntityTable<PartyRecord>, phones: PostingTable
    ) -> IndexState {
        var state = IndexState(settings: data.settings)
        state.contacts = contacts
        state.companies = companies
        state.leads = structure.leadTable
        state.customers = structure.customerTable
        state.phones = phones
        return state
    }

    /// The stored numbers' table.
    private static func phones(_ data: AccountData, _ first: [Posting], _ second: [Posting]) -> PostingTable {
        let count = first.count + second.count
        var phones = PostingTable(suffixDigits: data.settings.suffixFallback.digits, bits: slabBits(forCount: count))
        @inline(__always) func posting(_ i: Int) -> Posting { i < first.count ? first[i] : second[i - first.count] }
        let order = countingSort(count: count, slabs: 1 << phones.bits) { phones.slabNumber(of: posting($0).key) }
        var context = WriteContext(generation: 0)
        for s in 0..<(order.offsets.count - 1) where order.offsets[s] < order.offsets[s + 1] {
            let members = order.items[Int(order.offsets[s])..<Int(order.offsets[s + 1])]
            let slab = PostingSlab.make(count: members.count) { records in
                for (k, i) in members.enumerated() { (records + k).initialize(to: posting(Int(i))) }
            }
            phones.install(slab, at: UInt32(s), &context)
        }
        return phones
    }

    /// Writes every entity of `ids` (dense indices `0..<ids.count`) into a new table: encodes them in
    /// input order (so that the arrays it reads are read in order), then writes each slab's records
    /// and words straight into its allocation.
    private static func fill<Record: SlabRecord>(
        ids: [Int], _ context: inout WriteContext, encode: (Int, inout ContiguousArray<UInt64>) -> Record
    ) -> EntityTable<Record> {
        var table = EntityTable<Record>(bits: slabBits(forCount: ids.count))
        var encoded = ContiguousArray<Record>()
        encoded.reserveCapacity(ids.count)
        var words = ContiguousArray<UInt64>()
        words.reserveCapacity(ids.count * 2)
        for i in 0..<ids.count {
            encoded.append(encode(i, &words))
            precondition(words.count <= Int(UInt32.max), "more than 4 billion link words in one table")
        }
        let order = countingSort(count: ids.count, slabs: 1 << table.bits) { table.slabNumber(of: ids[$0]) }
        encoded.withUnsafeBufferPointer { encoded in
            words.withUnsafeBufferPointer { words in
                for s in 0..<(order.offsets.count - 1) where order.offsets[s] < order.offsets[s + 1] {
                    // Stable grouping of indices in id order: each slab's records come sorted by id.
                    let members = order.items[Int(order.offsets[s])..<Int(order.offsets[s + 1])]
                    var poolCount = 0
                    for i in members { poolCount += encoded[Int(i)].poolCount }
                    let slab = Slab<Record>.make(count: members.count, poolCount: poolCount) { records, pool in
                        var written = 0
                        for (k, i) in members.enumerated() {
                            var record = encoded[Int(i)]
                            let start = Int(record.poolStart)
                            let n = record.poolCount
                            record.poolStart = UInt32(written)
                            (records + k).initialize(to: record)
                            if n > 0 {
                                (pool + written).initialize(from: words.baseAddress! + start, count: n)
                                written += n
                            }
                        }
                    }
                    table.install(slab, at: UInt32(s), &context)
                }
            }
        }
        return table
    }

    /// Items 0..<count grouped by slab, each group in increasing order: `items[offsets[s]..<offsets[s+1]]`
    /// are those of slab `s`.
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

/// A map from non-negative ids to dense indices: open addressing with linear probing, keys and
/// values side by side (one cache line per lookup), a multiplicative hash. Several times faster
/// than `Dictionary` for this (no SipHash, no resilience checks).
struct IDMap: Sendable {
    private var slots: [(key: Int, value: Int32)]
    private let shift: UInt64
    private let mask: Int

    /// Maps `ids[i]` to `i`; the ids are distinct and non-negative.
    init(_ ids: [Int]) {
        var bits = 1
        while (1 << bits) < ids.count * 2 { bits += 1 }
        let shift = UInt64(64 - bits)
        let mask = (1 << bits) - 1
        self.shift = shift
        self.mask = mask
        var slots = [(key: Int, value: Int32)](repeating: (-1, 0), count: 1 << bits)
        slots.withUnsafeMutableBufferPointer { slots in
            for (i, id) in ids.enumerated() {
                var slot = Int(truncatingIfNeeded: (UInt64(UInt(bitPattern: id)) &* 0x9E37_79B9_7F4A_7C15) >> shift)
                while slots[slot].key >= 0 { slot = (slot &+ 1) & mask }
                slots[slot] = (id, Int32(i))
            }
        }
        self.slots = slots
    }

    @inline(__always)
    subscript(id: Int) -> Int32? {
        guard id >= 0 else { return nil }
        return slots.withUnsafeBufferPointer { slots in
            var slot = Int(truncatingIfNeeded: (UInt64(UInt(bitPattern: id)) &* 0x9E37_79B9_7F4A_7C15) >> shift)
            while true {
                let entry = slots[slot]
                if entry.key == id { return entry.value }
                if entry.key < 0 { return nil }
                slot = (slot &+ 1) & mask
            }
        }
    }
}
