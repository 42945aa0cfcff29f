import AccountIndex
import CallEvents
import Logging
import NIOConcurrencyHelpers
import ScreenPopSupport

/// One account as this server instance serves it: its index, users and names, feed, live streams
/// and API service.
public final class ServedAccount: Sendable {
    /// The account's id, as the ``AccountProvider`` knows it.
    public let id: Int
    public let index: AccountIndex
    public let events: CallEventsConfiguration
    /// What keeps the account current; nil for a fixed account.
    public let feed: (any AccountFeed)?
    /// The account's live streams.
    public let hub: NotificationHub
    /// The provider's estimate of the memory the account holds.
    public let memoryBytes: Int
    let service: CallEventsService<FanOutSink>
    let unload: @Sendable () async -> Void
    /// The server's metrics (a post's resolve phase is timed).
    let metrics: ServerMetrics
    /// The feed's sync errors already added to `screenpop_sync_errors_total`.
    let reportedSyncErrors = NIOLockedValueBox(0)

    init(id: Int, parts: ServedAccountParts, hub: NotificationHub, sink: FanOutSink, metrics: ServerMetrics) {
        self.id = id
        self.index = parts.index
        self.events = parts.events
        self.feed = parts.feed
        self.memoryBytes = parts.memoryBytes
        self.unload = parts.unload
        self.hub = hub
        self.service = CallEventsService(index: parts.index, configuration: parts.events, sink: sink)
        self.metrics = metrics
    }

    /// Makes `users` the account's users: in its roster (who may be notified) and its hub (who may
    /// open a stream; a user who is gone loses their streams). For the embedding code, when a sync
    /// changed the users.
    public func setUsers(_ users: some Sequence<Int>) {
        let ids = Array(users)
        events.roster.setUsers(ids)
        hub.setUsers(ids)
    }
}

/// The hub of an account, then the relay: the sink of every account's service.
struct RelayingHubSink: NotificationSink {
    let accountID: Int
    let hub: NotificationHub
    let relay: (any CallRelay)?
    let origin: UInt64

    func deliver(_ notifications: [CallNotification]) async {
        guard let relay else {
            await hub.deliver(notifications)
            return
        }
        let events = hub.deliver(notifications, encodingAll: true)
        guard !events.isEmpty else { return }
        await relay.publish(accountID: accountID, payload: RelayPayload(origin: origin, events: events).encoded())
    }
}

/// The accounts this server instance has loaded, keyed by id: loaded on their first request,
/// evicted when memory runs short.
///
/// - A request for an account that is not loaded loads it (``AccountProvider/load(accountID:)``);
///   requests that come while it loads wait for that one load. A failed load is not kept: the
///   requests get 503, and the next one tries again.
/// - After a load, while the accounts' ``ServedAccount/memoryBytes`` add up to more than
///   ``ServerConfiguration/maxMemoryBytes``, the least recently used account is evicted, if it
///   has no open stream and no request in flight and is not the one just loaded. Accounts with
///   streams stay, even over the budget: a user's open stream is not cut for memory.
///
/// ```swift
/// server.accounts.loadedAccountIDs          // [17, 42]
/// server.accounts.account(42)?.setUsers(ids) // a sync changed the users
/// ```
public final class ServedAccounts: Sendable {
    private struct Entry: Sendable {
        let account: ServedAccount
        var lastUse: UInt64
        var requests = 0
    }

    private struct State: Sendable {
        var entries: [Int: Entry] = [:]
        var loading: [Int: Task<ServedAccount, any Error>] = [:]
        /// Counts uses: a larger one is more recent.
        var clock: UInt64 = 0
        var isShutDown = false
    }

    public let provider: any AccountProvider
    /// The budget of ``memoryBytes``; nil: no eviction.
    public let maxMemoryBytes: Int?
    /// This instance's id in relayed payloads (``RelayPayload/origin``): random.
    public let instanceID: UInt64
    let streams: StreamLimits
    let relay: (any CallRelay)?
    let additionalSinks: [any NotificationSink]
    let metrics: ServerMetrics
    let logger: Logger
    private let state = NIOLockedValueBox(State())

    init(
        provider: any AccountProvider, streams: StreamLimits, maxMemoryBytes: Int?, relay: (any CallRelay)?,
        additionalSinks: [any NotificationSink], metrics: ServerMetrics, logger: Logger
    ) {
        self.provider = provider
        self.streams = streams
        self.maxMemoryBytes = maxMemoryBytes
        self.relay = relay
        self.additionalSinks = additionalSinks
        self.metrics = metrics
        self.logger = logger
        var generator = SystemRandomNumberGenerator()
        self.instanceID = generator.next()
    }

    /// Whether this is the server of one account, whose id means nothing (logs leave it out).
    var isSingleAccount: Bool { provider is SingleAccountProvider }

    /// The ids of the loaded accounts, ascending.
    public var loadedAccountIDs: [Int] { state.withLockedValue { $0.entries.keys.sorted() } }

    /// The loaded accounts' estimates added up.
    public var memoryBytes: Int {
        state.withLockedValue { $0.entries.values.reduce(0) { $0 + $1.account.memoryBytes } }
    }

    /// The loaded accounts, in no order.
    var loadedAccounts: [ServedAccount] { state.withLockedValue { $0.entries.values.map(\.account) } }

    /// The account if it is loaded; nil otherwise (this does not load it).
    public func account(_ id: Int) -> ServedAccount? { state.withLockedValue { $0.entries[id]?.account } }

    /// Tells a loaded account that its users changed (``ServedAccount/setUsers(_:)``).
    ///
    /// - Returns: Whether the account is loaded (one that is not gets its users when it loads).
    @discardableResult
    public func setUsers(_ users: some Sequence<Int>, accountID: Int) -> Bool {
        guard let account = account(accountID) else { return false }
        account.setUsers(users)
        return true
    }

    // MARK: Serving

    /// The account, loaded if need be, counted as in use until ``endUse(_:)``: an account in use is
    /// not evicted.
    ///
    /// - Throws: What ``AccountProvider/load(accountID:)`` threw.
    func beginUse(accountID: Int) async throws -> ServedAccount {
        while true {
            enum Next {
                case served(ServedAccount)
                case wait(Task<ServedAccount, any Error>)
            }
            let next: Next = state.withLockedValue { state in
                // Without a budget nothing is evicted, and the counts of use that eviction reads
                // are not kept: a loaded account is only looked up, without a write to the table.
                if maxMemoryBytes == nil, let entry = state.entries[accountID] { return .served(entry.account) }
                state.clock += 1
                if var entry = state.entries[accountID] {
                    entry.lastUse = state.clock
                    entry.requests += 1
                    state.entries[accountID] = entry
                    return .served(entry.account)
                }
                if let task = state.loading[accountID] { return .wait(task) }
                let task = Task { try await self.load(accountID: accountID) }
                state.loading[accountID] = task
                return .wait(task)
            }
            switch next {
            case .served(let account):
                return account
            case .wait(let task):
                // Then round again: take it as in use (or, if another load evicted it meanwhile,
                // load it again).
                _ = try await task.value
            }
        }
    }

    /// Loads the account now rather than on its first request (a server of one account starts
    /// with it); it may be evicted later like any other.
    ///
    /// - Throws: What ``AccountProvider/load(accountID:)`` threw.
    public func preload(accountID: Int) async throws {
        endUse(try await beginUse(accountID: accountID))
    }

    /// Ends a use begun by ``beginUse(accountID:)``.
    func endUse(_ account: ServedAccount) {
        guard maxMemoryBytes != nil else { return }  // no counts of use without a budget (beginUse)
        state.withLockedValue { state in
            guard state.entries[account.id]?.account === account else { return }
            state.entries[account.id]!.requests -= 1
        }
    }

    /// Loads an account (one task per account at a time), then evicts what is over the budget.
    private func load(accountID: Int) async throws -> ServedAccount {
        let start = ContinuousClock.now
        let parts: ServedAccountParts
        do {
            parts = try await provider.load(accountID: accountID)
        } catch {
            state.withLockedValue { _ = $0.loading.removeValue(forKey: accountID) }
            logger.warning(
                "account load failed",
                metadata: [
                    "account_id": "\(accountID)", "error": "\(error)", "seconds": "\(ContinuousClock.now - start)",
                ])
            throw error
        }
        let account = makeAccount(id: accountID, parts: parts)
        let isShutDown = state.withLockedValue { state in
            state.loading[accountID] = nil
            state.clock += 1
            state.entries[accountID] = Entry(account: account, lastUse: state.clock)
            return state.isShutDown
        }
        if isShutDown { account.hub.shutdown() }
        let counts = parts.index.snapshot.counts
        logger.info(
            "account loaded",
            metadata: [
                "account_id": "\(accountID)", "contacts": "\(counts.contacts)", "companies": "\(counts.companies)",
                "leads": "\(counts.leads)", "customers": "\(counts.customers)", "users": "\(parts.events.users.count)",
                "bytes": "\(parts.memoryBytes)", "seconds": "\(ContinuousClock.now - start)",
            ])
        await evict(keeping: accountID)
        return account
    }

    /// An account of `parts`, with its own hub and service.
    func makeAccount(id: Int, parts: ServedAccountParts) -> ServedAccount {
        let hub = NotificationHub(users: parts.events.users, limits: streams, counters: metrics.streams)
        let sink = FanOutSink(
            sinks: [RelayingHubSink(accountID: id, hub: hub, relay: relay, origin: instanceID)] + additionalSinks)
        return ServedAccount(id: id, parts: parts, hub: hub, sink: sink, metrics: metrics)
    }

    /// Adds an account loaded by the embedding code (the server of one account).
    func insert(_ account: ServedAccount) {
        state.withLockedValue { state in
            state.clock += 1
            state.entries[account.id] = Entry(account: account, lastUse: state.clock)
        }
    }

    /// While the accounts are over the budget, evicts the least recently used one that has no open
    /// stream, no request in flight and is not `kept`.
    private func evict(keeping kept: Int) async {
        guard let maxMemoryBytes else { return }
        let evicted: [ServedAccount] = state.withLockedValue { state in
            var total = state.entries.values.reduce(0) { $0 + $1.account.memoryBytes }
            guard total > maxMemoryBytes else { return [] }
            let candidates = state.entries.values
                .filter { $0.account.id != kept && $0.requests == 0 && $0.account.hub.subscriberCount() == 0 }
                .sorted { $0.lastUse < $1.lastUse }
            var evicted: [ServedAccount] = []
            for candidate in candidates where total > maxMemoryBytes {
                state.entries[candidate.account.id] = nil
                total -= candidate.account.memoryBytes
                evicted.append(candidate.account)
            }
            return evicted
        }
        for account in evicted {
            account.hub.shutdown()
            await account.unload()
            logger.info(
                "account evicted", metadata: ["account_id": "\(account.id)", "bytes": "\(account.memoryBytes)"])
        }
        if !evicted.isEmpty { returnFreedMemoryToTheSystem() }
    }

    /// Stops serving the account now, whatever it holds: its streams end and it is unloaded (an
    /// account removed from the store). A later request loads it again if it still can be.
    public func unload(accountID: Int) async {
        let account = state.withLockedValue { $0.entries.removeValue(forKey: accountID)?.account }
        guard let account else { return }
        account.hub.shutdown()
        await account.unload()
        returnFreedMemoryToTheSystem()
        logger.info("account unloaded", metadata: ["account_id": "\(accountID)"])
    }

    // MARK: Streams

    /// A heartbeat to every open stream of every loaded account.
    func heartbeat() {
        for account in state.withLockedValue({ $0.entries.values.map(\.account) }) { account.hub.heartbeat() }
    }

    /// Ends every stream and refuses new ones, in every account loaded now or later: for graceful
    /// shutdown.
    func shutdown() {
        let accounts = state.withLockedValue { state in
            state.isShutDown = true
            return state.entries.values.map(\.account)
        }
        for account in accounts { account.hub.shutdown() }
    }
}
