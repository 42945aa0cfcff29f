import AccountIndex
import AsyncHTTPClient
import CallEvents
import Foundation
import NIOConcurrencyHelpers
import ScreenPopServer
import ServiceLifecycle
import Testing

/// `GET /healthz`, `/readyz` and `/metrics` on a real server over loopback: who may ask, what the
/// answers say, and metrics that parse as Prometheus text and move with the test's own traffic.
@Suite("Health and metrics")
struct HealthAndMetricsTests {
    static let secret = "whsec-metrics-5d1e9a7c"
    static let formType = "application/x-www-form-urlencoded"

    /// A scrape, checked for its status and content type, parsed strictly.
    static func scrape(_ server: LiveServer, token: String = ServerTestAccount.token) async throws -> PrometheusText {
        let reply = try await server.get("/metrics", authorization: "Bearer \(token)")
        #expect(reply.status == 200)
        #expect(reply.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        do {
            return try PrometheusText(parsing: reply.body)
        } catch {
            Issue.record("/metrics is not Prometheus text: \(error)\n\(reply.body)")
            throw error
        }
    }

    static func requests(_ route: String, _ method: String, _ status: Int) -> [String: String] {
        ["route": route, "method": method, "status": String(status)]
    }

    // MARK: /metrics

    @Test func metricsWantTheAPIToken() async throws {
        try await LiveServer.with { server in
            let missing = try await server.get("/metrics", authorization: nil)
            #expect(missing.status == 401)
            #expect(missing.error?["code"] as? String == "unauthorized")
            #expect(missing.header("WWW-Authenticate") == #"Bearer realm="screenpop""#)
            #expect(try await server.get("/metrics", authorization: "Bearer not-the-token").status == 401)
            #expect(try await server.get("/metrics", authorization: "Basic \(ServerTestAccount.token)").status == 401)
            let metrics = try await Self.scrape(server)
            // Every family the server makes is there from the start, each with its type.
            for (name, type) in [
                ("screenpop_post_duration_seconds", "histogram"), ("screenpop_resolve_duration_seconds", "histogram"),
                ("screenpop_notifications_delivered_total", "counter"),
                ("screenpop_notifications_dropped_total", "counter"), ("screenpop_streams_dropped_total", "counter"),
                ("screenpop_streams_open", "gauge"), ("screenpop_webhooks_total", "counter"),
                ("screenpop_sync_lag_seconds", "gauge"), ("screenpop_sync_errors_total", "counter"),
                ("screenpop_connections_open", "gauge"), ("screenpop_connections_refused_total", "counter"),
                ("screenpop_connections_timed_out_total", "counter"),
            ] {
                #expect(metrics.types[name] == type, "\(name)")
            }
            // Only a server of many accounts counts its accounts.
            #expect(metrics.types["screenpop_accounts_loaded"] == nil)
            // The refused scrapes are counted, under the route's pattern.
            #expect(metrics.count("screenpop_http_requests_total", Self.requests("/metrics", "GET", 401)) == 3)
            #expect((metrics.value("screenpop_connections_open") ?? 0) >= 1)
        }
    }

    /// Three posts, one refused post, a webhook accepted and one refused, a stream opened: the
    /// counters move by exactly that.
    @Test func countersMoveWithTheTraffic() async throws {
        let feed = FakeFeed()
        try await LiveServer.with(feed: feed, webhookSecret: Self.secret) { server in
            let before = try await Self.scrape(server)
            #expect(before.value("screenpop_streams_open") == 0)

            let stream = try await server.stream(user: 88888)
            #expect(stream.status == 200)
            for number in [
                ServerTestAccount.leadNumber, ServerTestAccount.customerNumber, ServerTestAccount.unknownNumber,
            ] {
                #expect(try await server.post(call(number, users: [88888])).status == 200)
            }
            #expect(try await server.post(call(ServerTestAccount.leadNumber), authorization: nil).status == 401)
            let accepted = try await server.post(
                "account[id]=1", contentType: Self.formType, path: "/amocrm/webhooks/\(Self.secret)", authorization: nil
            )
            #expect(accepted.status == 200)
            let wrongSecret = "whsec-wrong-0c4f2b"
            let refused = try await server.post(
                "account[id]=1", contentType: Self.formType, path: "/amocrm/webhooks/\(wrongSecret)", authorization: nil
            )
            #expect(refused.status == 404)
            try await stream.waitForEvents(3)

            let after = try await Self.scrape(server)
            func delta(_ name: String, _ labels: [String: String] = [:]) -> Double {
                after.count(name, labels) - before.count(name, labels)
            }
            let events = "/api/v2/events"
            #expect(delta("screenpop_http_requests_total", Self.requests(events, "POST", 200)) == 3)
            #expect(delta("screenpop_http_requests_total", Self.requests(events, "POST", 401)) == 1)
            #expect(delta("screenpop_http_requests_total", Self.requests("/api/v2/events/stream", "GET", 200)) == 1)
            #expect(
                delta("screenpop_http_requests_total", Self.requests("/amocrm/webhooks/{secret}", "POST", 200)) == 1)
            #expect(
                delta("screenpop_http_requests_total", Self.requests("/amocrm/webhooks/{secret}", "POST", 404)) == 1)
            // The first scrape, counted once it was answered.
            #expect(delta("screenpop_http_requests_total", Self.requests("/metrics", "GET", 200)) == 1)
            let total = after.samples.filter { $0.name == "screenpop_http_requests_total" }.reduce(0) { $0 + $1.value }
            #expect(total == 3 + 1 + 1 + 1 + 1 + 1)
            // Every post is timed, the refused one too; only the three posts resolved anything.
            #expect(delta("screenpop_post_duration_seconds_count") == 4)
            #expect(delta("screenpop_post_duration_seconds_bucket", ["le": "+Inf"]) == 4)
            #expect(delta("screenpop_post_duration_seconds_sum") > 0)
            #expect(delta("screenpop_resolve_duration_seconds_count") == 3)
            #expect(delta("screenpop_notifications_delivered_total") == 3)
            #expect(delta("screenpop_notifications_dropped_total") == 0)
            #expect(delta("screenpop_webhooks_total", ["outcome": "accepted"]) == 1)
            #expect(delta("screenpop_webhooks_total", ["outcome": "refused"]) == 1)
            #expect(after.value("screenpop_streams_open") == 1)
            // No secret, token or path as sent in any label, nor anywhere in the text.
            let text = try await server.get("/metrics").body
            for secret in [Self.secret, wrongSecret, ServerTestAccount.token] {
                #expect(!text.contains(secret))
            }
            #expect(
                Set(after.labelValues.filter { $0.hasPrefix("/") }).isSubset(of: [
                    "/api/v2/events", "/api/v2/events/stream", "/amocrm/webhooks/{secret}", "/metrics",
                ]))

            stream.close()
            try await waitUntil("the stream to close") { server.server.hub.subscriberCount() == 0 }
            #expect(try await Self.scrape(server).value("screenpop_streams_open") == 0)
        }
    }

    @Test func unmatchedRoutesAndOddMethodsHaveBoundedLabels() async throws {
        try await LiveServer.with { server in
            #expect(try await server.get("/no/such/path/sp_secret-looking-9f2").status == 404)
            let raw = try RawConnection(port: server.port)
            // A method HTTP knows (WebDAV's) but no route takes; NIO's parser refuses made-up ones itself.
            raw.send("PROPFIND /coffee-pot-7c3 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            let reply = try await raw.waitForClose(seconds: 60)
            #expect(reply.hasPrefix("HTTP/1.1 404"), "\(reply)")
            let metrics = try await Self.scrape(server)
            #expect(metrics.count("screenpop_http_requests_total", Self.requests("unmatched", "GET", 404)) == 1)
            #expect(metrics.count("screenpop_http_requests_total", Self.requests("unmatched", "other", 404)) == 1)
            let text = try await server.get("/metrics").body
            #expect(!text.contains("sp_secret-looking-9f2") && !text.contains("coffee") && !text.contains("PROPFIND"))
        }
    }

    /// A stream whose queue overflows: what it held and the event that did not fit are dropped,
    /// and what it took before is delivered (nobody read any of it).
    @Test func aStreamClosedForNotReadingCountsItsDroppedEvents() async throws {
        try await LiveServer.with(streams: StreamLimits(streamQueueBytes: 4 << 10)) { server in
            let hub = server.server.hub
            let stuck = try hub.subscribe(user: 88888, lastEventID: nil)
            var delivered = 0
            while hub.droppedStreamCount == 0 {
                #expect(try await server.post(call(ServerTestAccount.leadNumber, users: [88888])).status == 200)
                delivered += 1
                try #require(delivered < 1000, "the queue never overflowed")
            }
            var iterator = stuck.messages.makeAsyncIterator()
            #expect(await iterator.next() == nil)
            let metrics = try await Self.scrape(server)
            #expect(metrics.value("screenpop_streams_dropped_total") == 1)
            #expect(metrics.value("screenpop_notifications_dropped_total") == Double(delivered))
            #expect(metrics.value("screenpop_notifications_delivered_total") == Double(delivered - 1))
            #expect(metrics.value("screenpop_streams_open") == 0)
        }
    }

    // MARK: /healthz and /readyz

    @Test func healthzIsPublic() async throws {
        try await LiveServer.with { server in
            let health = try await server.get("/healthz", authorization: nil)
            #expect(health.status == 200)
            #expect(health.body == #"{"status":"ok"}"#)
            #expect(health.header("Content-Type") == "application/json")
            // /health and /ready are as they were.
            #expect(try await server.get("/health", authorization: nil).body == #"{"status":"ok"}"#)
            #expect(try await server.get("/ready", authorization: nil).body == #"{"status":"ready"}"#)
        }
    }

    @Test func readyzWantsTheTokenAndWatchesTheSync() async throws {
        let feed = FakeFeed()
        try await LiveServer.with(feed: feed) { server in
            #expect(try await server.get("/readyz", authorization: nil).status == 401)
            #expect(try await server.get("/readyz", authorization: "Bearer wrong").status == 401)
            let fixed = try await server.get("/readyz")
            #expect(fixed.status == 200)
            #expect(fixed.body == #"{"status":"ready","sync_lag_seconds":null}"#)
            #expect(fixed.header("Content-Type") == "application/json")

            feed.setHealth(lagSeconds: 42)
            let syncing = try await server.get("/readyz")
            #expect(syncing.status == 200)
            #expect(syncing.body == #"{"status":"ready","sync_lag_seconds":42}"#)
            #expect(try await Self.scrape(server).value("screenpop_sync_lag_seconds") == 42)

            feed.setHealth(lagSeconds: 301)
            let lagging = try await server.get("/readyz")
            #expect(lagging.status == 503)
            #expect(
                lagging.body
                    == #"{"status":"not_ready","reason":"the sync with amoCRM lags: its last success started 301 s ago, over the limit of 300 s"}"#
            )
            // /ready is the embedding code's alone, as before.
            #expect(try await server.get("/ready", authorization: nil).status == 200)
        }
    }

    @Test func syncErrorsAreCountedOnceEach() async throws {
        let feed = FakeFeed()
        try await LiveServer.with(feed: feed) { server in
            var counts: [Double?] = []
            counts.append(try await Self.scrape(server).value("screenpop_sync_errors_total"))
            feed.setHealth(lagSeconds: 5, errorCount: 2)
            counts.append(try await Self.scrape(server).value("screenpop_sync_errors_total"))
            counts.append(try await Self.scrape(server).value("screenpop_sync_errors_total"))
            feed.setHealth(lagSeconds: 5, errorCount: 7)
            counts.append(try await Self.scrape(server).value("screenpop_sync_errors_total"))
            #expect(counts == [0, 2, 2, 7])
        }
    }

    @Test func readyzOfManyAccounts() async throws {
        let reason = NIOLockedValueBox<String?>(nil)
        let feedB = FakeFeed()
        let provider = TestProvider([
            TestAccounts.a: .sample(), TestAccounts.b: .b(feed: feedB), 3: .sample(token: TestAccounts.token(3)),
        ])
        try await LiveServer.many(
            provider, readiness: { reason.withLockedValue { $0 }.map { Readiness.notReady($0) } ?? .ready }
        ) { server in
            #expect(try await server.get("/readyz", authorization: nil).status == 401)
            // A scrape checks the token but loads no account.
            let metrics = try await Self.scrape(server, token: TestAccounts.tokenA)
            #expect(metrics.value("screenpop_accounts_loaded") == 0)
            #expect(provider.loadsStarted == 0)

            // /readyz loads the token's account if it can.
            let a = try await server.get("/readyz", authorization: bearer(TestAccounts.tokenA))
            #expect(a.status == 200)
            #expect(a.body == #"{"status":"ready","sync_lag_seconds":null}"#)
            #expect(server.server.accounts.loadedAccountIDs == [TestAccounts.a])
            feedB.setHealth(lagSeconds: 900, errorCount: 1)
            let b = try await server.get("/readyz", authorization: bearer(TestAccounts.tokenB))
            #expect(b.status == 503)
            #expect(
                b.json?["reason"] as? String
                    == "the sync with amoCRM lags: its last success started 900 s ago, over the limit of 300 s")
            // A's readiness is A's: B's sync does not hold it back.
            #expect(try await server.get("/readyz", authorization: bearer(TestAccounts.tokenA)).status == 200)

            provider.failNextLoads(of: 3, count: 1)
            let c = try await server.get("/readyz", authorization: bearer(TestAccounts.token(3)))
            #expect(c.status == 503)
            #expect(c.body == #"{"status":"not_ready","reason":"the account cannot be loaded now"}"#)

            reason.withLockedValue { $0 = "PostgreSQL unreachable" }
            let down = try await server.get("/readyz", authorization: bearer(TestAccounts.tokenA))
            #expect(down.status == 503)
            #expect(down.body == #"{"status":"not_ready","reason":"PostgreSQL unreachable"}"#)
            let both = try await server.get("/readyz", authorization: bearer(TestAccounts.tokenB))
            #expect(
                both.json?["reason"] as? String
                    == "PostgreSQL unreachable; the sync with amoCRM lags: its last success started 900 s ago, over the limit of 300 s"
            )

            // Any account's token reads the server's metrics.
            let all = try await Self.scrape(server, token: TestAccounts.tokenB)
            #expect(all.value("screenpop_accounts_loaded") == 2)
            #expect(all.value("screenpop_sync_lag_seconds") == 900)
            #expect(all.value("screenpop_sync_errors_total") == 1)
            // No account or user labels: only these names, whose values the server bounds.
            let names = Set(all.samples.flatMap { $0.labels.keys })
            #expect(names.isSubset(of: ["route", "method", "status", "outcome", "le"]))
        }
    }

    // MARK: The monitoring listener

    /// `server`'s API and its monitoring listener on two free ports, in one `ServiceGroup`; `body`
    /// gets the API's ``LiveServer`` and the monitoring port.
    static func withMonitoring(
        _ server: ScreenPopServer, _ body: @Sendable (LiveServer, Int) async throws -> Void
    ) async throws {
        let (ports, continuation) = AsyncStream<(String, Int)>.makeStream()
        let api = server.application { continuation.yield(("api", $0.localAddress?.port ?? 0)) }
        let monitoring = server.monitoringApplication(host: "127.0.0.1", port: 0) {
            continuation.yield(("monitoring", $0.localAddress?.port ?? 0))
        }
        let group = ServiceGroup(
            configuration: .init(services: [api, monitoring], logger: LiveServer.logger()))
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var result: Result<Void, any Error>
            do {
                var bound: [String: Int] = [:]
                for await (name, port) in ports {
                    bound[name] = port
                    if bound.count == 2 { break }
                }
                let apiPort = try #require(bound["api"]), monitoringPort = try #require(bound["monitoring"])
                let live = LiveServer(port: apiPort, server: server, recorder: RecordingSink(), client: client)
                result = .success(try await body(live, monitoringPort))
            } catch {
                result = .failure(error)
            }
            try await client.shutdown()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            try result.get()
        }
    }

    @Test func theMonitoringListenerAsksForNoTokenAndAnswersForTheWholeServer() async throws {
        let feedA = FakeFeed()
        let feedB = FakeFeed()
        let provider = TestProvider([TestAccounts.a: .sample(feed: feedA), TestAccounts.b: .b(feed: feedB)])
        let server = ScreenPopServer(
            accounts: provider, configuration: ServerConfiguration(port: 0), logger: LiveServer.logger())
        try await Self.withMonitoring(server) { api, port in
            let monitoring = LiveServer(port: port, server: server, recorder: RecordingSink(), client: api.client)
            let metrics = try await monitoring.get("/metrics", authorization: nil)
            #expect(metrics.status == 200)
            #expect(metrics.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            _ = try PrometheusText(parsing: metrics.body)
            #expect(try await monitoring.get("/healthz", authorization: nil).status == 200)
            // Nothing loaded yet: ready.
            let empty = try await monitoring.get("/readyz", authorization: nil)
            #expect(empty.body == #"{"status":"ready","sync_lag_seconds":null}"#)
            // The API stays where it was, behind its token; the monitoring port has no API.
            #expect(try await api.get("/metrics", authorization: nil).status == 401)
            #expect(try await monitoring.post(call(ServerTestAccount.leadNumber), authorization: nil).status == 404)

            for token in [TestAccounts.tokenA, TestAccounts.tokenB] {
                #expect(
                    try await api.post(call(ServerTestAccount.leadNumber), authorization: bearer(token)).status == 200)
            }
            feedA.setHealth(lagSeconds: 10)
            feedB.setHealth(lagSeconds: 20)
            let ready = try await monitoring.get("/readyz", authorization: nil)
            #expect(ready.body == #"{"status":"ready","sync_lag_seconds":20}"#)
            feedB.setHealth(lagSeconds: 400)
            let one = try await monitoring.get("/readyz", authorization: nil)
            #expect(one.status == 503)
            #expect(
                one.json?["reason"] as? String
                    == "the sync with amoCRM lags: its last success started 400 s ago, over the limit of 300 s")
            // Account A's own readiness, behind its token, is A's.
            #expect(try await api.get("/readyz", authorization: bearer(TestAccounts.tokenA)).status == 200)
            feedA.setHealth(lagSeconds: 301)
            let two = try await monitoring.get("/readyz", authorization: nil)
            #expect(
                two.json?["reason"] as? String
                    == "the syncs of 2 accounts with amoCRM lag: the longest last succeeded 400 s ago, over the limit of 300 s"
            )
            let scraped = try PrometheusText(parsing: try await monitoring.get("/metrics", authorization: nil).body)
            #expect(scraped.value("screenpop_sync_lag_seconds") == 400)
            #expect(scraped.value("screenpop_accounts_loaded") == 2)
        }
    }
}
