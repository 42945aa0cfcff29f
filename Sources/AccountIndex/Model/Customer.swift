/// An amoCRM customer (repeat-sales entity), as the index takes it in.
///
/// A customer *counts* for a call unless it is deleted, or closed (its status is one of the
/// account's ``AccountSettings/closedCustomerStatusIDs``), or the account has customers switched
/// off (``AccountSettings/customersEnabled``).
public struct Customer: Hashable, Sendable {
    public var id: Int
    public var isDeleted: Bool
    /// The customer's status (segment) id; nil when amoCRM gives none.
    public var statusID: Int?

    public init(id: Int, isDeleted: Bool = false, statusID: Int? = nil) {
        self.id = id
        self.isDeleted = isDeleted
        self.statusID = statusID
    }
}

// The rule of what makes a customer open, in one place: the bulk build, the change batches and
// the invariant checks all ask here.
extension Customer {
    /// Whether the customer is open: not deleted, and not in one of the account's closed statuses
    /// (`closedStatuses`: ``AccountSettings/closedCustomerStatusIDs``). An open customer counts for a
    /// call when the account has customers switched on, which the decision checks
    /// (``CallTargetDecision``).
    public func isOpen(closedStatuses: Set<Int>) -> Bool {
        Customer.isOpen(isDeleted: isDeleted, statusID: statusID, closedStatuses: closedStatuses)
    }

    /// ``isOpen(closedStatuses:)`` from what the index keeps of a customer: its deleted flag and status.
    static func isOpen(isDeleted: Bool, statusID: Int?, closedStatuses: Set<Int>) -> Bool {
        guard !isDeleted else { return false }
        guard let statusID else { return true }
        return !closedStatuses.contains(statusID)
    }
}
