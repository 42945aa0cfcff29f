/// A customer as the index keeps it.
public struct CustomerSummary: Hashable, Sendable, CustomStringConvertible {
    public let id: Int
    public let isDeleted: Bool
    public let statusID: Int?
    /// Every contact, sorted.
    public let contactIDs: [Int]
    public let companyID: Int?

    init(_ entry: SlabEntry<CustomerRecord>) {
        let state = CustomerState(entry)
        id = entry.record.id
        isDeleted = state.isDeleted
        statusID = state.statusID
        contactIDs = state.contacts
        companyID = state.company
    }

    public var description: String {
        var text = "customer \(id)"
        if isDeleted { text += " deleted" }
        text += " status=\(statusID.map(String.init) ?? "none") contacts=\(contactIDs)"
        if let companyID { text += " company=\(companyID)" }
        return text
    }
}
