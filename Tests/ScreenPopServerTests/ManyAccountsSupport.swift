import AccountIndex
import AccountSynthesis
import AsyncHTTPClient
import CallEvents
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ScreenPopServer
import ServiceLifecycle
import Testing

/// The accounts of the many-accounts tests: A is `SampleAccount`; B is another account whose one
/// contact has a number A does not know, and whose users A does not have.
enum TestAccounts {
    static let a = 1
    static let b = 2
    static let tokenA = "sp_test-token-of-account-a-7c1e"
    static let tokenB = "sp_test-token-of-account-b-93d0"
    static let secretA = "wh_test-secret-of-account-a-41aa"
    static let secretB = "wh_test-secret-of-account-b-0be2"
    /// B's contact 901's number: unknown in A.
    static let numberB = "+79123456789"
    static let usersB = [55555, 66666]

    static let dataB: AccountData = {
        var data = AccountData(settings: AccountSettings(defaultRegion: "RU"))
        data.contacts = [Contact(id: 901, createdAt: 100, phones: [PhoneValue("+7 912 345-67-89")])]
        return data
    }()
    static let indexB = AccountIndex(building: dataB)

    /// The token of account `id` in the tests with more accounts: `sp_test-token-<id>`.
    static func token(_ id: Int) -> String {
        switch id {
        case a: tokenA
        case b: tokenB
        default: "sp_test-token-\(id)"
        }
    }
}

/// What a ``TestProvider`` serves for one account.
struct TestAccountSpec: Sendable {
    var index: AccountIndex
    var users: [Int]
    var names: [(EntityRef, String)] = []
    var feed: FakeFeed?
    var memoryBytes = 0
    var token: String
    var secret: String?

    /// Account A (`SampleAccount`), or another account with A's data and users under `token`.
    static func sample(
        token: String = TestAccounts.tokenA, secret: String? = nil, feed: FakeFeed? = nil,
        memoryBytes: Int = 0
    ) -> TestAccountSpec {
        TestAccountSpec(
            index: ServerTestAccount.index, users: ServerTestAccount.users, names: SampleAccount.names, feed: feed,
            memoryBytes: memoryBytes, token: token, secret: secret)
    }

    static func b(feed: FakeFeed? = nil) -> TestAccountSpec {
        TestAccountSpec(
            index: TestAccounts.indexB, users: TestAccounts.usersB, names: [(.contact(901), "Boris")], feed: feed,
            token: TestAccounts.tokenB, secret: TestAccounts.secretB)
    }
}

/// A provider over accounts held in memory, as a store's provider would be over its rows: only
/// hashes of the credentials, compared with ``AccountSecret/hashesEqual(_:_:)``. It counts loads and
/// unloads, can hold loads until released, and can fail the next loads of an account.
final class TestProvider: AccountProvider {
    struct LoadFailure: Error, CustomStringConvertible {
        var description: String { "the test's store is unreachable" }
    }

    private struct State {
        var loads: [Int: Int] = [:]
        var loadsStarted = 0
        var unloads: [Int] = []
        var failures: [Int: Int] = [:]
        var held = false
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    let specs: [Int: TestAccountSpec]
    private let tokenHashes: [(hash: [UInt8], id: Int)]
    private let secretHashes: [(hash: [UInt8], id: Int)]
    private let state = NIOLockedValueBox(State())

    init(_ specs: [Int: TestAccountSpec]) {
        self.specs = specs
        tokenHashes = specs.map { (AccountSecret.sha256($0.value.token), $0.key) }
        secretHashes = specs.compactMap { id, spec in spec.secret.map { (AccountSecret.sha256($0), id) } }
    }

    func accountID(forAPITokenHash hash: [UInt8]) async -> Int? {
        tokenHashes.first { AccountSecret.hashesEqual($0.hash, hash) }?.id
    }

    func accountID(forWebhookSecretHash hash: [UInt8]) async -> Int? {
        secretHashes.first { AccountSecret.hashesEqual($0.hash, hash) }?.id
    }

    func hasAccount(_ accountID: Int) async -> Bool { specs[accountID] != nil }

    func load(accountID: Int) async throws -> ServedAccountParts {
        let held = state.withLockedValue { state in
            state.loadsStarted += 1
            return state.held
        }
        if held {
            await withCheckedContinuation { continuation in
                let release = state.withLockedValue { state in
                    guard state.held else { return true }
                    state.waiting.append(continuation)
                    return false
                }
                if release { continuation.resume() }
            }
        }
        let fail = state.withLockedValue { state in
            state.loads[accountID, default: 0] += 1
            guard let left = state.failures[accountID], left > 0 else { return false }
            state.failures[accountID] = left - 1
            return true
        }
        if fail { throw LoadFailure() }
        guard let spec = specs[accountID] else { throw LoadFailure() }
        return ServedAccountParts(
            index: spec.index, events: CallEventsConfiguration(users: spec.users, names: EntityNames(spec.names)),
            feed: spec.feed, memoryBytes: spec.memoryBytes,
            unload: { [state] in state.withLockedValue { $0.unloads.append(accountID) } })
    }

    /// Makes the next `count` loads of `accountID` throw.
    func failNextLoads(of accountID: Int, count: Int) { state.withLockedValue { $0.failures[accountID] = count } }

    /// Holds every load until ``release()``.
    func hold() { state.withLockedValue { $0.held = true } }

    func release() {
        let waiting = state.withLockedValue { state in
            state.held = false
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    /// The loads of `accountID` that reached the store (after a hold).
    func loads(of accountID: Int) -> Int { state.withLockedValue { $0.loads[accountID, default: 0] } }
    var loadsStarted: Int { state.withLockedValue { $0.loadsStarted } }
    var unloads: [Int] { state.withLockedValue { $0.unloads } }
}

/// A relay in memory: every payload goes to every server registered, the publisher's own too (as
/// PostgreSQL's `NOTIFY` reaches its own listener).
final class InMemoryRelay: CallRelay {
    private let servers = NIOLockedValueBox<[ScreenPopServer]>([])
    private let published = NIOLockedValueBox(0)

    func register(_ server: ScreenPopServer) { servers.withLockedValue { $0.append(server) } }

    func publish(accountID: Int, payload: [UInt8]) async {
        published.withLockedValue { $0 += 1 }
        for server in servers.withLockedValue({ $0 }) { server.receiveRelayed(accountID: accountID, payload: payload) }
    }

    var publishedCount: Int { published.withLockedValue { $0 } }
}

extension LiveServer {
    /// Runs `body` against `server` on a free port with a real HTTP client; shuts it down after.
    static func serving<T: Sendable>(
        _ server: ScreenPopServer, logger: Logger = LiveServer.logger(), recorder: RecordingSink = RecordingSink(),
        _ body: @Sendable (LiveServer) async throws -> T
    ) async throws -> T {
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let application = server.application { channel in
            portContinuation.yield(channel.localAddress?.port ?? 0)
            portContinuation.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [application], logger: logger))
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(
                connectionPool: .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 32)))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var result: Result<T, any Error>
            do {
                var iterator = ports.makeAsyncIterator()
                guard let port = await iterator.next(), port > 0 else { throw TimeoutError(what: "the server's port") }
                result = .success(
                    try await body(LiveServer(port: port, server: server, recorder: recorder, client: client)))
            } catch {
                result = .failure(error)
            }
            do {
                try await client.shutdown()
            } catch {
                Issue.record("the test's HTTP client did not shut down: \(error)")
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }

    /// A server of the accounts of `provider`, run as ``serving(_:logger:_:)`` runs it.
    static func many<T: Sendable>(
        _ provider: TestProvider, maxMemoryBytes: Int? = nil, relay: (any CallRelay)? = nil,
        readiness: @escaping @Sendable () async -> Readiness = { .ready }, logger: Logger = LiveServer.logger(),
        _ body: @Sendable (LiveServer) async throws -> T
    ) async throws -> T {
        let server = ScreenPopServer(
            accounts: provider, configuration: ServerConfiguration(port: 0, maxMemoryBytes: maxMemoryBytes),
            relay: relay, readiness: readiness, logger: logger)
        return try await serving(server, logger: logger, body)
    }
}

/// `Bearer <token>`.
func bearer(_ token: String) -> String { "Bearer \(token)" }

/// A batch of one call from `number` to `users` (all the account's users when nil).
func call(_ number: String, users: [Int]? = nil) -> String {
    let users = users.map { ",\"users\":[" + $0.map(String.init).joined(separator: ",") + "]" } ?? ""
    return #"{"add":[{"type":"phone_call","phone_number":"\#(number)"\#(users)}]}"#
}
