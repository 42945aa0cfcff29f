import AccountIndex
import AmoCRM
import AmoCRMClient
import CallEvents
import Logging
import ScreenPopJSON
import ScreenPopServer
import ScreenPopStore
import ScreenPopSupport

/// The feed of a live account behind the server: webhooks applied at once, re-reads of what they
/// do not carry, polling and reconciliation with amoCRM, and the status of all of it.
///
/// ```swift
/// let feed = LiveFeed(account: live, syncer: syncer, logger: logger)
/// let server = ScreenPopServer(..., feed: feed)
/// try await feed.run(poll: .seconds(60), reconcile: .seconds(86_400))   // until cancelled
/// ```
public final class LiveFeed: AccountFeed {
    public let account: LiveAccount
    /// Nil without `--amocrm`: webhooks then apply what they carry and nothing is read back.
    public let syncer: AccountSyncer?
    /// Who may poll and reconcile: with several instances on one store, one at a time (nil: this
    /// instance alone).
    public let leadership: (any SyncLeadership)?
    /// Why changes are refused now (the shared store unreachable), nil when they are taken: a
    /// webhook then gets 503 at once, and amoCRM sends it again later.
    public let changesRefused: @Sendable () -> String?
    let logger: Logger
    /// When the feed was made (Unix seconds): a sync that never succeeded lags from then.
    let createdAt: Int
    private let state = LockedValue(State())
    /// Wakes the re-reader.
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>

    /// What the status tells.
    struct State {
        var webhooks = 0
        var webhooksRefused = 0
        var lastWebhookAt: Int?
        var lastPollAt: Int?
        var lastPollEntities = 0
        var lastReconcileAt: Int?
        var pending: Set<EntityRef> = []
        var reReads = 0
        var errors: [(at: Int, source: String, message: String)] = []
        var errorCount = 0
        /// The store's `poll.last_at` as last read: another instance's polls, when it leads.
        var storedLastPollAt: Int?
        var storedReadAt: Int?
    }

    public init(
        account: LiveAccount, syncer: AccountSyncer?, leadership: (any SyncLeadership)? = nil,
        changesRefused: @escaping @Sendable () -> String? = { nil }, logger: Logger
    ) {
        self.account = account
        self.syncer = syncer
        self.leadership = leadership
        self.changesRefused = changesRefused
        self.logger = logger
        self.createdAt = syncer?.now() ?? Int(NotificationTime.now().millisecondsSince1970 / 1000)
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    private var now: Int { syncer?.now() ?? Int(NotificationTime.now().millisecondsSince1970 / 1000) }

    // MARK: Webhooks

    public func receiveWebhook(body: [UInt8], contentType: String?) async -> FeedAnswer {
        let webhook: AmoCRMWebhook
        do {
            webhook = try AmoCRMWebhook(decoding: body)
        } catch {
            state.withLock { $0.webhooksRefused += 1 }
            logger.notice("webhook refused", metadata: ["error": "\(error)"])
            return Self.error(400, code: error.code.rawValue, message: error.description, key: error.key)
        }
        let subject = account.account
        // The account must be named, and be this one: another account's changes must never apply here.
        // (A name the store does not know, such as a subdomain never read, decides nothing.)
        let idMatches = webhook.accountID.map { $0 == account.accountID }
        let subdomainMatches = webhook.subdomain.flatMap { name in subject.subdomain.map { $0.lowercased() == name.lowercased() } }
        guard idMatches == true || subdomainMatches == true, idMatches != false, subdomainMatches != false else {
            state.withLock { $0.webhooksRefused += 1 }
            let named = webhook.accountID.map { "account[id] \($0)" } ?? webhook.subdomain.map { "account[subdomain] \($0)" }
            logger.warning("webhook of another account refused", metadata: ["account": "\(named ?? "none")"])
            let message =
                named.map { "\($0) is not this server's account; nothing was applied" }
                ?? "the webhook names no account (account[id] or account[subdomain]); nothing was applied"
            return Self.error(named == nil ? 400 : 403, code: named == nil ? "missing_account" : "wrong_account",
                message: message, key: named == nil ? "account" : (webhook.accountID != nil ? "account[id]" : "account[subdomain]"))
        }
        if let reason = changesRefused() {
            return Self.error(503, code: "store_unavailable", message: "\(reason); send the change again later")
        }
        let changes: StoreChanges
        do {
            changes = try await account.commit(StoreBatch(updates: webhook.updates))
        } catch {
            record(error: "\(error)", source: "webhook")
            // amoCRM sends a webhook again when it is not answered 2xx.
            return Self.error(503, code: "store_unavailable", message: "the change could not be stored; send it again")
        }
        let queued = syncer == nil ? 0 : webhook.reRead.count
        state.withLock {
            $0.webhooks += 1
            $0.lastWebhookAt = now
            if syncer != nil { $0.pending.formUnion(webhook.reRead) }
        }
        if queued > 0 { wake.yield() }
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("status")
        writer.string("ok")
        writer.key("updates")
        writer.integer(webhook.updates.count)
        writer.key("stale")
        writer.integer(changes.staleCount)
        writer.key("re_reads_queued")
        writer.integer(queued)
        writer.endObject()
        return FeedAnswer(status: 200, json: writer.bytes)
    }

    static func error(_ status: Int, code: String, message: String, key: String? = nil) -> FeedAnswer {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("error")
        writer.beginObject()
        writer.key("code")
        writer.string(code)
        writer.key("message")
        writer.string(message)
        if let key {
            writer.key("key")
            writer.string(key)
        }
        writer.endObject()
        writer.endObject()
        return FeedAnswer(status: status, json: writer.bytes)
    }

    private func record(error message: String, source: String) {
        logger.error("\(source) failed", metadata: ["error": "\(message)"])
        state.withLock {
            $0.errorCount += 1
            $0.errors.append((now, source, message))
            if $0.errors.count > 10 { $0.errors.removeFirst() }
        }
    }

    // MARK: Running

    /// Polls every `poll`, reconciles every `reconcile`, and re-reads what webhooks queue, until
    /// the task is cancelled. Does nothing without a syncer. A failed round is logged, kept in the
    /// status, and tried again at the next period.
    public func run(poll: Duration, reconcile: Duration) async {
        guard let syncer else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.reReadLoop(syncer) }
            group.addTask { await self.pollLoop(syncer, poll: poll, reconcile: reconcile) }
            await group.next()
            group.cancelAll()
        }
        await leadership?.resign(accountID: account.accountID)
    }

    private func pollLoop(_ syncer: AccountSyncer, poll: Duration, reconcile: Duration) async {
        let reconcileSeconds = Int(reconcile.components.seconds)
        while !Task.isCancelled {
            // Another instance polls this account: this one waits, and takes over if that one dies.
            if let leadership, await !leadership.isLeader(accountID: account.accountID) {
                await readLeadersPoll()
                try? await Task.sleep(for: min(poll, .seconds(5)))
                continue
            }
            do {
                let state = try await account.store.syncState(accountID: account.accountID)
                noteStoredPoll(state)
                if AccountSyncer.isListingDue(state, reconcileSeconds: reconcileSeconds, now: now) {
                    let report = try await syncer.fullListing()
                    logger.info(
                        "reconciled", metadata: ["entities": "\(report.entities)", "deleted": "\(report.deleted)"])
                    self.state.withLock {
                        $0.lastReconcileAt = now
                        $0.lastPollAt = now
                        $0.lastPollEntities = report.entities
                    }
                } else {
                    let report = try await syncer.poll()
                    self.state.withLock {
                        $0.lastPollAt = now
                        $0.lastPollEntities = report.entities
                    }
                }
            } catch is CancellationError {
                return
            } catch {
                record(error: "\(error)", source: "poll")
            }
            try? await Task.sleep(for: poll)
        }
    }

    private func reReadLoop(_ syncer: AccountSyncer) async {
        for await _ in wakes {
            while !Task.isCancelled {
                let batch = state.withLock { state -> [EntityRef] in
                    let batch = Array(state.pending.sorted().prefix(1000))
                    state.pending.subtract(batch)
                    return batch
                }
                guard !batch.isEmpty else { break }
                do {
                    try await syncer.reRead(batch)
                    state.withLock { $0.reReads += batch.count }
                } catch is CancellationError {
                    return
                } catch {
                    // Put them back for the next wake; polling catches them anyway.
                    state.withLock { $0.pending.formUnion(batch) }
                    record(error: "\(error)", source: "re-read")
                    break
                }
            }
            if Task.isCancelled { return }
        }
    }

    /// Reads when the leading instance last polled, at most every 30 s: the lag of a sync that
    /// another instance runs (``syncHealth()`` answers from memory).
    private func readLeadersPoll() async {
        let time = now
        let due = state.withLock { $0.storedReadAt.map { time - $0 >= 30 } ?? true }
        guard due, let stored = try? await account.store.syncState(accountID: account.accountID) else { return }
        noteStoredPoll(stored)
    }

    private func noteStoredPoll(_ stored: [String: String]) {
        let time = now
        let last = stored[SyncStateKey.lastPollAt].flatMap(Int.init)
        state.withLock {
            $0.storedReadAt = time
            if let last { $0.storedLastPollAt = max($0.storedLastPollAt ?? last, last) }
        }
    }

    // MARK: Status

    /// From memory: the lag since the last successful poll or listing (this instance's, or the
    /// leading instance's as last read from the store), or since the feed was made when none has
    /// succeeded; nil without a syncer (webhooks only). A reconciliation in progress does not
    /// poll: one that takes longer than the server's limit shows as lag.
    public func syncHealth() async -> SyncHealth {
        let (local, stored, errors) = state.withLock { ($0.lastPollAt, $0.storedLastPollAt, $0.errorCount) }
        guard syncer != nil else { return SyncHealth(lagSeconds: nil, errorCount: errors) }
        let last = [local, stored].compactMap { $0 }.max() ?? createdAt
        return SyncHealth(lagSeconds: max(0, now - last), errorCount: errors)
    }

    public func syncStatus() async -> FeedAnswer {
        let state = state.withLock { $0 }
        let stored = (try? await account.store.syncState(accountID: account.accountID)) ?? [:]
        let lastPoll = state.lastPollAt ?? stored[SyncStateKey.lastPollAt].flatMap(Int.init)
        let lastListing = state.lastReconcileAt ?? stored[SyncStateKey.lastListingAt].flatMap(Int.init)
        let commits = account.commitStatistics
        let time = now
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("account_id")
        writer.integer(account.accountID)
        writer.key("amocrm")
        writer.string(orNull: syncer?.client.configuration.baseURL)
        writer.key("last_poll_at")
        writer.integer(orNull: lastPoll)
        writer.key("lag_seconds")
        writer.integer(orNull: lastPoll.map { max(0, time - $0) })
        writer.key("last_poll_entities")
        writer.integer(state.lastPollEntities)
        writer.key("last_reconcile_at")
        writer.integer(orNull: lastListing)
        writer.key("listing_in_progress")
        writer.bool(AccountSyncer.isListingInProgress(stored))
        writer.key("last_webhook_at")
        writer.integer(orNull: state.lastWebhookAt)
        writer.key("webhooks")
        writer.integer(state.webhooks)
        writer.key("webhooks_refused")
        writer.integer(state.webhooksRefused)
        writer.key("re_reads_pending")
        writer.integer(state.pending.count)
        writer.key("re_reads")
        writer.integer(state.reReads)
        writer.key("commits")
        writer.integer(commits.transactions)
        writer.key("committed_batches")
        writer.integer(commits.batches)
        writer.key("index_rebuilds")
        writer.integer(commits.rebuilds)
        writer.key("error_count")
        writer.integer(state.errorCount)
        writer.key("errors")
        writer.beginArray()
        for error in state.errors.reversed() {
            writer.beginObject()
            writer.key("at")
            writer.integer(error.at)
            writer.key("source")
            writer.string(error.source)
            writer.key("message")
            writer.string(error.message)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return FeedAnswer(status: 200, json: writer.bytes)
    }
}

/// Which instance polls and reconciles an account when several serve it from one store (a
/// PostgreSQL advisory lock held by a connection: it goes with the process that held it).
public protocol SyncLeadership: Sendable {
    /// Whether this instance leads the account's sync now; takes the lead when nobody holds it.
    func isLeader(accountID: Int) async -> Bool
    /// Gives the lead up (the account is no longer served here).
    func resign(accountID: Int) async
}
