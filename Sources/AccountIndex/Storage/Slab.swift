import CCacheHints

/// A fixed-size record kept in a slab, with its variable-length part (links, phone keys) in the
/// slab's words.
protocol SlabRecord: BitwiseCopyable, Sendable {
    var id: Int { get }
    /// Where the record's words start among the slab's words.
    var poolStart: UInt32 { get set }
    /// How many of the slab's words are the record's.
    var poolCount: Int { get }
}

/// One slab: a count header, records sorted by id (or, for postings, by key), then the words of all
/// of them, in one plain allocation (`malloc`) with no reference count.
///
/// Grouping some 16 records in one slab is what keeps memory per entity low and lookups short: the
/// directory above holds slabs, not entities, and a record costs its fixed size plus its words. A
/// slab is never changed once built; a change builds a new one and retires the old one
/// (``RetiredMemory``), which is freed once no snapshot that can see it is left.
///
/// Layout: `count: UInt32`, `poolCount: UInt32`, `count` records, `poolCount` words.
struct Slab<Record: BitwiseCopyable>: @unchecked Sendable {
    let base: UnsafeMutableRawPointer

    @inline(__always)
    init(base: UnsafeMutableRawPointer) { self.base = base }

    static var headerBytes: Int { 8 }

    /// A new slab with copies of `records` and `pool`.
    static func make(records: UnsafeBufferPointer<Record>, pool: UnsafeBufferPointer<UInt64>) -> Slab {
        precondition(MemoryLayout<Record>.stride % 8 == 0 && MemoryLayout<Record>.alignment <= 8)
        precondition(records.count <= Int(UInt32.max) && pool.count <= Int(UInt32.max))
        let recordBytes = records.count * MemoryLayout<Record>.stride
        let base = UnsafeMutableRawPointer.allocate(
            byteCount: headerBytes + recordBytes + pool.count * 8, alignment: 8)
        base.storeBytes(of: UInt32(truncatingIfNeeded: records.count), as: UInt32.self)
        base.storeBytes(of: UInt32(truncatingIfNeeded: pool.count), toByteOffset: 4, as: UInt32.self)
        if let source = records.baseAddress { (base + headerBytes).copyMemory(from: source, byteCount: recordBytes) }
        if let source = pool.baseAddress {
            (base + headerBytes + recordBytes).copyMemory(from: source, byteCount: pool.count * 8)
        }
        return Slab(base: base)
    }

    /// A new slab of `count` records and `poolCount` words, which `initialize` writes.
    @inline(__always)
    static func make(
        count: Int, poolCount: Int,
        initialize: (UnsafeMutablePointer<Record>, UnsafeMutablePointer<UInt64>) throws -> Void
    ) rethrows -> Slab {
        precondition(MemoryLayout<Record>.stride % 8 == 0 && MemoryLayout<Record>.alignment <= 8)
        precondition(count <= Int(UInt32.max) && poolCount <= Int(UInt32.max))
        let recordBytes = count * MemoryLayout<Record>.stride
        let base = UnsafeMutableRawPointer.allocate(byteCount: headerBytes + recordBytes + poolCount * 8, alignment: 8)
        base.storeBytes(of: UInt32(truncatingIfNeeded: count), as: UInt32.self)
        base.storeBytes(of: UInt32(truncatingIfNeeded: poolCount), toByteOffset: 4, as: UInt32.self)
        try initialize(
            (base + headerBytes).bindMemory(to: Record.self, capacity: count),
            (base + headerBytes + recordBytes).bindMemory(to: UInt64.self, capacity: poolCount))
        return Slab(base: base)
    }

    static func make(records: ContiguousArray<Record>, pool: ContiguousArray<UInt64>) -> Slab {
        records.withUnsafeBufferPointer { r in pool.withUnsafeBufferPointer { p in make(records: r, pool: p) } }
    }

    @inline(__always)
    var count: Int { Int(base.load(as: UInt32.self)) }

    @inline(__always)
    var poolCount: Int { Int(base.load(fromByteOffset: 4, as: UInt32.self)) }

    @inline(__always)
    var records: UnsafeBufferPointer<Record> {
        UnsafeBufferPointer(
            start: UnsafeRawPointer(base + Self.headerBytes).assumingMemoryBound(to: Record.self), count: count)
    }

    @inline(__always)
    var pool: UnsafeBufferPointer<UInt64> {
        let start = base + Self.headerBytes + count * MemoryLayout<Record>.stride
        return UnsafeBufferPointer(
            start: UnsafeRawPointer(start).assumingMemoryBound(to: UInt64.self), count: poolCount)
    }

    @inline(__always)
    func record(_ i: Int) -> Record {
        base.load(fromByteOffset: Self.headerBytes + i * MemoryLayout<Record>.stride, as: Record.self)
    }
}

extension Slab where Record: SlabRecord {
    /// Binary search for `id`.
    @inline(__always)
    func index(of id: Int) -> Int? {
        let records = self.records
        var low = 0
        var high = records.count
        while low < high {
            let mid = (low &+ high) >> 1
            let midID = records[mid].id
            if midID == id { return mid }
            if midID < id { low = mid &+ 1 } else { high = mid }
        }
        return nil
    }
}

/// One record of a slab, as a reader sees it. Valid while the snapshot it was read from is.
struct SlabEntry<Record: SlabRecord> {
    let slab: Slab<Record>
    let record: Record

    /// The `i`th of the record's words.
    @inline(__always)
    func word(_ i: Int) -> UInt64 { slab.pool[Int(record.poolStart) + i] }

    /// The record's words.
    var words: Slice<UnsafeBufferPointer<UInt64>> {
        slab.pool[Int(record.poolStart)..<Int(record.poolStart) + record.poolCount]
    }
}

/// Where a 64-bit key lands among `1 << bits` slabs: the high bits of a multiplicative hash.
@inline(__always)
func slabHash(_ key: UInt64, bits: Int) -> UInt32 {
    guard bits > 0 else { return 0 }
    return UInt32(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - bits))
}

/// How many slab bits suit `count` items: some 16 items a slab.
func slabBits(forCount count: Int) -> Int {
    var bits = 0
    while (16 << bits) < count && bits < 30 { bits += 1 }
    return bits
}

/// What the writer of one batch needs to change storage: the batch's generation, and the list of
/// the memory it replaced, to be freed when no snapshot can read it any more (``RetiredMemory``).
struct WriteContext {
    /// The version of the snapshot being built. Directory nodes made in this batch carry it and are
    /// changed in place; older ones are copied first.
    let generation: UInt64
    /// Nodes and slabs that the new state no longer uses but older snapshots may.
    var retired: [UnsafeMutableRawPointer] = []

    init(generation: UInt64) {
        self.generation = generation
        retired.reserveCapacity(32)
    }
}

/// The slabs of a table, by number: a radix tree of plain, copy-on-write nodes.
///
/// Leaves hold 16 slab pointers (136 bytes), the nodes above them 64 (520 bytes): 3 levels up to
/// 2^16 slabs, 4 up to 2^22. A lookup is one load per level, with no hashing and no reference
/// counting; the upper levels are few and stay in cache. Replacing a slab copies, the first time in a
/// batch, the nodes on its path (a `memcpy`, no retains); small leaves keep the copy of the one node
/// that is usually not in cache short. Later changes in the same batch find the nodes marked with
/// the batch's generation and change them in place. Snapshots already published keep the old
/// nodes, which the batch retires into ``WriteContext/retired``.
///
/// `@unchecked Sendable`: a node or slab reachable from a published snapshot is never written
/// again; the writer only writes nodes of its own generation, which no reader can reach before the
/// snapshot holding them is published (a releasing atomic store).
struct SlabDirectory: @unchecked Sendable {
    /// Nil while the table is empty.
    private(set) var root: UnsafeMutableRawPointer?
    /// Slab numbers are `0 ..< 1 << bits`.
    let bits: Int
    /// How many levels of nodes; the leaves point to slabs.
    let levels: Int

    static let leafBits = 4
    static let innerBits = 6

    /// A node: its generation, then its pointers.
    @inline(__always)
    static func nodeBytes(isLeaf: Bool) -> Int { 8 + 8 << (isLeaf ? leafBits : innerBits) }

    init(bits: Int) {
        self.bits = bits
        levels = 1 + (Swift.max(0, bits - Self.leafBits) + Self.innerBits - 1) / Self.innerBits
    }

    /// The slab with `number`, or nil.
    @inline(__always)
    subscript(number: UInt32) -> UnsafeMutableRawPointer? {
        guard var node = root else { return nil }
        let n = Int(number)
        var shift = Self.leafBits + (levels - 2) * Self.innerBits
        while shift >= Self.leafBits {
            let child = node.load(
                fromByteOffset: 8 + ((n >> shift) & ((1 << Self.innerBits) - 1)) * 8, as: UnsafeMutableRawPointer?.self)
            guard let next = child else { return nil }
            node = next
            shift -= Self.innerBits
        }
        return node.load(
            fromByteOffset: 8 + (n & ((1 << Self.leafBits) - 1)) * 8, as: UnsafeMutableRawPointer?.self)
    }

    /// Starts loading the leaf entry of slab `number` into the cache and returns at once.
    ///
    /// The nodes above the leaves are few and usually cached, so they are read; the leaf (one of
    /// thousands on a large account) is only prefetched, for a lookup a little later to find it there.
    @inline(__always)
    func prefetchEntry(_ number: UInt32) {
        guard var node = root else { return }
        let n = Int(number)
        var shift = Self.leafBits + (levels - 2) * Self.innerBits
        while shift >= Self.leafBits {
            let child = node.load(
                fromByteOffset: 8 + ((n >> shift) & ((1 << Self.innerBits) - 1)) * 8, as: UnsafeMutableRawPointer?.self)
            guard let next = child else { return }
            node = next
            shift -= Self.innerBits
        }
        screenpop_prefetch(node + 8 + (n & ((1 << Self.leafBits) - 1)) * 8)
    }

    /// Puts `slab` (nil to clear) at `number` and returns what was there, which the caller retires.
    mutating func set(_ number: UInt32, to slab: UnsafeMutableRawPointer?, _ context: inout WriteContext)
        -> UnsafeMutableRawPointer?
    {
        var node = Self.writable(root, isLeaf: levels == 1, &context)
        root = node
        let n = Int(number)
        var shift = Self.leafBits + (levels - 2) * Self.innerBits
        while shift >= Self.leafBits {
            let offset = 8 + ((n >> shift) & ((1 << Self.innerBits) - 1)) * 8
            let child = node.load(fromByteOffset: offset, as: UnsafeMutableRawPointer?.self)
            let writable = Self.writable(child, isLeaf: shift == Self.leafBits, &context)
            if writable != child {
                node.storeBytes(of: writable, toByteOffset: offset, as: UnsafeMutableRawPointer?.self)
            }
            node = writable
            shift -= Self.innerBits
        }
        let offset = 8 + (n & ((1 << Self.leafBits) - 1)) * 8
        let old = node.load(fromByteOffset: offset, as: UnsafeMutableRawPointer?.self)
        node.storeBytes(of: slab, toByteOffset: offset, as: UnsafeMutableRawPointer?.self)
        return old
    }

    /// `node` if this batch made it; otherwise a copy (or a new empty node), the original retired.
    @inline(__always)
    private static func writable(_ node: UnsafeMutableRawPointer?, isLeaf: Bool, _ context: inout WriteContext)
        -> UnsafeMutableRawPointer
    {
        if let node, node.load(as: UInt64.self) == context.generation { return node }
        let bytes = nodeBytes(isLeaf: isLeaf)
        let copy = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 8)
        if let node {
            copy.copyMemory(from: node, byteCount: bytes)
            context.retired.append(node)
        } else {
            copy.initializeMemory(as: UInt64.self, repeating: 0, count: bytes / 8)
        }
        copy.storeBytes(of: context.generation, as: UInt64.self)
        return copy
    }

    /// Calls `body` for every slab, in slab-number order.
    func forEach(_ body: (UnsafeMutableRawPointer) throws -> Void) rethrows {
        if let root { try Self.visit(root, levels: levels, nodes: nil, body) }
    }

    /// Every node and slab, for freeing the whole table.
    func allocations(into list: inout [UnsafeMutableRawPointer]) {
        guard let root else { return }
        var nodes: [UnsafeMutableRawPointer] = [root]
        Self.visit(root, levels: levels, nodes: &nodes) { list.append($0) }
        list.append(contentsOf: nodes)
    }

    /// Visits the slabs under `node` (of a tree of `levels` levels), and collects the nodes below
    /// it into `nodes` when given.
    private static func visit(
        _ node: UnsafeMutableRawPointer, levels: Int, nodes: UnsafeMutablePointer<[UnsafeMutableRawPointer]>?,
        _ body: (UnsafeMutableRawPointer) throws -> Void
    ) rethrows {
        let fanout = 1 << (levels == 1 ? leafBits : innerBits)
        for i in 0..<fanout {
            guard let child = node.load(fromByteOffset: 8 + i * 8, as: UnsafeMutableRawPointer?.self) else { continue }
            if levels == 1 {
                try body(child)
            } else {
                nodes?.pointee.append(child)
                try visit(child, levels: levels - 1, nodes: nodes, body)
            }
        }
    }
}

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
