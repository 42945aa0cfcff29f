import CallEvents
import NIOConcurrencyHelpers
import NIOCore

/// Delivers notifications to users live: a ``NotificationSink`` that keeps, per user, the last
/// notifications in a bounded replay buffer and pushes each one to that user's open streams.
///
/// Every notification gets an event id when it is delivered; ids increase across the whole hub (so
/// per user too), and start from the wall clock in microseconds, so that ids after a restart are
/// larger than those before it. A stream that reconnects with `Last-Event-ID` gets the buffered
/// notifications with larger ids, then the live ones, with no gap and no repeat.
///
/// ```swift
/// let hub = NotificationHub(users: [88888, 99999])
/// if let subscription = hub.subscribe(user: 88888, lastEventID: nil) {
///     for event in subscription.replay { send(event) }
///     for await message in subscription.messages { ... }   // .event(Event), .heartbeat
/// }
/// ```
public final class NotificationHub: NotificationSink, Sendable {
    /// One notification as a user's stream sends it.
    public struct Event: Sendable {
        /// The SSE `id`.
        public let id: UInt64
        /// The notification's JSON (``CallNotification/json()``).
        public let data: ByteBuffer

        init(id: UInt64, notification: CallNotification) {
            self.id = id
            let json = notification.json()
            var buffer = ByteBufferAllocator().buffer(capacity: json.count)
            buffer.writeBytes(json)
            self.data = buffer
        }
    }

    /// What a subscriber's stream carries.
    public enum Message: Sendable {
        case event(Event)
        /// Time for a heartbeat comment.
        case heartbeat
    }

    /// An open stream of one user.
    public struct Subscription: Sendable {
        /// The buffered events after the `Last-Event-ID` given, oldest first: send them first.
        public let replay: [Event]
        /// The live events and heartbeats, after ``replay``. It ends when the subscription is
        /// cancelled, when the hub shuts down, or when the subscriber falls more than the queue
        /// limit behind (its client then reconnects with `Last-Event-ID`).
        public let messages: AsyncStream<Message>
        /// Ends the stream (``NotificationHub/unsubscribe(_:)``).
        public let token: SubscriptionToken
    }

    /// Identifies a subscription for ``NotificationHub/unsubscribe(_:)``.
    public struct SubscriptionToken: Hashable, Sendable {
        let user: Int
        let id: UInt64
    }

    /// A notification kept for replay, not yet encoded.
    private struct Buffered: Sendable {
        let id: UInt64
        let notification: CallNotification
    }

    private struct UserState: Sendable {
        var buffer: Ring<Buffered>
        var subscribers: [UInt64: AsyncStream<Message>.Continuation] = [:]
    }

    private struct State: Sendable {
        var nextEventID: UInt64
        var nextSubscriberID: UInt64 = 0
        var users: [Int: UserState]
        var isShutDown = false
        var delivered = 0
    }

    /// A pthread mutex (not `Synchronization.Mutex`, whose futexes ThreadSanitizer cannot see).
    private let state: NIOLockedValueBox<State>
    /// The most notifications kept per user for replay.
    public let replayLimit: Int
    /// The most messages a subscriber may have waiting before its stream is ended.
    public let queueLimit: Int

    /// - Parameters:
    ///   - users: The account's users: only they have buffers and may subscribe.
    ///   - replayLimit: The most notifications kept per user for `Last-Event-ID` replay (256).
    ///   - queueLimit: The most messages a slow subscriber may have waiting before its stream is
    ///     ended (1,024); its client reconnects and replays.
    ///   - firstEventID: The first event id; by default the wall clock in microseconds.
    public init(users: some Sequence<Int>, replayLimit: Int = 256, queueLimit: Int = 1024, firstEventID: UInt64? = nil)
    {
        self.replayLimit = max(1, replayLimit)
        self.queueLimit = max(1, queueLimit)
        let start = firstEventID ?? UInt64(max(1, NotificationTime.now().millisecondsSince1970)) * 1000
        var users_: [Int: UserState] = [:]
        for user in users { users_[user] = UserState(buffer: Ring(capacity: max(1, replayLimit))) }
        state = NIOLockedValueBox(State(nextEventID: start, users: users_))
    }

    /// Whether `user` may subscribe.
    public func hasUser(_ user: Int) -> Bool { state.withLockedValue { $0.users[user] != nil } }

    /// How many streams are open, for all users or for one.
    public func subscriberCount(user: Int? = nil) -> Int {
        state.withLockedValue { state in
            if let user { return state.users[user]?.subscribers.count ?? 0 }
            return state.users.values.reduce(0) { $0 + $1.subscribers.count }
        }
    }

    /// How many (notification, user) deliveries the hub has made.
    public var deliveredCount: Int { state.withLockedValue { $0.delivered } }

    /// Buffers each notification for each of its users and pushes it to their open streams.
    ///
    /// A notification is encoded to JSON once, and only when one of its users has a stream open;
    /// the buffers keep the notification and encode it again if a replay needs it.
    public func deliver(_ notifications: [CallNotification]) async {
        var overflowed: [AsyncStream<Message>.Continuation] = []
        state.withLockedValue { state in
            for notification in notifications {
                let id = state.nextEventID
                state.nextEventID += 1
                var encoded: Event?
                for user in notification.users {
                    guard var userState = state.users[user] else { continue }
                    state.users[user] = nil  // keep the value uniquely referenced while it changes
                    userState.buffer.append(Buffered(id: id, notification: notification))
                    if !userState.subscribers.isEmpty {
                        let event = encoded ?? Event(id: id, notification: notification)
                        encoded = event
                        for continuation in userState.subscribers.values {
                            if case .dropped = continuation.yield(.event(event)) { overflowed.append(continuation) }
                        }
                    }
                    state.users[user] = userState
                    state.delivered += 1
                }
            }
        }
        for continuation in overflowed { continuation.finish() }
    }

    /// Opens a stream for `user`, replaying the buffered notifications after `lastEventID`.
    ///
    /// - Returns: nil when `user` is not one of the hub's users.
    public func subscribe(user: Int, lastEventID: UInt64?) -> Subscription? {
        let (stream, continuation) = AsyncStream<Message>.makeStream(bufferingPolicy: .bufferingOldest(queueLimit))
        let result: (UInt64, [Buffered])? = state.withLockedValue { state in
            guard !state.isShutDown, var userState = state.users[user] else { return nil }
            let id = state.nextSubscriberID
            state.nextSubscriberID += 1
            let replay = lastEventID.map { last in userState.buffer.elements.filter { $0.id > last } } ?? []
            userState.subscribers[id] = continuation
            state.users[user] = userState
            return (id, replay)
        }
        guard let (id, buffered) = result else {
            continuation.finish()
            return nil
        }
        let replay = buffered.map { Event(id: $0.id, notification: $0.notification) }
        let token = SubscriptionToken(user: user, id: id)
        continuation.onTermination = { [weak self] _ in self?.remove(token) }
        return Subscription(replay: replay, messages: stream, token: token)
    }

    /// Ends a subscription's stream.
    public func unsubscribe(_ token: SubscriptionToken) {
        remove(token)?.finish()
    }

    /// Sends a heartbeat message to every open stream.
    public func heartbeat() {
        var overflowed: [AsyncStream<Message>.Continuation] = []
        state.withLockedValue { state in
            for userState in state.users.values {
                for continuation in userState.subscribers.values {
                    if case .dropped = continuation.yield(.heartbeat) { overflowed.append(continuation) }
                }
            }
        }
        for continuation in overflowed { continuation.finish() }
    }

    /// Ends every stream and refuses new ones: for graceful shutdown.
    public func shutdown() {
        let all: [AsyncStream<Message>.Continuation] = state.withLockedValue { state in
            state.isShutDown = true
            return state.users.values.flatMap { $0.subscribers.values }
        }
        for continuation in all { continuation.finish() }
    }

    @discardableResult
    private func remove(_ token: SubscriptionToken) -> AsyncStream<Message>.Continuation? {
        state.withLockedValue { state in state.users[token.user]?.subscribers.removeValue(forKey: token.id) }
    }
}

/// A fixed-capacity ring buffer that drops its oldest element when full.
struct Ring<Element: Sendable>: Sendable {
    private var storage: [Element] = []
    private var head = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    mutating func append(_ element: Element) {
        if storage.count < capacity {
            storage.append(element)
        } else {
            storage[head] = element
            head = (head + 1) % capacity
        }
    }

    /// Oldest first.
    var elements: [Element] {
        Array(storage[head...]) + storage[..<head]
    }
}
