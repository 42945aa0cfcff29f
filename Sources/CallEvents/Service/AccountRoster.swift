import AccountIndex
import ScreenPopSupport

/// The account's users, its entities' names and facts, and its labels (users' and pipelines' names,
/// its amoCRM address) as they are now: read by every request, changed by whatever keeps the account
/// current (a sync, webhooks), so that a user added in amoCRM can be notified and a renamed lead
/// shows its new name without a restart.
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
        var labels: AccountLabels
    }

    private let state: LockedValue<State>

    public init(users: some Sequence<Int>, names: EntityNames = EntityNames(), labels: AccountLabels = AccountLabels()) {
        state = LockedValue(State(users: Users(users), names: names, labels: labels))
    }

    /// The users now.
    public var users: Users { state.withLock { $0.users } }

    /// The entity's name now, nil when unknown or empty.
    public func name(of entity: EntityRef) -> String? { state.withLock { $0.names[entity] } }

    /// Everything known of the entity now; nil when nothing is.
    public func facts(of entity: EntityRef) -> EntityFacts? { state.withLock { $0.names.facts(of: entity) } }

    /// The account's labels now.
    public var labels: AccountLabels { state.withLock { $0.labels } }

    /// Reads several entities' facts and the labels under one acquisition of the lock (a card
    /// needs up to a dozen). Do not keep the view: a change made while one is kept copies every
    /// name.
    public func withFacts<Result>(_ body: (FactsView) -> Result) -> Result {
        state.withLock { state in body(FactsView(names: state.names, labels: state.labels)) }
    }

    /// The facts and labels as ``withFacts(_:)`` shows them.
    public struct FactsView {
        let names: EntityNames
        public let labels: AccountLabels

        public func facts(of entity: EntityRef) -> EntityFacts? { names.facts(of: entity) }
        public func name(of entity: EntityRef) -> String? { names[entity] }
    }

    /// How many entities have something known (a name or another fact).
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

    /// Sets facts (an empty ``EntityFacts`` forgets the entity).
    public func setFacts(_ facts: some Sequence<(EntityRef, EntityFacts)>) {
        state.withLock { state in
            for (entity, entityFacts) in facts { state.names.set(entityFacts, for: entity) }
        }
    }

    /// Replaces every name and fact.
    public func replaceNames(_ names: EntityNames) {
        state.withLock { $0.names = names }
    }

    /// Replaces the labels.
    public func setLabels(_ labels: AccountLabels) {
        state.withLock { $0.labels = labels }
    }

    /// Changes the labels in place (a sync that learnt a user's new name).
    public func updateLabels(_ change: (inout AccountLabels) -> Void) {
        state.withLock { change(&$0.labels) }
    }
}
