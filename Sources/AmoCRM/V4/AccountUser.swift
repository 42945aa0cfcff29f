/// A user of the account (`GET /api/v4/users`): who a `responsible_user_id` is.
public struct AccountUser: Hashable, Sendable {
    public var id: Int
    public var name: String
    public var email: String?

    public init(id: Int, name: String = "", email: String? = nil) {
        self.id = id
        self.name = name
        self.email = email
    }
}
