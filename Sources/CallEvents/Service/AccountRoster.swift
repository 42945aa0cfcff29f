import AccountIndex
import ScreenPopSupport

/// The account's users and its entities' names as they are now: read by every request, changed by
/// whatever keeps the account current (a sync, webhooks), so that a user added in amoCRM can be
/// notified and a renamed lead shows its new name without a restart.
///
/// The users are an immutable value swapped whole (a request takes it once and checks all its
/// events against it); the names are looked up one at a time under a short lock, because a copy of
/// a million names for every change would cost more than every lookup together.
public final class AccountRoster: Sendable {
    /// The account's users at one moment.
    public struct Users: Hashable, Sendable {
        /// Ascending, without repeats: who "every user" is.
        public let ids: [Int]
        @usableFromInline let set: Set<Int>

        public init(_ ids: some Sequence<Int>) {
            let set = Set(ids)
            self.set = set
            self.ids = set.sorted()
        }

        @inlinable
        public func contains(_ user: Int) -> Bool { set.contains(user) }
    }

    private struct State {
        var users: Users
        var names: EntityNames
    }

    private let state: LockedValue<State>

    public init(users: some Sequence<Int>, names: EntityNames = EntityNames()) {
        state = LockedValue(State(users: Users(users), names: names))
    }

    /// The users now.
    public var users: Users { state.withLock { $0.users } }

    /// The entity's name now, nil when unknown or empty.
    public func name(of entity: EntityRef) -> String? { state.withLock { $0.names[entity] } }

    /// How many entities have a name.
    public var nameCount: Int { state.withLock { $0.names.count } }

    /// Replaces the users.
    public func setUsers(_ users: some Sequence<Int>) {
        let users = Users(users)
        state.withLock { $0.users = users }
    }

    /// Sets names (an empty name removes the entity's).
    public func setNames(_ names: some Sequence<(EntityRef, String)>) {
        state.withLock { state in
            for (entity, name) in names { state.names[entity] = name }
        }
    }

    /// Replaces every name.
    public func replaceNames(_ names: EntityNames) {
        state.withLock { $0.names = names }
    }
}
