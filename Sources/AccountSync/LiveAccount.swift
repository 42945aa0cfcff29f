import AccountIndex
import AmoCRM
import CallEvents
import ScreenPopStore
import ScreenPopSupport

/// One account kept current: its store (the system of record), its index and its roster (users
/// and names) move together.
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
    /// The users and names that notifications show.
    public let roster: AccountRoster
    /// The instance's choice, kept across rebuilds.
    public let suffixFallback: SuffixFallback

    private struct Facts: Sendable {
        var account: AccountObject
        var customerStatuses: [CustomerStatus]
        var users: [AccountUser]
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
    /// - Throws: ``StoreError`` when the store cannot be read or holds no such account.
    public static func open(
        store: any AccountStore, accountID: Int? = nil, suffixFallback: SuffixFallback = SuffixFallback()
    ) async throws -> LiveAccount {
        let stored: StoredAccount?
        if let accountID {
            stored = try await store.load(accountID: accountID, suffixFallback: suffixFallback)
        } else {
            stored = try await store.loadOnlyAccount(suffixFallback: suffixFallback)
        }
        guard let stored else { throw StoreError("the store holds no account\(accountID.map { " \($0)" } ?? "")") }
        // The names are gathered while the index is built: a restart waits for the longer of the two.
        async let names = EntityNames(stored.entityNames)
        let index = await AccountIndex.building(stored.data)
        return LiveAccount(stored: stored, index: index, names: await names, store: store, suffixFallback: suffixFallback)
    }

    /// An account whose index is already built from `stored`; `names` are its entities' names
    /// (`EntityNames(stored.entityNames)` when nil).
    public init(
        stored: StoredAccount, index: AccountIndex, names: EntityNames? = nil, store: any AccountStore,
        suffixFallback: SuffixFallback
    ) {
        self.accountID = stored.accountID
        self.store = store
        self.index = index
        self.suffixFallback = suffixFallback
        self.roster = AccountRoster(users: stored.users.map(\.id), names: names ?? EntityNames(stored.entityNames))
        self.facts = LockedValue(
            Facts(account: stored.account, customerStatuses: stored.customerStatuses, users: stored.users))
    }

    /// The account object as stored now.
    public var account: AccountObject { facts.withLock { $0.account } }
    /// The users as stored now.
    public var users: [AccountUser] { facts.withLock { $0.users } }
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
            await publish(changes, batches: batches)
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

    // MARK: Publishing

    /// Brings the index and the roster to what the store now holds.
    private func publish(_ changes: StoreChanges, batches: [StoreBatch]) async {
        guard !changes.isEmpty else { return }
        let (oldSettings, newSettings, users) = facts.withLock { facts in
            let old = facts.account.settings(customerStatuses: facts.customerStatuses, suffixFallback: suffixFallback)
            for batch in batches {
                if let account = batch.account { facts.account = AccountObject(
                    id: accountID, name: account.name, subdomain: account.subdomain, country: account.country,
                    customersMode: account.customersMode) }
                if let statuses = batch.customerStatuses { facts.customerStatuses = statuses }
                if let users = batch.users { facts.users = users }
            }
            let new = facts.account.settings(customerStatuses: facts.customerStatuses, suffixFallback: suffixFallback)
            return (old, new, changes.usersChanged ? facts.users : nil)
        }
        if let users { roster.setUsers(users.map(\.id)) }
        roster.setNames(changes.entities.map { ($0.ref, $0.details.name) })
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
