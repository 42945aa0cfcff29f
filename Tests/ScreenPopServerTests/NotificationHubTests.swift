import AccountIndex
import CallEvents
import NIOConcurrencyHelpers
import ScreenPopServer
import Testing

/// The hub's bounds, without HTTP: replay buffers in bytes, send queues in bytes, streams per user
/// and in all.
@Suite("Notification hub bounds")
struct NotificationHubTests {
    /// Notifications for `users`, made by the real service from posted JSON; `padding` spaces
    /// lengthen each caller number as given (the longest a request may send is 250 characters).
    static func notifications(count: Int, users: [Int] = [88888], padding: Int = 0) async throws -> [CallNotification] {
        let recorder = RecordingSink()
        let service = CallEventsService(
            index: ServerTestAccount.index,
            configuration: CallEventsConfiguration(users: ServerTestAccount.users), sink: recorder)
        let number = "+79998885533" + String(repeating: " ", count: padding)
        let event = #"{"type":"phone_call","phone_number":"\#(number)","users":[\#(users.map(String.init).joined(separator: ","))]}"#
        var made = 0
        while made < count {
            let size = min(500, count - made)
            let body = #"{"add":["# + Array(repeating: event, count: size).joined(separator: ",") + "]}"
            _ = try await service.post(body: Array(body.utf8), contentType: "application/json")
            made += size
        }
        return recorder.notifications
    }

    @Test func theReplayBufferIsBoundedInBytes() async throws {
        let hub = NotificationHub(
            users: ServerTestAccount.users, limits: StreamLimits(replayCount: 256, replayBytes: 16 << 10))
        let large = try await Self.notifications(count: 300, padding: 230)
        await hub.deliver(large)
        let usage = hub.replayUsage(user: 88888)
        #expect(usage.bytes <= 16 << 10)
        #expect(usage.count > 0 && usage.count < 256)
        // What is kept is the newest, in order.
        let subscription = try hub.subscribe(user: 88888, lastEventID: 0)
        #expect(subscription.replay.count == usage.count)
        #expect(subscription.replay.map(\.id) == subscription.replay.map(\.id).sorted())
        hub.unsubscribe(subscription.token)
        // Small notifications are bounded by count as before.
        let small = NotificationHub(users: ServerTestAccount.users, limits: StreamLimits(replayCount: 4))
        await small.deliver(try await Self.notifications(count: 10))
        #expect(small.replayUsage(user: 88888).count == 4)
    }

    @Test func aStreamWhoseQueueIsFullIsClosedAndDeliveryGoesOn() async throws {
        let hub = NotificationHub(users: ServerTestAccount.users, limits: StreamLimits(streamQueueBytes: 8 << 10))
        let overflows = NIOLockedValueBox(0)
        let stuck = try hub.subscribe(user: 88888, lastEventID: nil) { overflows.withLockedValue { $0 += 1 } }
        let reading = try hub.subscribe(user: 99999, lastEventID: nil)
        // Far fewer than 1,024 messages, but far more than 8 KiB: nobody takes from `stuck`,
        // while the other user's stream is read after each delivery.
        let batch = try await Self.notifications(count: 60, users: [88888, 99999], padding: 200)
        var other = reading.messages.makeAsyncIterator()
        var received = 0
        for notification in batch {
            await hub.deliver([notification])
            if case .event = await other.next() { received += 1 }
        }
        #expect(overflows.withLockedValue { $0 } == 1)
        #expect(hub.subscriberCount(user: 88888) == 0)
        #expect(hub.droppedStreamCount == 1)
        var iterator = stuck.messages.makeAsyncIterator()
        #expect(await iterator.next() == nil)  // emptied and ended: the client replays what it missed
        // The stream that is read keeps every event.
        #expect(received == batch.count)
        #expect(hub.subscriberCount(user: 99999) == 1)
        // The replay buffer still has them for the reconnecting client.
        #expect(hub.replayUsage(user: 88888).count == batch.count)
    }

    @Test func streamsAreBoundedPerUserAndInAll() async throws {
        let hub = NotificationHub(users: ServerTestAccount.users, limits: StreamLimits(streamsPerUser: 2, streams: 3))
        let a = try hub.subscribe(user: 88888, lastEventID: nil)
        _ = try hub.subscribe(user: 88888, lastEventID: nil)
        #expect(throws: NotificationHub.SubscribeRefusal.tooManyStreamsForUser(limit: 2)) {
            try hub.subscribe(user: 88888, lastEventID: nil)
        }
        _ = try hub.subscribe(user: 99999, lastEventID: nil)
        #expect(throws: NotificationHub.SubscribeRefusal.tooManyStreams(limit: 3)) {
            try hub.subscribe(user: 77777, lastEventID: nil)
        }
        #expect(throws: NotificationHub.SubscribeRefusal.unknownUser) {
            try hub.subscribe(user: 12345, lastEventID: nil)
        }
        hub.unsubscribe(a.token)
        _ = try hub.subscribe(user: 77777, lastEventID: nil)
        #expect(hub.subscriberCount() == 3)
    }
}
