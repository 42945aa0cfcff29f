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
struct PartySummary_: Equatable {
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

/// Every stored number of the account: postings grouped in slabs by the hash of their fallback
/// bucket (``PhoneKey/bucket(suffixDigits:)``), so that one slab holds every exact and every
/// last-digits match of a number. Within a slab, postings are sorted by key, then owner.
struct PostingTable: Sendable {
    private(set) var slabs: SlabDirectory<Posting>
    private(set) var count: Int = 0
    /// The fallback's digit count; fixed for the table's life.
    let suffixDigits: Int

    init(suffixDigits: Int, bits: Int = 0) {
        self.suffixDigits = suffixDigits
        slabs = SlabDirectory(bits: bits)
    }

    var bits: Int { slabs.bits }

    @inline(__always)
    func slabNumber(of key: PhoneKey) -> UInt32 {
        slabHash(key.bucket(suffixDigits: suffixDigits).rawValue, bits: slabs.bits)
    }

    /// The slab that holds every match of `key`.
    @inline(__always)
    func slab(for key: PhoneKey) -> SlabStorage<Posting>? { slabs[slabNumber(of: key)] }

    /// Puts a slab built elsewhere (the bulk builder).
    mutating func install(_ slab: SlabStorage<Posting>, at number: UInt32) {
        count += slab.count - (slabs[number]?.count ?? 0)
        slabs[number] = slab
    }

    /// Removes and adds postings; each touched slab is rebuilt once.
    mutating func commit(removing removals: [Posting], adding additions: [Posting]) {
        guard !removals.isEmpty || !additions.isEmpty else { return }
        let wanted = slabBits(forCount: count + additions.count)
        if wanted > bits + 1 || (count == 0 && wanted != bits) { rebucket(bits: wanted) }
        var groups: [UInt32: (remove: [Posting], add: [Posting])] = [:]
        for posting in removals { groups[slabNumber(of: posting.key), default: ([], [])].remove.append(posting) }
        for posting in additions { groups[slabNumber(of: posting.key), default: ([], [])].add.append(posting) }
        var result = ContiguousArray<Posting>()
        for (number, var group) in groups {
            group.remove.sort(by: Posting.precedes)
            group.add.sort(by: Posting.precedes)
            let old = slabs[number]
            result.removeAll(keepingCapacity: true)
            func merge(_ old: UnsafeBufferPointer<Posting>) {
                // Old without the removed (by key and owner), merged with the added; all sorted.
                var i = 0
                var j = 0
                var r = 0
                while i < old.count || j < group.add.count {
                    if i < old.count {
                        while r < group.remove.count && Posting.precedes(group.remove[r], old[i]) { r += 1 }
                        if r < group.remove.count && group.remove[r].sameSlot(old[i]) {
                            i += 1
                            continue
                        }
                    }
                    let next: Posting
                    if j == group.add.count || (i < old.count && Posting.precedes(old[i], group.add[j])) {
                        next = old[i]
                        i += 1
                    } else {
                        next = group.add[j]
                        j += 1
                        if i < old.count && old[i].sameSlot(next) { i += 1 }
                    }
                    if let last = result.last, last.sameSlot(next) {
                        result[result.count - 1] = next
                    } else {
                        result.append(next)
                    }
                }
            }
            if let old {
                old.withContents { postings, _ in merge(postings) }
            } else {
                merge(UnsafeBufferPointer(start: nil, count: 0))
            }
            count += result.count - (old?.count ?? 0)
            slabs[number] = result.isEmpty ? nil : SlabStorage.make(records: result, pool: [])
        }
    }

    private mutating func rebucket(bits newBits: Int) {
        let old = slabs
        slabs = SlabDirectory(bits: newBits)
        guard count > 0 else { return }
        var groups: [UInt32: ContiguousArray<Posting>] = [:]
        old.forEach { slab in
            slab.withContents { postings, _ in
                for posting in postings { groups[slabNumber(of: posting.key), default: []].append(posting) }
            }
        }
        for (number, group) in groups {
            slabs[number] = SlabStorage.make(records: ContiguousArray(group.sorted(by: Posting.precedes)), pool: [])
        }
    }

    /// Calls `body` for every posting, in no particular order.
    func forEach(_ body: (Posting) throws -> Void) rethrows {
        try slabs.forEach { slab in
            try slab.withContents { postings, _ in for posting in postings { try body(posting) } }
        }
    }
}
