import AccountIndex
import CallEvents
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// How the server runs.
public struct ServerConfiguration: Sendable {
    /// The address to listen on (`127.0.0.1`).
    public var host: String
    /// The port; 0 picks a free one (read it in `onServerRunning`).
    public var port: Int
    /// The token the integration must send.
    public var apiToken: APIToken
    /// How often streams get a heartbeat comment (15 s).
    public var heartbeatInterval: Duration
    /// The SSE `retry` sent to clients, in milliseconds (2,000).
    public var retryMilliseconds: Int
    /// The bounds of the live streams: replay buffers, streams, send queues.
    public var streams: StreamLimits
    /// How long a client may take to send a request head or body, or stay idle.
    public var timeouts: ConnectionTimeouts
    /// The most connections open at once (10,000); more are refused with 503 at once.
    public var maxConnections: Int

    public init(
        host: String = "127.0.0.1", port: Int = 8080, apiToken: APIToken, heartbeatInterval: Duration = .seconds(15),
        retryMilliseconds: Int = 2000, streams: StreamLimits = StreamLimits(),
        timeouts: ConnectionTimeouts = ConnectionTimeouts(), maxConnections: Int = 10_000
    ) {
        self.host = host
        self.port = port
        self.apiToken = apiToken
        self.heartbeatInterval = heartbeatInterval
        self.retryMilliseconds = retryMilliseconds
        self.streams = streams
        self.timeouts = timeouts
        self.maxConnections = maxConnections
    }
}

/// Delivers to several sinks in turn: the hub, and whatever the embedding code adds.
struct FanOutSink: NotificationSink {
    let sinks: [any NotificationSink]

    func deliver(_ notifications: [CallNotification]) async {
        for sink in sinks { await sink.deliver(notifications) }
    }
}

/// The call-notification server: amoCRM's `/api/v2/events` over HTTP, with live streams.
///
/// ```swift
/// let server = ScreenPopServer(index: index, events: CallEventsConfiguration(users: users, names: EntityNames(data)),
///                              configuration: ServerConfiguration(apiToken: token), logger: logger)
/// try await server.application().runService()     // SIGINT/SIGTERM shut it down gracefully
/// ```
///
/// Routes (all but `/health` need `Authorization: Bearer <token>`):
/// - `POST /api/v2/events` and `/api/v2/events/`: the API (docs/events-api.md).
/// - `GET /api/v2/events/stream?user_id=N`: the user's notifications as Server-Sent Events.
/// - `GET /health`: `{"status":"ok"}`.
public struct ScreenPopServer: Sendable {
    public let index: AccountIndex
    public let events: CallEventsConfiguration
    public let configuration: ServerConfiguration
    /// The live streams; also a ``CallEvents/NotificationSink`` for anything else that makes notifications.
    public let hub: NotificationHub
    /// The open connections, and those refused or closed for taking too long.
    public let connections: ConnectionLimiter
    public let logger: Logger
    let sink: FanOutSink

    /// - Parameters:
    ///   - index: The account's index.
    ///   - events: The account's users and names, and the API's limits.
    ///   - configuration: Where to listen, the token, the streams' settings.
    ///   - additionalSinks: Sinks that get every batch after the hub (a push service, a test's recorder).
    ///   - logger: The server's logger; requests log with `hb.request.id`.
    public init(
        index: AccountIndex, events: CallEventsConfiguration, configuration: ServerConfiguration,
        additionalSinks: [any NotificationSink] = [], logger: Logger = Logger(label: "screenpop")
    ) {
        self.index = index
        self.events = events
        self.configuration = configuration
        self.logger = logger
        self.hub = NotificationHub(users: events.users, limits: configuration.streams)
        self.connections = ConnectionLimiter(maximum: configuration.maxConnections)
        self.sink = FanOutSink(sinks: [hub] + additionalSinks)
    }

    /// The router with every route and middleware.
    public func router() -> Router<ServerRequestContext> {
        let router = Router(context: ServerRequestContext.self)
        router.add(middleware: RequestLogMiddleware())
        router.get("/health") { _, _ -> Response in
            var buffer = ByteBuffer()
            buffer.writeStaticString(#"{"status":"ok"}"#)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
        }
        let api = router.group().add(middleware: BearerTokenMiddleware(token: configuration.apiToken))
        EventsController(
            service: CallEventsService(index: index, configuration: events, sink: sink), hub: hub,
            heartbeatInterval: configuration.heartbeatInterval, retryMilliseconds: configuration.retryMilliseconds
        ).addRoutes(to: api)
        return router
    }

    /// The Hummingbird application: run it with `runService()` (signals) or in a `ServiceGroup`.
    ///
    /// Graceful shutdown stops accepting connections, lets requests in flight finish, and ends the
    /// open streams.
    ///
    /// - Parameter onServerRunning: Called with the listening channel once it is bound (its
    ///   `localAddress` has the port when ``ServerConfiguration/port`` is 0).
    public func application(
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let logger = logger
        let configuration = configuration
        return Application(
            router: router(),
            server: .guardedHTTP1(timeouts: configuration.timeouts, limiter: connections),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: [HeartbeatService(hub: hub, interval: configuration.heartbeatInterval)],
            onServerRunning: { channel in
                logger.info(
                    "listening",
                    metadata: [
                        "address": "\(channel.localAddress?.description ?? "?")",
                        "token": "\(configuration.apiToken)",
                    ])
                await onServerRunning(channel)
            },
            logger: logger)
    }
}
