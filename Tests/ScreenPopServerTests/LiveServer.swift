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

/// The account of the server tests: `SampleAccount`, one number for each kind of answer.
enum ServerTestAccount {
    static let leadNumber = SampleAccount.leadNumber
    static let customerNumber = SampleAccount.customerNumber
    static let contactNumber = SampleAccount.contactNumber
    static let companyNumber = SampleAccount.companyNumber
    static let unknownNumber = SampleAccount.unknownNumber
    static let users = [88888, 99999, 77777]
    static let token = "test-token-5f2c"
    static let data = SampleAccount.data

    static let index = AccountIndex(building: data)
}

struct TimeoutError: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Polls `condition` every 5 ms until it holds, for at most `seconds`: a bound against hanging,
/// generous because the suite runs in parallel on 2 shared cores, never a measure of speed.
func waitUntil(_ what: String, seconds: Double = 60, _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while !condition() {
        guard ContinuousClock.now < deadline else { throw TimeoutError(what: what) }
        try await Task.sleep(for: .milliseconds(5))
    }
}

/// A sink that records every notification it gets.
final class RecordingSink: NotificationSink {
    private let batches = NIOLockedValueBox<[[CallNotification]]>([])

    func deliver(_ notifications: [CallNotification]) async {
        batches.withLockedValue { $0.append(notifications) }
    }

    var notifications: [CallNotification] { batches.withLockedValue { $0.flatMap { $0 } } }
    var batchCount: Int { batches.withLockedValue { $0.count } }
}

/// A server on 127.0.0.1 and a free port, run in a `ServiceGroup`, and a real HTTP client.
struct LiveServer: Sendable {
    let port: Int
    let server: ScreenPopServer
    let recorder: RecordingSink
    let client: HTTPClient

    var base: String { "http://127.0.0.1:\(port)" }

    static func logger() -> Logger {
        var logger = Logger(label: "screenpop-test")
        logger.logLevel =
            ProcessInfo.processInfo.environment["SCREENPOP_TEST_LOG"].flatMap { Logger.Level(rawValue: $0) }
            ?? .critical
        return logger
    }

    /// Runs `body` against a fresh server; shuts the server down gracefully afterwards.
    static func with<T: Sendable>(
        heartbeat: Duration = .seconds(30), streams: StreamLimits = StreamLimits(),
        timeouts: ConnectionTimeouts = ConnectionTimeouts(), maxConnections: Int = 10_000,
        extraSinks: [any NotificationSink] = [], feed: (any AccountFeed)? = nil, webhookSecret: String? = nil,
        maxWebhookBytes: Int = 4 << 20, tickets: StreamTicketSettings = StreamTicketSettings(),
        logger: Logger = LiveServer.logger(), adjust: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (LiveServer) async throws -> T
    ) async throws -> T {
        let recorder = RecordingSink()
        var configuration = ServerConfiguration(
            host: "127.0.0.1", port: 0, apiToken: APIToken(ServerTestAccount.token)!, heartbeatInterval: heartbeat,
            streams: streams, timeouts: timeouts, maxConnections: maxConnections,
            webhookSecret: webhookSecret.flatMap { APIToken($0) }, maxWebhookBytes: maxWebhookBytes)
        configuration.tickets = tickets
        adjust(&configuration)
        let server = ScreenPopServer(
            index: ServerTestAccount.index,
            events: CallEventsConfiguration(users: ServerTestAccount.users, names: EntityNames(SampleAccount.names)),
            configuration: configuration, additionalSinks: [recorder] + extraSinks, feed: feed, logger: logger)
        return try await serving(server, logger: logger, recorder: recorder, body)
    }

    // MARK: Requests

    struct Reply: Sendable {
        let status: Int
        let headers: [(String, String)]
        let body: String

        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        }
        var error: [String: Any]? { json?["error"] as? [String: Any] }
        var items: [[String: Any]] { ((json?["_embedded"] as? [String: Any])?["items"] as? [[String: Any]]) ?? [] }
    }

    func post(
        _ body: String, contentType: String? = "application/json", path: String = "/api/v2/events",
        authorization: String? = "Bearer \(ServerTestAccount.token)", extraHeaders: [(String, String)] = []
    ) async throws -> Reply {
        try await post(
            bytes: Array(body.utf8), contentType: contentType, path: path, authorization: authorization,
            extraHeaders: extraHeaders)
    }

    func post(
        bytes: [UInt8], contentType: String? = "application/json", path: String = "/api/v2/events",
        authorization: String? = "Bearer \(ServerTestAccount.token)", extraHeaders: [(String, String)] = []
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        for (name, value) in extraHeaders { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: bytes))
        let response = try await client.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 4 << 20)
        return Reply(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
            body: String(buffer: body))
    }

    /// A POST whose body is streamed in chunks (`Transfer-Encoding: chunked`, no `Content-Length`).
    func postChunked(
        _ bytes: [UInt8], chunk: Int, contentType: String = "application/json", path: String = "/api/v2/events"
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        request.headers.add(name: "Authorization", value: "Bearer \(ServerTestAccount.token)")
        let chunks = stride(from: 0, to: bytes.count, by: chunk).map {
            ByteBuffer(bytes: bytes[$0..<min($0 + chunk, bytes.count)])
        }
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
        for part in chunks { continuation.yield(part) }
        continuation.finish()
        request.body = .stream(stream, length: .unknown)
        do {
            let response = try await client.execute(request, timeout: .seconds(60))
            let body = try await response.body.collect(upTo: 4 << 20)
            return Reply(
                status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                body: String(buffer: body))
        }
    }

    func get(_ path: String, authorization: String? = "Bearer \(ServerTestAccount.token)") async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        let response = try await client.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 20)
        return Reply(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
            body: String(buffer: body))
    }

    func stream(user: Int, lastEventID: String? = nil, authorization: String? = "Bearer \(ServerTestAccount.token)")
        async throws -> SSEClient
    {
        try await stream(query: "user_id=\(user)", lastEventID: lastEventID, authorization: authorization)
    }

    /// A stream of `/api/v2/events/stream?<query>` (`ticket=…`, `user_id=…`).
    func stream(query: String, lastEventID: String? = nil, authorization: String? = nil) async throws -> SSEClient {
        var request = HTTPClientRequest(url: base + "/api/v2/events/stream?" + query)
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
        request.headers.add(name: "Accept", value: "text/event-stream")
        let response = try await client.execute(request, timeout: .seconds(60))
        return SSEClient(response: response)
    }
}

/// One SSE message as the client parsed it.
struct SSEMessage: Sendable, Equatable {
    var id: String?
    var event: String?
    var data: String?
    var comment: String?
    var retry: Int?
}

/// Reads an event stream on its own task and keeps every message.
final class SSEClient: Sendable {
    let status: Int
    let contentType: String?
    let retryAfter: String?
    private let state = NIOLockedValueBox<(messages: [SSEMessage], ended: Bool, body: String)>(([], false, ""))
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    init(response: HTTPClientResponse) {
        status = Int(response.status.code)
        contentType = response.headers.first(name: "Content-Type")
        retryAfter = response.headers.first(name: "Retry-After")
        let body = response.body
        let task = Task { [state, status] in
            var pending: [UInt8] = []
            do {
                for try await buffer in body {
                    if status != 200 {
                        state.withLockedValue { $0.body += String(buffer: buffer) }
                        continue
                    }
                    pending.append(contentsOf: buffer.readableBytesView)
                    while let end = Self.frameEnd(pending) {
                        let frame = String(decoding: pending[..<end], as: UTF8.self)
                        pending.removeFirst(end + 2)
                        let message = Self.parse(frame)
                        state.withLockedValue { $0.messages.append(message) }
                    }
                }
            } catch {}
            state.withLockedValue { $0.ended = true }
        }
        self.task.withLockedValue { $0 = task }
    }

    static func frameEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        for i in 0..<(bytes.count - 1) where bytes[i] == 0x0A && bytes[i + 1] == 0x0A { return i }
        return nil
    }

    static func parse(_ frame: String) -> SSEMessage {
        var message = SSEMessage()
        for line in frame.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(":") {
                message.comment = String(line.dropFirst()).trimmingCharacters(in: .whitespaces)
            } else if line.hasPrefix("event: ") {
                message.event = String(line.dropFirst(7))
            } else if line.hasPrefix("id: ") {
                message.id = String(line.dropFirst(4))
            } else if line.hasPrefix("data: ") {
                message.data = (message.data.map { $0 + "\n" } ?? "") + line.dropFirst(6)
            } else if line.hasPrefix("retry: ") {
                message.retry = Int(line.dropFirst(7))
            }
        }
        return message
    }

    var messages: [SSEMessage] { state.withLockedValue { $0.messages } }
    var events: [SSEMessage] { messages.filter { $0.data != nil } }
    var ended: Bool { state.withLockedValue { $0.ended } }
    var errorBody: String { state.withLockedValue { $0.body } }

    /// The notifications' uids, in the order received.
    var uids: [String] { events.compactMap { Self.uid(of: $0) } }

    static func uid(of message: SSEMessage) -> String? {
        guard let data = message.data,
            let object = (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any]
        else { return nil }
        return object["uid"] as? String
    }

    /// Waits until at least `count` events arrived (bounded), and returns all events.
    @discardableResult
    func waitForEvents(_ count: Int, seconds: Double = 60) async throws -> [SSEMessage] {
        try await waitUntil("\(count) events (have \(events.count))", seconds: seconds) { events.count >= count }
        return events
    }

    func waitForEnd(seconds: Double = 60) async throws {
        try await waitUntil("the stream's end", seconds: seconds) { ended }
    }

    /// Closes the connection from the client's side.
    func close() {
        task.withLockedValue { $0?.cancel() }
    }
}
