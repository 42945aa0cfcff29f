/// An amoCRM contact, as the index takes it in.
///
/// Only ``id``, ``createdAt``, ``isDeleted`` and the numbers found in ``phones`` reach the index;
/// the other fields are carried so that a loader can hand over amoCRM's record unchanged. Links to
/// leads, customers and a company are ``AccountLink`` values, not fields.
public struct Contact: Hashable, Sendable {
    public var id: Int
    public var name: String
    /// Unix time, seconds.
    public var createdAt: Int
    /// Unix time, seconds.
    public var updatedAt: Int
    /// In amoCRM's trash: never a candidate for a call.
    public var isDeleted: Bool
    public var responsibleUserID: Int?
    public var phones: [PhoneValue]

    public init(
        id: Int, name: String = "", createdAt: Int = 0, updatedAt: Int? = nil, isDeleted: Bool = false,
        responsibleUserID: Int? = nil, phones: [PhoneValue] = []
    ) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.isDeleted = isDeleted
        self.responsibleUserID = responsibleUserID
        self.phones = phones
    }
}
