/// A store that several instances share (PostgreSQL): each write is logged, so that an instance
/// that did not make it can bring its index up to date.
///
/// An instance follows the log of each account it serves: after a notification, or after its
/// connection to the store came back (notifications may have been missed), it reads
/// ``changes(accountID:after:limit:)`` from the last sequence it applied, skipping its own
/// (``origin``).
public protocol SharedAccountStore: AccountStore {
    /// This process's name in the change log's `origin` (so an instance can skip its own changes).
    var origin: String { get }
    /// The account's logged changes with a sequence above `sequence`, ascending, at most `limit`.
    func changes(accountID: Int, after sequence: Int64, limit: Int) async throws(StoreError) -> [LoggedChange]
    /// The account's last logged sequence, 0 when none: where a follower that just loaded the
    /// account starts.
    func lastSequence(accountID: Int) async throws(StoreError) -> Int64
}

/// One entry of a shared store's change log: one transaction's effect on one account.
public struct LoggedChange: Sendable, Equatable {
    /// The log's order, across all accounts; a later transaction has a larger one.
    public var sequence: Int64
    public var accountID: Int
    /// The ``SharedAccountStore/origin`` of the instance that wrote it.
    public var origin: String
    public var kind: Kind

    public init(sequence: Int64, accountID: Int, origin: String, kind: Kind) {
        self.sequence = sequence
        self.accountID = accountID
        self.origin = origin
        self.kind = kind
    }

    /// What the transaction did, as a follower needs it.
    public enum Kind: Sendable, Equatable {
        /// Merged batches: apply these to the index and the names.
        case changes(StoreChanges)
        /// The whole account was replaced (an import): load it again.
        case replaced
        /// The account was removed: stop serving it.
        case removed
    }
}
