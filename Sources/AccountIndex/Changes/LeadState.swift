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
        contacts = entry.storedContacts
        main = entry.main
        // Stored main first: sorted here, as every staged list is.
        if main != nil && contacts.count > 1 { contacts.sort() }
        company = entry.company
    }

    /// ``Lead/isActive``.
    var isActive: Bool { Lead.isActive(isDeleted: isDeleted, hasClosedStatus: hasClosedStatus) }

    /// The parties whose lead lists hold this lead.
    var parties: [PartyID] {
        var parties = contacts.normalized().map(PartyID.contact)
        if let company { parties.append(.company(company)) }
        return parties
    }

    /// The record and words of this lead (``LeadRecord/encode(id:isDeleted:hasClosedStatus:main:contacts:company:into:)``).
    func encode(id: Int, into pool: inout ContiguousArray<UInt64>) -> LeadRecord {
        LeadRecord.encode(
            id: id, isDeleted: isDeleted, hasClosedStatus: hasClosedStatus, main: main,
            contacts: { write in for contact in contacts.normalized() { write(contact) } },
            company: company, into: &pool)
    }
}
