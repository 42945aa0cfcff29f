/// A store that several instances share (PostgreSQL): every committed transaction has an entry in
/// the store's change log, so that an instance that serves the account from memory can follow what
/// the others wrote, in the order it was written.
///
/// An account's entries are in commit order: a store serializes the writes of one account, so that
/// a follower that applies them by ascending ``LoggedChange/sequence`` never sees a later state of
/// an entity before an earlier one.
public protocol SharedAccountStore: AccountStore {
    /// This process's name in the change log's `origin`: an instance knows its own entries.
    var origin: String { get }
    /// The account's change-log entries after `sequence`, ascending, at most `limit`.
    func changes(accountID: Int, after sequence: Int64, limit: Int) async throws(StoreError) -> [LoggedChange]
    /// The account's last change-log sequence (0 when it has none).
    func lastSequence(accountID: Int) async throws(StoreError) -> Int64
}

/// One entry of a shared store's change log.
public struct LoggedChange: Sendable {
    public enum Kind: Sendable {
        /// A transaction of ``AccountStore/apply(_:accountID:)``: what it changed.
        case changes(StoreChanges)
        /// The whole account was replaced (an import): a follower reloads it.
        case replaced
        /// The account was removed.
        case removed
    }

    public var sequence: Int64
    public var accountID: Int
    /// The ``SharedAccountStore/origin`` of the process that wrote it.
    public var origin: String
    public var kind: Kind

    public init(sequence: Int64, accountID: Int, origin: String, kind: Kind) {
        self.sequence = sequence
        self.accountID = accountID
        self.origin = origin
        self.kind = kind
    }
}
