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
        createdAt = r.createdAt
        isDeleted = r.isDeleted
        keys = Array(entry.words.prefix(r.keyRange.count))
        activeLeads = entry.ids(r.activeLeadRange)
        otherLeads = entry.ids(r.otherLeadRange)
        openCustomers = entry.ids(r.openCustomerRange)
        otherCustomers = entry.ids(r.otherCustomerRange)
        related = entry.ids(r.relatedRange)
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

    /// The postings of this party: one per key, none when deleted (``PostingPayload``).
    func postings(_ owner: PartyID) -> [Posting] {
        guard
            let payload = PostingPayload(
                createdAt: createdAt, isDeleted: isDeleted, keyCount: keys.count, activeLeads: activeLeads.normalized(),
                openCustomers: openCustomers.normalized())
        else { return [] }
        return keys.map { payload.posting($0, owner) }
    }

    /// The record and words of this party (``PartyRecord/encode(id:createdAt:isDeleted:keys:ids:into:)``).
    func encode(id: Int, into pool: inout ContiguousArray<UInt64>) -> PartyRecord {
        PartyRecord.encode(
            id: id, createdAt: createdAt, isDeleted: isDeleted, keys: keys,
            ids: { part, write in
                let ids: IDList
                switch part {
                case .activeLeads: ids = activeLeads
                case .otherLeads: ids = otherLeads
                case .openCustomers: ids = openCustomers
                case .otherCustomers: ids = otherCustomers
                case .related: ids = related
                }
                for id in ids.normalized() { write(id) }
            }, into: &pool)
    }
}
