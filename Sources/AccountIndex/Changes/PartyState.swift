/// A contact or company while a batch is staged.
struct PartyState: Equatable {
    var createdAt: Int
    var isDeleted: Bool
    /// Sorted, unique.
    var keys: [UInt64]
    var activeLeads: IDList = []
    var otherLeads: IDList = []
    var openCustomers: IDList = []
    var otherCustomers: IDList = []
    /// A contact's company (at most one), or a company's contacts.
    var related: IDList = []

    init(createdAt: Int, isDeleted: Bool, keys: [UInt64]) {
        self.createdAt = createdAt
        self.isDeleted = isDeleted
        self.keys = keys
    }

    init(_ entry: SlabEntry<PartyRecord>) {
        let r = entry.record
        var words = entry.words
        func take(_ n: UInt32) -> Slice<UnsafeBufferPointer<UInt64>> {
            let part = words.prefix(Int(n))
            words = words.dropFirst(Int(n))
            return part
        }
        createdAt = r.createdAt
        isDeleted = r.isDeleted
        keys = Array(take(r.keyCount))
        activeLeads = take(r.activeLeadCount).map { Int(bitPattern: UInt($0)) }
        otherLeads = take(r.otherLeadCount).map { Int(bitPattern: UInt($0)) }
        openCustomers = take(r.openCustomerCount).map { Int(bitPattern: UInt($0)) }
        otherCustomers = take(r.otherCustomerCount).map { Int(bitPattern: UInt($0)) }
        related = take(r.relatedCount).map { Int(bitPattern: UInt($0)) }
    }

    /// Files lead `id` among the active or the other leads; nil takes it out of both.
    mutating func fileLead(_ id: Int, active: Bool?) {
        activeLeads.removeSorted(id)
        otherLeads.removeSorted(id)
        if let active { active ? activeLeads.insertSorted(id) : otherLeads.insertSorted(id) }
    }

    /// Files customer `id` among the open or the other customers; nil takes it out of both.
    mutating func fileCustomer(_ id: Int, open: Bool?) {
        openCustomers.removeSorted(id)
        otherCustomers.removeSorted(id)
        if let open { open ? openCustomers.insertSorted(id) : otherCustomers.insertSorted(id) }
    }

    /// The keys that belong in the phone postings: none for a deleted party.
    var indexedKeys: [UInt64] { isDeleted ? [] : keys }

    /// The postings of this party: one per key, none when deleted.
    func postings(_ owner: PartyID) -> [Posting] {
        guard !isDeleted, !keys.isEmpty else { return [] }
        let active = activeLeads.normalized()
        let open = openCustomers.normalized()
        let summary = PostingPayload(
            createdAt: createdAt, activeLeadCount: UInt32(active.count), openCustomerCount: UInt32(open.count),
            activeLeadID: active.first ?? 0, openCustomerID: open.first ?? 0)
        return keys.map { summary.posting($0, owner) }
    }

    func encode(id: Int, into pool: inout ContiguousArray<UInt64>) -> PartyRecord {
        let start = UInt32(pool.count)
        func put(_ ids: IDList) -> UInt32 {
            let ids = ids.normalized()
            for id in ids { pool.append(UInt64(UInt(bitPattern: id))) }
            return UInt32(ids.count)
        }
        pool.append(contentsOf: keys)
        let active = put(activeLeads)
        let other = put(otherLeads)
        let open = put(openCustomers)
        let closed = put(otherCustomers)
        let related = put(related)
        return PartyRecord(
            id: id, createdAt: createdAt, poolStart: start, keyCount: UInt32(keys.count), activeLeadCount: active,
            otherLeadCount: other, openCustomerCount: open, otherCustomerCount: closed, relatedCount: related,
            flags: isDeleted ? PartyRecord.deletedFlag : 0)
    }
}
