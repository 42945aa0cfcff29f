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
    /// The secret in the path of amoCRM's webhooks, `POST /amocrm/webhooks/<secret>`: the route's
    /// only credential (amoCRM sends no token). Nil, or a server without a feed, has no such route.
    ///
    /// Use URL-safe characters (letters, digits, `-._~`): the path's segment is compared as sent,
    /// without percent-decoding. It is compared in constant time and never logged.
    public var webhookSecret: APIToken?
    /// The largest webhook body accepted (4 MiB); a larger one gets 413 and never reaches the feed.
    public var maxWebhookBytes: Int

    public init(
        host: String = "127.0.0.1", port: Int = 8080, apiToken: APIToken, heartbeatInterval: Duration = .seconds(15),
        retryMilliseconds: Int = 2000, streams: StreamLimits = StreamLimits(),
        timeouts: ConnectionTimeouts = ConnectionTimeouts(), maxConnections: Int = 10_000,
        webhookSecret: APIToken? = nil, maxWebhookBytes: Int = 4 << 20
    ) {
        self.host = host
        self.port = port
        self.apiToken = apiToken
        self.heartbeatInterval = heartbeatInterval
        self.retryMilliseconds = retryMilliseconds
        self.streams = streams
        self.timeouts = timeouts
        self.maxConnections = maxConnections
        self.webhookSecret = webhookSecret
        self.maxWebhookBytes = maxWebhookBytes
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
/// Routes (all but `/health` and the webhooks need `Authorization: Bearer <token>`):
/// - `POST /api/v2/events` and `/api/v2/events/`: the API (docs/events-api.md).
/// - `GET /api/v2/events/stream?user_id=N`: the user's notifications as Server-Sent Events.
/// - `POST /amocrm/webhooks/<secret>`: amoCRM's webhooks, to the ``AccountFeed`` (only with a feed
///   and ``ServerConfiguration/webhookSecret``; the secret is the credential, and a wrong one gets
///   the 404 of an unknown path).
/// - `GET /api/v2/sync/status`: the feed's sync status (404 without a feed).
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
    /// What keeps the account current: receives the webhooks, reports the sync's status.
    public let feed: (any AccountFeed)?
    let sink: FanOutSink

    /// - Parameters:
    ///   - index: The account's index.
    ///   - events: The account's users and names, and the API's limits.
    ///   - configuration: Where to listen, the token, the streams' settings.
    ///   - additionalSinks: Sinks that get every batch after the hub (a push service, a test's recorder).
    ///   - feed: The live account's feed (webhooks in, sync status out); nil serves a fixed index.
    ///   - logger: The server's logger; requests log with `hb.request.id`.
    public init(
        index: AccountIndex, events: CallEventsConfiguration, configuration: ServerConfiguration,
        additionalSinks: [any NotificationSink] = [], feed: (any AccountFeed)? = nil,
        logger: Logger = Logger(label: "screenpop")
    ) {
        self.index = index
        self.feed = feed
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
        // Outside the token's group: amoCRM sends no token; the path's secret is checked instead.
        // Without a feed or a secret the route does not exist (404, as any unknown path).
        if let feed, let secret = configuration.webhookSecret {
            WebhookController(feed: feed, secret: secret, maxBodyBytes: configuration.maxWebhookBytes)
                .addRoutes(to: router)
        }
        let api = router.group().add(middleware: BearerTokenMiddleware(token: configuration.apiToken))
        EventsController(
            service: CallEventsService(index: index, configuration: events, sink: sink), hub: hub,
            heartbeatInterval: configuration.heartbeatInterval, retryMilliseconds: configuration.retryMilliseconds
        ).addRoutes(to: api)
        SyncStatusController(feed: feed).addRoutes(to: api)
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
        let webhooks = feed != nil && configuration.webhookSecret != nil
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
                        "webhooks": "\(webhooks ? "on" : "off")",
                    ])
                await onServerRunning(channel)
            },
            logger: logger)
    }
}
