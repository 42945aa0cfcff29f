import AccountIndex
import AmoCRM
import AmoCRMClient
import CallEvents
import Logging
import PhoneNumbers
import ScreenPopServer
import ScreenPopStore
import ScreenPopSupport

/// The accounts of a store as a server of many accounts serves them: credentials from the
/// store's registrations, and each account, on its first request, opened as a ``LiveAccount``
/// with its ``LiveFeed`` (webhooks, and polling when it has amoCRM credentials).
///
/// Credentials are looked up by their SHA-256 in a dictionary: the time a lookup takes depends on
/// the hash of what the client sent, which an attacker cannot steer towards a stored one. A hash not
/// found reads the registrations again, at most once every two seconds, so that an account added
/// by `screenpop accounts add` is served without a restart.
///
/// When the store holds exactly one account, the token and secret of the environment
/// (`SCREENPOP_API_TOKEN`, `SCREENPOP_WEBHOOK_SECRET`) select it too: a store made for one account
/// is served as before.
public final class StoreAccountProvider: AccountProvider {
    public let store: any AccountStore
    let options: Options
    let logger: Logger

    /// What every account of the store is served with.
    public struct Options: Sendable {
        public var suffixFallback = SuffixFallback()
        public var poll: Duration = .seconds(60)
        public var reconcile: Duration = .seconds(86_400)
        /// The unknown caller's description for an account of this country (nil: none).
        public var describer: @Sendable (_ region: String?) -> (@Sendable (PhoneNumber) -> CallerDescription?)? = { _ in nil }
        /// amoCRM's client for an account, nil when it is not synced (webhooks only).
        public var client: @Sendable (_ accountID: Int, _ registration: AccountRegistration?) async throws -> AmoCRMClient? = {
            _, _ in nil
        }
        /// Who polls each account when several instances share the store.
        public var leadership: (any SyncLeadership)?
        /// Why changes are refused now (``LiveFeed/changesRefused``).
        public var changesRefused: @Sendable () -> String? = { nil }
        /// The environment's token and webhook secret, hashed: they select the store's only account.
        public var environmentTokenHash: [UInt8]?
        public var environmentSecretHash: [UInt8]?

        public init() {}
    }

    private struct Credentials: Sendable {
        var tokens: [[UInt8]: Int] = [:]
        var secrets: [[UInt8]: Int] = [:]
        /// The store's only account (registered or stored), nil when it holds none or several.
        var onlyAccount: Int?
        /// Every account the store holds or registers.
        var accounts: Set<Int> = []
        var readAt: ContinuousClock.Instant?
        /// A read is under way: a burst of unknown tokens makes one query, not one each.
        var isReading = false
    }

    private struct Loaded: Sendable {
        let live: LiveAccount
        let feed: Task<Void, Never>
    }

    private let credentials = LockedValue(Credentials())
    private let loaded = LockedValue<[Int: Loaded]>([:])
    /// Where a change of users is told (the server's accounts), set once the server exists.
    private let usersChanged = LockedValue<(@Sendable (Int, [Int]) -> Void)?>(nil)
    private let removed = LockedValue<(@Sendable (Int) -> Void)?>(nil)

    public init(store: any AccountStore, options: Options, logger: Logger) {
        self.store = store
        self.options = options
        self.logger = logger
    }

    /// Reads the registrations (and which account is the store's only one) now.
    public func refreshCredentials() async throws {
        let registrations = try await store.registrations()
        let stored = try await store.accountIDs()
        let all = Set(stored).union(registrations.map(\.accountID))
        var fresh = Credentials()
        for registration in registrations {
            fresh.tokens[registration.apiTokenHash] = registration.accountID
            fresh.secrets[registration.webhookSecretHash] = registration.accountID
        }
        fresh.onlyAccount = all.count == 1 ? all.first : nil
        fresh.accounts = all
        fresh.readAt = .now
        credentials.withLock { $0 = fresh }
    }

    /// The accounts the store holds or registers.
    public var onlyAccountID: Int? { credentials.withLock { $0.onlyAccount } }

    /// Tells the server's accounts when an account's users change (``ScreenPopServer/accounts``).
    public func onUsersChanged(_ body: @escaping @Sendable (_ accountID: Int, _ users: [Int]) -> Void) {
        usersChanged.withLock { $0 = body }
    }

    /// Tells the server when an account was removed from the store (by any instance): it stops
    /// serving it.
    public func onRemoved(_ body: @escaping @Sendable (_ accountID: Int) -> Void) {
        removed.withLock { $0 = body }
    }

    /// Reads the registrations again every `interval` until cancelled: a rotated token or a removed
    /// account stops working within that time on every instance, without a restart. A failed read
    /// keeps what was read before.
    public func keepCredentialsFresh(every interval: Duration) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            do {
                try await refreshCredentials()
            } catch is CancellationError {
                return
            } catch {
                logger.debug("cannot read the accounts' credentials", metadata: ["error": "\(error)"])
            }
        }
    }

    // MARK: AccountProvider

    public func accountID(forAPITokenHash hash: [UInt8]) async -> Int? {
        await lookUp(hash, environment: options.environmentTokenHash, in: \.tokens)
    }

    public func accountID(forWebhookSecretHash hash: [UInt8]) async -> Int? {
        await lookUp(hash, environment: options.environmentSecretHash, in: \.secrets)
    }

    /// Whether the store holds or registers the account, as last read (within 2 s: one read when
    /// the last is older and the account is not among it).
    public func hasAccount(_ accountID: Int) async -> Bool {
        let (known, stale) = credentials.withLock { state in
            (state.accounts.contains(accountID), state.readAt.map { ContinuousClock.now - $0 > .seconds(2) } ?? true)
        }
        guard !known, stale else { return known }
        do {
            try await refreshCredentials()
        } catch {
            logger.warning("cannot read the accounts' credentials", metadata: ["error": "\(error)"])
        }
        return credentials.withLock { $0.accounts.contains(accountID) }
    }

    private func lookUp(_ hash: [UInt8], environment: [UInt8]?, in table: KeyPath<Credentials, [[UInt8]: Int]>) async
        -> Int?
    {
        for attempt in 0..<2 {
            let found = credentials.withLock { state -> Int? in
                if let id = state[keyPath: table][hash] { return id }
                if let environment, let only = state.onlyAccount, AccountSecret.hashesEqual(environment, hash) {
                    return only
                }
                return nil
            }
            if let found { return found }
            guard attempt == 0 else { break }
            let read = credentials.withLock { state -> Bool in
                let stale = state.readAt.map { ContinuousClock.now - $0 > .seconds(2) } ?? true
                guard stale, !state.isReading else { return false }
                state.isReading = true
                return true
            }
            guard read else { break }
            do {
                try await refreshCredentials()
            } catch {
                credentials.withLock { $0.isReading = false }
                logger.warning("cannot read the accounts' credentials", metadata: ["error": "\(error)"])
                break
            }
        }
        return nil
    }

    public func load(accountID: Int) async throws -> ServedAccountParts {
        let start = ContinuousClock.now
        let registration = try await store.registrations().first { $0.accountID == accountID }
        let client = try await options.client(accountID, registration)
        if let client, try await Self.needsFirstListing(store, accountID: accountID) {
            logger.info("reading the whole account from amoCRM before serving it", metadata: ["account_id": "\(accountID)"])
            let first = AccountSyncer(
                client: client, store: store, sink: StoreSink(store: store, accountID: accountID), accountID: accountID)
            try await first.fullListing()
        }
        // The cards' links go to the registration's amoCRM when it names one, else to the subdomain's.
        let live = try await LiveAccount.open(
            store: store, accountID: accountID, suffixFallback: options.suffixFallback,
            amocrmURL: registration?.amocrmURL)
        let syncer = client.map { AccountSyncer(client: $0, store: store, sink: live, accountID: accountID) }
        let feed = LiveFeed(
            account: live, syncer: syncer, leadership: options.leadership, changesRefused: options.changesRefused,
            logger: logger)
        var events = CallEventsConfiguration(roster: live.roster)
        events.describeCaller = options.describer(live.index.snapshot.settings.defaultRegion)
        let notify = usersChanged
        let removed = removed
        live.onRemoval { removed.withLock { $0 }?(accountID) }
        live.observe { changes in
            if let users = changes.users { notify.withLock { $0 }?(accountID, users.map(\.id)) }
        }
        let (poll, reconcile) = (options.poll, options.reconcile)
        let task = Task { await feed.run(poll: poll, reconcile: reconcile) }
        loaded.withLock { $0[accountID] = Loaded(live: live, feed: task) }
        let counts = live.index.snapshot.counts
        let bytes = Self.estimatedBytes(counts, names: live.roster.nameCount)
        // The server logs "account loaded" with the time its request waited; this says what was opened.
        logger.debug(
            "account opened",
            metadata: [
                "account_id": "\(accountID)", "contacts": "\(counts.contacts)", "companies": "\(counts.companies)",
                "leads": "\(counts.leads)", "customers": "\(counts.customers)",
                "users": "\(live.roster.users.ids.count)", "estimated_bytes": "\(bytes)",
                // Counted from the index's slabs (IndexMemoryReport), table by table; the estimate
                // above adds the names and the allocator's slack.
                "index": "\(live.index.snapshot.memory)",
                "amocrm": "\(syncer?.client.configuration.baseURL ?? "none")",
                "seconds": "\(ContinuousClock.now - start)",
            ])
        let loadedAccounts = loaded
        return ServedAccountParts(
            index: live.index, events: events, feed: feed, memoryBytes: bytes,
            unload: {
                let entry = loadedAccounts.withLock { $0.removeValue(forKey: accountID) }
                entry?.feed.cancel()
                await entry?.feed.value
            })
    }

    /// The store has nothing of the account yet, or its first listing was interrupted.
    static func needsFirstListing(_ store: any AccountStore, accountID: Int) async throws -> Bool {
        guard try await store.accountIDs().contains(accountID) else { return true }
        let state = try await store.syncState(accountID: accountID)
        return AccountSyncer.isListingInProgress(state) && (state[SyncStateKey.lastListingRun] ?? "").isEmpty
    }

    /// What an account holds in memory, estimated: 140 bytes an entity and 114 a name (90 measured
    /// before the card's facts, which add 24), from the
    /// resident memory of a server holding 1,000 accounts of 2,000 contacts (1.66 MB each,
    /// `Benchmarks/http/many-accounts.py`, docs/performance.md), of which the index is about 78
    /// bytes an entity (the 1 M contact benchmark's 260 MiB for 3.5 M entities).
    static func estimatedBytes(_ counts: AccountSnapshot.Counts, names: Int) -> Int {
        let entities = counts.contacts + counts.companies + counts.leads + counts.customers
        return 64 << 10 + entities * 140 + names * 114
    }

    // MARK: Following a shared store

    /// The accounts loaded here.
    public var loadedAccounts: [LiveAccount] { loaded.withLock { $0.values.map(\.live) } }

    /// A shared store announced a change of `accountID`: the account catches up if it is loaded here.
    public func changeAnnounced(accountID: Int, sequence: Int64) async {
        guard let live = loaded.withLock({ $0[accountID]?.live }) else { return }
        await live.catchUp(through: sequence)
    }

    /// The shared store's announcements may have been missed (a new connection): every loaded
    /// account catches up from where it stands.
    public func catchUpAll() async {
        for live in loadedAccounts { await live.catchUp() }
    }
}
