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
