/// A fixed-size record kept in a slab, with its variable-length part (links, phone keys) in the
/// slab's words.
protocol SlabRecord: BitwiseCopyable, Sendable {
    var id: Int { get }
    /// Where the record's words start among the slab's words.
    var poolStart: UInt32 { get set }
    /// How many of the slab's words are the record's.
    var poolCount: Int { get }
}

struct SlabHeader {
    var count: Int
    var poolCount: Int
}

/// One slab: records sorted by id (or, for postings, by key), then the words of all of them, in one
/// allocation.
///
/// Grouping some 16 records in one slab is what keeps memory per entity low and lookups short: the
/// directory above holds slabs, not entities, and a record costs its fixed size plus its words. A
/// slab is never changed once built; a change builds a new one, and snapshots share the rest.
final class SlabStorage<Record: BitwiseCopyable>: ManagedBuffer<SlabHeader, UInt64> {
    // Immutable after `make` (ManagedBuffer cannot be Sendable; see SlabDirectory).

    static var recordWords: Int { MemoryLayout<Record>.stride / 8 }

    /// A new slab with copies of `records` and `pool`.
    static func make(records: UnsafeBufferPointer<Record>, pool: UnsafeBufferPointer<UInt64>) -> SlabStorage {
        precondition(MemoryLayout<Record>.stride % 8 == 0 && MemoryLayout<Record>.alignment <= 8)
        let words = records.count * recordWords + pool.count
        let buffer = create(minimumCapacity: words) { _ in SlabHeader(count: records.count, poolCount: pool.count) }
        let storage = unsafeDowncast(buffer, to: SlabStorage.self)
        storage.withUnsafeMutablePointerToElements { base in
            let raw = UnsafeMutableRawPointer(base)
            if let source = records.baseAddress {
                raw.copyMemory(from: source, byteCount: records.count * MemoryLayout<Record>.stride)
            }
            if let source = pool.baseAddress {
                (base + records.count * recordWords).initialize(from: source, count: pool.count)
            }
        }
        return storage
    }

    static func make(records: ContiguousArray<Record>, pool: ContiguousArray<UInt64>) -> SlabStorage {
        records.withUnsafeBufferPointer { r in pool.withUnsafeBufferPointer { p in make(records: r, pool: p) } }
    }

    @inline(__always)
    var count: Int { header.count }

    @inline(__always)
    func record(_ i: Int) -> Record {
        withUnsafeMutablePointerToElements {
            UnsafeRawPointer($0).load(fromByteOffset: i * MemoryLayout<Record>.stride, as: Record.self)
        }
    }

    /// Calls `body` with the records and the words.
    @inline(__always)
    func withContents<R>(_ body: (UnsafeBufferPointer<Record>, UnsafeBufferPointer<UInt64>) throws -> R) rethrows -> R {
        let header = self.header
        return try withUnsafeMutablePointerToElements { base in
            let records = UnsafeRawPointer(base).assumingMemoryBound(to: Record.self)
            let pool = UnsafePointer(base + header.count * Self.recordWords)
            return try body(
                UnsafeBufferPointer(start: records, count: header.count),
                UnsafeBufferPointer(start: pool, count: header.poolCount))
        }
    }

    deinit {
        _ = withUnsafeMutablePointers { header, elements in
            elements.deinitialize(count: header.pointee.count * Self.recordWords + header.pointee.poolCount)
        }
    }
}

extension SlabStorage where Record: SlabRecord {
    /// Binary search for `id`.
    @inline(__always)
    func index(of id: Int) -> Int? {
        withContents { records, _ in
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
}

/// One record of a slab, as a reader sees it.
struct SlabEntry<Record: SlabRecord> {
    let storage: SlabStorage<Record>
    let record: Record

    /// The `i`th of the record's words.
    @inline(__always)
    func word(_ i: Int) -> UInt64 {
        storage.withContents { _, pool in pool[Int(record.poolStart) + i] }
    }

    /// A copy of the record's words.
    var words: [UInt64] {
        storage.withContents { _, pool in Array(pool[Int(record.poolStart)..<Int(record.poolStart) + record.poolCount])
        }
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

/// The slabs of a table, by number: a three-level, copy-on-write radix array (32 × 32 × the rest).
///
/// A lookup is three array loads, with no hashing. Replacing a slab copies, the first time in a
/// batch, the top level (one word per 1,024 slabs), one middle node and one leaf of 32 words each;
/// later changes in the same batch find them uniquely referenced and change them in place.
/// Snapshots already published keep theirs. Narrow nodes keep a change cheap: copying a node
/// retains each slab it points to, and freeing an old snapshot's copy releases them.
///
/// `@unchecked Sendable`: the arrays are copy-on-write values, and a ``SlabStorage`` is never written
/// after ``SlabStorage/make(records:pool:)`` returns it (`ManagedBuffer` subclasses cannot conform to
/// `Sendable` themselves). The writer only ever changes a directory no reader can see.
struct SlabDirectory<Record: BitwiseCopyable>: @unchecked Sendable {
    typealias Leaf = ContiguousArray<SlabStorage<Record>?>

    private(set) var top: ContiguousArray<ContiguousArray<Leaf>>
    let bits: Int

    init(bits: Int) {
        self.bits = bits
        let leafBits = Swift.min(bits, 5)
        let midBits = Swift.min(bits - leafBits, 5)
        let topBits = bits - leafBits - midBits
        let leaf = Leaf(repeating: nil, count: 1 << leafBits)
        top = ContiguousArray(repeating: ContiguousArray(repeating: leaf, count: 1 << midBits), count: 1 << topBits)
    }

    @inline(__always)
    subscript(number: UInt32) -> SlabStorage<Record>? {
        get {
            let n = Int(number)
            return top.withUnsafeBufferPointer { top in
                top[n >> 10].withUnsafeBufferPointer { mid in
                    mid[(n >> 5) & 31].withUnsafeBufferPointer { $0[n & 31] }
                }
            }
        }
        set {
            let n = Int(number)
            top[n >> 10][(n >> 5) & 31][n & 31] = newValue
        }
    }

    /// Every slab, in no particular order.
    func forEach(_ body: (SlabStorage<Record>) throws -> Void) rethrows {
        for mid in top { for leaf in mid { for case let slab? in leaf { try body(slab) } } }
    }
}

/// A persistent map from entity ids to records.
///
/// Copying the table is O(1) and shares every slab; a commit replaces only the slabs it touches.
struct EntityTable<Record: SlabRecord>: Sendable {
    private(set) var slabs: SlabDirectory<Record>
    private(set) var count: Int = 0

    init(bits: Int = 0) { slabs = SlabDirectory(bits: bits) }

    var bits: Int { slabs.bits }

    @inline(__always)
    func slabNumber(of id: Int) -> UInt32 { slabHash(UInt64(bitPattern: Int64(id)), bits: slabs.bits) }

    /// The record with `id`.
    ///
    /// - Complexity: O(1): two array loads and a binary search among some 16 records.
    @inline(__always)
    func find(_ id: Int) -> SlabEntry<Record>? {
        guard let slab = slabs[slabNumber(of: id)], let i = slab.index(of: id) else { return nil }
        return SlabEntry(storage: slab, record: slab.record(i))
    }

    @inline(__always)
    func contains(_ id: Int) -> Bool {
        guard let slab = slabs[slabNumber(of: id)] else { return false }
        return slab.index(of: id) != nil
    }

    /// Calls `body` for every record, in no particular order.
    func forEach(_ body: (SlabEntry<Record>) throws -> Void) rethrows {
        try slabs.forEach { slab in
            for i in 0..<slab.count { try body(SlabEntry(storage: slab, record: slab.record(i))) }
        }
    }

    /// Puts a slab built elsewhere (the bulk builder); `records` new records.
    mutating func install(_ slab: SlabStorage<Record>, at number: UInt32) {
        count += slab.count - (slabs[number]?.count ?? 0)
        slabs[number] = slab
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
        var records = ContiguousArray<Record>()
        var pool = ContiguousArray<UInt64>()
        for (number, var group) in groups {
            group.sort { $0.0 < $1.0 }
            records.removeAll(keepingCapacity: true)
            pool.removeAll(keepingCapacity: true)
            let old = slabs[number]
            old?.withContents { oldRecords, oldPool in
                var i = 0
                var j = 0
                while i < oldRecords.count || j < group.count {
                    if j == group.count || (i < oldRecords.count && oldRecords[i].id < group[j].0) {
                        var record = oldRecords[i]
                        let start = Int(record.poolStart)
                        record.poolStart = UInt32(pool.count)
                        pool.append(contentsOf: oldPool[start..<start + record.poolCount])
                        records.append(record)
                        i += 1
                        continue
                    }
                    let (id, state) = group[j]
                    j += 1
                    if i < oldRecords.count && oldRecords[i].id == id { i += 1 }
                    if let state { records.append(encode(id, state, &pool)) }
                }
            }
            if old == nil {
                for (id, state) in group { if let state { records.append(encode(id, state, &pool)) } }
            }
            count += records.count - (old?.count ?? 0)
            slabs[number] = records.isEmpty ? nil : SlabStorage.make(records: records, pool: pool)
        }
    }

    /// Redistributes every record over `1 << bits` slabs.
    private mutating func rebucket(bits newBits: Int) {
        let old = slabs
        slabs = SlabDirectory(bits: newBits)
        guard count > 0 else { return }
        var groups: [UInt32: [(Record, [UInt64])]] = [:]
        old.forEach { slab in
            slab.withContents { records, pool in
                for record in records {
                    let start = Int(record.poolStart)
                    groups[slabNumber(of: record.id), default: []].append(
                        (record, Array(pool[start..<start + record.poolCount])))
                }
            }
        }
        var records = ContiguousArray<Record>()
        var pool = ContiguousArray<UInt64>()
        for (number, var group) in groups {
            group.sort { $0.0.id < $1.0.id }
            records.removeAll(keepingCapacity: true)
            pool.removeAll(keepingCapacity: true)
            for (var record, words) in group {
                record.poolStart = UInt32(pool.count)
                pool.append(contentsOf: words)
                records.append(record)
            }
            slabs[number] = SlabStorage.make(records: records, pool: pool)
        }
    }
}
