import AccountIndex
import PhoneNumbers

/// What a ``CallEventsService`` needs to know about the account besides its index.
public struct CallEventsConfiguration: Sendable {
    /// The account's users and its entities' names, as they are now.
    public let roster: AccountRoster
    /// The most events per request, the largest body and the most users per event.
    public var limits: CallEventsLimits
    /// How calls are resolved (the suffix fallback, the candidate policy).
    public var resolveOptions: ResolveOptions
    /// The wall clock for ``CallNotification/time``.
    public var clock: @Sendable () -> NotificationTime
    /// Makes each notification's ``CallNotification/uid``.
    public var makeUID: @Sendable () -> EventUID
    /// Describes an unknown caller's number (place, carrier, time zones) for
    /// ``CallNotification/caller``; nil: notifications carry no description. A server passes the
    /// `PhoneNumberGeocoding` tables here; it runs once per create-contact notification.
    public var describeCaller: (@Sendable (PhoneNumber) -> CallerDescription?)?

    /// - Parameters:
    ///   - users: The account's user ids (amoCRM's `users` of the account). An event without `users`
    ///     goes to all of them; an event naming anyone else is refused.
    ///   - names: The entities' names (``EntityNames/init(_:)`` of the account's data).
    ///   - limits: The most events per request (500), the largest body (1 MiB) and the most users
    ///     per event (10,000).
    ///   - resolveOptions: How calls are resolved.
    ///   - clock: The wall clock; the system's by default.
    ///   - makeUID: The uid generator; random version 4 UUIDs by default.
    public init(
        users: some Sequence<Int>, names: EntityNames = EntityNames(), limits: CallEventsLimits = CallEventsLimits(),
        resolveOptions: ResolveOptions = ResolveOptions(),
        clock: @escaping @Sendable () -> NotificationTime = { NotificationTime.now() },
        makeUID: @escaping @Sendable () -> EventUID = { EventUID.random() }
    ) {
        self.init(
            roster: AccountRoster(users: users, names: names), limits: limits, resolveOptions: resolveOptions,
            clock: clock, makeUID: makeUID)
    }

    /// A configuration whose users and names follow `roster`, which a sync keeps current.
    public init(
        roster: AccountRoster, limits: CallEventsLimits = CallEventsLimits(),
        resolveOptions: ResolveOptions = ResolveOptions(),
        clock: @escaping @Sendable () -> NotificationTime = { NotificationTime.now() },
        makeUID: @escaping @Sendable () -> EventUID = { EventUID.random() }
    ) {
        self.roster = roster
        self.limits = limits
        self.resolveOptions = resolveOptions
        self.clock = clock
        self.makeUID = makeUID
    }

    /// The account's user ids now, ascending.
    public var users: [Int] { roster.users.ids }

    /// Whether `user` is one of the account's users now.
    public func isUser(_ user: Int) -> Bool { roster.users.contains(user) }
}

/// The call-notification API without HTTP: validates a whole batch against the account, resolves
/// each call through the index, makes the notifications and hands them to the sink.
///
/// ```swift
/// let service = CallEventsService(index: index, configuration: CallEventsConfiguration(users: [88888, 99999],
///                                 names: EntityNames(data)), sink: mySink)
/// let response = try await service.post(body: bytes, contentType: "application/json")
/// let answer = response.halJSON()      // 200, application/hal+json
/// ```
///
/// A server maps the errors to statuses: ``CallEventsError/Code/bodyTooLarge`` 413,
/// ``CallEventsError/Code/unsupportedMediaType`` 415, every other code 400.
public struct CallEventsService<Sink: NotificationSink>: Sendable {
    public let index: AccountIndex
    public let configuration: CallEventsConfiguration
    public let sink: Sink

    public init(index: AccountIndex, configuration: CallEventsConfiguration, sink: Sink) {
        self.index = index
        self.configuration = configuration
        self.sink = sink
    }

    /// Decodes a body of either encoding, then does ``post(_:)``.
    ///
    /// - Throws: ``CallEventsError``, and then nothing was delivered.
    public func post(body: some Collection<UInt8>, contentType: String?) async throws(CallEventsError)
        -> CallEventsResponse
    {
        try await post(CallEventsRequest(body: body, contentType: contentType, limits: configuration.limits))
    }

    /// Validates the batch against the account, makes its notifications, delivers them (one call of
    /// the sink) and answers.
    ///
    /// - Throws: ``CallEventsError`` (`unknown_user`), and then nothing was delivered.
    /// - Complexity: O(n) resolves in the events, plus the sink's work.
    public func post(_ request: CallEventsRequest) async throws(CallEventsError) -> CallEventsResponse {
        let notifications = try notifications(for: request)
        await sink.deliver(notifications)
        return CallEventsResponse(items: notifications.map(\.responseItem))
    }

    /// The notifications of a request, in request order, without delivering them: every event
    /// resolved on one snapshot of the index, every user checked.
    ///
    /// A `phone_number` with no number in it (`"Unknown"`, `"anonymous"`, `""`: a withheld caller
    /// id, which PBXs send every day) is not an error: its notification offers to create a contact,
    /// with a nil ``CallNotification/e164``, as `screenpop resolve` answers.
    ///
    /// - Throws: ``CallEventsError``: the first event (in index order) that names a user who is not
    ///   the account's (`unknown_user`).
    public func notifications(for request: CallEventsRequest) throws(CallEventsError) -> [CallNotification] {
        let snapshot = index.snapshot
        let accountUsers = configuration.roster.users
        let time = configuration.clock()
        var notifications: [CallNotification] = []
        notifications.reserveCapacity(request.events.count)
        for (eventIndex, event) in request.events.enumerated() {
            let resolution = snapshot.resolve(callerNumber: event.phoneNumber, options: configuration.resolveOptions)
            let users: [Int]
            if let named = event.users {
                var unique: [Int] = []
                unique.reserveCapacity(named.count)
                // Long lists are checked against a set (10,000 distinct ids took 18 ms by searching the
                // list); the usual few ids are searched without allocating.
                var seen: Set<Int>? = named.count > 32 ? Set(minimumCapacity: named.count) : nil
                for (position, user) in named.enumerated() {
                    guard accountUsers.contains(user) else {
                        throw .user(.unknownUser, at: eventIndex, user: position, found: String(user))
                    }
                    if seen != nil ? seen!.insert(user).inserted : !unique.contains(user) { unique.append(user) }
                }
                users = unique
            } else {
                users = accountUsers.ids
            }
            // Not `decision.target.entity.flatMap { names[$0] }` with the decision in a local: Swift
            // 6.3.1's optimizer crashes on that in release builds ("Found outside of lifetime use").
            var name: String?
            if let entity = resolution.target.entity { name = configuration.roster.name(of: entity) }
            var display = resolution.e164 ?? event.phoneNumber
            var caller: CallerDescription?
            if let number = resolution.callerNumber {
                display = number.displayed(inAccountRegion: snapshot.settings.defaultRegion ?? "ZZ")
                if resolution.target.entity == nil, let describe = configuration.describeCaller {
                    caller = describe(number)
                }
            }
            let card = CallCard(
                decision: resolution.decision, e164: resolution.e164, snapshot: snapshot, roster: configuration.roster)
            notifications.append(
                CallNotification(
                    uid: configuration.makeUID(), phoneNumber: event.phoneNumber, e164: resolution.e164,
                    decision: resolution.decision, entityName: name, users: users, time: time,
                    eventIndex: eventIndex, displayNumber: display, caller: caller, card: card))
        }
        return notifications
    }
}
