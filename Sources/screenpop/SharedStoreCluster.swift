import AccountSync
import Logging
import ScreenPopPostgres
import ScreenPopServer
import ScreenPopStore
import ScreenPopSupport

/// What the instances on one PostgreSQL store do together (docs/live-account.md, "Several
/// instances"): follow each other's changes, relay calls to each other's streams, and take turns
/// at polling amoCRM. On a SQLite store, an instance alone, all of it is nothing.
final class SharedStoreCluster: Sendable {
    let store: any AccountStore
    let logger: Logger
    /// Whether the store is shared (PostgreSQL).
    var isShared: Bool { postgres != nil }
    private let postgres: PostgresAccountStore?
    /// Set while the store's announcements are heard; nil before the first connection.
    private let connected = LockedValue<Bool?>(nil)

    init(store: any AccountStore, logger: Logger) {
        self.store = store
        self.logger = logger
        let postgres = store as? PostgresAccountStore
        self.postgres = postgres
        self.leadership = postgres.map(PostgresSyncLeadership.init)
        self.relay = postgres.map { PostgresCallRelay(store: $0, logger: logger) }
    }

    /// Why changes are refused now (PostgreSQL unreachable), nil when they are taken.
    var changesRefused: String? { connected.withLock { $0 } == false ? "PostgreSQL is unreachable" : nil }

    let leadership: (any SyncLeadership)?
    let relay: PostgresCallRelay?

    /// Not ready while the store's announcements cannot be heard: the index answers calls, but
    /// changes are refused and others' changes are not followed.
    var readiness: Readiness {
        guard postgres != nil else { return .ready }
        switch connected.withLock({ $0 }) {
        case true: return .ready
        case false: return .notReady("PostgreSQL unreachable: answering from memory, changes refused")
        case nil: return .notReady("connecting to PostgreSQL")
        }
    }

    /// Listens to the store until cancelled: changes to the accounts loaded here, calls to their
    /// streams, and catching up after every (re)connection.
    func follow(provider: StoreAccountProvider, server: ScreenPopServer) async {
        guard let postgres, let relay else { return }
        let listener = postgres.listen()
        let sending = Task { await relay.run() }
        let trimming = Task { await Self.trimChangeLog(postgres, logger: logger) }
        defer {
            sending.cancel()
            trimming.cancel()
        }
        await withTaskCancellationHandler {
            for await event in listener.events {
                switch event {
                case .connected:
                    let was = connected.withLock { value in
                        defer { value = true }
                        return value
                    }
                    if was == false { logger.notice("PostgreSQL is back: catching up") }
                    // Announcements may have been missed: every loaded account reads the log.
                    Task { await provider.catchUpAll() }
                case .disconnected:
                    let was = connected.withLock { value in
                        defer { value = false }
                        return value
                    }
                    if was != false { logger.error("PostgreSQL unreachable: answering from memory, refusing changes") }
                case .change(let accountID, let sequence):
                    Task { await provider.changeAnnounced(accountID: accountID, sequence: sequence) }
                case .call(let accountID, let payload, let origin):
                    guard origin != postgres.origin else { continue }
                    server.receiveRelayed(accountID: accountID, payload: payload)
                }
            }
        } onCancel: {
            Task { await listener.stop() }
        }
    }
}

extension SharedStoreCluster {
    /// How long the change log keeps an entry: an instance that was cut off longer than this
    /// loads its accounts again instead of catching up (LiveAccount).
    static let changeLogRetention: Duration = .seconds(3600)

    /// Trims the change log every ten minutes until cancelled (any instance may; it is idempotent).
    static func trimChangeLog(_ store: PostgresAccountStore, logger: Logger) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(600))
            guard !Task.isCancelled else { return }
            do {
                let deleted = try await store.trimChangeLog(olderThan: changeLogRetention)
                if deleted > 0 { logger.debug("change log trimmed", metadata: ["entries": "\(deleted)"]) }
            } catch {
                logger.debug("cannot trim the change log", metadata: ["error": "\(error)"])
            }
        }
    }
}

/// One instance at a time polls an account: the one that holds its advisory lock, on a connection
/// of its own, so that the lock goes with a process that dies.
final class PostgresSyncLeadership: SyncLeadership {
    /// The advisory lock's first key: sync leadership (the second is the account).
    static let purpose: Int32 = 1
    let store: PostgresAccountStore
    private let held = LockedValue<[Int: Leadership]>([:])

    init(_ store: PostgresAccountStore) {
        self.store = store
    }

    func isLeader(accountID: Int) async -> Bool {
        if let lead = held.withLock({ $0[accountID] }) {
            if await lead.isHeld { return true }
            held.withLock { $0[accountID] = nil }
            // Its connection broke: closed before it goes (PostgresNIO requires it).
            await lead.release()
        }
        guard let lead = try? await store.tryLeadership(accountID: accountID, purpose: Self.purpose) else { return false }
        held.withLock { $0[accountID] = lead }
        return true
    }

    func resign(accountID: Int) async {
        let lead = held.withLock { $0.removeValue(forKey: accountID) }
        await lead?.release()
    }
}

/// Calls made here, to the other instances' streams, through PostgreSQL's NOTIFY.
///
/// A call's answer never waits for PostgreSQL: ``publish(accountID:payload:)`` queues, and one task
/// sends in order. When PostgreSQL is slow or away, the oldest queued calls beyond 1,000 are
/// dropped (a pop is worth seconds, not minutes) and counted in one warning per outage.
final class PostgresCallRelay: CallRelay {
    let store: PostgresAccountStore
    let logger: Logger
    private let queue: AsyncStream<(Int, [UInt8])>
    private let input: AsyncStream<(Int, [UInt8])>.Continuation
    private let failures = LockedValue(0)

    init(store: PostgresAccountStore, logger: Logger) {
        self.store = store
        self.logger = logger
        (queue, input) = AsyncStream.makeStream(of: (Int, [UInt8]).self, bufferingPolicy: .bufferingNewest(1000))
    }

    func publish(accountID: Int, payload: [UInt8]) async {
        input.yield((accountID, payload))
    }

    /// Sends what is queued until cancelled.
    func run() async {
        for await (accountID, payload) in queue {
            do {
                try await store.publishCall(accountID: accountID, payload: payload)
                let failed = failures.withLock { count in
                    defer { count = 0 }
                    return count
                }
                if failed > 0 { logger.notice("calls are relayed again", metadata: ["not_relayed": "\(failed)"]) }
            } catch {
                // The call was answered and delivered here; other instances' streams miss it.
                let first = failures.withLock { count in
                    count += 1
                    return count == 1
                }
                if first {
                    logger.warning(
                        "calls not relayed to the other instances", metadata: ["account_id": "\(accountID)", "error": "\(error)"])
                }
            }
        }
    }
}
