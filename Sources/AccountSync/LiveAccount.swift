import AccountIndex
import AmoCRM
import CallEvents
import ScreenPopStore
import ScreenPopSupport

/// One account kept current: its store (the system of record), its index and its roster (users,
/// the entities' facts, the labels of its users, pipelines and statuses) move together.
///
/// Every change goes through ``commit(_:)``: it is written to the store first, in one transaction,
/// and only then published to the index and the roster, so that nothing a caller was told is done
/// can be lost by a crash, and nothing is visible that the store does not hold. Changes that arrive
/// while a transaction is being written wait and go together in the next one (a group commit): one
/// `fsync` for many webhooks.
///
/// ```swift
/// let account = try await LiveAccount.open(store: SQLiteAccountStore(path: "account.sqlite"))
/// try await account.commit(StoreBatch(updates: webhook.updates))
/// account.index.resolve(callerNumber: "+7 999 888-55-33")
/// ```
public final class LiveAccount: Sendable {
    public let accountID: Int
    public let store: any AccountStore
    public let index: AccountIndex
    /// The users, facts and labels that notifications show.
    public let roster: AccountRoster
    /// The instance's choice, kept across rebuilds.
    public let suffixFallback: SuffixFallback
    /// The address the cards' links start with when it is known apart from the account object (a
    /// registration's `amocrmURL`); nil: the account's subdomain's.
    public let amocrmURL: String?

    private struct Facts: Sendable {
        var account: AccountObject
        var customerStatuses: [CustomerStatus]
        var users: [AccountUser]
        var pipelines: [LeadPipeline]

        init(_ stored: StoredAccount) {
            account = stored.account
            customerStatuses = stored.customerStatuses
            users = stored.users
            pipelines = stored.pipelines
        }
    }

    private struct Queue: Sendable {
        var waiting: [(batch: StoreBatch, done: CheckedContinuation<StoreChanges, any Error>)] = []
        var isWriting = false
    }

    // pthread mutexes (LockedValue), which ThreadSanitizer can check.
    private let facts: LockedValue<Facts>
    private let queue = LockedValue(Queue())
    private let observers = LockedValue<[@Sendable (StoreChanges) -> Void]>([])
    private let statistics = LockedValue(CommitStatistics())

    /// How the group commits went.
    public struct CommitStatistics: Hashable, Sendable {
        /// Transactions written.
        public var transactions = 0
        /// Batches committed (several go in one transaction when they arrive together).
        public var batches = 0
        /// Transactions that failed (each batch of a failed group is then tried alone).
        public var failures = 0
        /// Times the index was rebuilt from the store (a new country, or an index that refused a change).
        public var rebuilds = 0
    }

    /// Opens the store's account (its only one, or `accountID`) and builds its index and roster.
    ///
    /// - Parameter amocrmURL: Where the cards' links go when the registration says (``amocrmURL``).
    /// - Throws: ``StoreError`` when the store cannot be read or holds no such account.
    public static func open(
        store: any AccountStore, accountID: Int? = nil, suffixFallback: SuffixFallback = SuffixFallback(),
        amocrmURL: String? = nil
    ) async throws -> LiveAccount {
        var id = accountID
        if id == nil {
            let ids = try await store.accountIDs()
            guard ids.count <= 1 else {
                throw StoreError("the store holds \(ids.count) accounts (\(ids.map(String.init).joined(separator: ", "))); name one")
            }
            id = ids.first
        }
        // Read before the account: a change written while it loads is applied again (to the same
        // effect) rather than missed.
        let sequence = try await (store as? any SharedAccountStore)?.lastSequence(accountID: id ?? 0) ?? 0
        guard let id, let stored = try await store.load(accountID: id, suffixFallback: suffixFallback) else {
            throw StoreError("the store holds no account\(accountID.map { " \($0)" } ?? "")")
        }
        // The facts are gathered while the index is built: a restart waits for the longer of the two.
        async let names = EntityNames(data: stored.data, details: stored.details)
        let index = await AccountIndex.building(stored.data)
        let live = LiveAccount(
            stored: stored, index: index, names: await names, store: store, suffixFallback: suffixFallback,
            amocrmURL: amocrmURL)
        live.following.withLock { $0.applied = sequence }
        return live
    }

    /// An account whose index is already built from `stored`; `names` are its entities' facts
    /// (`EntityNames(data: stored.data, details: stored.details)` when nil).
    public init(
        stored: StoredAccount, index: AccountIndex, names: EntityNames? = nil, store: any AccountStore,
        suffixFallback: SuffixFallback, amocrmURL: String? = nil
    ) {
        self.accountID = stored.accountID
        self.store = store
        self.index = index
        self.suffixFallback = suffixFallback
        self.amocrmURL = amocrmURL
        let facts = Facts(stored)
        self.roster = AccountRoster(
            users: stored.users.map(\.id), names: names ?? EntityNames(data: stored.data, details: stored.details),
            labels: Self.labels(facts, amocrmURL: amocrmURL))
        self.facts = LockedValue(facts)
    }

    private static func labels(_ facts: Facts, amocrmURL: String?) -> AccountLabels {
        AccountLabels(account: facts.account, users: facts.users, pipelines: facts.pipelines, amocrmURL: amocrmURL)
    }

    /// The account object as stored now.
    public var account: AccountObject { facts.withLock { $0.account } }
    /// The users as stored now.
    public var users: [AccountUser] { facts.withLock { $0.users } }
    /// The lead pipelines as stored now.
    public var pipelines: [LeadPipeline] { facts.withLock { $0.pipelines } }
    public var commitStatistics: CommitStatistics { statistics.withLock { $0 } }

    /// Calls `observer` after each published transaction that changed something (for the
    /// notification hub's users, the sync status); on the committing task, so keep it short.
    public func observe(_ observer: @escaping @Sendable (StoreChanges) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    // MARK: Committing

    /// Writes `batch` to the store and publishes it to the index and the roster.
    ///
    /// When this returns, the batch is durable and `resolve` sees it. Batches committed
    /// concurrently go in one transaction, in the order they arrived.
    ///
    /// - Throws: ``StoreError`` when the store refused it; nothing of the batch was written then.
    @discardableResult
    public func commit(_ batch: StoreBatch) async throws -> StoreChanges {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<StoreChanges, any Error>) in
            let lead = queue.withLock { queue -> Bool in
                queue.waiting.append((batch, done))
                guard !queue.isWriting else { return false }
                queue.isWriting = true
                return true
            }
            if lead { Task { await self.drain() } }
        }
    }

    /// Writes what waits, group after group, until nothing does.
    private func drain() async {
        while true {
            let group = queue.withLock { queue in
                let group = queue.waiting
                queue.waiting.removeAll()
                if group.isEmpty { queue.isWriting = false }
                return group
            }
            guard !group.isEmpty else { return }
            let results = await write(group.map(\.batch))
            for (item, result) in zip(group, results) { item.done.resume(with: result) }
        }
    }

    /// The batches in one transaction; if it fails, each alone, so that one bad batch fails alone.
    private func write(_ batches: [StoreBatch]) async -> [Result<StoreChanges, any Error>] {
        do {
            let changes = try await store.apply(batches, accountID: accountID)
            statistics.withLock {
                $0.transactions += 1
                $0.batches += batches.count
            }
            if let sequence = changes.sequence, store is any SharedAccountStore {
                // Others may have written before this transaction: theirs are published first.
                await catchUp(through: sequence, own: changes)
            } else {
                await publish(changes)
            }
            // Each caller learns the whole group's entities and links (cheap to share) and its own
            // batch's counts: a webhook's answer says how many of its updates were stale.
            return batches.indices.map { .success(changes.forBatch($0)) }
        } catch {
            statistics.withLock { $0.failures += 1 }
            guard batches.count > 1 else { return [.failure(error)] }
            var results: [Result<StoreChanges, any Error>] = []
            for batch in batches { results += await write([batch]) }
            return results
        }
    }

    // MARK: Following a shared store

    /// Where this instance's index stands in a shared store's change log, and who waits for it.
    struct Following: Sendable {
        /// The last sequence published.
        var applied: Int64 = 0
        var isRunning = false
        /// Asked for again while running: look once more when done.
        var again = false
        /// The index missed a change (the log could not be read): rebuild from the store at the next catch-up.
        var isStale = false
        /// This instance's own transactions, published from memory when their turn comes.
        var own: [Int64: StoreChanges] = [:]
        var waiting: [(through: Int64, done: CheckedContinuation<Void, Never>)] = []
    }

    let following = LockedValue(Following())
    /// Called when another instance removed the account from the shared store.
    private let removalObservers = LockedValue<[@Sendable () -> Void]>([])

    /// The change-log sequence the index has reached (0 for a store without a change log).
    public var appliedSequence: Int64 { following.withLock { $0.applied } }

    /// Calls `observer` when the account is removed from the shared store by anyone.
    public func onRemoval(_ observer: @escaping @Sendable () -> Void) {
        removalObservers.withLock { $0.append(observer) }
    }

    /// Brings the index, the roster and the facts up to the shared store's change log: what any
    /// instance wrote, in the order it was written. Call it when the store announces a change,
    /// and after a lost connection (announcements may have been missed). Does nothing for a
    /// store without a change log.
    ///
    /// - Parameters:
    ///   - through: Returns once the index has reached this sequence (or could not read further);
    ///     nil: once it has read everything the log holds now.
    ///   - own: A transaction of this instance, published from memory when its turn comes.
    public func catchUp(through target: Int64? = nil, own: StoreChanges? = nil) async {
        guard let shared = store as? any SharedAccountStore else { return }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let start = following.withLock { state -> Bool in
                if let own, let sequence = own.sequence { state.own[sequence] = own }
                // Without a target: until this pass has read everything there is.
                state.waiting.append((target ?? .max, done))
                if state.isRunning {
                    state.again = true
                    return false
                }
                state.isRunning = true
                return true
            }
            if start { Task { await self.follow(shared) } }
        }
    }

    /// Reads and publishes the log until nothing is left, then wakes who waited.
    private func follow(_ store: any SharedAccountStore) async {
        while true {
            following.withLock { $0.again = false }
            var failed = false
            do {
                if following.withLock({ $0.isStale }) {
                    let sequence = try await store.lastSequence(accountID: accountID)
                    try await reload()
                    following.withLock {
                        $0.isStale = false
                        $0.applied = max($0.applied, sequence)
                    }
                }
                while true {
                    let after = following.withLock { $0.applied }
                    let entries = try await store.changes(accountID: accountID, after: after, limit: 500)
                    for entry in entries {
                        let own = following.withLock { $0.own.removeValue(forKey: entry.sequence) }
                        switch entry.kind {
                        case .changes(let changes): await publish(own ?? changes)
                        case .replaced: try await reload()
                        case .removed: for observer in removalObservers.withLock({ $0 }) { observer() }
                        }
                        following.withLock { $0.applied = entry.sequence }
                        resumeWaiters()
                    }
                    if entries.count < 500 { break }
                }
            } catch {
                failed = true
            }
            let done = following.withLock { state -> Bool in
                if failed {
                    // The store went away mid-way: what this instance wrote is published now (its
                    // callers were told it is durable), and the index is rebuilt once the log can be
                    // read again, since others' changes may have been skipped.
                    state.isStale = true
                }
                guard !state.again || failed else { return false }
                state.isRunning = false
                return true
            }
            if failed {
                let own = following.withLock { state -> [StoreChanges] in
                    let own = state.own.sorted { $0.key < $1.key }.map(\.value)
                    state.own.removeAll()
                    return own
                }
                for changes in own { await publish(changes) }
                resumeWaiters(all: true)
                // Tried again shortly, without waiting for the next announcement: the log may have
                // been trimmed past this index (it is then rebuilt), or the store may be back.
                Task {
                    try? await Task.sleep(for: .seconds(1))
                    await self.catchUp()
                }
            }
            if done {
                resumeWaiters(all: true)
                return
            }
        }
    }

    private func resumeWaiters(all: Bool = false) {
        let ready = following.withLock { state -> [CheckedContinuation<Void, Never>] in
            let applied = state.applied
            let ready = state.waiting.filter { all || $0.through <= applied }.map(\.done)
            state.waiting.removeAll { all || $0.through <= applied }
            return ready
        }
        for done in ready { done.resume() }
    }

    /// Reads the whole account again: after an import replaced it, or when changes were missed.
    private func reload() async throws {
        guard let stored = try await store.load(accountID: accountID, suffixFallback: suffixFallback) else { return }
        let facts = Facts(stored)
        self.facts.withLock { $0 = facts }
        index.rebuild(from: stored.data)
        roster.setUsers(stored.users.map(\.id))
        roster.replaceNames(EntityNames(data: stored.data, details: stored.details))
        roster.setLabels(Self.labels(facts, amocrmURL: amocrmURL))
        statistics.withLock { $0.rebuilds += 1 }
        var changes = StoreChanges()
        changes.usersChanged = true
        changes.users = stored.users
        for observer in observers.withLock({ $0 }) { observer(changes) }
    }

    // MARK: Publishing

    /// Brings the index and the roster to what the store now holds.
    private func publish(_ changes: StoreChanges) async {
        guard !changes.isEmpty else { return }
        let (oldSettings, newSettings, users, labels) = facts.withLock { facts in
            let old = facts.account.settings(customerStatuses: facts.customerStatuses, suffixFallback: suffixFallback)
            if let account = changes.account {
                facts.account = AccountObject(
                    id: accountID, name: account.name, subdomain: account.subdomain, country: account.country,
                    customersMode: account.customersMode)
            }
            if let statuses = changes.customerStatuses { facts.customerStatuses = statuses }
            if let users = changes.users { facts.users = users }
            if let pipelines = changes.pipelines { facts.pipelines = pipelines }
            let new = facts.account.settings(customerStatuses: facts.customerStatuses, suffixFallback: suffixFallback)
            // Users and pipelines are small: their names are made again whole when one changes.
            let relabel = changes.account != nil || changes.users != nil || changes.pipelines != nil
            return (old, new, changes.users, relabel ? Self.labels(facts, amocrmURL: amocrmURL) : nil)
        }
        if let users { roster.setUsers(users.map(\.id)) }
        if let labels { roster.setLabels(labels) }
        roster.setFacts(changes.entities.map { ($0.ref, EntityFacts($0)) })
        if oldSettings.defaultRegion != newSettings.defaultRegion {
            await rebuildIndex()
        } else {
            var indexChanges = Self.indexChanges(changes, existing: index.snapshot)
            if oldSettings.customersEnabled != newSettings.customersEnabled {
                indexChanges.append(.setCustomersEnabled(newSettings.customersEnabled))
            }
            if oldSettings.closedCustomerStatusIDs != newSettings.closedCustomerStatusIDs {
                indexChanges.append(.setClosedCustomerStatuses(newSettings.closedCustomerStatusIDs))
            }
            do {
                try index.apply(indexChanges)
            } catch {
                // The store is right; the index is rebuilt from it rather than left behind.
                await rebuildIndex()
            }
        }
        for observer in observers.withLock({ $0 }) { observer(changes) }
    }

    /// The index's changes for a transaction: each changed entity as it is now, then the links that
    /// went, then those that came, leaving out links whose other end the index does not hold (the
    /// store keeps them; they reach the index with that entity).
    static func indexChanges(_ changes: StoreChanges, existing snapshot: AccountSnapshot) -> [AccountChange] {
        var result = changes.entities.map(\.indexChange)
        let touched = Set(changes.entities.map(\.ref))
        func exists(_ ref: EntityRef) -> Bool {
            if touched.contains(ref) { return true }
            switch ref.kind {
            case .contact: return snapshot.contact(ref.id) != nil
            case .company: return snapshot.company(ref.id) != nil
            case .lead: return snapshot.lead(ref.id) != nil
            case .customer: return snapshot.customer(ref.id) != nil
            }
        }
        func bothExist(_ link: AccountLink) -> Bool {
            let (a, b) = link.ends
            return exists(a) && exists(b)
        }
        result += changes.unlinked.filter(bothExist).map { .unlink($0) }
        result += changes.linked.filter(bothExist).map { .link($0) }
        return result
    }

    /// Builds the index again from the store.
    public func rebuildIndex() async {
        guard let stored = try? await store.load(accountID: accountID, suffixFallback: suffixFallback) else { return }
        index.rebuild(from: stored.data)
        statistics.withLock { $0.rebuilds += 1 }
    }
}

