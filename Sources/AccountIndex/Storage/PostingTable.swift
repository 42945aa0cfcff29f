import HashTreeCollections

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

/// One stored number of one contact or company.
struct Posting: Hashable, Comparable, Sendable, BitwiseCopyable {
    var key: PhoneKey
    var owner: PartyID

    static func < (a: Posting, b: Posting) -> Bool {
        (a.key.rawValue, a.owner.rawValue) < (b.key.rawValue, b.owner.rawValue)
    }
}

/// Every stored number of the account: postings grouped in slabs by the hash of their fallback
/// bucket (``PhoneKey/bucket(suffixDigits:)``), so that one slab holds every exact and every
/// last-digits match of a number.
struct PostingTable: Sendable {
    private(set) var slabs: TreeDictionary<UInt32, ContiguousArray<Posting>> = [:]
    private(set) var bits: Int = 0
    private(set) var count: Int = 0
    /// The fallback's digit count; fixed for the table's life.
    let suffixDigits: Int

    init(suffixDigits: Int) { self.suffixDigits = suffixDigits }

    @inline(__always)
    func slabNumber(of key: PhoneKey) -> UInt32 {
        slabHash(key.bucket(suffixDigits: suffixDigits).rawValue, bits: bits)
    }

    /// The slab that holds every match of `key`, sorted by key and owner.
    @inline(__always)
    func slab(for key: PhoneKey) -> ContiguousArray<Posting>? { slabs[slabNumber(of: key)] }

    /// Removes and adds postings; each touched slab is rebuilt once.
    mutating func commit(removing removals: [Posting], adding additions: [Posting]) {
        guard !removals.isEmpty || !additions.isEmpty else { return }
        let wanted = slabBits(forCount: count + additions.count)
        if wanted > bits + 1 || (count == 0 && wanted != bits) { rebucket(bits: wanted) }
        var groups: [UInt32: (remove: [Posting], add: [Posting])] = [:]
        for posting in removals { groups[slabNumber(of: posting.key), default: ([], [])].remove.append(posting) }
        for posting in additions { groups[slabNumber(of: posting.key), default: ([], [])].add.append(posting) }
        for (number, var group) in groups {
            group.remove.sort()
            group.add.sort()
            let old = slabs[number] ?? []
            var result = ContiguousArray<Posting>()
            result.reserveCapacity(old.count + group.add.count)
            // Merge old and added, skipping removed; all three are sorted.
            var i = 0
            var j = 0
            var r = 0
            while i < old.count || j < group.add.count {
                let next: Posting
                if j == group.add.count || (i < old.count && old[i] <= group.add[j]) {
                    next = old[i]
                    i += 1
                } else {
                    next = group.add[j]
                    j += 1
                }
                while r < group.remove.count && group.remove[r] < next { r += 1 }
                if r < group.remove.count && group.remove[r] == next { continue }
                if result.last != next { result.append(next) }
            }
            count += result.count - old.count
            slabs[number] = result.isEmpty ? nil : result.compacted()
        }
    }

    private mutating func rebucket(bits newBits: Int) {
        let old = slabs
        slabs = [:]
        bits = newBits
        guard count > 0 else { return }
        var groups: [UInt32: [Posting]] = [:]
        for (_, slab) in old {
            for posting in slab { groups[slabNumber(of: posting.key), default: []].append(posting) }
        }
        for (number, group) in groups { slabs[number] = ContiguousArray(group.sorted()) }
    }

    /// Calls `body` for every posting, in no particular order.
    func forEach(_ body: (Posting) throws -> Void) rethrows {
        for (_, slab) in slabs { for posting in slab { try body(posting) } }
    }
}
