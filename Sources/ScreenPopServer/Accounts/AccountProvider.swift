import AccountIndex
import CallEvents

/// Where a server of many accounts finds its accounts: supplied by the embedding code (the CLI,
/// over a store). The server knows nothing of stores.
///
/// The lookups are asked on every request and see only the SHA-256 of what the client sent
/// (``AccountSecret``): keep the hashes in memory, and compare with
/// ``AccountSecret/hashesEqual(_:_:)``. ``load(accountID:)`` is asked once per load of an
/// account: on its first request, and again after the server evicted it.
public protocol AccountProvider: Sendable {
    /// The account whose API token has this SHA-256, or nil.
    func accountID(forAPITokenHash hash: [UInt8]) async -> Int?

    /// The account whose webhook secret (the path segment of `POST /amocrm/webhooks/<secret>`,
    /// as sent) has this SHA-256, or nil.
    func accountID(forWebhookSecretHash hash: [UInt8]) async -> Int?

    /// Whether the account is one of this provider's now (a stream ticket names its account:
    /// one removed since is refused rather than loaded).
    func hasAccount(_ accountID: Int) async -> Bool

    /// What the server needs to serve the account.
    ///
    /// - Throws: Anything, meaning "cannot load now": the request gets 503
    ///   (`account_unavailable`), nothing is cached, and the next request tries again.
    func load(accountID: Int) async throws -> ServedAccountParts
}

/// What an ``AccountProvider`` loads for one account.
public struct ServedAccountParts: Sendable {
    /// The account's index.
    public var index: AccountIndex
    /// Its users, names, describer and the API's limits.
    public var events: CallEventsConfiguration
    /// What keeps it current (webhooks in, sync status out); nil for a fixed account.
    public var feed: (any AccountFeed)?
    /// An estimate of the memory it holds, in bytes: what ``ServerConfiguration/maxMemoryBytes``
    /// is counted against.
    public var memoryBytes: Int
    /// Called once when the server evicts the account (after its hub shut down): close what
    /// `load` opened.
    public var unload: @Sendable () async -> Void

    public init(
        index: AccountIndex, events: CallEventsConfiguration, feed: (any AccountFeed)? = nil, memoryBytes: Int = 0,
        unload: @escaping @Sendable () async -> Void = {}
    ) {
        self.index = index
        self.events = events
        self.feed = feed
        self.memoryBytes = memoryBytes
        self.unload = unload
    }
}

/// The provider of a server of one account (``ScreenPopServer/init(index:events:configuration:additionalSinks:feed:logger:)``):
/// the configuration's token and webhook secret, and the account, which is loaded from the start.
///
/// A class, not a struct: every request asks it through `any AccountProvider`, and a struct of
/// this size would be copied out of the existential for each call.
final class SingleAccountProvider: AccountProvider {
    static let accountID = 0

    let tokenHash: [UInt8]?
    let secretHash: [UInt8]?
    let parts: ServedAccountParts

    init(tokenHash: [UInt8]?, secretHash: [UInt8]?, parts: ServedAccountParts) {
        self.tokenHash = tokenHash
        self.secretHash = secretHash
        self.parts = parts
    }

    func accountID(forAPITokenHash hash: [UInt8]) async -> Int? {
        guard let tokenHash, AccountSecret.hashesEqual(tokenHash, hash) else { return nil }
        return Self.accountID
    }

    func accountID(forWebhookSecretHash hash: [UInt8]) async -> Int? {
        guard let secretHash, AccountSecret.hashesEqual(secretHash, hash) else { return nil }
        return Self.accountID
    }

    func hasAccount(_ accountID: Int) async -> Bool { accountID == Self.accountID }

    func load(accountID: Int) async throws -> ServedAccountParts { parts }
}
