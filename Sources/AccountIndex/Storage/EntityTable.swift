/// A persistent map from entity ids to records.
///
/// Copying the table is O(1) and shares every slab; a commit replaces only the slabs it touches
/// and the directory nodes on their paths.
struct EntityTable<Record: SlabRecord>: Sendable {
    private(set) var slabs: SlabDirectory
    private(set) var count: Int = 0

    init(bits: Int = 0) { slabs = SlabDirectory(bits: bits) }

    var bits: Int { slabs.bits }

    @inline(__always)
    func slabNumber(of id: Int) -> UInt32 { slabHash(UInt64(bitPattern: Int64(id)), bits: slabs.bits) }

    @inline(__always)
    func slab(_ number: UInt32) -> Slab<Record>? { slabs[number].map(Slab.init(base:)) }

    /// The record with `id`.
    ///
    /// - Complexity: O(1): one load per directory level and a binary search among some 16 records.
    @inline(__always)
    func find(_ id: Int) -> SlabEntry<Record>? {
        guard let slab = slab(slabNumber(of: id)), let i = slab.index(of: id) else { return nil }
        return SlabEntry(slab: slab, record: slab.record(i))
    }

    @inline(__always)
    func contains(_ id: Int) -> Bool {
        guard let slab = slab(slabNumber(of: id)) else { return false }
        return slab.index(of: id) != nil
    }

    /// Calls `body` for every record, in no particular order.
    func forEach(_ body: (SlabEntry<Record>) throws -> Void) rethrows {
        try slabs.forEach { base in
            let slab = Slab<Record>(base: base)
            for i in 0..<slab.count { try body(SlabEntry(slab: slab, record: slab.record(i))) }
        }
    }

    /// Puts a slab built elsewhere (the bulk builder) in an empty place.
    mutating func install(_ slab: Slab<Record>, at number: UInt32, _ context: inout WriteContext) {
        count += slab.count
        let old = slabs.set(number, to: slab.base, &context)
        precondition(old == nil, "install over a slab")
    }

    /// Replaces, adds and removes records: `changes` are ids with their new state, nil to remove,
    /// each id once.
    ///
    /// Each touched slab is rebuilt once, whatever the number of its changed records; untouched
    /// records keep their words as they are.
    ///
    /// - Complexity: O(k log k + s·m) for k changes touching s slabs of m records and words.
    mutating func commit<State>(
        _ changes: [(id: Int, state: State?)], _ context: inout WriteContext,
        encode: (Int, State, inout ContiguousArray<UInt64>) -> Record
    ) {
        guard !changes.isEmpty else { return }
        let wanted = slabBits(forCount: count + changes.count)
        if wanted > bits + 1 || (count == 0 && wanted != bits) { rebucket(bits: wanted, &context) }

        // Changes grouped by slab, each group by id.
        var order = changes.indices.map { (slab: slabNumber(of: changes[$0].id), index: $0) }
        order.sort { ($0.slab, changes[$0.index].id) < ($1.slab, changes[$1.index].id) }
        var records = ContiguousArray<Record>()
        records.reserveCapacity(64)
        var pool = ContiguousArray<UInt64>()
        pool.reserveCapacity(512)
        var start = 0
        while start < order.count {
            let number = order[start].slab
            var end = start + 1
            while end < order.count && order[end].slab == number { end += 1 }
            records.removeAll(keepingCapacity: true)
            pool.removeAll(keepingCapacity: true)
            let old = slab(number)
            let oldRecords = old?.records ?? UnsafeBufferPointer(start: nil, count: 0)
            let oldPool = old?.pool ?? UnsafeBufferPointer(start: nil, count: 0)
            var i = 0
            var j = start
            while i < oldRecords.count || j < end {
                if j == end || (i < oldRecords.count && oldRecords[i].id < changes[order[j].index].id) {
                    var record = oldRecords[i]
                    let from = Int(record.poolStart)
                    record.poolStart = UInt32(pool.count)
                    pool.append(contentsOf: UnsafeBufferPointer(rebasing: oldPool[from..<from + record.poolCount]))
                    records.append(record)
                    i += 1
                    continue
                }
                let (id, state) = changes[order[j].index]
                j += 1
                if i < oldRecords.count && oldRecords[i].id == id { i += 1 }
                if let state { records.append(encode(id, state, &pool)) }
            }
            count += records.count - (old?.count ?? 0)
            let new = records.isEmpty ? nil : Slab.make(records: records, pool: pool)
            if let replaced = slabs.set(number, to: new?.base, &context) { context.retired.append(replaced) }
            start = end
        }
    }

    /// Redistributes every record over `1 << bits` slabs; the old slabs and nodes are retired.
    private mutating func rebucket(bits newBits: Int, _ context: inout WriteContext) {
        let old = slabs
        slabs = SlabDirectory(bits: newBits)
        old.allocations(into: &context.retired)
        guard count > 0 else { return }
        var entries: [(slab: UInt32, entry: SlabEntry<Record>)] = []
        entries.reserveCapacity(count)
        old.forEach { base in
            let slab = Slab<Record>(base: base)
            for i in 0..<slab.count {
                let entry = SlabEntry(slab: slab, record: slab.record(i))
                entries.append((slabNumber(of: entry.record.id), entry))
            }
        }
        entries.sort { ($0.slab, $0.entry.record.id) < ($1.slab, $1.entry.record.id) }
        var records = ContiguousArray<Record>()
        var pool = ContiguousArray<UInt64>()
        var start = 0
        while start < entries.count {
            let number = entries[start].slab
            records.removeAll(keepingCapacity: true)
            pool.removeAll(keepingCapacity: true)
            var end = start
            while end < entries.count && entries[end].slab == number {
                var record = entries[end].entry.record
                record.poolStart = UInt32(pool.count)
                pool.append(contentsOf: entries[end].entry.words)
                records.append(record)
                end += 1
            }
            _ = slabs.set(number, to: Slab.make(records: records, pool: pool).base, &context)
            start = end
        }
    }
}
