import AsyncHTTPClient
import CallEvents
import Foundation
import NIOConcurrencyHelpers
import ScreenPopServer
import ServiceLifecycle
import Testing

private func event(_ number: String, users: [Int]?) -> String {
    let users = users.map { ",\"users\":[" + $0.map(String.init).joined(separator: ",") + "]" } ?? ""
    return #"{"type":"phone_call","phone_number":"\#(number)"\#(users)}"#
}

private func batch(_ events: [String]) -> String { #"{"add":[\#(events.joined(separator: ","))]}"# }

private func uids(_ reply: LiveServer.Reply) -> [String] { reply.items.compactMap { $0["uid"] as? String } }

@Suite("Live streams (Server-Sent Events)", .serialized)
struct StreamTests {
    @Test func eachUserReceivesExactlyTheirOwnInOrder() async throws {
        try await LiveServer.with { server in
            let a = try await server.stream(user: 88888)
            let b = try await server.stream(user: 99999)
            #expect(a.status == 200)
            #expect(a.contentType == "text/event-stream")
            var forA: [String] = []
            var forB: [String] = []
            // To A, to B, to both, to everyone (users absent), in one batch and in separate posts.
            let first = try await server.post(
                batch([
                    event(ServerTestAccount.leadNumber, users: [88888]),
                    event(ServerTestAccount.customerNumber, users: [99999]),
                    event(ServerTestAccount.contactNumber, users: [99999, 88888]),
                    event(ServerTestAccount.unknownNumber, users: nil),
                ]))
            #expect(first.status == 200)
            let u = uids(first)
            forA += [u[0], u[2], u[3]]
            forB += [u[1], u[2], u[3]]
            for i in 0..<10 {
                let users = i % 3 == 0 ? [88888] : i % 3 == 1 ? [99999] : [77777]
                let reply = try await server.post(batch([event(ServerTestAccount.companyNumber, users: users)]))
                if users == [88888] { forA += uids(reply) }
                if users == [99999] { forB += uids(reply) }
            }
            try await a.waitForEvents(forA.count)
            try await b.waitForEvents(forB.count)
            // Nothing more arrives for either (the other users' notifications are not theirs).
            try await Task.sleep(for: .milliseconds(100))
            #expect(a.uids == forA)
            #expect(b.uids == forB)
            // Event ids increase.
            let ids = a.events.compactMap { $0.id.flatMap(UInt64.init) }
            #expect(ids.count == forA.count && ids == ids.sorted() && Set(ids).count == ids.count)
            // The payload is the notification.
            let data = try #require(a.events.first?.data)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any])
            #expect(object["action"] as? String == "open_lead")
            #expect(object["e164"] as? String == "+79998885533")
            #expect((object["target"] as? [String: Any])?["name"] as? String == "Website order")
            #expect(object["users"] as? [Int] == [88888])
            a.close()
            b.close()
        }
    }

    @Test func lastEventIDReplaysWhatWasMissed() async throws {
        try await LiveServer.with { server in
            let first = try await server.stream(user: 88888)
            var sent: [String] = []
            for _ in 0..<2 {
                sent += uids(try await server.post(batch([event(ServerTestAccount.leadNumber, users: [88888])])))
            }
            let received = try await first.waitForEvents(2)
            #expect(first.uids == sent)
            let lastID = try #require(received.last?.id)
            first.close()
            try await waitUntil("the first stream to close") { server.server.hub.subscriberCount(user: 88888) == 0 }
            // Missed while away: three to this user, one to another.
            var missed: [String] = []
            for _ in 0..<3 {
                missed += uids(try await server.post(batch([event(ServerTestAccount.leadNumber, users: [88888])])))
            }
            _ = try await server.post(batch([event(ServerTestAccount.leadNumber, users: [99999])]))
            let second = try await server.stream(user: 88888, lastEventID: lastID)
            try await second.waitForEvents(3)
            #expect(second.uids == missed)
            // Then live ones follow, with no repeat.
            let live = uids(try await server.post(batch([event(ServerTestAccount.leadNumber, users: [88888])])))
            try await second.waitForEvents(4)
            #expect(second.uids == missed + live)
            // Without Last-Event-ID: no replay, only live.
            let fresh = try await server.stream(user: 88888)
            let next = uids(try await server.post(batch([event(ServerTestAccount.leadNumber, users: [88888])])))
            try await fresh.waitForEvents(1)
            #expect(fresh.uids == next)
            second.close()
            fresh.close()
        }
    }

    @Test func theReplayBufferIsBounded() async throws {
        try await LiveServer.with(streams: StreamLimits(replayCount: 4)) { server in
            var sent: [String] = []
            for _ in 0..<6 {
                sent += uids(try await server.post(batch([event(ServerTestAccount.leadNumber, users: [88888])])))
            }
            // Last-Event-ID 0: everything still buffered, which is the last 4.
            let stream = try await server.stream(user: 88888, lastEventID: "0")
            try await stream.waitForEvents(4)
            try await Task.sleep(for: .milliseconds(50))
            #expect(stream.uids == Array(sent.suffix(4)))
            stream.close()
        }
    }

    @Test func heartbeatsAndTheGreeting() async throws {
        try await LiveServer.with(heartbeat: .milliseconds(50)) { server in
            let stream = try await server.stream(user: 77777)
            try await waitUntil("two heartbeats") { stream.messages.filter { $0.comment == "heartbeat" }.count >= 2 }
            #expect(stream.messages.first?.retry == 2000)
            #expect(stream.messages.contains { $0.comment == "connected" })
            #expect(stream.events.isEmpty)
            stream.close()
        }
    }

    @Test func streamsBeyondTheLimitsGet429() async throws {
        try await LiveServer.with(streams: StreamLimits(streamsPerUser: 2, streams: 3)) { server in
            let a = try await server.stream(user: 88888)
            let b = try await server.stream(user: 88888)
            let third = try await server.stream(user: 88888)
            #expect(third.status == 429)
            let c = try await server.stream(user: 99999)
            #expect(c.status == 200)
            let fourth = try await server.stream(user: 77777)
            #expect(fourth.status == 429)
            try await waitUntil("the refusals' bodies") { third.ended && fourth.ended }
            #expect(third.errorBody.contains(#""code":"too_many_streams""#))
            #expect(third.errorBody.contains("user 88888 has 2 streams open"))
            #expect(fourth.errorBody.contains("the server has 3 streams open"))
            #expect(third.retryAfter == "10")
            for stream in [a, b, c] { stream.close() }
        }
    }

    @Test func aStreamThatIsNeverReadIsClosedAndPostsGoOn() async throws {
        try await LiveServer.with(streams: StreamLimits(streamQueueBytes: 16 << 10)) { server in
            // A client that asks for its stream and never reads it, with a small receive window.
            let reader = try RawConnection(port: server.port, receiveBuffer: 4096)
            reader.send(
                "GET /api/v2/events/stream?user_id=88888 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer \(ServerTestAccount.token)\r\n\r\n")
            try await waitUntil("the stream to open") { server.server.hub.subscriberCount(user: 88888) == 1 }
            let long = "+79998885533" + String(repeating: " ", count: 230)
            let body = batch(Array(repeating: event(long, users: [88888, 99999]), count: 500))
            var posts = 0
            while server.server.hub.droppedStreamCount == 0 && posts < 200 {
                let reply = try await server.post(body)
                #expect(reply.status == 200)
                posts += 1
            }
            #expect(server.server.hub.droppedStreamCount == 1)
            #expect(server.server.hub.subscriberCount(user: 88888) == 0)
            _ = try await reader.waitForClose(seconds: 60)
        }
    }

    @Test func aClosedStreamIsForgotten() async throws {
        try await LiveServer.with { server in
            let stream = try await server.stream(user: 88888)
            #expect(server.server.hub.subscriberCount(user: 88888) == 1)
            stream.close()
            try await waitUntil("the hub to drop the stream") { server.server.hub.subscriberCount() == 0 }
        }
    }

    @Test(arguments: [
        ("", "invalid_user_id"), ("abc", "invalid_user_id"), ("-1", "invalid_user_id"), ("12345", "unknown_user"),
        ("+88888", "invalid_user_id"), ("%2B88888", "invalid_user_id"), ("%2088888", "invalid_user_id"),
    ])
    func streamForSomeoneNotInTheAccount(_ user: String, _ code: String) async throws {
        try await LiveServer.with { server in
            let reply = try await server.get("/api/v2/events/stream?user_id=\(user)")
            #expect(reply.status == 400)
            #expect(reply.error?["code"] as? String == code)
            #expect(reply.error?["field"] as? String == "user_id")
            let none = try await server.get("/api/v2/events/stream")
            #expect(none.status == 400)
            #expect(none.error?["code"] as? String == "invalid_user_id")
        }
    }

    /// 1,000 posts at once: every one answered, every notification delivered exactly once, to the
    /// sink and to the streams.
    @Test func aThousandConcurrentPosts() async throws {
        try await LiveServer.with { server in
            let a = try await server.stream(user: 88888)
            let b = try await server.stream(user: 99999)
            let numbers = [
                ServerTestAccount.leadNumber, ServerTestAccount.customerNumber, ServerTestAccount.contactNumber,
                ServerTestAccount.companyNumber, ServerTestAccount.unknownNumber,
            ]
            let replies = try await withThrowingTaskGroup(of: (Int, LiveServer.Reply).self) { group in
                for i in 0..<1000 {
                    group.addTask {
                        let users: [Int]? = i % 2 == 0 ? nil : [88888]
                        let body = batch([event(numbers[i % numbers.count], users: users)])
                        if i % 3 == 0 {
                            let form =
                                "add[0][type]=phone_call&add[0][phone_number]=\(numbers[i % numbers.count].replacingOccurrences(of: "+", with: "%2B"))"
                                + (users == nil ? "" : "&add[0][users][0]=88888")
                            return (i, try await server.post(form, contentType: "application/x-www-form-urlencoded"))
                        }
                        return (i, try await server.post(body))
                    }
                }
                var replies: [(Int, LiveServer.Reply)] = []
                for try await reply in group { replies.append(reply) }
                return replies
            }
            #expect(replies.count == 1000)
            #expect(replies.allSatisfy { $0.1.status == 200 })
            let all = replies.flatMap { uids($0.1) }
            #expect(all.count == 1000)
            #expect(Set(all).count == 1000)
            let toEveryone = Set(replies.filter { $0.0 % 2 == 0 }.flatMap { uids($0.1) })
            // The sink got each exactly once.
            let recorded = server.recorder.notifications.map(\.uid.description)
            #expect(recorded.count == 1000)
            #expect(Set(recorded) == Set(all))
            // A (88888) gets all 1,000; B (99999) the 500 addressed to everyone; each once.
            try await a.waitForEvents(1000, seconds: 90)
            try await b.waitForEvents(500, seconds: 90)
            try await Task.sleep(for: .milliseconds(100))
            #expect(a.uids.count == 1000)
            #expect(Set(a.uids) == Set(all))
            #expect(b.uids.count == 500)
            #expect(Set(b.uids) == toEveryone)
            // In delivery order: event ids increase on each stream.
            for stream in [a, b] {
                let ids = stream.events.compactMap { $0.id.flatMap(UInt64.init) }
                #expect(ids == ids.sorted())
            }
            #expect(server.server.hub.deliveredCount == 1000 + 500 * 2)
            a.close()
            b.close()
        }
    }
}

/// A sink that holds each delivery until released.
final class GateSink: NotificationSink {
    private let state = NIOLockedValueBox<(entered: Int, open: Bool)>((0, false))

    func deliver(_ notifications: [CallNotification]) async {
        state.withLockedValue { $0.entered += 1 }
        while !state.withLockedValue({ $0.open }) {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    var entered: Int { state.withLockedValue { $0.entered } }
    func open() { state.withLockedValue { $0.open = true } }
}

@Suite("Graceful shutdown", .serialized)
struct ShutdownTests {
    @Test func requestsInFlightFinishAndStreamsEnd() async throws {
        let gate = GateSink()
        let recorder = RecordingSink()
        let server = ScreenPopServer(
            index: ServerTestAccount.index, events: CallEventsConfiguration(users: ServerTestAccount.users),
            configuration: ServerConfiguration(port: 0, apiToken: APIToken(ServerTestAccount.token)!),
            additionalSinks: [recorder, gate], logger: LiveServer.logger())
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let application = server.application { channel in
            portContinuation.yield(channel.localAddress?.port ?? 0)
        }
        let group = ServiceGroup(configuration: .init(services: [application], logger: LiveServer.logger()))
        // Shut down on every path: a client dropped while running is a fatal error in its deinit.
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await Self.run(group, ports: ports, server: server, recorder: recorder, gate: gate, client: client)
        } catch {
            await group.triggerGracefulShutdown()
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    private static func run(
        _ group: ServiceGroup, ports: AsyncStream<Int>, server: ScreenPopServer, recorder: RecordingSink,
        gate: GateSink, client: HTTPClient
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let live = LiveServer(port: port, server: server, recorder: recorder, client: client)
            let stream = try await live.stream(user: 88888)
            let inFlight = Task {
                try await live.post(batch([event(ServerTestAccount.leadNumber, users: [88888])]))
            }
            try await waitUntil("the post to reach the sink") { gate.entered == 1 }
            await group.triggerGracefulShutdown()
            // The stream ends at once; the post waits for the sink, then is answered.
            try await stream.waitForEnd()
            try await Task.sleep(for: .milliseconds(50))
            gate.open()
            let reply = try await inFlight.value
            #expect(reply.status == 200)
            #expect(reply.items.count == 1)
            try await tasks.waitForAll()
        }
    }
}
