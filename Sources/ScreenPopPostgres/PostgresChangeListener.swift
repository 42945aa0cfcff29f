import Logging
import PostgresNIO
import ScreenPopStore
import ScreenPopSupport
import Synchronization

/// What a shared store's other instances did, as they happen: a dedicated connection that
/// listens on `screenpop_changes` and `screenpop_calls`, reconnecting until stopped.
///
/// Notifications are not durable: after ``Event/connected`` (every connection, the first too) a
/// follower reads the change log from the last sequence it applied, since it may have missed some.
///
/// ```swift
/// let listener = store.listen()
/// for await event in listener.events {
///     switch event {
///     case .connected: catchUp()
///     case .change(let accountID, let sequence): follow(accountID, upTo: sequence)
///     case .call(let accountID, let payload, let origin): show(payload, from: origin, to: accountID)
///     case .disconnected: break
///     }
/// }
/// ```
public final class PostgresChangeListener: Sendable {
    public enum Event: Sendable, Equatable {
        /// Listening (again): catch up from the change log.
        case connected
        /// The connection is gone; reconnecting (100 ms, doubling to 2 s).
        case disconnected
        /// Account `accountID` has a change-log entry `sequence`.
        case change(accountID: Int, sequence: Int64)
        /// A call published by ``PostgresAccountStore/publishCall(accountID:payload:)`` (this
        /// instance's own too: compare `origin`).
        case call(accountID: Int, payload: [UInt8], origin: String)
    }

    /// Every event, in order; finishes after ``stop()``.
    public let events: AsyncStream<Event>
    private let task: Task<Void, Never>
    private let state: PIDBox

    /// The current connection's server process.
    final class PIDBox: Sendable {
        let pid = Mutex<Int32?>(nil)
    }

    init(store: PostgresAccountStore) {
        let (events, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .unbounded)
        self.events = events
        let state = PIDBox()
        self.state = state
        task = Task {
            await Self.run(store: store, continuation: continuation, backendPID: state)
        }
    }

    /// The server process of the current connection, nil between connections (for
    /// `pg_terminate_backend` in tests and by operators).
    public var backendPID: Int32? { state.pid.withLock { $0 } }

    /// Stops listening and finishes ``events``.
    public func stop() async {
        task.cancel()
        await task.value
    }

    private struct SessionEnded: Error {}

    private static func run(
        store: PostgresAccountStore, continuation: AsyncStream<Event>.Continuation, backendPID: PIDBox
    ) async {
        var delay = Duration.milliseconds(100)
        var connectionID = 0
        while !Task.isCancelled {
            connectionID += 1
            var wasConnected = false
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: store.connectionConfiguration, id: connectionID, logger: store.logger)
                do {
                    try await withTaskCancellationHandler {
                        try await session(on: connection, store: store, continuation: continuation) { pid in
                            backendPID.pid.withLock { $0 = pid }
                            wasConnected = true
                            delay = .milliseconds(100)
                        }
                    } onCancel: {
                        connection.close().whenComplete { _ in }
                    }
                } catch {
                    await connection.closeAndSettle()
                    throw error
                }
                await connection.closeAndSettle()
            } catch {
                if !Task.isCancelled {
                    store.logger.debug(
                        "change listener: \(store.url): \(PostgresAccountStore.describe(error)); reconnecting")
                }
            }
            backendPID.pid.withLock { $0 = nil }
            if wasConnected { continuation.yield(.disconnected) }
            guard !Task.isCancelled else { break }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(2))
        }
        continuation.finish()
    }

    /// Listens on both channels until the connection fails; `connected` runs once both are on.
    private static func session(
        on connection: PostgresConnection, store: PostgresAccountStore,
        continuation: AsyncStream<Event>.Continuation, connected: (Int32) -> Void
    ) async throws {
        let logger = store.logger
        try await connection.listen(on: PostgresAccountStore.changesChannel) { changes in
            try await connection.listen(on: PostgresAccountStore.callsChannel) { calls in
                let pid =
                    try await PostgresAccountStore.rows(
                        "SELECT pg_backend_pid()", on: connection, logger: logger
                    ) { try $0.decode(Int32.self) }.first ?? 0
                connected(pid)
                continuation.yield(.connected)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await notification in changes {
                            if let event = changeEvent(notification.payload) { continuation.yield(event) }
                        }
                        throw SessionEnded()
                    }
                    group.addTask {
                        for try await notification in calls {
                            if let event = await callEvent(notification.payload, store: store) {
                                continuation.yield(event)
                            }
                        }
                        throw SessionEnded()
                    }
                    // A connection that died without a word (a network gone) shows here.
                    group.addTask {
                        while true {
                            try await Task.sleep(for: .seconds(5))
                            try await connection.query("SELECT 1", logger: logger)
                        }
                    }
                    defer { group.cancelAll() }
                    try await group.next()
                }
            }
        }
    }

    /// `<account_id>:<sequence>`.
    static func changeEvent(_ payload: String) -> Event? {
        let parts = payload.split(separator: ":")
        guard parts.count == 2, let accountID = Int(parts[0]), let sequence = Int64(parts[1]) else { return nil }
        return .change(accountID: accountID, sequence: sequence)
    }

    /// `<account_id>:<origin>:<base64>` or `<account_id>:<origin>:#<relay id>`; the origin may hold colons.
    static func callEvent(_ payload: String, store: PostgresAccountStore) async -> Event? {
        guard let first = payload.firstIndex(of: ":"), let last = payload.lastIndex(of: ":"), first < last,
            let accountID = Int(payload[..<first])
        else { return nil }
        let origin = String(payload[payload.index(after: first)..<last])
        let data = payload[payload.index(after: last)...]
        if data.hasPrefix("#") {
            guard let id = Int64(data.dropFirst()),
                let bytes = try? await store.relayedCall(id: id)
            else { return nil }
            return .call(accountID: accountID, payload: bytes, origin: origin)
        }
        guard let bytes = Base64.decode(data) else { return nil }
        return .call(accountID: accountID, payload: bytes, origin: origin)
    }
}

extension PostgresAccountStore {
    /// Starts listening on a connection of its own; ``PostgresChangeListener/stop()`` ends it.
    public func listen() -> PostgresChangeListener {
        PostgresChangeListener(store: self)
    }
}
