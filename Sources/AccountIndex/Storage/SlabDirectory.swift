import CCacheHints

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

    /// How many leaf and inner nodes the directory has (for ``IndexMemoryReport``).
    func nodeCounts() -> (leaves: Int, inner: Int) {
        guard let root else { return (0, 0) }
        var counts = (leaves: 0, inner: 0)
        func visit(_ node: UnsafeMutableRawPointer, levels: Int) {
            guard levels > 1 else { return counts.leaves += 1 }
            counts.inner += 1
            for i in 0..<(1 << Self.innerBits) {
                if let child = node.load(fromByteOffset: 8 + i * 8, as: UnsafeMutableRawPointer?.self) {
                    visit(child, levels: levels - 1)
                }
            }
        }
        visit(root, levels: levels)
        return counts
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
