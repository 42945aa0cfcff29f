import AccountIndex
import AmoCRM

/// An account as a store keeps it: what the index is built from, what notifications show, and
/// amoCRM's account object, users and customer statuses.
public struct StoredAccount: Hashable, Sendable {
    /// The account's id in the store: amoCRM's account id (`account.json`'s `id`), 0 when unknown.
    public var accountID: Int
    public var account: AccountObject
    /// Entities and links, in the order they were stored.
    public var data: AccountData
    /// Names, times, responsible users and pipelines, in the order of ``data``'s arrays.
    public var details: AccountDetails
    public var users: [AccountUser]
    public var customerStatuses: [CustomerStatus]

    public init(
        account: AccountObject, data: AccountData, details: AccountDetails, users: [AccountUser],
        customerStatuses: [CustomerStatus]
    ) {
        self.accountID = account.id ?? 0
        self.account = account
        self.data = data
        self.details = details
        self.users = users
        self.customerStatuses = customerStatuses
    }

    /// An account loaded from a directory of pages.
    public init(_ loaded: LoadedAccount) {
        self.init(
            account: loaded.account, data: loaded.data, details: loaded.details, users: loaded.users,
            customerStatuses: loaded.customerStatuses)
    }

    /// The names of the entities, for notifications.
    public var entityNames: [(EntityRef, String)] { details.names(of: data) }
}

/// Where an instance keeps its account: the system of record that the index is built from at
/// start.
///
/// Every row carries the account's id, so that one schema serves one account today and many
/// later. A write is one transaction: after a crash the store holds all of it or none of it.
public protocol AccountStore: Sendable {
    /// Replaces everything stored for `account.accountID` with `account`, in one transaction.
    func replace(with account: StoredAccount) throws(StoreError)
    /// The stored accounts' ids, ascending.
    func accountIDs() throws(StoreError) -> [Int]
    /// The account with `accountID`, nil when the store has none; `suffixFallback` goes into the
    /// index's settings (it is a choice of the instance, not a fact of the account).
    func load(accountID: Int, suffixFallback: SuffixFallback) throws(StoreError) -> StoredAccount?
    /// Merges `batches` into the account, in order, in one transaction (a group commit), and says
    /// what changed. An update older than the stored entity changes nothing (``StoreChanges/staleCount``).
    /// When this returns the changes are durable; when it throws nothing of them was written.
    func apply(_ batches: [StoreBatch], accountID: Int) throws(StoreError) -> StoreChanges
    /// The account's sync state: cursors, the last listing run, tokens.
    func syncState(accountID: Int) throws(StoreError) -> [String: String]
    /// Entities of `kind` that are not deleted, were not seen by the listing run `run`, and were
    /// last updated before `updatedBefore`: what a full listing did not find, ascending.
    func unseenIDs(accountID: Int, kind: EntityKind, run: Int, updatedBefore: Int) throws(StoreError) -> [Int]
    /// How many entities of each kind the account holds, deleted ones apart.
    func entityCounts(accountID: Int) throws(StoreError) -> [EntityKind: Int]
}

extension AccountStore {
    /// The store's only account, nil when it has none.
    ///
    /// - Throws: ``StoreError`` when it holds several: name one with ``load(accountID:suffixFallback:)``.
    public func loadOnlyAccount(suffixFallback: SuffixFallback = SuffixFallback()) throws(StoreError) -> StoredAccount?
    {
        let ids = try accountIDs()
        guard ids.count <= 1 else {
            throw StoreError("the store holds \(ids.count) accounts (\(ids.map(String.init).joined(separator: ", "))); name one")
        }
        guard let id = ids.first else { return nil }
        return try load(accountID: id, suffixFallback: suffixFallback)
    }
}

/// Why a store could not be opened, read or written: what, and where.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
