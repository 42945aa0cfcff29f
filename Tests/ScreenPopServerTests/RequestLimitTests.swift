import Foundation
import Logging
import NIOCore
import Testing

@testable import ScreenPopServer

/// The limits of a request's head and of refused credentials, over real loopback sockets. Other
/// clients connect from 127.0.0.2 and beyond, which Linux routes to the loopback.
@Suite("Request limits", .serialized)
struct RequestLimitTests {
    static let goodPost = #"{"add":[{"type":"phone_call","phone_number":"+79998885533"}]}"#

    /// Sends `text` on a new connection (from `source`) and returns all that arrives until the
    /// server closes it.
    static func exchange(_ server: LiveServer, _ text: String, from source: String? = nil) async throws -> String {
        let connection = try RawConnection(port: server.port, source: source)
        _ = try await connection.sendAll(text)
        return try await connection.waitForClose(seconds: 60)
    }

    /// A `POST /api/v2/events` with `Connection: close`, as raw text.
    static func rawPost(token: String?, body: String = goodPost) -> String {
        "POST /api/v2/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + (token.map { "Authorization: Bearer \($0)\r\n" } ?? "")
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
    }

    static func status(_ answer: String) -> Int? {
        let parts = answer.split(separator: " ", maxSplits: 2)
        return parts.count >= 2 ? Int(parts[1]) : nil
    }

    // MARK: The head and the target

    @Test func aHeadOverTheLimitGets431AndTheConnectionCloses() async throws {
        try await LiveServer.with(adjust: { $0.maxHeadBytes = 4096 }) { server in
            // Counted: "GET" 3, "/health" 7, "Host" 4 + "127.0.0.1" 9, "X-Filler" 8 + the filler.
            let fixed = 3 + 7 + 4 + 9 + 8
            func request(filler: Int) -> String {
                "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: \(String(repeating: "a", count: filler))\r\n\r\n"
            }
            // Exactly at the limit: answered, and the connection stays open for the next request.
            let fits = try RawConnection(port: server.port)
            _ = try await fits.sendAll(request(filler: 4096 - fixed))
            let answered = try await fits.receive(until: #"{"status":"ok"}"#)
            #expect(answered.hasPrefix("HTTP/1.1 200"), "\(answered.prefix(200))")
            #expect(!fits.isClosedByServer)
            // One byte over: 431 with the JSON error, and the connection closed.
            let answer = try await Self.exchange(server, request(filler: 4096 - fixed + 1))
            #expect(answer.hasPrefix("HTTP/1.1 431"), "\(answer.prefix(200))")
            #expect(answer.contains(#""code":"headers_too_large""#))
            #expect(answer.contains("has 4097 bytes, more than the limit of 4096"))
            #expect(answer.lowercased().contains("connection: close"))
            #expect(answer.lowercased().contains("content-type: application/json"))
        }
    }

    @Test func aRefusedHeadsBodyNeverReachesTheRoute() async throws {
        try await LiveServer.with(adjust: { $0.maxHeadBytes = 2048 }) { server in
            let filler = String(repeating: "b", count: 3000)
            let answer = try await Self.exchange(
                server,
                "POST /api/v2/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(ServerTestAccount.token)\r\n"
                    + "Content-Type: application/json\r\nX-Filler: \(filler)\r\n"
                    + "Content-Length: \(Self.goodPost.utf8.count)\r\n\r\n\(Self.goodPost)"
                    // A pipelined request after it is dropped too.
                    + Self.rawPost(token: ServerTestAccount.token))
            #expect(answer.hasPrefix("HTTP/1.1 431"))
            #expect(answer.components(separatedBy: "HTTP/1.1 ").count == 2, "one answer only: \(answer)")
            #expect(server.recorder.notifications.isEmpty)
        }
    }

    @Test func aPipelinedRefusalWaitsForTheAnswerBeforeIt() async throws {
        try await LiveServer.with(adjust: { $0.maxURLBytes = 100 }) { server in
            let long = "/health?" + String(repeating: "q", count: 200)
            let answer = try await Self.exchange(
                server,
                Self.rawPost(token: ServerTestAccount.token).replacingOccurrences(of: "Connection: close\r\n", with: "")
                    + "GET \(long) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let statuses = answer.components(separatedBy: "HTTP/1.1 ").dropFirst().map { $0.prefix(3) }
            #expect(statuses == ["200", "414"], "\(answer)")
            #expect(server.recorder.notifications.count == 1)
        }
    }

    @Test func aTargetOverTheLimitGets414() async throws {
        try await LiveServer.with { server in
            #expect(server.server.configuration.maxURLBytes == 8 << 10)
            #expect(server.server.configuration.maxHeadBytes == 16 << 10)
            // "/health?q=" and the padding: 8,192 bytes exactly is answered; 8,193 is not.
            let prefix = "/health?q="
            let atLimit = prefix + String(repeating: "x", count: 8192 - prefix.utf8.count)
            let fits = try RawConnection(port: server.port)
            _ = try await fits.sendAll("GET \(atLimit) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(try await fits.receive(until: #"{"status":"ok"}"#).hasPrefix("HTTP/1.1 200"))
            let answer = try await Self.exchange(server, "GET \(atLimit)x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(answer.hasPrefix("HTTP/1.1 414"), "\(answer.prefix(200))")
            #expect(answer.contains(#""code":"uri_too_long""#))
            #expect(answer.contains("has 8193 bytes, more than the limit of 8192"))
            // Before any route: an unknown path gets 414 too, not 404.
            let unknown = try await Self.exchange(
                server, "GET /nowhere/\(String(repeating: "y", count: 9000)) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(unknown.hasPrefix("HTTP/1.1 414"))
        }
    }

    @Test func headsBetween64And80KiBGet431AndLargerOnesTheDecoders400() async throws {
        // 100 KiB asked: 64 KiB takes effect.
        try await LiveServer.with(adjust: { $0.maxHeadBytes = 100 << 10 }) { server in
            func request(filler: Int) -> String {
                "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: \(String(repeating: "c", count: filler))\r\n\r\n"
            }
            let between = try await Self.exchange(server, request(filler: 70 << 10))
            #expect(between.hasPrefix("HTTP/1.1 431"), "\(between.prefix(200))")
            #expect(between.contains("more than the limit of 65536"))
            // Over NIO's own 80 KiB: its parser refuses the head, and Hummingbird answers a bare 400.
            let beyond = try await Self.exchange(server, request(filler: 90 << 10))
            #expect(beyond.hasPrefix("HTTP/1.1 400"), "\(beyond.prefix(200))")
            #expect(!beyond.contains("headers_too_large"))
            // The server still answers.
            #expect(try await server.get("/health", authorization: nil).status == 200)
        }
    }

    // MARK: Refused credentials

    static let fewRefusals = RefusalLimits(perMinute: 1, burst: 5, trackedKeys: 1000, delay: .milliseconds(300))

    @Test func badTokensFromOneAddressAreLimitedWhileGoodTokensGetThrough() async throws {
        try await LiveServer.with(adjust: { $0.refusals = Self.fewRefusals }) { server in
            // Five different wrong tokens from 127.0.0.1: each a plain 401.
            for attempt in 0..<5 {
                let reply = try await server.post(Self.goodPost, authorization: "Bearer wrong-\(attempt)")
                #expect(reply.status == 401)
            }
            // The sixth is limited: 429 with Retry-After, after the delay.
            let start = ContinuousClock.now
            let limited = try await server.post(Self.goodPost, authorization: "Bearer wrong-5")
            #expect(ContinuousClock.now - start >= .milliseconds(300))
            #expect(limited.status == 429)
            #expect(limited.error?["code"] as? String == "too_many_requests")
            let retryAfter = limited.header("Retry-After").flatMap { Int($0) }
            #expect(
                retryAfter != nil && retryAfter! >= 1 && retryAfter! <= 60,
                "Retry-After \(String(describing: retryAfter))")
            // No token at all from the same address: limited too.
            #expect(try await server.post(Self.goodPost, authorization: nil).status == 429)
            // The right token from the same address is answered at once.
            let good = try await server.post(Self.goodPost)
            #expect(good.status == 200)
            // Another address: its good token and its own first wrong one are answered as usual.
            let other = try await Self.exchange(server, Self.rawPost(token: ServerTestAccount.token), from: "127.0.0.2")
            #expect(Self.status(other) == 200, "\(other.prefix(200))")
            let otherWrong = try await Self.exchange(server, Self.rawPost(token: "wrong-other"), from: "127.0.0.2")
            #expect(Self.status(otherWrong) == 401)
            #expect(server.server.refusals.limitedCount == 2)
            #expect(server.recorder.notifications.count == 2)
        }
    }

    @Test func oneBadTokenIsLimitedAcrossAddresses() async throws {
        try await LiveServer.with(adjust: { $0.refusals = Self.fewRefusals }) { server in
            // The same wrong token from five addresses: 401 each, one refusal per address.
            for host in 2...6 {
                let answer = try await Self.exchange(
                    server, Self.rawPost(token: "stale-token"), from: "127.0.0.\(host)")
                #expect(Self.status(answer) == 401)
            }
            // From a sixth address, whose own allowance is whole, the same token is limited.
            let limited = try await Self.exchange(server, Self.rawPost(token: "stale-token"), from: "127.0.0.7")
            #expect(Self.status(limited) == 429, "\(limited.prefix(200))")
            #expect(limited.contains(#""code":"too_many_requests""#))
            #expect(limited.lowercased().contains("retry-after: "))
            // Another wrong token from a new address is still a plain 401.
            let fresh = try await Self.exchange(server, Self.rawPost(token: "another-token"), from: "127.0.0.8")
            #expect(Self.status(fresh) == 401)
        }
    }

    @Test func forgedTicketsAreLimited() async throws {
        try await LiveServer.with(adjust: { $0.refusals = Self.fewRefusals }) { server in
            var statuses: [Int] = []
            for attempt in 0..<7 {
                let reply = try await server.get("/api/v2/events/ticket?ticket=forged\(attempt)", authorization: nil)
                statuses.append(reply.status)
                if reply.status == 401 { #expect(reply.error?["code"] as? String == "invalid_ticket") }
            }
            #expect(statuses == [401, 401, 401, 401, 401, 429, 429])
        }
    }

    @Test func wrongWebhookSecretsAreLimitedAndTheRightOneGetsThrough() async throws {
        let feed = FakeFeed()
        let secret = "whsec-limits-1c7e5b2d"
        try await LiveServer.with(
            feed: feed, webhookSecret: secret, adjust: { $0.refusals = Self.fewRefusals }
        ) { server in
            var statuses: [Int] = []
            for attempt in 0..<6 {
                let reply = try await server.post(
                    "a=1", contentType: "application/x-www-form-urlencoded", path: "/amocrm/webhooks/guess\(attempt)",
                    authorization: nil)
                statuses.append(reply.status)
            }
            #expect(statuses == [404, 404, 404, 404, 404, 429])
            let right = try await server.post(
                "a=1", contentType: "application/x-www-form-urlencoded", path: "/amocrm/webhooks/\(secret)",
                authorization: nil)
            #expect(right.status == 200)
            #expect(feed.webhooks.count == 1)
        }
    }

    @Test func refusalsAreNotLimitedWhenTheLimitIsOff() async throws {
        var off = Self.fewRefusals
        off.perMinute = 0
        try await LiveServer.with(adjust: { [off] in $0.refusals = off }) { server in
            for attempt in 0..<8 {
                let reply = try await server.post(Self.goodPost, authorization: "Bearer wrong-\(attempt)")
                #expect(reply.status == 401)
            }
            #expect(server.server.refusals.trackedCount == 0)
        }
    }

    // MARK: The webhook body

    @Test func aWebhookBodyDeclaredTooLargeIs413BeforeItIsSent() async throws {
        let feed = FakeFeed()
        let secret = "whsec-limits-9a8b7c6d"
        try await LiveServer.with(feed: feed, webhookSecret: secret, maxWebhookBytes: 1024) { server in
            let connection = try RawConnection(port: server.port)
            // The head only: the body of 10 MB is never sent, and the answer comes anyway.
            _ = try await connection.sendAll(
                "POST /amocrm/webhooks/\(secret) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000000\r\n\r\n")
            let answer = try await connection.receive(until: "}}")
            #expect(answer.hasPrefix("HTTP/1.1 413"), "\(answer.prefix(200))")
            #expect(answer.contains(#""code":"body_too_large""#))
            #expect(answer.contains("the body is larger than 1 KiB"))
            #expect(feed.webhooks.isEmpty)
        }
    }

    // MARK: Logging

    @Test func aRefusedClientIsLoggedOncePerWindow() async throws {
        let store = CapturingLogHandler.Store()
        try await LiveServer.with(
            logger: CapturingLogHandler.logger(store), adjust: { $0.maxHeadBytes = 1024 }
        ) { server in
            let oversized =
                "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: \(String(repeating: "d", count: 2000))\r\n\r\n"
            for _ in 0..<6 {
                let answer = try await Self.exchange(server, oversized)
                #expect(answer.hasPrefix("HTTP/1.1 431"))
            }
            let other = try await Self.exchange(server, oversized, from: "127.0.0.2")
            #expect(other.hasPrefix("HTTP/1.1 431"))
            let notices = store.entries.filter { $0.message == "refused: headers_too_large" }
            #expect(notices.count == 2, "\(notices)")
            #expect(notices.allSatisfy { $0.level == .notice })
            #expect(notices.map { $0.metadata["client.address"] ?? "" }.sorted() == ["127.0.0.1", "127.0.0.2"])
            #expect(
                notices.allSatisfy { $0.metadata["refused"] == "1" && $0.metadata["limit"] == "max_head_bytes=1024" })
        }
    }

    @Test func refusedConnectionsAreLoggedOncePerWindow() async throws {
        let store = CapturingLogHandler.Store()
        try await LiveServer.with(maxConnections: 2, logger: CapturingLogHandler.logger(store)) { server in
            var held: [RawConnection] = []
            for _ in 0..<2 {
                let connection = try RawConnection(port: server.port)
                connection.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  // an unfinished head
                held.append(connection)
            }
            try await waitUntil("2 open connections") { server.server.connections.openCount == 2 }
            for _ in 0..<4 {
                let extra = try RawConnection(port: server.port)
                let answer = try await extra.waitForClose(seconds: 60)
                #expect(answer.hasPrefix("HTTP/1.1 503"))
            }
            let notices = store.entries.filter { $0.message == "refused: too_many_connections" }
            #expect(notices.count == 1, "\(notices)")
            #expect(notices.first?.metadata["limit"] == "max_connections=2")
            #expect(notices.first?.metadata["client.address"] == "127.0.0.1")
            #expect(notices.first?.level == .notice)
            for connection in held { connection.close() }
        }
    }

    @Test func theNoticeCountsTheRefusalsSinceTheLastOne() throws {
        let store = CapturingLogHandler.Store()
        let notices = LimitNotices(interval: .seconds(60), logger: CapturingLogHandler.logger(store))
        let address = try SocketAddress(ipAddress: "192.0.2.7", port: 4711)
        let start = ContinuousClock.now
        for second in 0..<10 {
            notices.refused(
                "uri_too_long", limit: "max_url_bytes=8192", address: address, now: start + .seconds(second))
        }
        // Another port of the same address is the same client; the window has not passed.
        let otherPort = try SocketAddress(ipAddress: "192.0.2.7", port: 4712)
        notices.refused("uri_too_long", limit: "max_url_bytes=8192", address: otherPort, now: start + .seconds(30))
        notices.refused("uri_too_long", limit: "max_url_bytes=8192", address: address, now: start + .seconds(61))
        // Another limit of the same address has its own window.
        notices.refused("headers_too_large", limit: "max_head_bytes=16384", address: address, now: start + .seconds(62))
        let lines = store.entries.map {
            "\($0.message) \($0.metadata["refused"] ?? "?") \($0.metadata["client.address"] ?? "?")"
        }
        #expect(
            lines == [
                "refused: uri_too_long 1 192.0.2.7", "refused: uri_too_long 11 192.0.2.7",
                "refused: headers_too_large 1 192.0.2.7",
            ])
    }
}

/// The table and the buckets behind the refusal limit, on their own, with a clock the test moves.
@Suite("Refusal limiter")
struct RefusalLimiterTests {
    @Test func theTableKeepsAtMostItsCapacityAndForgetsTheLeastRecentlyUsed() {
        var table = RecentTable<Int, Int>(capacity: 3)
        for key in 0..<3 { table.update(key, orMake: { key * 10 }) { _ in } }
        // Using 0 makes 1 the least recently used: the next new key replaces it.
        table.update(0, orMake: { -1 }) { $0 += 1 }
        table.update(3, orMake: { 30 }) { _ in }
        #expect(table.count == 3)
        #expect(!table.contains(1))
        #expect(table.peek(0) == 1)
        #expect(table.peek(2) == 20)
        #expect(table.peek(3) == 30)
        for key in 4..<100_000 { table.update(key, orMake: { key }) { _ in } }
        #expect(table.count == 3)
        #expect(table.contains(99_997) && table.contains(99_998) && table.contains(99_999))
    }

    @Test func manyAddressesKeepTheTableBounded() throws {
        let limiter = RefusalLimiter(limits: RefusalLimits(perMinute: 1, burst: 2, trackedKeys: 1000))
        let now = ContinuousClock.now
        for a in 0..<50 {
            for b in 0..<256 {
                let address = try SocketAddress(ipAddress: "10.1.\(a).\(b)", port: 1)
                #expect(limiter.refuse(address: address, credentialHash: nil, now: now) == .answer)
            }
        }
        #expect(limiter.trackedCount == 1000)
        // IPv6: one /64 is one client, whatever its last 64 bits.
        for host in 0..<3 {
            let address = try SocketAddress(ipAddress: "2001:db8:1:2::\(host + 1)", port: 1)
            let decision = limiter.refuse(address: address, credentialHash: nil, now: now)
            #expect((decision == .answer) == (host < 2))
        }
        #expect(limiter.trackedCount == 1000)
    }

    @Test func theBucketRefillsAtItsRate() throws {
        let limiter = RefusalLimiter(limits: RefusalLimits(perMinute: 30, burst: 3))
        let address = try SocketAddress(ipAddress: "198.51.100.1", port: 9)
        let start = ContinuousClock.now
        for _ in 0..<3 { #expect(limiter.refuse(address: address, credentialHash: nil, now: start) == .answer) }
        // Empty: one token every 2 s.
        #expect(
            limiter.refuse(address: address, credentialHash: nil, now: start)
                == .limited(retryAfterSeconds: 2, address: true, credential: false))
        #expect(limiter.refuse(address: address, credentialHash: nil, now: start + .seconds(2)) == .answer)
        #expect(limiter.refuse(address: address, credentialHash: nil, now: start + .seconds(3)) != .answer)
        // A minute later the burst is whole again, not more.
        let later = start + .seconds(63)
        for _ in 0..<3 { #expect(limiter.refuse(address: address, credentialHash: nil, now: later) == .answer) }
        #expect(limiter.refuse(address: address, credentialHash: nil, now: later) != .answer)
    }

    @Test func aCredentialIsLimitedWhateverTheAddress() throws {
        let limiter = RefusalLimiter(limits: RefusalLimits(perMinute: 1, burst: 2))
        let hash = AccountSecret.sha256("stale")
        let now = ContinuousClock.now
        for host in 1...2 {
            let address = try SocketAddress(ipAddress: "203.0.113.\(host)", port: 1)
            #expect(limiter.refuse(address: address, credentialHash: hash, now: now) == .answer)
        }
        let third = try SocketAddress(ipAddress: "203.0.113.3", port: 1)
        #expect(
            limiter.refuse(address: third, credentialHash: hash, now: now)
                == .limited(retryAfterSeconds: 60, address: false, credential: true))
        #expect(limiter.refuse(address: third, credentialHash: AccountSecret.sha256("other"), now: now) == .answer)
    }
}
