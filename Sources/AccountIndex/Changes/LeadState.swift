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

    /// ``Lead/isActive``.
    var isActive: Bool { Lead.isActive(isDeleted: isDeleted, hasClosedStatus: hasClosedStatus) }

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
