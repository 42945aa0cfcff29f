import AccountIndex
import AmoCRM
import AmoCRMClient
import CallEvents
import ScreenPopStore

/// Reads an account from amoCRM's API v4 into a ``ChangeSink``: the full listing (the first sync,
/// and reconciliation), the incremental poll, and re-reads by id.
///
/// Every page is committed with the cursor that says it was read, in one transaction: interrupted
/// at any point, the next run goes on from the page after the last one stored. The state machine
/// lives in the store's `sync_state` (``SyncStateKey``; docs/live-account.md draws it).
public struct AccountSyncer: Sendable {
    public let client: AmoCRMClient
    public let store: any AccountStore
    public let sink: any ChangeSink
    public let accountID: Int
    /// How far back each poll reaches before the last one started: clocks differ, and amoCRM
    /// stamps `updated_at` in whole seconds.
    public var overlap: Int
    /// The wall clock, Unix seconds.
    public var now: @Sendable () -> Int
    /// Told of every page stored.
    public var progress: @Sendable (SyncProgress) -> Void

    public init(
        client: AmoCRMClient, store: any AccountStore, sink: any ChangeSink, accountID: Int, overlap: Int = 120,
        now: (@Sendable () -> Int)? = nil,
        progress: @escaping @Sendable (SyncProgress) -> Void = { _ in }
    ) {
        self.client = client
        self.store = store
        self.sink = sink
        self.accountID = accountID
        self.overlap = overlap
        self.now = now ?? { Int(NotificationTime.now().millisecondsSince1970 / 1000) }
        self.progress = progress
    }

    /// The kinds a listing reads, in order; customers only when the account has them on.
    static func kinds(customers: Bool) -> [EntityKind] {
        customers ? [.contact, .company, .lead, .customer] : [.contact, .company, .lead]
    }

    // MARK: The state machine

    /// Whether a listing was started and not finished (interrupted, or running): the next listing
    /// resumes it.
    public static func isListingInProgress(_ state: [String: String]) -> Bool {
        !(state[SyncStateKey.listingRun] ?? "").isEmpty
    }

    /// Whether a listing is due: one is in progress, none has finished, or the last one started
    /// `reconcileSeconds` or more before `now`.
    public static func isListingDue(_ state: [String: String], reconcileSeconds: Int, now: Int) -> Bool {
        guard !isListingInProgress(state), let last = state[SyncStateKey.lastListingAt].flatMap(Int.init) else {
            return true
        }
        return now - last >= reconcileSeconds
    }

    // MARK: The account object, users, statuses, pipelines

    /// Reads the account object, its users, its lead pipelines and (customers on) the customer
    /// statuses, and commits them; returns the account object.
    @discardableResult
    public func refreshAccount() async throws -> AccountObject {
        let answer = try await client.accountObject()
        guard var account = answer.account else { throw SyncError("GET /api/v4/account gave no account object") }
        account.id = account.id ?? accountID
        let users = try await client.list("/api/v4/users").flatMap(\.users)
        let pipelines = try await client.leadPipelines().pipelines
        var statuses: [CustomerStatus]?
        if account.customersEnabled {
            statuses = try await client.list("/api/v4/customers/statuses").flatMap(\.customerStatuses)
        }
        try await sink.commit(
            StoreBatch(account: account, users: users, customerStatuses: statuses ?? [], pipelines: pipelines))
        return account
    }

    // MARK: The full listing

    /// Lists every entity, page by page, resuming a listing that was interrupted; then removes
    /// what amoCRM no longer has (after reading it by id, to be sure) and sets the poll cursor.
    ///
    /// - Returns: What the listing did.
    @discardableResult
    public func fullListing() async throws -> ListingReport {
        var state = try await store.syncState(accountID: accountID)
        var report = ListingReport()
        let run: Int
        let startedAt: Int
        if let current = state[SyncStateKey.listingRun].flatMap(Int.init),
            let started = state[SyncStateKey.listingStartedAt].flatMap(Int.init)
        {
            run = current
            startedAt = started
            report.resumed = true
        } else {
            startedAt = now()
            // A run id above every earlier one: entities seen by an older run are not "seen" now.
            run = max(startedAt, (state[SyncStateKey.lastListingRun].flatMap(Int.init) ?? 0) + 1)
            state = [
                SyncStateKey.listingRun: String(run), SyncStateKey.listingStartedAt: String(startedAt),
                SyncStateKey.listingKind: "0", SyncStateKey.listingPage: "1",
            ]
            try await sink.commit(StoreBatch(syncState: state))
        }
        let account = try await refreshAccount()
        let kinds = Self.kinds(customers: account.customersEnabled)
        let firstKind = min(kinds.count, state[SyncStateKey.listingKind].flatMap(Int.init) ?? 0)
        var page = state[SyncStateKey.listingPage].flatMap(Int.init) ?? 1
        for kindIndex in firstKind..<kinds.count {
            let kind = kinds[kindIndex]
            for try await listed in client.pages(of: kind, startingAt: page) {
                let updates = listed.updates
                try await sink.commit(
                    StoreBatch(
                        updates: updates,
                        syncState: [
                            SyncStateKey.listingKind: String(kindIndex),
                            SyncStateKey.listingPage: String(listed.number + 1),
                        ], listingRun: run))
                report.entities += updates.count
                report.pages += 1
                progress(SyncProgress(phase: .listing, kind: kind, entities: report.entities, pages: report.pages))
            }
            page = 1
            try await sink.commit(
                StoreBatch(syncState: [SyncStateKey.listingKind: String(kindIndex + 1), SyncStateKey.listingPage: "1"]))
        }
        // What the listing did not see: read by id (a page may have shifted under the listing), and
        // only what amoCRM does not give back is deleted.
        for kind in EntityKind.allCases {
            let unseen = try await store.unseenIDs(accountID: accountID, kind: kind, run: run, updatedBefore: startedAt)
            guard !unseen.isEmpty else { continue }
            // A kind the account no longer lists (customers turned off) is gone whole.
            let read = try await readBack(kind, ids: unseen, listingRun: run, ask: kinds.contains(kind))
            report.deleted += read.deleted
        }
        try await sink.commit(
            StoreBatch(syncState: [
                SyncStateKey.listingRun: "", SyncStateKey.listingStartedAt: "", SyncStateKey.lastListingRun: String(run),
                SyncStateKey.lastListingAt: String(startedAt), SyncStateKey.pollFrom: String(startedAt - overlap),
                SyncStateKey.lastPollAt: String(startedAt),
            ]))
        progress(SyncProgress(phase: .done, kind: nil, entities: report.entities, pages: report.pages))
        return report
    }

    // MARK: Polling

    /// Reads what changed since the last poll (or listing), less ``overlap``; commits it and moves
    /// the cursor. Deletions are not listed by amoCRM: reconciliation finds them.
    @discardableResult
    public func poll() async throws -> ListingReport {
        let state = try await store.syncState(accountID: accountID)
        guard let from = state[SyncStateKey.pollFrom].flatMap(Int.init) else { return try await fullListing() }
        let startedAt = now()
        var report = ListingReport()
        let account = try await refreshAccount()
        for kind in Self.kinds(customers: account.customersEnabled) {
            for try await listed in client.pages(of: kind, updatedFrom: from) {
                let updates = listed.updates
                try await sink.commit(StoreBatch(updates: updates))
                report.entities += updates.count
                report.pages += 1
                progress(SyncProgress(phase: .polling, kind: kind, entities: report.entities, pages: report.pages))
            }
        }
        try await sink.commit(
            StoreBatch(syncState: [
                SyncStateKey.pollFrom: String(startedAt - overlap), SyncStateKey.lastPollAt: String(startedAt),
            ]))
        return report
    }

    // MARK: Re-reads

    /// Reads these entities by id and commits them; those amoCRM does not give back are deleted.
    @discardableResult
    public func reRead(_ entities: some Sequence<EntityRef>) async throws -> ListingReport {
        var byKind: [EntityKind: [Int]] = [:]
        for entity in entities { byKind[entity.kind, default: []].append(entity.id) }
        var report = ListingReport()
        for kind in EntityKind.allCases {
            guard let ids = byKind[kind] else { continue }
            let read = try await readBack(kind, ids: ids, listingRun: nil, ask: true)
            report.entities += read.entities
            report.pages += read.pages
            report.deleted += read.deleted
        }
        return report
    }

    /// Reads entities by id and commits them (seen by `listingRun`, when given); those amoCRM does
    /// not give back (or all, when `ask` is false) are deleted.
    private func readBack(_ kind: EntityKind, ids: [Int], listingRun: Int?, ask: Bool) async throws -> ListingReport {
        var report = ListingReport()
        var found: Set<Int> = []
        if ask {
            for try await listed in client.pages(of: kind, ids: ids) {
                let updates = listed.updates
                found.formUnion(updates.map(\.entity.id))
                try await sink.commit(StoreBatch(updates: updates, listingRun: listingRun))
                report.entities += updates.count
                report.pages += 1
            }
        }
        let gone = Set(ids).subtracting(found).sorted()
        report.deleted = gone.count
        if !gone.isEmpty {
            try await sink.commit(StoreBatch(updates: gone.map { .deletion(of: EntityRef(kind: kind, id: $0)) }))
        }
        return report
    }
}

/// What a listing, poll or re-read did.
public struct ListingReport: Hashable, Sendable {
    public var entities = 0
    public var pages = 0
    /// Entities found gone and deleted.
    public var deleted = 0
    /// Whether a listing went on from where an earlier one stopped.
    public var resumed = false

    public init() {}
}

/// Where a sync is, for a progress display.
public struct SyncProgress: Hashable, Sendable {
    public enum Phase: String, Hashable, Sendable { case listing, polling, done }
    public var phase: Phase
    public var kind: EntityKind?
    /// Entities stored so far in this run.
    public var entities: Int
    public var pages: Int
}

/// The keys of the sync state in the store.
public enum SyncStateKey {
    /// The listing in progress: its run id, when it started (Unix seconds), the kind (its place in
    /// the listing's order) and the page to read next. Empty when none is in progress.
    public static let listingRun = "listing.run"
    public static let listingStartedAt = "listing.started_at"
    public static let listingKind = "listing.kind"
    public static let listingPage = "listing.page"
    /// The last complete listing: its run id and when it started (the last reconciliation).
    public static let lastListingRun = "listing.last_run"
    public static let lastListingAt = "listing.last_at"
    /// The next poll reads from this `updated_at` (Unix seconds).
    public static let pollFrom = "poll.from"
    /// When the last poll (or listing) that succeeded started.
    public static let lastPollAt = "poll.last_at"
    /// OAuth tokens as the last refresh gave them.
    public static let oauthAccessToken = "oauth.access_token"
    public static let oauthRefreshToken = "oauth.refresh_token"
    /// A long-lived token kept for the account by `screenpop accounts add`, so that a server that
    /// serves many accounts can sync each with its own.
    public static let longLivedToken = "amocrm.long_lived_token"
}

/// A sync that cannot go on: what and why.
public struct SyncError: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
