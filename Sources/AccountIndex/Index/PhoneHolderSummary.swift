/// A contact or company as the index keeps it.
public struct PhoneHolderSummary: Hashable, Sendable, CustomStringConvertible {
    public let entity: EntityRef
    public let createdAt: Int
    public let isDeleted: Bool
    /// The numbers found in its phone values, sorted.
    public let phoneKeys: [PhoneKey]
    /// Linked leads that are active, sorted.
    public let activeLeadIDs: [Int]
    /// Linked leads that are deleted, won or lost, sorted.
    public let otherLeadIDs: [Int]
    /// Linked customers that are neither deleted nor closed, sorted.
    public let openCustomerIDs: [Int]
    /// Linked customers that are deleted or closed, sorted.
    public let otherCustomerIDs: [Int]
    /// For a contact, its company (at most one); for a company, its contacts, sorted.
    public let relatedIDs: [Int]

    init(_ entry: SlabEntry<PartyRecord>, isCompany: Bool) {
        let state = PartyState(entry)
        entity = EntityRef(kind: isCompany ? .company : .contact, id: entry.record.id)
        createdAt = state.createdAt
        isDeleted = state.isDeleted
        phoneKeys = state.keys.map(PhoneKey.init(rawValue:))
        activeLeadIDs = state.activeLeads
        otherLeadIDs = state.otherLeads
        openCustomerIDs = state.openCustomers
        otherCustomerIDs = state.otherCustomers
        relatedIDs = state.related
    }

    public var description: String {
        var text = "\(entity) created=\(createdAt)"
        if isDeleted { text += " deleted" }
        text +=
            " phones=\(phoneKeys) leads=\(activeLeadIDs)+\(otherLeadIDs) customers=\(openCustomerIDs)+\(otherCustomerIDs)"
        return text + (entity.kind == .contact ? " company=\(relatedIDs)" : " contacts=\(relatedIDs)")
    }
}
