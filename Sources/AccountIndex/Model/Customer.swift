/// An amoCRM customer (repeat-sales entity), as the index takes it in.
///
/// A customer *counts* for a call unless it is deleted, or closed (its status is one of the
/// account's ``AccountSettings/closedCustomerStatusIDs``), or the account has customers switched
/// off (``AccountSettings/customersEnabled``).
public struct Customer: Hashable, Sendable {
    public var id: Int
    public var name: String
    public var createdAt: Int
    public var updatedAt: Int
    public var isDeleted: Bool
    public var responsibleUserID: Int?
    /// The customer's status (segment) id; nil when amoCRM gives none.
    public var statusID: Int?

    public init(
        id: Int, name: String = "", createdAt: Int = 0, updatedAt: Int? = nil, isDeleted: Bool = false,
        responsibleUserID: Int? = nil, statusID: Int? = nil
    ) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.isDeleted = isDeleted
        self.responsibleUserID = responsibleUserID
        self.statusID = statusID
    }
}
