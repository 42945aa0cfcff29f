import CallEvents
import Foundation
import ScreenPopServer
import Testing

/// The server's limits on connections, over real loopback sockets: slow heads and bodies, idle
/// keep-alive connections, and the most connections at once. Limits are set to a second or two
/// so the tests stay short; every wait is bounded generously, and nothing asserts a duration.
@Suite("Connection limits", .serialized)
struct ConnectionLimitTests {
    static let short = ConnectionTimeouts(head: .seconds(1), body: .seconds(1), idle: .seconds(1))

    @Test func slowHeadsAreClosedWhileGoodRequestsAreAnswered() async throws {
        try await LiveServer.with(timeouts: Self.short) { server in
            // A few hundred clients that send a head one piece at a time and never finish it.
            var slow: [RawConnection] = []
            for _ in 0..<300 {
                let connection = try RawConnection(port: server.port)
                connection.send("POST /api/v2/events HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")
                slow.append(connection)
            }
            // A good request is answered meanwhile.
            let reply = try await server.post(#"{"add":[{"type":"phone_call","phone_number":"+79998885533"}]}"#)
            #expect(reply.status == 200)
            // Progress does not buy time: keep dripping bytes while waiting for the close.
            var closed = Set<Int>()
            let deadline = ContinuousClock.now + .seconds(90)
            while closed.count < slow.count && ContinuousClock.now < deadline {
                for (i, connection) in slow.enumerated() where !closed.contains(i) {
                    if connection.isClosedByServer || !connection.send("a") { closed.insert(i) }
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(closed.count == slow.count, "\(slow.count - closed.count) slow heads still open")
            #expect(server.server.connections.timedOutCount >= slow.count)
        }
    }

    @Test func aBodyThatNeverEndsIsClosed() async throws {
        try await LiveServer.with(timeouts: Self.short) { server in
            let connection = try RawConnection(port: server.port)
            connection.send(
                "POST /api/v2/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(ServerTestAccount.token)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 81\r\n\r\n{\"add")
            _ = try await connection.waitForClose(seconds: 60)
            #expect(server.server.connections.timedOutCount >= 1)
        }
    }

    @Test func anIdleKeepAliveConnectionIsClosed() async throws {
        try await LiveServer.with(timeouts: Self.short) { server in
            let connection = try RawConnection(port: server.port)
            connection.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let received = try await connection.waitForClose(seconds: 60)
            #expect(received.hasPrefix("HTTP/1.1 200"))
            #expect(received.contains(#"{"status":"ok"}"#))
        }
    }

    @Test func aLiveStreamIsNotAnIdleConnection() async throws {
        try await LiveServer.with(timeouts: Self.short) { server in
            let stream = try await server.stream(user: 88888)
            #expect(stream.status == 200)
            // Well past every limit, the stream is still open and still delivers.
            try await Task.sleep(for: .milliseconds(2500))
            #expect(!stream.ended)
            let reply = try await server.post(
                #"{"add":[{"type":"phone_call","phone_number":"+79998885533","users":[88888]}]}"#)
            #expect(reply.status == 200)
            try await stream.waitForEvents(1)
            stream.close()
        }
    }

    @Test func connectionsBeyondTheMaximumAreRefusedAtOnce() async throws {
        try await LiveServer.with(maxConnections: 20) { server in
            var held: [RawConnection] = []
            for _ in 0..<20 {
                let connection = try RawConnection(port: server.port)
                connection.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  // an unfinished head
                held.append(connection)
            }
            try await waitUntil("20 open connections") { server.server.connections.openCount == 20 }
            // The next one gets a 503 and is closed, without waiting in the backlog.
            let extra = try RawConnection(port: server.port)
            let answer = try await extra.waitForClose(seconds: 60)
            #expect(answer.hasPrefix("HTTP/1.1 503"))
            #expect(answer.contains("too_many_connections"))
            #expect(server.server.connections.refusedCount >= 1)
            // Places free up as connections close.
            for connection in held.prefix(5) { connection.close() }
            try await waitUntil("places to free up") { server.server.connections.openCount <= 15 }
            let reply = try await server.get("/health", authorization: nil)
            #expect(reply.status == 200)
        }
    }
}

@Suite("Body codings")
struct BodyCodingTests {
    static func rawPost(_ server: LiveServer, headers: String, body: String) async throws -> String {
        let connection = try RawConnection(port: server.port)
        connection.send(
            "POST /api/v2/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(ServerTestAccount.token)\r\n"
                + "Content-Type: application/json\r\nConnection: close\r\n\(headers)\r\n\(body)")
        return try await connection.waitForClose(seconds: 60)
    }

    static let json = #"{"add":[{"type":"phone_call","phone_number":"+79998885533"}]}"#
    static var chunked: String { String(json.utf8.count, radix: 16) + "\r\n" + json + "\r\n0\r\n\r\n" }

    @Test func aTransferCodingOtherThanChunkedGets501() async throws {
        try await LiveServer.with { server in
            let answer = try await Self.rawPost(server, headers: "Transfer-Encoding: gzip, chunked\r\n", body: Self.chunked)
            #expect(answer.hasPrefix("HTTP/1.1 501"))
            #expect(answer.contains(#""code":"unsupported_transfer_encoding""#))
            #expect(answer.contains(#"the Transfer-Encoding \"gzip\" is not supported"#))
            // Plain chunked is fine.
            let plain = try await Self.rawPost(server, headers: "Transfer-Encoding: chunked\r\n", body: Self.chunked)
            #expect(plain.hasPrefix("HTTP/1.1 200"))
            #expect(server.recorder.notifications.count == 1)
        }
    }

    @Test func aTransferCodingWithoutChunkedIsRefused() async throws {
        try await LiveServer.with { server in
            let answer = try await Self.rawPost(
                server, headers: "Transfer-Encoding: gzip\r\nContent-Length: \(Self.json.utf8.count)\r\n", body: Self.json)
            #expect(!answer.hasPrefix("HTTP/1.1 200"))
            #expect(server.recorder.notifications.isEmpty)
        }
    }

    @Test func aContentEncodingGets415() async throws {
        try await LiveServer.with { server in
            let reply = try await server.post(Self.json, extraHeaders: [("Content-Encoding", "gzip")])
            #expect(reply.status == 415)
            #expect(reply.error?["code"] as? String == "unsupported_content_encoding")
            #expect(server.recorder.notifications.isEmpty)
        }
    }
}
