/// A contact or company as stored: 48 bytes, plus one word per phone key and per link.
///
/// Its words, in order: phone keys, active leads, other leads, open customers, other customers,
/// related parties (a contact's company, or a company's contacts); each part sorted. Keeping
/// active leads and open customers apart is what makes the decision O(1): their counts are
/// stored, and when a count is 1 the id is the first word of its part.
struct PartyRecord: SlabRecord {
    var id: Int
    var createdAt: Int
    var poolStart: UInt32 = 0
    var keyCount: UInt32
    var activeLeadCount: UInt32
    var otherLeadCount: UInt32
    var openCustomerCount: UInt32
    var otherCustomerCount: UInt32
    var relatedCount: UInt32
    var flags: UInt32

    static let deletedFlag: UInt32 = 1

    var isDeleted: Bool { flags & Self.deletedFlag != 0 }

    var poolCount: Int {
        Int(keyCount) + Int(activeLeadCount) + Int(otherLeadCount) + Int(openCustomerCount)
            + Int(otherCustomerCount) + Int(relatedCount)
    }
}

extension SlabEntry where Record == PartyRecord {
    /// The postings of this party as stored: one per key, none when deleted.
    func postings(_ owner: PartyID) -> [Posting] {
        let r = record
        guard !r.isDeleted, r.keyCount > 0 else { return [] }
        let leadsAt = Int(r.keyCount)
        let customersAt = leadsAt + Int(r.activeLeadCount) + Int(r.otherLeadCount)
        let summary = PostingPayload(
            createdAt: r.createdAt, activeLeadCount: r.activeLeadCount, openCustomerCount: r.openCustomerCount,
            activeLeadID: r.activeLeadCount > 0 ? Int(bitPattern: UInt(word(leadsAt))) : 0,
            openCustomerID: r.openCustomerCount > 0 ? Int(bitPattern: UInt(word(customersAt))) : 0)
        return (0..<Int(r.keyCount)).map { summary.posting(word($0), owner) }
    }
}

/// A lead as stored: 16 bytes, plus one word per contact and one for the company.
///
/// Its words: the main contact (when there is one), the other contacts sorted, then the company.
/// The index keeps whether the lead is deleted and whether its status is won or lost, nothing else.
struct LeadRecord: SlabRecord {
    var id: Int
    var poolStart: UInt32 = 0
    /// Contact count in the low 24 bits; flags above.
    var packed: UInt32

    static let countMask: UInt32 = (1 << 24) - 1
    static let deletedFlag: UInt32 = 1 << 24
    static let closedStatusFlag: UInt32 = 1 << 25
    static let mainFlag: UInt32 = 1 << 26
    static let companyFlag: UInt32 = 1 << 27

    var contactCount: Int { Int(packed & Self.countMask) }
    var isDeleted: Bool { packed & Self.deletedFlag != 0 }
    var hasClosedStatus: Bool { packed & Self.closedStatusFlag != 0 }
    var hasMain: Bool { packed & Self.mainFlag != 0 }
    var hasCompany: Bool { packed & Self.companyFlag != 0 }
    var isActive: Bool { packed & (Self.deletedFlag | Self.closedStatusFlag) == 0 }
    var poolCount: Int { contactCount + (hasCompany ? 1 : 0) }
}

/// A customer as stored: 24 bytes, plus one word per contact and one for the company.
struct CustomerRecord: SlabRecord {
    var id: Int
    /// `Int.min` for none.
    var statusID: Int
    var poolStart: UInt32 = 0
    /// Contact count in the low 24 bits; flags above.
    var packed: UInt32

    static let countMask: UInt32 = (1 << 24) - 1
    static let deletedFlag: UInt32 = 1 << 24
    static let companyFlag: UInt32 = 1 << 27

    var contactCount: Int { Int(packed & Self.countMask) }
    var isDeleted: Bool { packed & Self.deletedFlag != 0 }
    var hasCompany: Bool { packed & Self.companyFlag != 0 }
    var status: Int? { statusID == .min ? nil : statusID }
    var poolCount: Int { contactCount + (hasCompany ? 1 : 0) }
}

// MARK: - Decoded states (writer side)

/// The ids of one kind of link while a batch is staged: sorted, each once (as stored), kept so by
/// ``Swift/Array/insertSorted(_:)`` and ``Swift/Array/removeSorted(_:)``, so that encoding needs no sort.
typealias IDList = [Int]

extension Array where Element == Int {
    /// Inserts `id` at its place in a sorted list, unless it is there.
    mutating func insertSorted(_ id: Int) {
        let i = sortedPosition(of: id)
        if i == count || self[i] != id { insert(id, at: i) }
    }

    /// Removes `id` from a sorted list, if it is there.
    mutating func removeSorted(_ id: Int) {
        let i = sortedPosition(of: id)
        if i < count && self[i] == id { remove(at: i) }
    }

    /// Where `id` is or would go in a sorted list: the first position whose id is not smaller.
    private func sortedPosition(of id: Int) -> Int {
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) >> 1
            if self[mid] < id { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Sorted, each once (without copying when it already is).
    func normalized() -> [Int] {
        var isNormal = true
        for i in indices.dropFirst() where self[i - 1] >= self[i] {
            isNormal = false
            break
        }
        return isNormal ? self : sorted().uniquedSorted()
    }
}

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

/// A lead while a batch is staged.
struct LeadState: Equatable {
    var isDeleted: Bool
    var hasClosedStatus: Bool
    var main: Int?
    /// Every contact, the main one included.
    var contacts: IDList = []
    var company: Int?

    init(isDeleted: Bool, hasClosedStatus: Bool) {
        self.isDeleted = isDeleted
        self.hasClosedStatus = hasClosedStatus
    }

    init(_ entry: SlabEntry<LeadRecord>) {
        let r = entry.record
        isDeleted = r.isDeleted
        hasClosedStatus = r.hasClosedStatus
        let words = entry.words
        contacts = words.prefix(r.contactCount).map { Int(bitPattern: UInt($0)) }
        main = r.hasMain ? contacts.first : nil
        // Stored main first: sorted here, as every staged list is.
        if main != nil && contacts.count > 1 { contacts.sort() }
        company = r.hasCompany ? Int(bitPattern: UInt(words[words.endIndex - 1])) : nil
    }

    var isActive: Bool { !isDeleted && !hasClosedStatus }

    /// The parties whose lead lists hold this lead.
    var parties: [PartyID] {
        var parties = contacts.normalized().map(PartyID.contact)
        if let company { parties.append(.company(company)) }
        return parties
    }

    func encode(id: Int, into pool: inout ContiguousArray<UInt64>) -> LeadRecord {
        let start = UInt32(pool.count)
        if let main { pool.append(UInt64(UInt(bitPattern: main))) }
        for contact in contacts.normalized() where contact != main { pool.append(UInt64(UInt(bitPattern: contact))) }
        let count = pool.count - Int(start)
        if let company { pool.append(UInt64(UInt(bitPattern: company))) }
        precondition(count <= Int(LeadRecord.countMask), "a lead has more than 16,777,215 contacts")
        var packed = UInt32(count)
        if isDeleted { packed |= LeadRecord.deletedFlag }
        if hasClosedStatus { packed |= LeadRecord.closedStatusFlag }
        if main != nil { packed |= LeadRecord.mainFlag }
        if company != nil { packed |= LeadRecord.companyFlag }
        return LeadRecord(id: id, poolStart: start, packed: packed)
    }
}

/// A customer while a batch is staged.
struct CustomerState: Equatable {
    var isDeleted: Bool
    var statusID: Int?
    var contacts: IDList = []
    var company: Int?

    init(isDeleted: Bool, statusID: Int?) {
        self.isDeleted = isDeleted
        self.statusID = statusID
    }

    init(_ entry: SlabEntry<CustomerRecord>) {
        let r = entry.record
        isDeleted = r.isDeleted
        statusID = r.status
        let words = entry.words
        contacts = words.prefix(r.contactCount).map { Int(bitPattern: UInt($0)) }
        company = r.hasCompany ? Int(bitPattern: UInt(words[words.endIndex - 1])) : nil
    }

    /// Not deleted and not in a closed status (whether customers are on is the decision's concern).
    func isOpen(closedStatuses: Set<Int>) -> Bool {
        guard !isDeleted else { return false }
        guard let statusID else { return true }
        return !closedStatuses.contains(statusID)
    }

    var parties: [PartyID] {
        var parties = contacts.normalized().map(PartyID.contact)
        if let company { parties.append(.company(company)) }
        return parties
    }

    func encode(id: Int, into pool: inout ContiguousArray<UInt64>) -> CustomerRecord {
        let start = UInt32(pool.count)
        let contacts = contacts.normalized()
        for contact in contacts { pool.append(UInt64(UInt(bitPattern: contact))) }
        if let company { pool.append(UInt64(UInt(bitPattern: company))) }
        precondition(contacts.count <= Int(CustomerRecord.countMask), "a customer has more than 16,777,215 contacts")
        var packed = UInt32(contacts.count)
        if isDeleted { packed |= CustomerRecord.deletedFlag }
        if company != nil { packed |= CustomerRecord.companyFlag }
        return CustomerRecord(id: id, statusID: statusID ?? .min, poolStart: start, packed: packed)
    }
}
