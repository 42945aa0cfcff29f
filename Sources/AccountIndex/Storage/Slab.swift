import HashTreeCollections

/// A fixed-size record kept in a ``Slab``, with its variable-length part (links, phone keys) in the
/// slab's word pool.
protocol SlabRecord: BitwiseCopyable, Sendable {
    var id: Int { get }
    /// Where the record's words start in the slab's pool.
    var poolStart: UInt32 { get set }
    /// How many words of the pool are the record's.
    var poolCount: Int { get }
}

/// A group of records whose ids hash to the same slab, sorted by id, and one array of words that
/// holds the variable-length parts of all of them.
///
/// Grouping some 16 records in one slab is what keeps memory per entity low: the persistent map
/// above the slabs costs some 40 bytes per item, so it holds slabs, not entities, and a record
/// costs its fixed size plus its words. A change copies one slab (a few kilobytes) and the map's
/// path to it; every other slab is shared with the snapshots readers hold.
struct Slab<Record: SlabRecord>: Sendable {
    var records: ContiguousArray<Record>
    var pool: ContiguousArray<UInt64>

    init(records: ContiguousArray<Record> = [], pool: ContiguousArray<UInt64> = []) {
        self.records = records
        self.pool = pool
    }

    /// Binary search for `id`.
    @inline(__always)
    func index(of id: Int) -> Int? {
        records.withUnsafeBufferPointer { buffer in
            var low = 0
            var high = buffer.count
            while low < high {
                let mid = (low &+ high) >> 1
                let midID = buffer[mid].id
                if midID == id { return mid }
                if midID < id { low = mid &+ 1 } else { high = mid }
            }
            return nil
        }
    }

    /// The words of the record at `i`.
    @inline(__always)
    func words(at i: Int) -> Slice<ContiguousArray<UInt64>> {
        let record = records[i]
        let start = Int(record.poolStart)
        return pool[start..<start + record.poolCount]
    }
}

/// One record and its words, as a reader sees them.
struct SlabEntry<Record: SlabRecord> {
    let record: Record
    let words: Slice<ContiguousArray<UInt64>>
}

/// Where a 64-bit key lands among `1 << bits` slabs: the high bits of a multiplicative hash.
@inline(__always)
func slabHash(_ key: UInt64, bits: Int) -> UInt32 {
    guard bits > 0 else { return 0 }
    return UInt32(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - bits))
}

/// How many slab bits suit `count` items: about 16 items a slab.
func slabBits(forCount count: Int) -> Int {
    var bits = 0
    while (16 << bits) < count && bits < 30 { bits += 1 }
    return bits
}

/// A persistent map from entity ids to records: slabs in a `TreeDictionary` keyed by slab number.
///
/// Copying the table is O(1) and shares every slab; a commit replaces only the slabs it touches.
struct EntityTable<Record: SlabRecord>: Sendable {
    private(set) var slabs: TreeDictionary<UInt32, Slab<Record>> = [:]
    private(set) var bits: Int = 0
    private(set) var count: Int = 0

    init() {}

    @inline(__always)
    func slabNumber(of id: Int) -> UInt32 { slabHash(UInt64(bitPattern: Int64(id)), bits: bits) }

    /// The record with `id` and its words.
    ///
    /// - Complexity: O(log n) slab lookup and a binary search among some 16 records.
    @inline(__always)
    func find(_ id: Int) -> SlabEntry<Record>? {
        guard let slab = slabs[slabNumber(of: id)], let i = slab.index(of: id) else { return nil }
        return SlabEntry(record: slab.records[i], words: slab.words(at: i))
    }

    @inline(__always)
    func contains(_ id: Int) -> Bool {
        guard let slab = slabs[slabNumber(of: id)] else { return false }
        return slab.index(of: id) != nil
    }

    /// Calls `body` for every record, in no particular order.
    func forEach(_ body: (SlabEntry<Record>) throws -> Void) rethrows {
        for (_, slab) in slabs {
            for i in slab.records.indices { try body(SlabEntry(record: slab.records[i], words: slab.words(at: i))) }
        }
    }

    /// Replaces, adds and removes records: `changes` maps ids to their new state, nil to remove.
    ///
    /// Each touched slab is rebuilt once, whatever the number of its changed records; untouched
    /// records keep their words as they are.
    ///
    /// - Complexity: O(k log k + s·m) for k changes touching s slabs of m records and words.
    mutating func commit<State>(
        _ changes: [Int: State?], encode: (Int, State, inout ContiguousArray<UInt64>) -> Record
    ) {
        guard !changes.isEmpty else { return }
        let wanted = slabBits(forCount: count + changes.count)
        if wanted > bits + 1 || (count == 0 && wanted != bits) { rebucket(bits: wanted) }

        var groups: [UInt32: [(Int, State?)]] = [:]
        for (id, state) in changes { groups[slabNumber(of: id), default: []].append((id, state)) }
        for (number, var group) in groups {
            group.sort { $0.0 < $1.0 }
            let old = slabs[number] ?? Slab()
            var records = ContiguousArray<Record>()
            records.reserveCapacity(old.records.count + group.count)
            var pool = ContiguousArray<UInt64>()
            pool.reserveCapacity(old.pool.count + group.count * 4)
            var i = 0
            var j = 0
            while i < old.records.count || j < group.count {
                if j == group.count || (i < old.records.count && old.records[i].id < group[j].0) {
                    var record = old.records[i]
                    let words = old.words(at: i)
                    record.poolStart = UInt32(pool.count)
                    pool.append(contentsOf: words)
                    records.append(record)
                    i += 1
                    continue
                }
                let (id, state) = group[j]
                j += 1
                if i < old.records.count && old.records[i].id == id {
                    i += 1
                    count -= 1
                }
                if let state {
                    records.append(encode(id, state, &pool))
                    count += 1
                }
            }
            if records.isEmpty {
                slabs[number] = nil
            } else {
                slabs[number] = Slab(records: records.compacted(), pool: pool.compacted())
            }
        }
    }

    /// Redistributes every record over `1 << bits` slabs.
    private mutating func rebucket(bits newBits: Int) {
        let oldSlabs = slabs
        slabs = [:]
        bits = newBits
        guard count > 0 else { return }
        var groups: [UInt32: [(Record, Slice<ContiguousArray<UInt64>>)]] = [:]
        for (_, slab) in oldSlabs {
            for i in slab.records.indices {
                groups[slabNumber(of: slab.records[i].id), default: []].append((slab.records[i], slab.words(at: i)))
            }
        }
        for (number, var group) in groups {
            group.sort { $0.0.id < $1.0.id }
            var records = ContiguousArray<Record>()
            records.reserveCapacity(group.count)
            var pool = ContiguousArray<UInt64>()
            for (var record, words) in group {
                record.poolStart = UInt32(pool.count)
                pool.append(contentsOf: words)
                records.append(record)
            }
            slabs[number] = Slab(records: records, pool: pool.compacted())
        }
    }
}

extension ContiguousArray where Element: BitwiseCopyable {
    /// The same elements in storage of exactly their size (slabs live long; spare capacity is waste).
    func compacted() -> ContiguousArray {
        if isEmpty { return [] }
        guard capacity > count else { return self }
        return withUnsafeBufferPointer { source in
            ContiguousArray(unsafeUninitializedCapacity: source.count) { buffer, initialized in
                if let base = source.baseAddress { buffer.baseAddress!.initialize(from: base, count: source.count) }
                initialized = source.count
            }
        }
    }
}
