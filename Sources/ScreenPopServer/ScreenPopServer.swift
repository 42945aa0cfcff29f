import AccountIndex
import CallEvents
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle

/// How the server runs.
public struct ServerConfiguration: Sendable {
    /// The address to listen on (`127.0.0.1`).
    public var host: String
    /// The port; 0 picks a free one (read it in `onServerRunning`).
    public var port: Int
    /// The token the integration must send, in a server of one account; nil in a server of many
    /// (the ``AccountProvider`` knows their tokens).
    public var apiToken: APIToken?
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
    /// The largest request head accepted, in bytes of method, target, header names and values (16
    /// KiB); a larger one gets `431 headers_too_large` and its connection is closed. At most 64 KiB
    /// takes effect: NIO's decoder ends heads over 80 KiB itself, with a bare `400`.
    public var maxHeadBytes: Int = 16 << 10
    /// The longest request target (path and query) accepted, in bytes (8 KiB); a longer one gets
    /// `414 uri_too_long` and its connection is closed.
    public var maxURLBytes: Int = 8 << 10
    /// How many refused credentials an address, or a credential, may send before its refusals are
    /// slowed and answered `429 too_many_requests` (``RefusalLimits``).
    public var refusals = RefusalLimits()
    /// The shortest time between two notices of one limit's refusals for one address (60 s): a
    /// refused client is logged once a window, with a count, never once a request.
    public var limitNoticeInterval: Duration = .seconds(60)
    /// The memory the loaded accounts may hold, by their providers' estimates
    /// (``ServedAccountParts/memoryBytes``); nil: no limit, nothing is evicted (``ServedAccounts``).
    public var maxMemoryBytes: Int?
    /// How stream tickets are signed and how long they live.
    public var tickets = StreamTicketSettings()
    /// The longest a sync with amoCRM may go without success before `GET /readyz` answers 503
    /// (5 minutes); an account without a sync is never held back by it.
    public var maxSyncLag: Duration = .seconds(300)
    /// Where the server registers its metrics (`GET /metrics`); nil: a registry of its own
    /// (``ScreenPopServer/metrics``). Never the global `MetricsSystem`: a process may run several servers.
    public var metricsRegistry: PrometheusCollectorRegistry?

    /// The configuration of a server of one account: its token, and its webhook secret.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, apiToken: APIToken, heartbeatInterval: Duration = .seconds(15),
        retryMilliseconds: Int = 2000, streams: StreamLimits = StreamLimits(),
        timeouts: ConnectionTimeouts = ConnectionTimeouts(), maxConnections: Int = 10_000,
        webhookSecret: APIToken? = nil, maxWebhookBytes: Int = 4 << 20, maxMemoryBytes: Int? = nil
    ) {
        self.init(
            host: host, port: port, heartbeatInterval: heartbeatInterval, retryMilliseconds: retryMilliseconds,
            streams: streams, timeouts: timeouts, maxConnections: maxConnections, maxWebhookBytes: maxWebhookBytes,
            maxMemoryBytes: maxMemoryBytes)
        self.apiToken = apiToken
        self.webhookSecret = webhookSecret
    }

    /// The configuration of a server of many accounts (``ScreenPopServer/init(accounts:configuration:relay:readiness:logger:)``):
    /// no token or webhook secret, which the ``AccountProvider`` knows per account.
    ///
    /// ``StreamLimits/streams`` bounds the streams of each account; ``maxConnections`` those of the
    /// server.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, heartbeatInterval: Duration = .seconds(15),
        retryMilliseconds: Int = 2000, streams: StreamLimits = StreamLimits(),
        timeouts: ConnectionTimeouts = ConnectionTimeouts(), maxConnections: Int = 10_000,
        maxWebhookBytes: Int = 4 << 20, maxMemoryBytes: Int? = nil
    ) {
        self.host = host
        self.port = port
        self.apiToken = nil
        self.heartbeatInterval = heartbeatInterval
        self.retryMilliseconds = retryMilliseconds
        self.streams = streams
        self.timeouts = timeouts
        self.maxConnections = maxConnections
        self.webhookSecret = nil
        self.maxWebhookBytes = maxWebhookBytes
        self.maxMemoryBytes = maxMemoryBytes
    }
}

/// Whether the server can serve now (`GET /ready`), as the embedding code tells it: a load
/// balancer sends traffic only to a ready instance. `/health` is liveness only.
public struct Readiness: Sendable, Hashable {
    /// Why not, or nil when ready.
    public var reason: String?

    /// Ready.
    public static let ready = Readiness(reason: nil)

    /// Not ready, and why (`"PostgreSQL unreachable"`): shown to whoever asks `/ready`, so no secrets.
    public static func notReady(_ reason: String) -> Readiness { Readiness(reason: reason) }

    public var isReady: Bool { reason == nil }
}

/// Delivers to several sinks in turn: the hub, and whatever the embedding code adds.
struct FanOutSink: NotificationSink {
    let sinks: [any NotificationSink]

    func deliver(_ notifications: [CallNotification]) async {
        for sink in sinks { await sink.deliver(notifications) }
    }
}

/// The call-notification server: amoCRM's `/api/v2/events` over HTTP, with live streams, for one
/// account or many.
///
/// ```swift
/// let server = ScreenPopServer(index: index, events: CallEventsConfiguration(users: users, names: EntityNames(data)),
///                              configuration: ServerConfiguration(apiToken: token), logger: logger)
/// try await server.application().runService()     // SIGINT/SIGTERM shut it down gracefully
///
/// let many = ScreenPopServer(accounts: storeProvider, configuration: ServerConfiguration(maxMemoryBytes: 8 << 30),
///                            relay: postgresRelay, readiness: { await store.isReachable ? .ready : .notReady("PostgreSQL unreachable") })
/// ```
///
/// Routes (all but `/health`, `/ready`, `/healthz` and the webhooks need `Authorization: Bearer <token>`; the
/// token says which account a request is for, in a server of many):
/// - `POST /api/v2/events` and `/api/v2/events/`: the API (docs/events-api.md).
/// - `GET /api/v2/events/stream?user_id=N`: the user's notifications as Server-Sent Events; or
///   `?ticket=T` without the token, for the ticket's user.
/// - `POST /api/v2/events/stream-tickets`: a ticket for one user's stream, for a browser.
/// - `GET /api/v2/events/ticket?ticket=T`: what the ticket is for (no token).
/// - `POST /amocrm/webhooks/<secret>`: amoCRM's webhooks, to the account's ``AccountFeed`` (the
///   secret is the credential and says which account; a wrong one gets the 404 of an unknown
///   path). A server of one account has the route only with a feed and
///   ``ServerConfiguration/webhookSecret``.
/// - `GET /api/v2/sync/status`: the feed's sync status (404 without a feed).
/// - `GET /health`: `{"status":"ok"}`, liveness.
/// - `GET /ready`: `{"status":"ready"}`, or 503 `{"status":"not_ready","reason":"…"}`.
/// - `GET /?ticket=T`, `/assets/screen.css`, `/assets/screen.js`: the agent's page.
/// - `GET /healthz`, `GET /readyz` (the token's account and its sync too) and `GET /metrics`
///   (Prometheus' text format): ``HealthController``.
///
/// Any other path answers 404 `not_found`, and a known path with another method 405
/// `method_not_allowed` with `Allow`, both as JSON errors.
public struct ScreenPopServer: Sendable {
    public let configuration: ServerConfiguration
    /// The accounts loaded here.
    public let accounts: ServedAccounts
    /// The open connections, and those refused or closed for taking too long.
    public let connections: ConnectionLimiter
    public let logger: Logger
    /// Whether the server can serve now (`GET /ready`).
    public let readiness: @Sendable () async -> Readiness
    /// The account of a server of one account; nil in a server of many.
    public let singleAccount: ServedAccount?
    /// Mints and checks the stream tickets (``ServerConfiguration/tickets``' key, or a random one).
    public let tickets: StreamTicketSigner
    /// The server's metrics (`GET /metrics`); add your own to its registry.
    public let metrics: ServerMetrics
    /// The refused credentials counted per address and per credential, and how many were limited.
    public let refusals: RefusalLimiter
    /// Logs the refusals of the limits once per client and window.
    let notices: LimitNotices

    /// The account's index, in a server of one account (a server of many has none: it traps).
    public var index: AccountIndex { single.index }
    /// The account's users and names, in a server of one account (a server of many traps).
    public var events: CallEventsConfiguration { single.events }
    /// The live streams, in a server of one account (a server of many traps); also a
    /// ``CallEvents/NotificationSink`` for anything else that makes notifications.
    public var hub: NotificationHub { single.hub }
    /// What keeps the account current, in a server of one account: receives the webhooks, reports
    /// the sync's status. Nil in a server of many.
    public var feed: (any AccountFeed)? { singleAccount?.feed }

    private var single: ServedAccount {
        guard let singleAccount else {
            preconditionFailure("a server of many accounts has no single account: use accounts.account(id)")
        }
        return singleAccount
    }

    /// A server of one account, whose token is ``ServerConfiguration/apiToken`` and whose webhook
    /// secret is ``ServerConfiguration/webhookSecret``; the account is loaded from the start and
    /// never evicted.
    ///
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
        var configuration = configuration
        configuration.maxMemoryBytes = nil
        let parts = ServedAccountParts(index: index, events: events, feed: feed)
        let provider = SingleAccountProvider(
            tokenHash: configuration.apiToken?.sha256,
            secretHash: feed == nil ? nil : configuration.webhookSecret?.sha256, parts: parts)
        let metrics = ServerMetrics(
            registry: configuration.metricsRegistry ?? PrometheusCollectorRegistry(), manyAccounts: false)
        let accounts = ServedAccounts(
            provider: provider, streams: configuration.streams, maxMemoryBytes: nil, relay: nil,
            additionalSinks: additionalSinks, metrics: metrics, logger: logger)
        let account = accounts.makeAccount(id: SingleAccountProvider.accountID, parts: parts)
        accounts.insert(account)
        self.configuration = configuration
        self.accounts = accounts
        self.connections = ConnectionLimiter(maximum: configuration.maxConnections)
        self.logger = logger
        self.readiness = { .ready }
        self.singleAccount = account
        self.tickets = StreamTicketSigner(key: configuration.tickets.key ?? StreamTicketSigner.randomKey())
        self.metrics = metrics
        self.refusals = RefusalLimiter(limits: configuration.refusals)
        self.notices = LimitNotices(
            interval: configuration.limitNoticeInterval, logger: logger,
            trackedKeys: configuration.refusals.trackedKeys)
    }

    /// A server of many accounts: the token of each request (and the secret of each webhook) says
    /// which account it is for, and ``ServedAccounts`` loads that account on its first request.
    ///
    /// - Parameters:
    ///   - accounts: Where the accounts and their credentials come from.
    ///   - configuration: Where to listen, the streams' settings, the memory budget; its
    ///     ``ServerConfiguration/apiToken`` and ``ServerConfiguration/webhookSecret`` are not used.
    ///   - relay: Carries the notifications made here to the other instances; nil: one instance.
    ///   - readiness: Whether the server can serve now (`GET /ready`).
    ///   - logger: The server's logger.
    public init(
        accounts provider: any AccountProvider, configuration: ServerConfiguration, relay: (any CallRelay)? = nil,
        readiness: @escaping @Sendable () async -> Readiness = { .ready }, logger: Logger = Logger(label: "screenpop")
    ) {
        self.configuration = configuration
        self.metrics = ServerMetrics(
            registry: configuration.metricsRegistry ?? PrometheusCollectorRegistry(), manyAccounts: true)
        self.accounts = ServedAccounts(
            provider: provider, streams: configuration.streams, maxMemoryBytes: configuration.maxMemoryBytes,
            relay: relay, additionalSinks: [], metrics: metrics, logger: logger)
        self.connections = ConnectionLimiter(maximum: configuration.maxConnections)
        self.logger = logger
        self.readiness = readiness
        self.singleAccount = nil
        self.tickets = StreamTicketSigner(key: configuration.tickets.key ?? StreamTicketSigner.randomKey())
        self.refusals = RefusalLimiter(limits: configuration.refusals)
        self.notices = LimitNotices(
            interval: configuration.limitNoticeInterval, logger: logger,
            trackedKeys: configuration.refusals.trackedKeys)
    }

    /// Delivers notifications another instance made (a ``CallRelay``'s payload) to this instance's
    /// streams of the account, with their ids. An account not loaded here has no streams here: the
    /// payload is dropped, as is one this instance made itself.
    public func receiveRelayed(accountID: Int, payload: [UInt8]) {
        let decoded: RelayPayload
        do {
            decoded = try RelayPayload(decoding: payload)
        } catch {
            logger.warning("relayed payload dropped", metadata: ["account_id": "\(accountID)", "error": "\(error)"])
            return
        }
        guard decoded.origin != accounts.instanceID, let account = accounts.account(accountID) else { return }
        account.hub.deliver(encoded: decoded.events)
    }

    /// The router with every route and middleware.
    public func router() -> Router<ServerRequestContext> {
        let router = Router(context: ServerRequestContext.self)
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        // 404 and 405 as JSON, from the routes the router has once this function has added them all.
        let routes = RouteTable()
        defer { routes.load(router.routes.map { (path: $0.path, method: $0.method) }) }
        router.add(middleware: RouteNotFoundMiddleware(routes: routes))
        router.get("/health") { _, _ -> Response in
            var buffer = ByteBuffer()
            buffer.writeStaticString(#"{"status":"ok"}"#)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
        }
        let readiness = readiness
        router.get("/ready") { _, _ -> Response in
            let now = await readiness()
            var json = Array(#"{"status":"#.utf8)
            if let reason = now.reason {
                json += Array(#""not_ready","reason":"#.utf8)
                CallEventsError.appendJSONString(reason, to: &json)
                json += Array("}".utf8)
            } else {
                json += Array(#""ready"}"#.utf8)
            }
            var buffer = ByteBuffer()
            buffer.writeBytes(json)
            return Response(
                status: now.isReady ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: buffer))
        }
        // Outside the token's group: amoCRM sends no token; the path's secret is checked instead. A
        // server of one account without a feed or a secret has no such route (404, as any unknown path).
        if singleAccount == nil || (feed != nil && configuration.webhookSecret != nil) {
            WebhookController(accounts: accounts, maxBodyBytes: configuration.maxWebhookBytes, gate: refusalGate)
                .addRoutes(to: router)
        }
        PageController().addRoutes(to: router)  // no token: the page's ticket opens the stream
        let api = router.group().add(middleware: BearerTokenMiddleware(accounts: accounts, gate: refusalGate))
        let events = EventsController(
            heartbeatInterval: configuration.heartbeatInterval, retryMilliseconds: configuration.retryMilliseconds)
        let tickets = StreamTicketController(signer: tickets, settings: configuration.tickets)
        events.addPostRoute(to: api)
        tickets.addMintRoute(to: api)
        SyncStatusController().addRoutes(to: api)
        // What a browser opens: a stream ticket in the query stands for the token.
        let browser = router.group().add(
            middleware: BearerTokenMiddleware(accounts: accounts, gate: refusalGate, tickets: self.tickets))
        events.addStreamRoute(to: browser)
        tickets.addDescribeRoute(to: browser)
        // The token is checked, its account not loaded: a scrape must not load accounts.
        let tokenOnly = router.group().add(
            middleware: BearerTokenMiddleware(accounts: accounts, gate: refusalGate, loadsAccount: false))
        healthController.addRoutes(to: router, authenticated: tokenOnly)
        return router
    }

    /// What refused credentials go through: counted, and limited beyond the allowance.
    var refusalGate: RefusalGate { RefusalGate(limiter: refusals, notices: notices) }

    /// The head limits of both listeners.
    var headLimits: HeadLimits {
        HeadLimits(maxHeadBytes: configuration.maxHeadBytes, maxURLBytes: configuration.maxURLBytes, notices: notices)
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
        let webhooks = singleAccount == nil || (feed != nil && configuration.webhookSecret != nil)
        let refusals = configuration.refusals
        let limitsDescription =
            "head \(configuration.maxHeadBytes) B, url \(configuration.maxURLBytes) B, "
            + "webhook \(configuration.maxWebhookBytes) B, connections \(configuration.maxConnections), refusals "
            + (refusals.isEnabled
                ? "\(refusals.perMinute)/min burst \(refusals.burst) tracking \(refusals.trackedKeys)" : "unlimited")
        // The token's description, never the token (APIToken's description hides it).
        let credentials: Logger.Metadata =
            singleAccount != nil
            ? ["token": "\(configuration.apiToken.map { "\($0)" } ?? "none")"]
            : [
                "accounts": "many",
                "max_memory_bytes": "\(configuration.maxMemoryBytes.map(String.init) ?? "unlimited")",
            ]
        return Application(
            router: router(),
            server: .guardedHTTP1(timeouts: configuration.timeouts, limiter: connections, head: headLimits),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: [HeartbeatService(accounts: accounts, interval: configuration.heartbeatInterval)],
            onServerRunning: { channel in
                var metadata = credentials
                metadata["address"] = "\(channel.localAddress?.description ?? "?")"
                metadata["webhooks"] = "\(webhooks ? "on" : "off")"
                metadata["limits"] = "\(limitsDescription)"
                logger.info("listening", metadata: metadata)
                await onServerRunning(channel)
            },
            logger: logger)
    }
}
