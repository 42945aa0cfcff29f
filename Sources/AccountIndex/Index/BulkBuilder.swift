/// Builds an index from a whole account in one pass: the fast path of ``AccountIndex/init(building:)``.
///
/// It gives exactly what applying ``AccountData/changes`` one by one to an empty index gives,
/// skipping those that fail (the property tests compare the two), and it only batches: the checks
/// are ``ChangeValidation``'s, the rules of active leads and open customers the model's
/// (``Lead/isActive``, ``Customer/isOpen(closedStatuses:)``), the records are written by their one
/// encoder (``PartyRecord``, ``LeadRecord``, ``CustomerRecord``) and the postings' payload comes
/// from ``PostingPayload``, as for a batch. What it does itself is the batching: instead of staging
/// entity by entity, it gives every entity a dense index in id order, resolves the links to pairs
/// of indices (with the batches' "a later one replaces" rules), groups them (counting sort), and
/// writes each slab once, straight into its final allocation.
///
/// The work splits in parts that ``AccountIndex/building(_:parallelism:)`` runs side by side:
/// parsing the stored numbers (``parseKeys(_:parties:)``) while ``Structure`` resolves the links
/// and writes the leads and customers; then the contacts and the companies; then the numbers.
enum BulkBuilder {
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
    static func fill<Record: SlabRecord>(
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
    static func countingSort(count: Int, slabs: Int, slabOf: (Int) -> UInt32) -> (
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
