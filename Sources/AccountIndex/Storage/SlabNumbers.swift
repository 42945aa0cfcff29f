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
