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

    /// ``Customer/isOpen(closedStatuses:)``.
    func isOpen(closedStatuses: Set<Int>) -> Bool {
        Customer.isOpen(isDeleted: isDeleted, statusID: statusID, closedStatuses: closedStatuses)
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
