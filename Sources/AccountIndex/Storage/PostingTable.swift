import CCacheHints

/// A contact or company, packed into one word: the id, and the top bit set for a company.
struct PartyID: Hashable, Comparable, Sendable, BitwiseCopyable {
    static let companyBit: UInt64 = 1 << 63

    let rawValue: UInt64

    init(rawValue: UInt64) { self.rawValue = rawValue }

    /// `id` must be non-negative.
    init(isCompany: Bool, id: Int) {
        rawValue = UInt64(id) | (isCompany ? Self.companyBit : 0)
    }

    static func contact(_ id: Int) -> PartyID { PartyID(isCompany: false, id: id) }
    static func company(_ id: Int) -> PartyID { PartyID(isCompany: true, id: id) }

    var isCompany: Bool { rawValue & Self.companyBit != 0 }
    var id: Int { Int(truncatingIfNeeded: rawValue & ~Self.companyBit) }
    var ref: EntityRef { EntityRef(kind: isCompany ? .company : .contact, id: id) }

    static func < (a: PartyID, b: PartyID) -> Bool { a.rawValue < b.rawValue }
}

/// One stored number of one contact or company, with what the decision needs of the owner.
///
/// The owner's created-at and link summary are copied here, so that resolving an exact match reads
/// one slab and nothing else (each further slab would be another cache miss on a large account).
/// The writer rewrites a party's postings whenever its numbers or its summary change.
struct Posting: Hashable, Sendable, BitwiseCopyable {
    var key: PhoneKey
    var owner: PartyID
    var createdAt: Int
    var activeLeadCount: UInt32
    var openCustomerCount: UInt32
    /// The first active lead (the only one when the count is 1), or 0.
    var activeLeadID: Int
    /// The first open customer (the only one when the count is 1), or 0.
    var openCustomerID: Int

    /// Ordered by key, then owner; the rest is payload.
    @inline(__always)
    static func precedes(_ a: Posting, _ b: Posting) -> Bool {
        (a.key.rawValue, a.owner.rawValue) < (b.key.rawValue, b.owner.rawValue)
    }

    @inline(__always)
    func sameSlot(_ other: Posting) -> Bool { key == other.key && owner == other.owner }

    var links: LinkedEntities {
        LinkedEntities(
            activeLeadCount: Int(activeLeadCount), activeLeadID: activeLeadID,
            openCustomerCount: Int(openCustomerCount),
            openCustomerID: openCustomerID)
    }
}

/// What the postings of a party carry besides the key.
struct PostingPayload: Equatable {
    var createdAt: Int
    var activeLeadCount: UInt32
    var openCustomerCount: UInt32
    var activeLeadID: Int
    var openCustomerID: Int

    func posting(_ key: UInt64, _ owner: PartyID) -> Posting {
        Posting(
            key: PhoneKey(rawValue: key), owner: owner, createdAt: createdAt, activeLeadCount: activeLeadCount,
            openCustomerCount: openCustomerCount, activeLeadID: activeLeadID, openCustomerID: openCustomerID)
    }
}

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

/// Every stored number of the account: postings grouped in slabs by the hash of their fallback
/// bucket (``PhoneKey/bucket(suffixDigits:)``), so that one slab holds every exact and every
/// last-digits match of a number. Within a slab, postings are sorted by key, then owner.
struct PostingTable: Sendable {
    private(set) var slabs: SlabDirectory
    private(set) var count: Int = 0
    /// The fallback's digit count; fixed for the table's life.
    let suffixDigits: Int
    /// 10^suffixDigits, for ``PhoneKey/bucket(suffixDigits:modulus:)``.
    let suffixModulus: UInt64

    init(suffixDigits: Int, bits: Int = 0) {
        self.suffixDigits = suffixDigits
        suffixModulus = PhoneKey.powerOfTen(suffixDigits)
        slabs = SlabDirectory(bits: bits)
    }

    var bits: Int { slabs.bits }

    @inline(__always)
    func bucket(of key: PhoneKey) -> PhoneKey { key.bucket(suffixDigits: suffixDigits, modulus: suffixModulus) }

    @inline(__always)
    func slabNumber(of key: PhoneKey) -> UInt32 { slabHash(bucket(of: key).rawValue, bits: slabs.bits) }

    /// The slab that holds every match of `key`.
    @inline(__always)
    func slab(for key: PhoneKey) -> PostingSlab? { slab(slabNumber(of: key)) }

    @inline(__always)
    func slab(_ number: UInt32) -> PostingSlab? { slabs[number].map { PostingSlab(Slab(base: $0)) } }

    /// Starts loading the directory entry of the slab that the number in `text` (UTF-8) most
    /// likely lands in, so that it is in the cache when the lookup comes, after the text is parsed.
    ///
    /// The guess is the bucket of the text's last ``suffixDigits`` ASCII digits, which are the
    /// number's last digits however it is written, unless the text ends in an extension or the
    /// number is shorter; a wrong guess costs one cache line and nothing else.
    @inline(__always)
    func prefetchSlabEntry(forCallerText text: UnsafeBufferPointer<UInt8>) {
        guard count > 0 else { return }
        var value: UInt64 = 0
        var scale: UInt64 = 1
        var digits = 0
        for byte in text.reversed() where byte &- UInt8(ascii: "0") < 10 {
            value &+= UInt64(byte &- UInt8(ascii: "0")) &* scale
            scale &*= 10
            digits += 1
            if digits == suffixDigits { break }
        }
        guard digits == suffixDigits else { return }
        slabs.prefetchEntry(slabHash(PhoneKey(digitCount: digits, value: value).rawValue, bits: slabs.bits))
    }

    /// Puts a slab built elsewhere (the bulk builder) in an empty place.
    mutating func install(_ slab: PostingSlab, at number: UInt32, _ context: inout WriteContext) {
        count += slab.count
        let old = slabs.set(number, to: slab.slab.base, &context)
        precondition(old == nil, "install over a slab")
    }

    /// Removes and adds postings; each touched slab is rebuilt once.
    mutating func commit(removing removals: [Posting], adding additions: [Posting], _ context: inout WriteContext) {
        guard !removals.isEmpty || !additions.isEmpty else { return }
        let wanted = slabBits(forCount: count + additions.count)
        if wanted > bits + 1 || (count == 0 && wanted != bits) { rebucket(bits: wanted, &context) }
        // Removals and additions grouped by slab, each group in posting order.
        var remove = removals.map { (slab: slabNumber(of: $0.key), posting: $0) }
        var add = additions.map { (slab: slabNumber(of: $0.key), posting: $0) }
        func precedes(_ a: (slab: UInt32, posting: Posting), _ b: (slab: UInt32, posting: Posting)) -> Bool {
            a.slab != b.slab ? a.slab < b.slab : Posting.precedes(a.posting, b.posting)
        }
        remove.sort(by: precedes)
        add.sort(by: precedes)
        var result = ContiguousArray<Posting>()
        result.reserveCapacity(64)
        var r = 0
        var a = 0
        while r < remove.count || a < add.count {
            let number =
                r == remove.count ? add[a].slab : (a == add.count ? remove[r].slab : min(remove[r].slab, add[a].slab))
            let old = slab(number)
            let oldCount = old?.count ?? 0
            result.removeAll(keepingCapacity: true)
            // Old without the removed (by key and owner), merged with the added; all sorted.
            var i = 0
            while i < oldCount || (a < add.count && add[a].slab == number) {
                let current = i < oldCount ? old!.posting(i) : nil
                if let current {
                    while r < remove.count && remove[r].slab == number && Posting.precedes(remove[r].posting, current) {
                        r += 1
                    }
                    if r < remove.count && remove[r].slab == number && remove[r].posting.sameSlot(current) {
                        i += 1
                        continue
                    }
                }
                let next: Posting
                if !(a < add.count && add[a].slab == number)
                    || (current != nil && Posting.precedes(current!, add[a].posting))
                {
                    next = current!
                    i += 1
                } else {
                    next = add[a].posting
                    a += 1
                    if let current, current.sameSlot(next) { i += 1 }
                }
                if let last = result.last, last.sameSlot(next) {
                    result[result.count - 1] = next
                } else {
                    result.append(next)
                }
            }
            while r < remove.count && remove[r].slab == number { r += 1 }
            count += result.count - oldCount
            let new = result.isEmpty ? nil : result.withUnsafeBufferPointer { PostingSlab.make(sorted: $0) }
            if let replaced = slabs.set(number, to: new?.slab.base, &context) { context.retired.append(replaced) }
        }
    }

    private mutating func rebucket(bits newBits: Int, _ context: inout WriteContext) {
        let old = slabs
        slabs = SlabDirectory(bits: newBits)
        old.allocations(into: &context.retired)
        guard count > 0 else { return }
        var entries: [(slab: UInt32, posting: Posting)] = []
        entries.reserveCapacity(count)
        old.forEach { base in
            let slab = PostingSlab(Slab(base: base))
            for i in 0..<slab.count {
                let posting = slab.posting(i)
                entries.append((slabNumber(of: posting.key), posting))
            }
        }
        entries.sort { $0.slab != $1.slab ? $0.slab < $1.slab : Posting.precedes($0.posting, $1.posting) }
        var postings = ContiguousArray<Posting>()
        var start = 0
        while start < entries.count {
            let number = entries[start].slab
            postings.removeAll(keepingCapacity: true)
            var end = start
            while end < entries.count && entries[end].slab == number {
                postings.append(entries[end].posting)
                end += 1
            }
            let slab = postings.withUnsafeBufferPointer { PostingSlab.make(sorted: $0) }
            _ = slabs.set(number, to: slab.slab.base, &context)
            start = end
        }
    }

    /// Calls `body` for every posting, in no particular order.
    func forEach(_ body: (Posting) throws -> Void) rethrows {
        try slabs.forEach { base in
            let slab = PostingSlab(Slab(base: base))
            for i in 0..<slab.count { try body(slab.posting(i)) }
        }
    }
}
