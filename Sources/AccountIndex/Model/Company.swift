/// An amoCRM company, as the index takes it in. The same fields as ``Contact``, in a type of its
/// own, as in amoCRM: a contact's id cannot be upserted as a company's by mistake.
public struct Company: Hashable, Sendable {
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
