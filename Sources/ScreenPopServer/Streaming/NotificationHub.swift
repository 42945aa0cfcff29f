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
/// Everything it holds is bounded (``StreamLimits``): the replay buffers in count and bytes, the
/// streams per user and in all, and each stream's send queue in bytes. ``deliver(_:)`` never
/// waits for a reader: a stream whose queue is full is closed instead.
///
/// ```swift
/// let hub = NotificationHub(users: [88888, 99999])
/// let subscription = try hub.subscribe(user: 88888, lastEventID: nil)
/// for event in subscription.replay { send(event) }
/// for await message in subscription.messages { ... }   // .event(Event), .heartbeat
/// ```
public final class NotificationHub: NotificationSink, Sendable {
    /// One notification as a user's stream sends it.
    public struct Event: Sendable {
        /// The SSE `id`.
        public let id: UInt64
        /// The notification's JSON (``CallNotification/json()``).
        public let data: ByteBuffer

        init(id: UInt64, notification: CallNotification) {
            self.init(id: id, json: notification.json())
        }

        init(id: UInt64, json: [UInt8]) {
            self.id = id
            var buffer = ByteBufferAllocator().buffer(capacity: json.count)
            buffer.writeBytes(json)
            self.data = buffer
        }

        init(id: UInt64, data: ByteBuffer) {
            self.id = id
            self.data = data
        }

        /// The bytes the event takes on the wire: its JSON and the SSE framing around it.
        var wireBytes: Int { data.readableBytes + 32 }
    }

    /// What a subscriber's stream carries.
    public enum Message: Sendable {
        case event(Event)
        /// Time for a heartbeat comment.
        case heartbeat

        var wireBytes: Int {
            switch self {
            case .event(let event): event.wireBytes
            case .heartbeat: 14
            }
        }
    }

    /// An open stream of one user.
    public struct Subscription: Sendable {
        /// The buffered events after the `Last-Event-ID` given, oldest first: send them first.
        public let replay: [Event]
        /// The live events and heartbeats, after ``replay``. It ends when the subscription is
        /// cancelled, when the hub shuts down, or when more than
        /// ``StreamLimits/streamQueueBytes`` wait in it (its client then reconnects with
        /// `Last-Event-ID`).
        public let messages: StreamQueue
        /// Ends the stream (``NotificationHub/unsubscribe(_:)``).
        public let token: SubscriptionToken
    }

    /// Identifies a subscription for ``NotificationHub/unsubscribe(_:)``.
    public struct SubscriptionToken: Hashable, Sendable {
        let user: Int
        let id: UInt64
    }

    /// Why a stream cannot be opened.
    public enum SubscribeRefusal: Error, Hashable, Sendable {
        /// The user is not one of the hub's users.
        case unknownUser
        /// The user has ``StreamLimits/streamsPerUser`` streams open.
        case tooManyStreamsForUser(limit: Int)
        /// ``StreamLimits/streams`` streams are open.
        case tooManyStreams(limit: Int)
        /// The hub is shutting down.
        case shuttingDown
    }

    /// A notification kept for replay: a local one not yet encoded, or a relayed one as it came.
    private struct Buffered: Sendable {
        enum Content: Sendable {
            case notification(CallNotification)
            case encoded(ByteBuffer)
        }

        let id: UInt64
        let content: Content
        let bytes: Int

        var event: Event {
            switch content {
            case .notification(let notification): Event(id: id, notification: notification)
            case .encoded(let data): Event(id: id, data: data)
            }
        }
    }

    private struct UserState: Sendable {
        var replay = FIFO<Buffered>()
        var replayBytes = 0
        var subscribers: [UInt64: StreamQueue] = [:]
    }

    private struct State: Sendable {
        var nextEventID: UInt64
        var nextSubscriberID: UInt64 = 0
        var users: [Int: UserState]
        var streamCount = 0
        var isShutDown = false
        var delivered = 0
        var droppedStreams = 0
    }

    /// A pthread mutex (not `Synchronization.Mutex`, whose futexes ThreadSanitizer cannot see).
    private let state: NIOLockedValueBox<State>
    /// What the hub may hold.
    public let limits: StreamLimits
    /// The server's counters of delivered and dropped events; nil for a hub outside a server.
    let counters: StreamCounters?

    /// - Parameters:
    ///   - users: The account's users: only they have buffers and may subscribe.
    ///   - limits: The bounds of replay buffers, streams and send queues.
    ///   - firstEventID: The first event id; by default the wall clock in microseconds.
    public convenience init(
        users: some Sequence<Int>, limits: StreamLimits = StreamLimits(), firstEventID: UInt64? = nil
    ) {
        self.init(users: users, limits: limits, firstEventID: firstEventID, counters: nil)
    }

    /// A hub that counts what it delivers and drops in the server's metrics.
    init(users: some Sequence<Int>, limits: StreamLimits, firstEventID: UInt64? = nil, counters: StreamCounters?) {
        self.counters = counters
        var limits = limits
        limits.replayCount = max(1, limits.replayCount)
        limits.replayBytes = max(0, limits.replayBytes)
        limits.streamsPerUser = max(1, limits.streamsPerUser)
        limits.streams = max(1, limits.streams)
        limits.streamQueueBytes = max(1, limits.streamQueueBytes)
        self.limits = limits
        let start = firstEventID ?? UInt64(max(1, NotificationTime.now().millisecondsSince1970)) * 1000
        var users_: [Int: UserState] = [:]
        for user in users { users_[user] = UserState() }
        state = NIOLockedValueBox(State(nextEventID: start, users: users_))
    }

    /// Whether `user` may subscribe.
    public func hasUser(_ user: Int) -> Bool { state.withLockedValue { $0.users[user] != nil } }

    /// How many streams are open, for all users or for one.
    public func subscriberCount(user: Int? = nil) -> Int {
        state.withLockedValue { state in
            if let user { return state.users[user]?.subscribers.count ?? 0 }
            return state.streamCount
        }
    }

    /// How many (notification, user) deliveries the hub has made.
    public var deliveredCount: Int { state.withLockedValue { $0.delivered } }

    /// How many streams were closed because their send queue was full.
    public var droppedStreamCount: Int { state.withLockedValue { $0.droppedStreams } }

    /// The notifications kept for `user`'s replay, and their estimated bytes.
    public func replayUsage(user: Int) -> (count: Int, bytes: Int) {
        state.withLockedValue { state in
            guard let userState = state.users[user] else { return (0, 0) }
            return (userState.replay.count, userState.replayBytes)
        }
    }

    /// Buffers each notification for each of its users and pushes it to their open streams.
    ///
    /// A notification is encoded to JSON once, and only when one of its users has a stream open;
    /// the buffers keep the notification and encode it again if a replay needs it. Never waits:
    /// a stream whose queue is full is closed.
    public func deliver(_ notifications: [CallNotification]) async {
        _ = deliver(notifications, encodingAll: false)
    }

    /// ``deliver(_:)``, returning each notification as its users' streams got it: the id this hub
    /// gave it, its users, and (with `encodingAll`) its JSON, for ``CallRelay``.
    func deliver(_ notifications: [CallNotification], encodingAll: Bool) -> [RelayedEvent] {
        var overflowed: [StreamQueue] = []
        var pushed = 0
        var made: [RelayedEvent] = []
        if encodingAll { made.reserveCapacity(notifications.count) }
        state.withLockedValue { state in
            for notification in notifications {
                let id = state.nextEventID
                state.nextEventID += 1
                let bytes = Self.retainedBytes(notification)
                var encoded: Event?
                for user in notification.users {
                    guard var userState = state.users[user] else { continue }
                    state.users[user] = nil  // keep the value uniquely referenced while it changes
                    userState.replay.append(Buffered(id: id, content: .notification(notification), bytes: bytes))
                    userState.replayBytes += bytes
                    trimReplay(&userState)
                    if !userState.subscribers.isEmpty {
                        let event = encoded ?? Event(id: id, notification: notification)
                        encoded = event
                        pushed += push(event, to: &userState, overflowed: &overflowed)
                    }
                    state.users[user] = userState
                    state.delivered += 1
                }
                if encodingAll {
                    let json = encoded.map { Array($0.data.readableBytesView) } ?? notification.json()
                    made.append(RelayedEvent(id: id, users: notification.users, json: json))
                }
            }
            state.streamCount -= overflowed.count
            state.droppedStreams += overflowed.count
        }
        report(delivered: pushed, overflowed: overflowed)
        return made
    }

    /// Delivers notifications another instance made (``CallRelay``), with the ids it gave them:
    /// a user who reconnects here with `Last-Event-ID` gets no repeat. Users this hub does not
    /// have are skipped. The hub's own next id stays above every id it has seen.
    ///
    /// The replay buffers stay in id order: an event older than a user's newest buffered one (two
    /// instances making events at once) is put in its place. Its live streams get it as it comes.
    public func deliver(encoded events: [RelayedEvent]) {
        var overflowed: [StreamQueue] = []
        var pushed = 0
        state.withLockedValue { state in
            for relayed in events {
                if relayed.id >= state.nextEventID { state.nextEventID = relayed.id + 1 }
                let event = Event(id: relayed.id, json: relayed.json)
                let bytes = event.data.readableBytes + MemoryLayout<Buffered>.stride + MemoryLayout<Int>.stride
                for user in relayed.users {
                    guard var userState = state.users[user] else { continue }
                    state.users[user] = nil  // keep the value uniquely referenced while it changes
                    let buffered = Buffered(id: relayed.id, content: .encoded(event.data), bytes: bytes)
                    if let newest = userState.replay.last, newest.id > relayed.id {
                        userState.replay.insert(buffered, before: { $0.id > relayed.id })
                    } else {
                        userState.replay.append(buffered)
                    }
                    userState.replayBytes += bytes
                    trimReplay(&userState)
                    pushed += push(event, to: &userState, overflowed: &overflowed)
                    state.users[user] = userState
                    state.delivered += 1
                }
            }
            state.streamCount -= overflowed.count
            state.droppedStreams += overflowed.count
        }
        report(delivered: pushed, overflowed: overflowed)
    }

    /// Tells the owners of the streams that overflowed (outside the lock), and counts what was
    /// delivered and dropped in the server's metrics.
    private func report(delivered: Int, overflowed: [StreamQueue]) {
        for queue in overflowed { queue.reportOverflow() }
        guard let counters else { return }
        if delivered > 0 { counters.delivered.increment(by: Int64(delivered)) }
        guard !overflowed.isEmpty else { return }
        counters.dropped.increment(by: Int64(overflowed.reduce(0) { $0 + $1.droppedEventCount }))
        counters.streamsDropped.increment(by: Int64(overflowed.count))
    }

    /// Drops the oldest buffered notifications until the buffer is within its bounds.
    private func trimReplay(_ userState: inout UserState) {
        while userState.replay.count > limits.replayCount || userState.replayBytes > limits.replayBytes,
            let oldest = userState.replay.popFirst()
        {
            userState.replayBytes -= oldest.bytes
        }
    }

    /// Pushes an event to the user's open streams; those whose queue is full are removed.
    ///
    /// - Returns: How many streams' queues took it.
    private func push(_ event: Event, to userState: inout UserState, overflowed: inout [StreamQueue]) -> Int {
        var taken = 0
        for (key, queue) in userState.subscribers {
            if queue.push(.event(event), bytes: event.wireBytes) {
                taken += 1
            } else {
                userState.subscribers[key] = nil
                overflowed.append(queue)
            }
        }
        return taken
    }

    /// The id the hub gives its next notification.
    public var nextEventID: UInt64 { state.withLockedValue { $0.nextEventID } }

    /// Opens a stream for `user`, replaying the buffered notifications after `lastEventID`.
    ///
    /// - Parameter onOverflow: Called (outside the hub's lock) if the stream is closed because its
    ///   queue is full: a server closes the connection there, since its writer may be stuck.
    public func subscribe(
        user: Int, lastEventID: UInt64?, onOverflow: @escaping @Sendable () -> Void = {}
    ) throws(SubscribeRefusal) -> Subscription {
        let queue = StreamQueue(byteLimit: limits.streamQueueBytes, onOverflow: onOverflow)
        let result: Result<(UInt64, [Buffered]), SubscribeRefusal> = state.withLockedValue { state in
            guard !state.isShutDown else { return .failure(.shuttingDown) }
            guard var userState = state.users[user] else { return .failure(.unknownUser) }
            guard userState.subscribers.count < limits.streamsPerUser else {
                return .failure(.tooManyStreamsForUser(limit: limits.streamsPerUser))
            }
            guard state.streamCount < limits.streams else { return .failure(.tooManyStreams(limit: limits.streams)) }
            let id = state.nextSubscriberID
            state.nextSubscriberID += 1
            let replay = lastEventID.map { last in userState.replay.elements.filter { $0.id > last } } ?? []
            userState.subscribers[id] = queue
            state.users[user] = userState
            state.streamCount += 1
            return .success((id, replay))
        }
        let (id, buffered) = try result.get()
        let replay = buffered.map(\.event)
        if let counters, !replay.isEmpty { counters.delivered.increment(by: Int64(replay.count)) }
        return Subscription(replay: replay, messages: queue, token: SubscriptionToken(user: user, id: id))
    }

    /// Ends a subscription's stream.
    public func unsubscribe(_ token: SubscriptionToken) {
        let queue: StreamQueue? = state.withLockedValue { state in
            guard let queue = state.users[token.user]?.subscribers.removeValue(forKey: token.id) else { return nil }
            state.streamCount -= 1
            return queue
        }
        queue?.finish()
    }

    /// Sends a heartbeat message to every open stream.
    public func heartbeat() {
        let overflowed: [StreamQueue] = state.withLockedValue { state in
            var overflowed: [StreamQueue] = []
            for (user, userState) in state.users where !userState.subscribers.isEmpty {
                for (key, queue) in userState.subscribers
                where !queue.push(.heartbeat, bytes: Message.heartbeat.wireBytes) {
                    state.users[user]?.subscribers[key] = nil
                    overflowed.append(queue)
                }
            }
            state.streamCount -= overflowed.count
            state.droppedStreams += overflowed.count
            return overflowed
        }
        report(delivered: 0, overflowed: overflowed)
    }

    /// Makes `users` the account's users: a new user may subscribe at once; a user who is gone
    /// loses their buffer, and their open streams end.
    public func setUsers(_ users: some Sequence<Int>) {
        let wanted = Set(users)
        let ended: [StreamQueue] = state.withLockedValue { state in
            for user in wanted where state.users[user] == nil { state.users[user] = UserState() }
            var ended: [StreamQueue] = []
            for user in Array(state.users.keys) where !wanted.contains(user) {
                let queues = state.users.removeValue(forKey: user)!.subscribers.values
                state.streamCount -= queues.count
                ended += queues
            }
            return ended
        }
        for queue in ended { queue.finish() }
    }

    /// Ends every stream and refuses new ones: for graceful shutdown.
    public func shutdown() {
        let all: [StreamQueue] = state.withLockedValue { state in
            state.isShutDown = true
            return state.users.values.flatMap { $0.subscribers.values }
        }
        for queue in all { queue.finish() }
    }

    /// What a buffered notification keeps alive, estimated: the value, its texts and its place in
    /// the users list (the list itself is shared by every user it names).
    static func retainedBytes(_ notification: CallNotification) -> Int {
        MemoryLayout<CallNotification>.stride + notification.phoneNumber.utf8.count
            + (notification.e164?.utf8.count ?? 0) + (notification.entityName?.utf8.count ?? 0)
            + MemoryLayout<Int>.stride
    }
}
