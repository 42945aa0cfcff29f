import CCacheHints

/// A slab of postings, laid out for the reader: the keys first (one word each, sorted by key, then
/// owner), then five payload words per posting. A lookup reads the count and the keys — two
/// adjacent cache lines for a slab of 15 — and then only the payload of the postings that match.
///
/// Payload: owner, created-at, active-lead count | open-customer count << 32, first active lead,
/// first open customer.
struct PostingSlab {
    let slab: Slab<UInt64>

    static let payloadWords = 5

    @inline(__always)
    init(_ slab: Slab<UInt64>) { self.slab = slab }

    /// How many bytes of a slab ``prefetch()`` asks for: all of a slab of up to 15 postings
    /// (8 + 15 × 48 bytes); the slabs of a table hold some 8 to 16 postings.
    static let prefetchBytes = 768

    /// Starts loading the whole slab, keys and payload, before its count is known: the payload
    /// of the posting that matches then arrives with the keys instead of one cache miss after them.
    /// Prefetching past the end of the allocation is harmless (a prefetch never faults).
    @inline(__always)
    func prefetch() {
        var offset = 0
        while offset < Self.prefetchBytes {
            screenpop_prefetch(slab.base + offset)
            offset += 64
        }
    }

    @inline(__always)
    var count: Int { slab.count }

    @inline(__always)
    var keys: UnsafeBufferPointer<UInt64> { slab.records }

    @inline(__always)
    func posting(_ i: Int) -> Posting {
        let payload = slab.pool.baseAddress! + i * Self.payloadWords
        let counts = payload[2]
        return Posting(
            key: PhoneKey(rawValue: keys[i]), owner: PartyID(rawValue: payload[0]),
            createdAt: Int(bitPattern: UInt(payload[1])), activeLeadCount: UInt32(truncatingIfNeeded: counts),
            openCustomerCount: UInt32(truncatingIfNeeded: counts >> 32),
            activeLeadID: Int(bitPattern: UInt(payload[3])), openCustomerID: Int(bitPattern: UInt(payload[4])))
    }

    /// A slab of `count` postings, which `initialize` writes (in any order) and this sorts.
    static func make(count: Int, initialize: (UnsafeMutablePointer<Posting>) -> Void) -> PostingSlab {
        withUnsafeTemporaryAllocation(of: Posting.self, capacity: count) { temporary in
            var buffer = temporary
            initialize(buffer.baseAddress!)
            buffer.sort(by: Posting.precedes)
            return make(sorted: UnsafeBufferPointer(buffer))
        }
    }

    /// A slab of `postings`, which are sorted.
    static func make(sorted postings: UnsafeBufferPointer<Posting>) -> PostingSlab {
        let slab = Slab<UInt64>.make(count: postings.count, poolCount: postings.count * payloadWords) { keys, pool in
            for (i, posting) in postings.enumerated() {
                keys[i] = posting.key.rawValue
                let payload = pool + i * payloadWords
                payload[0] = posting.owner.rawValue
                payload[1] = UInt64(UInt(bitPattern: posting.createdAt))
                payload[2] = UInt64(posting.activeLeadCount) | UInt64(posting.openCustomerCount) << 32
                payload[3] = UInt64(UInt(bitPattern: posting.activeLeadID))
                payload[4] = UInt64(UInt(bitPattern: posting.openCustomerID))
            }
        }
        return PostingSlab(slab)
    }
}
