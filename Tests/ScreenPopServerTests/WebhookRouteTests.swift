import Foundation
import Logging
import NIOConcurrencyHelpers
import ScreenPopServer
import Testing

/// A feed that records what it is given and answers what it was told to. (The real feed,
/// `AccountSync.LiveFeed`, lives in another module and is tested end to end there; here only the
/// server's side of the protocol is under test.)
final class FakeFeed: AccountFeed {
    struct Received: Sendable, Equatable {
        var body: [UInt8]
        var contentType: String?
    }

    let webhookAnswer: FeedAnswer
    let statusAnswer: FeedAnswer
    private let state = NIOLockedValueBox<(webhooks: [Received], statusCalls: Int)>(([], 0))

    init(
        webhookAnswer: FeedAnswer = FeedAnswer(status: 200, json: Array(#"{"applied":1}"#.utf8)),
        statusAnswer: FeedAnswer = FeedAnswer(status: 200, json: Array(#"{"state":"live"}"#.utf8))
    ) {
        self.webhookAnswer = webhookAnswer
        self.statusAnswer = statusAnswer
    }

    func receiveWebhook(body: [UInt8], contentType: String?) async -> FeedAnswer {
        state.withLockedValue { $0.webhooks.append(Received(body: body, contentType: contentType)) }
        return webhookAnswer
    }

    func syncStatus() async -> FeedAnswer {
        state.withLockedValue { $0.statusCalls += 1 }
        return statusAnswer
    }

    var webhooks: [Received] { state.withLockedValue { $0.webhooks } }
    var statusCalls: Int { state.withLockedValue { $0.statusCalls } }

    private let health = NIOLockedValueBox(SyncHealth(lagSeconds: nil, errorCount: 0))

    /// What ``syncHealth()`` answers from now on (no sync, no errors at first).
    func setHealth(lagSeconds: Int?, errorCount: Int = 0) {
        health.withLockedValue { $0 = SyncHealth(lagSeconds: lagSeconds, errorCount: errorCount) }
    }

    func syncHealth() async -> SyncHealth { health.withLockedValue { $0 } }
}

/// A log handler that keeps every line, with all its metadata rendered as text.
struct CapturingLogHandler: LogHandler {
    struct Entry: Sendable, CustomStringConvertible {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
        var source: String
        var error: String?

        /// Everything of the line that a log could show.
        var text: String {
            ([message, source, error ?? ""] + metadata.flatMap { [$0.key, $0.value] }).joined(separator: "\n")
        }
        var description: String { "\(level) \(message) \(metadata)" }
    }

    final class Store: Sendable {
        private let box = NIOLockedValueBox<[Entry]>([])
        func append(_ entry: Entry) { box.withLockedValue { $0.append(entry) } }
        var entries: [Entry] { box.withLockedValue { $0 } }
    }

    let label: String
    let store: Store
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        store.append(
            Entry(
                level: event.level, message: "\(event.message)", metadata: all.mapValues { "\($0)" },
                source: event.source, error: event.error.map { "\($0)" }))
    }

    /// A logger at `.trace` whose every line lands in `store`.
    static func logger(_ store: Store) -> Logger {
        var logger = Logger(label: "screenpop-capture") { CapturingLogHandler(label: $0, store: store) }
        logger.logLevel = .trace
        return logger
    }
}

private let secret = "whsec-3f9a1c7e5b2d4680"
private let formType = "application/x-www-form-urlencoded"

/// A body as amoCRM sends it, with a byte that is not UTF-8 so that any re-encoding shows.
private let amoBody: [UInt8] =
    Array("contacts%5Bupdate%5D%5B0%5D%5Bid%5D=31001&contacts%5Bupdate%5D%5B0%5D%5Bname%5D=Пётр+".utf8)
    + [0xFF] + Array("&account%5Bsubdomain%5D=demo".utf8)

/// What a client can see of a reply but its date: status, headers, body.
private func visible(_ reply: LiveServer.Reply) -> [String] {
    ["\(reply.status)", reply.body]
        + reply.headers.filter { !["date", "x-request-id"].contains($0.0.lowercased()) }
        .map { "\($0.0.lowercased()): \($0.1)" }.sorted()
}

@Suite("Webhook route")
struct WebhookRouteTests {
    struct Delivery: Sendable, CustomTestStringConvertible {
        var contentType: String?
        var answer: FeedAnswer
        var testDescription: String { "\(contentType ?? "no content type") → \(answer.status)" }
    }

    @Test(arguments: [
        Delivery(contentType: formType, answer: FeedAnswer(status: 200, json: Array(#"{"applied":2}"#.utf8))),
        Delivery(contentType: nil, answer: FeedAnswer(status: 200, json: Array(#"{"applied":2}"#.utf8))),
        Delivery(
            contentType: "Application/X-WWW-Form-Urlencoded; charset=UTF-8",
            answer: FeedAnswer(status: 200, json: Array("{}".utf8))),
        Delivery(contentType: formType, answer: FeedAnswer(status: 400, json: Array(#"{"error":"no entities"}"#.utf8))),
        Delivery(contentType: formType, answer: FeedAnswer(status: 503, json: Array(#"{"retry":true}"#.utf8))),
    ])
    func theRightSecretHandsTheExactBodyToTheFeed(_ delivery: Delivery) async throws {
        let feed = FakeFeed(webhookAnswer: delivery.answer)
        try await LiveServer.with(feed: feed, webhookSecret: secret) { server in
            let reply = try await server.post(
                bytes: amoBody, contentType: delivery.contentType, path: "/amocrm/webhooks/\(secret)",
                authorization: nil)
            #expect(feed.webhooks == [FakeFeed.Received(body: amoBody, contentType: delivery.contentType)])
            #expect(reply.status == delivery.answer.status)
            #expect(Array(reply.body.utf8) == delivery.answer.json)
            #expect(reply.header("Content-Type") == "application/json")
            #expect(reply.header("X-Request-Id")?.isEmpty == false)
        }
    }

    @Test(arguments: [
        ("another secret of the same length", "whsec-0000000000000000"),
        ("the last byte differs", "whsec-3f9a1c7e5b2d4681"),
        ("the first byte differs", "Whsec-3f9a1c7e5b2d4680"),
        ("one byte short", "whsec-3f9a1c7e5b2d468"),
        ("one byte long", "whsec-3f9a1c7e5b2d46800"),
        ("twice the secret", secret + secret),
        ("a single byte", "w"),
        ("percent-encoded", "whsec%2D3f9a1c7e5b2d4680"),
    ])
    func aWrongSecretGetsTheAnswerOfAnUnknownPath(_ why: String, _ attempt: String) async throws {
        let feed = FakeFeed()
        try await LiveServer.with(feed: feed, webhookSecret: secret) { server in
            let reply = try await server.post(
                bytes: amoBody, contentType: formType, path: "/amocrm/webhooks/\(attempt)", authorization: nil)
            // The answer of a server without the route (noRouteWithoutASecretOrWithoutAFeed), the
            // path shown without the secret tried.
            #expect(reply.status == 404, "\(why)")
            #expect(reply.body == notFoundBody("POST", "/amocrm/webhooks/<redacted>"), "\(why)")
            #expect(!reply.body.contains("webhooks/\(attempt)"), "\(why)")
            #expect(feed.webhooks.isEmpty, "\(why)")
            // The same server takes the right secret: the refusal was the secret's.
            let right = try await server.post(
                bytes: amoBody, contentType: formType, path: "/amocrm/webhooks/\(secret)", authorization: nil)
            #expect(right.status == 200)
            #expect(feed.webhooks.count == 1)
        }
    }

    @Test func theSecretIsCheckedBeforeTheBody() async throws {
        let feed = FakeFeed()
        try await LiveServer.with(feed: feed, webhookSecret: secret, maxWebhookBytes: 16) { server in
            let path = "/amocrm/webhooks/whsec-3f9a1c7e5b2d4681"
            let tooLarge = try await server.post(bytes: amoBody, contentType: formType, path: path, authorization: nil)
            let wrongType = try await server.post("{}", contentType: "application/json", path: path, authorization: nil)
            let get = try await server.get("/amocrm/webhooks/\(secret)", authorization: nil)
            let wrongGet = try await server.get("/amocrm/webhooks/whsec-3f9a1c7e5b2d4681", authorization: nil)
            #expect(tooLarge.status == 404)
            #expect(wrongType.status == 404)
            // Only POST has the route: a GET with the right secret tells nothing either (the 405 of
            // any GET there, which names no secret).
            #expect(get.status == 405 && get.header("Allow") == "POST")
            #expect(!get.body.contains(secret))
            #expect(visible(get) == visible(wrongGet))
            #expect(feed.webhooks.isEmpty)
        }
    }

    @Test func noRouteWithoutASecretOrWithoutAFeed() async throws {
        let feed = FakeFeed()
        try await LiveServer.with(feed: feed, webhookSecret: nil) { server in
            let reply = try await server.post(
                bytes: amoBody, contentType: formType, path: "/amocrm/webhooks/\(secret)", authorization: nil)
            #expect(reply.status == 404)
            #expect(reply.body == notFoundBody("POST", "/amocrm/webhooks/<redacted>"))
            #expect(feed.webhooks.isEmpty)
        }
        try await LiveServer.with(feed: nil, webhookSecret: secret) { server in
            let reply = try await server.post(
                bytes: amoBody, contentType: formType, path: "/amocrm/webhooks/\(secret)", authorization: nil)
            #expect(reply.status == 404)
            #expect(reply.body == notFoundBody("POST", "/amocrm/webhooks/<redacted>"))
        }
        // Blank: no secret at all (APIToken refuses it), not a secret that an empty segment matches.
        try await LiveServer.with(feed: feed, webhookSecret: "  ") { server in
            let reply = try await server.post(
                bytes: amoBody, contentType: formType, path: "/amocrm/webhooks/", authorization: nil)
            #expect(reply.status == 404)
            #expect(feed.webhooks.isEmpty)
        }
    }

    @Test func aBodyOverTheLimitIs413AndNeverReachesTheFeed() async throws {
        #expect(ServerConfiguration(apiToken: APIToken("t")!).maxWebhookBytes == 4 << 20)
        let feed = FakeFeed()
        let limit = 1024
        try await LiveServer.with(feed: feed, webhookSecret: secret, maxWebhookBytes: limit) { server in
            let path = "/amocrm/webhooks/\(secret)"
            let body = Array(repeating: UInt8(ascii: "a"), count: limit + 1)
            // With Content-Length: refused before reading.
            let declared = try await server.post(bytes: body, contentType: formType, path: path, authorization: nil)
            #expect(declared.status == 413)
            #expect(declared.header("Content-Type") == "application/json")
            #expect(declared.error?["code"] as? String == "body_too_large")
            #expect(declared.error?["message"] as? String == "the body is larger than 1 KiB")
            // Chunked: refused while reading.
            let chunked = try await server.postChunked(body, chunk: 100, contentType: formType, path: path)
            #expect(chunked.status == 413)
            #expect(chunked.error?["code"] as? String == "body_too_large")
            #expect(feed.webhooks.isEmpty)
            // Exactly the limit is taken, both ways.
            let fits = try await server.post(
                bytes: Array(body.dropLast()), contentType: formType, path: path, authorization: nil)
            let chunkedFits = try await server.postChunked(
                Array(body.dropLast()), chunk: 100, contentType: formType, path: path)
            #expect(fits.status == 200)
            #expect(chunkedFits.status == 200)
            #expect(feed.webhooks.map(\.body) == [Array(body.dropLast()), Array(body.dropLast())])
        }
    }

    @Test(arguments: ["application/json", "text/plain", "multipart/form-data; boundary=x", "application/xml"])
    func anotherContentTypeIs415(_ contentType: String) async throws {
        let feed = FakeFeed()
        try await LiveServer.with(feed: feed, webhookSecret: secret) { server in
            let reply = try await server.post(
                bytes: amoBody, contentType: contentType, path: "/amocrm/webhooks/\(secret)", authorization: nil)
            #expect(reply.status == 415)
            #expect(reply.header("Content-Type") == "application/json")
            #expect(reply.error?["code"] as? String == "unsupported_media_type")
            #expect((reply.error?["message"] as? String)?.contains(#""\#(contentType)""#) == true, "\(reply.body)")
            #expect(feed.webhooks.isEmpty)
        }
    }
}

@Suite("Sync status route")
struct SyncStatusRouteTests {
    @Test func theBearerTokenIsRequired() async throws {
        let feed = FakeFeed()
        try await LiveServer.with(feed: feed, webhookSecret: secret) { server in
            let none = try await server.get("/api/v2/sync/status", authorization: nil)
            let wrong = try await server.get("/api/v2/sync/status", authorization: "Bearer \(secret)")
            #expect(none.status == 401)
            #expect(none.error?["code"] as? String == "unauthorized")
            #expect(wrong.status == 401)
            #expect(feed.statusCalls == 0)
            let right = try await server.get("/api/v2/sync/status")
            #expect(right.status == 200)
            #expect(feed.statusCalls == 1)
        }
    }

    @Test(arguments: [
        FeedAnswer(status: 200, json: Array(#"{"state":"live","last_poll":"2026-11-25T01:29:57Z"}"#.utf8)),
        FeedAnswer(status: 503, json: Array(#"{"state":"pulling","progress":0.25}"#.utf8)),
    ])
    func theFeedsAnswerIsPassedThrough(_ answer: FeedAnswer) async throws {
        let feed = FakeFeed(statusAnswer: answer)
        try await LiveServer.with(feed: feed) { server in
            let reply = try await server.get("/api/v2/sync/status")
            #expect(reply.status == answer.status)
            #expect(Array(reply.body.utf8) == answer.json)
            #expect(reply.header("Content-Type") == "application/json")
        }
    }

    @Test func withoutAFeedItIs404() async throws {
        try await LiveServer.with { server in
            let reply = try await server.get("/api/v2/sync/status")
            #expect(reply.status == 404)
            #expect(reply.header("Content-Type") == "application/json")
            #expect(reply.error?["code"] as? String == "not_found")
        }
    }
}

@Suite("Webhook secret redaction")
struct WebhookRedactionTests {
    /// Every line the server logs at `.trace`, Hummingbird's and the connection handlers' too,
    /// while webhooks are posted with the right secret, a wrong one, and refused bodies: neither
    /// secret is in any message, metadata value or key, source or error.
    @Test func theSecretIsInNoLogLineAtAnyLevel() async throws {
        let store = CapturingLogHandler.Store()
        let feed = FakeFeed()
        let secret = "sEcReT-7d41c0ffee93b2aa"
        let attempt = "gUeSs-52e8bad1dea5f00d"
        try await LiveServer.with(
            feed: feed, webhookSecret: secret, maxWebhookBytes: 64, logger: CapturingLogHandler.logger(store)
        ) { server in
            let path = "/amocrm/webhooks/\(secret)"
            let small = Array("leads%5Bstatus%5D%5B0%5D%5Bid%5D=1".utf8)
            let large = Array(repeating: UInt8(ascii: "a"), count: 65)
            @Sendable func post(_ path: String, _ body: [UInt8], _ type: String? = formType) async throws -> Int {
                try await server.post(bytes: body, contentType: type, path: path, authorization: nil).status
            }
            let statuses = [
                try await post(path, small),
                try await post(path + "/", small, nil),
                // The router skips empty segments: this is the webhook route too.
                try await post("//amocrm//webhooks/\(secret)", small),
                try await post(path, small, "text/plain"),
                try await post(path, large),
                try await server.postChunked(large, chunk: 10, contentType: formType, path: path).status,
                try await post("/amocrm/webhooks/\(attempt)", small),
                try await server.get(path, authorization: nil).status,
            ]
            // Mistyped webhook URLs, which hold the secret: unknown paths, logged too.
            let mistyped = [
                try await post("/amocrm/webhook/\(secret)", small), try await post("/amocrm/\(secret)", small),
            ]
            #expect(statuses == [200, 200, 200, 415, 413, 413, 404, 405])
            #expect(mistyped == [404, 404])
            #expect(feed.webhooks.count == 3)
        }
        let entries = store.entries
        // The capture works, at the levels that matter: the request lines (debug; the 404 and 405
        // answers too) and the refusal (notice).
        let requestLines = entries.filter { $0.level == .debug && $0.message.contains("/amocrm/webhooks/<redacted>") }
        #expect(requestLines.count == 8, "\(entries)")
        let mistypedLines = entries.filter { $0.level == .debug && $0.message.contains(" /amocrm/<redacted> 404") }
        #expect(mistypedLines.count == 2, "\(entries)")
        let refusals = entries.filter { $0.message == "refused: wrong webhook secret" }
        #expect(refusals.count == 1)
        #expect(refusals.first?.level == .notice)
        #expect(refusals.first?.metadata["http.path"] == "/amocrm/webhooks/<redacted>")
        for entry in entries {
            #expect(!entry.text.contains(secret), "the secret is in a log line: \(entry)")
            #expect(!entry.text.contains(attempt), "the value tried is in a log line: \(entry)")
            // Nor a long part of either (a prefix, as a truncated value would show).
            #expect(!entry.text.contains(secret.prefix(10)), "a part of the secret is in a log line: \(entry)")
            #expect(!entry.text.contains(attempt.prefix(10)), "a part of the value tried is in a log line: \(entry)")
        }
    }
}
