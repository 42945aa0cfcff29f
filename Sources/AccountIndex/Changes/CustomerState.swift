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
        contacts = entry.contacts
        company = entry.company
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

    /// The record and words of this customer (``CustomerRecord/encode(id:isDeleted:statusID:contacts:company:into:)``).
    func encode(id: Int, into pool: inout ContiguousArray<UInt64>) -> CustomerRecord {
        CustomerRecord.encode(
            id: id, isDeleted: isDeleted, statusID: statusID,
            contacts: { write in for contact in contacts.normalized() { write(contact) } }, company: company,
            into: &pool)
    }
}
