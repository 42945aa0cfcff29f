/// A lead as the index keeps it.
public struct LeadSummary: Hashable, Sendable, CustomStringConvertible {
    public let id: Int
    public let isDeleted: Bool
    /// Whether its status is won (142) or lost (143).
    public let hasClosedStatus: Bool
    public let mainContactID: Int?
    /// Every contact, sorted.
    public let contactIDs: [Int]
    public let companyID: Int?

    /// Not deleted, and neither won nor lost (``Lead/isActive``).
    public var isActive: Bool { Lead.isActive(isDeleted: isDeleted, hasClosedStatus: hasClosedStatus) }

    init(_ entry: SlabEntry<LeadRecord>) {
        let state = LeadState(entry)
        id = entry.record.id
        isDeleted = state.isDeleted
        hasClosedStatus = state.hasClosedStatus
        mainContactID = state.main
        contactIDs = state.contacts.sorted()
        companyID = state.company
    }

    public var description: String {
        var text = "lead \(id)"
        if isDeleted { text += " deleted" }
        if hasClosedStatus { text += " closed" }
        text += " contacts=\(contactIDs)"
        if let mainContactID { text += " main=\(mainContactID)" }
        if let companyID { text += " company=\(companyID)" }
        return text
    }
}
