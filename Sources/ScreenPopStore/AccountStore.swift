import AccountIndex
import AmoCRM

/// An account as a store keeps it: what the index is built from, what notifications show, and
/// amoCRM's account object, users, customer statuses and lead pipelines.
public struct StoredAccount: Hashable, Sendable {
    /// The account's id in the store: amoCRM's account id (`account.json`'s `id`), 0 when unknown.
    public var accountID: Int
    public var account: AccountObject
    /// Entities and links, in the order they were stored.
    public var data: AccountData
    /// Names, times, responsible users, pipelines and prices, in the order of ``data``'s arrays.
    public var details: AccountDetails
    public var users: [AccountUser]
    public var customerStatuses: [CustomerStatus]
    /// The lead pipelines and their statuses, one per id (``AmoCRM/LeadPipeline/normalized(_:)``).
    public var pipelines: [LeadPipeline]

    public init(
        account: AccountObject, data: AccountData, details: AccountDetails, users: [AccountUser],
        customerStatuses: [CustomerStatus], pipelines: [LeadPipeline] = []
    ) {
        self.accountID = account.id ?? 0
        self.account = account
        self.data = data
        self.details = details
        self.users = users
        self.customerStatuses = customerStatuses
        self.pipelines = pipelines
    }

    /// An account loaded from a directory of pages.
    public init(_ loaded: LoadedAccount) {
        self.init(
            account: loaded.account, data: loaded.data, details: loaded.details, users: loaded.users,
            customerStatuses: loaded.customerStatuses, pipelines: loaded.pipelines)
    }

    /// The names of the entities, for notifications.
    public var entityNames: [(EntityRef, String)] { details.names(of: data) }
}

/// Where an instance keeps its accounts: the system of record that an index is built from when an
/// account is first served.
///
/// Every row carries the account's id, so that one store serves any number of accounts. A write is
/// one transaction: after a crash the store holds all of it or none of it. The methods are async
/// because a store may be a server (PostgreSQL); an embedded one (SQLite) does its blocking work
/// off the tasks' threads.
public protocol AccountStore: Sendable {
    /// Replaces everything stored for `account.accountID` with `account`, in one transaction.
    func replace(with account: StoredAccount) async throws(StoreError)
    /// The stored accounts' ids, ascending.
    func accountIDs() async throws(StoreError) -> [Int]
    /// The account with `accountID`, nil when the store has none; `suffixFallback` goes into the
    /// index's settings (it is a choice of the instance, not a fact of the account).
    func load(accountID: Int, suffixFallback: SuffixFallback) async throws(StoreError) -> StoredAccount?
    /// Merges `batches` into the account, in order, in one transaction (a group commit), and says
    /// what changed. An update older than the stored entity changes nothing (``StoreChanges/staleCount``).
    /// When this returns the changes are durable; when it throws nothing of them was written.
    func apply(_ batches: [StoreBatch], accountID: Int) async throws(StoreError) -> StoreChanges
    /// The account's sync state: cursors, the last listing run, tokens.
    func syncState(accountID: Int) async throws(StoreError) -> [String: String]
    /// Entities of `kind` that are not deleted, were not seen by the listing run `run`, and were
    /// last updated before `updatedBefore`: what a full listing did not find, ascending.
    func unseenIDs(accountID: Int, kind: EntityKind, run: Int, updatedBefore: Int) async throws(StoreError) -> [Int]
    /// How many entities of each kind the account holds, deleted ones apart.
    func entityCounts(accountID: Int) async throws(StoreError) -> [EntityKind: Int]

    /// Every registered account (those a server serves, with the hashes of their credentials),
    /// ascending by id.
    func registrations() async throws(StoreError) -> [AccountRegistration]
    /// Inserts or replaces the registration of `registration.accountID`.
    func register(_ registration: AccountRegistration) async throws(StoreError)
    /// Removes the account: its registration and everything stored for it, in one transaction.
    func removeAccount(accountID: Int) async throws(StoreError)

    /// The server-wide secret called `name` (the stream tickets' signing key), made by `make` and
    /// kept when the store has none yet. Every instance on the store gets the same bytes: when two
    /// make one at once, the first kept wins and both return it.
    func serverSecret(named name: String, orMake make: @Sendable () -> [UInt8]) async throws(StoreError) -> [UInt8]
}

extension AccountStore {
    /// The store's only account, nil when it has none.
    ///
    /// - Throws: ``StoreError`` when it holds several: name one with ``load(accountID:suffixFallback:)``.
    public func loadOnlyAccount(suffixFallback: SuffixFallback = SuffixFallback()) async throws(StoreError)
        -> StoredAccount?
    {
        let ids = try await accountIDs()
        guard ids.count <= 1 else {
            throw StoreError("the store holds \(ids.count) accounts (\(ids.map(String.init).joined(separator: ", "))); name one")
        }
        guard let id = ids.first else { return nil }
        return try await load(accountID: id, suffixFallback: suffixFallback)
    }
}

/// An account a server serves, as the store keeps it: who it is at amoCRM, and the hashes of the
/// credentials that select it (the API token its integration sends, the secret in its webhooks'
/// path). The credentials themselves are shown once, when made, and never stored.
public struct AccountRegistration: Hashable, Sendable {
    public var accountID: Int
    /// The account's amoCRM subdomain (`example` of example.amocrm.ru).
    public var subdomain: String
    /// amoCRM's base URL for sync, when the server keeps the account current by itself.
    public var amocrmURL: String?
    /// SHA-256 of the API token.
    public var apiTokenHash: [UInt8]
    /// SHA-256 of the webhook secret.
    public var webhookSecretHash: [UInt8]
    /// Unix seconds.
    public var createdAt: Int

    public init(
        accountID: Int, subdomain: String, amocrmURL: String?, apiTokenHash: [UInt8], webhookSecretHash: [UInt8],
        createdAt: Int
    ) {
        self.accountID = accountID
        self.subdomain = subdomain
        self.amocrmURL = amocrmURL
        self.apiTokenHash = apiTokenHash
        self.webhookSecretHash = webhookSecretHash
        self.createdAt = createdAt
    }
}

/// Why a store could not be opened, read or written: what, and where.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
