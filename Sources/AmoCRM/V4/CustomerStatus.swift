/// One status of amoCRM's customers (`GET /api/v4/customers/statuses`).
public struct CustomerStatus: Hashable, Sendable {
    /// amoCRM's `type` of the status: 3 is "closed".
    public static let closedType = 3

    public var id: Int
    public var name: String
    /// amoCRM's status type: 0 regular, 1 expected purchase, 2 did not purchase, 3 closed,
    /// 4 recently purchased; nil when absent.
    public var type: Int?

    public init(id: Int, name: String = "", type: Int?) {
        self.id = id
        self.name = name
        self.type = type
    }

    /// Of type 3: customers in it do not count for a call.
    public var isClosed: Bool { type == Self.closedType }
}
