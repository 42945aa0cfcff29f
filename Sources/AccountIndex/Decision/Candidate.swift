/// A contact or company that has the caller's number, with what the decision needs of its links.
///
/// ``AccountSnapshot/resolve(_:options:)`` makes these from the index; tests and other callers can
/// make them directly and hand them to ``CallTargetDecision/init(callerNumber:matchLevel:candidates:customersEnabled:policy:)``.
public struct Candidate: Hashable, Sendable, CustomStringConvertible {
    /// The contact or company.
    public let entity: EntityRef
    /// Unix time, seconds: the candidate policy's second criterion.
    public let createdAt: Int
    /// The stored number that matched (for a ``MatchLevel/suffix(digits:)`` match, not the caller's).
    public let matchedNumber: PhoneKey
    /// The linked entities that count.
    public let links: LinkedEntities

    public init(entity: EntityRef, createdAt: Int, matchedNumber: PhoneKey, links: LinkedEntities) {
        self.entity = entity
        self.createdAt = createdAt
        self.matchedNumber = matchedNumber
        self.links = links
    }

    public var description: String { "\(entity) (created \(createdAt), \(matchedNumber); \(links))" }
}

/// What counts among a contact's or company's linked leads and customers.
public struct LinkedEntities: Hashable, Sendable, CustomStringConvertible {
    /// Linked leads that are not deleted, won (142) or lost (143).
    public let activeLeadCount: Int
    /// The active lead, when there is exactly one.
    public let activeLeadID: Int?
    /// Linked customers that are neither deleted nor closed, whether or not the account has
    /// customers switched on (the decision applies that setting).
    public let openCustomerCount: Int
    /// The open customer, when there is exactly one.
    public let openCustomerID: Int?

    /// - Parameters:
    ///   - activeLeads: The ids of the active leads.
    ///   - openCustomers: The ids of the open customers.
    public init(activeLeads: [Int] = [], openCustomers: [Int] = []) {
        self.init(
            activeLeadCount: activeLeads.count, activeLeadID: activeLeads.count == 1 ? activeLeads[0] : nil,
            openCustomerCount: openCustomers.count, openCustomerID: openCustomers.count == 1 ? openCustomers[0] : nil)
    }

    init(activeLeadCount: Int, activeLeadID: Int?, openCustomerCount: Int, openCustomerID: Int?) {
        self.activeLeadCount = activeLeadCount
        self.activeLeadID = activeLeadCount == 1 ? activeLeadID : nil
        self.openCustomerCount = openCustomerCount
        self.openCustomerID = openCustomerCount == 1 ? openCustomerID : nil
    }

    public var description: String { "\(activeLeadCount) active leads, \(openCustomerCount) open customers" }
}
