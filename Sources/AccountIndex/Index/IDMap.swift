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
