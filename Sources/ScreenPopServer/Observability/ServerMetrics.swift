import HTTPTypes
import NIOConcurrencyHelpers
import Prometheus

/// The server's metrics, for `GET /metrics` in Prometheus' text format (docs/events-api.md,
/// "Health and metrics").
///
/// Each server has its own ``registry`` (or the one in ``ServerConfiguration/metricsRegistry``),
/// never the global `MetricsSystem`'s: a process may run several servers (the tests do), and the
/// library must not decide for its host what the global system is. The embedding code may
/// bootstrap the global system with this registry (`screenpop serve` does), so that other
/// libraries' swift-metrics show up in the same answer.
///
/// What the hot path touches is made once: the hubs' counters and the histograms here, and one
/// series per (route, method, status) seen, cached in a small table. A post costs a lookup in that
/// table and two histogram records. What other parts already count (open streams, connections,
/// the feeds' sync) is read when `/metrics` is asked, not counted again on the way.
///
/// No label carries an account, a user, a path as sent or a secret: routes are the router's
/// patterns (`/amocrm/webhooks/{secret}`), methods outside a fixed set are `other`.
public final class ServerMetrics: Sendable {
    /// Where every metric of the server is registered.
    public let registry: PrometheusCollectorRegistry

    /// `POST /api/v2/events`, from the request's arrival at the router to its answer.
    let postDuration: DurationHistogram
    /// The resolve phase of a post: every event resolved and its notification made (``ServedAccount/post(body:contentType:)``).
    let resolveDuration: DurationHistogram
    /// What the hubs count, shared by every account's hub.
    let streams: StreamCounters
    let webhooksAccepted: Counter
    let webhooksRefused: Counter

    let streamsOpen: Gauge
    let syncLag: Gauge
    let syncErrors: Counter
    /// Only in a server of many accounts.
    let accountsLoaded: Gauge?
    let connectionsOpen: Gauge
    let connectionsRefused: Counter
    let connectionsTimedOut: Counter

    private let requests = NIOLockedValueBox<[RequestKey: RequestSeries]>([:])
    /// The connection limiter's counts already added to the counters (it keeps its own totals).
    private let reportedConnections = NIOLockedValueBox<(refused: Int, timedOut: Int)>((0, 0))

    /// The buckets of ``postDuration``: 50 µs to 1 s (a post takes about 50 µs of CPU on an idle
    /// server; its p99 under load is a few milliseconds).
    static let postBuckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
        .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
    ]

    /// The buckets of ``resolveDuration``: 1 µs to 1 s (one call resolves in about a microsecond;
    /// a post of 500 events in about half a millisecond).
    static let resolveBuckets: [Duration] = [
        .microseconds(1), .nanoseconds(2500), .microseconds(5), .microseconds(10), .microseconds(25),
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
        .milliseconds(5), .milliseconds(25), .milliseconds(100), .seconds(1),
    ]

    /// - Parameters:
    ///   - registry: Where to register the metrics.
    ///   - manyAccounts: Whether the server serves many accounts (`screenpop_accounts_loaded`).
    init(registry: PrometheusCollectorRegistry, manyAccounts: Bool) {
        self.registry = registry
        postDuration = registry.makeDurationHistogram(
            descriptor: Self.name(
                "post_duration_seconds",
                "Time to answer POST /api/v2/events, from the router to the answer's head (all statuses)."),
            buckets: Self.postBuckets)
        resolveDuration = registry.makeDurationHistogram(
            descriptor: Self.name(
                "resolve_duration_seconds",
                "Time of a post's resolve phase: all its events resolved and their notifications made."),
            buckets: Self.resolveBuckets)
        streams = StreamCounters(
            delivered: registry.makeCounter(
                descriptor: Self.name(
                    "notifications_delivered_total",
                    "Notifications handed to open streams (one per stream), replays on reconnection included.")),
            dropped: registry.makeCounter(
                descriptor: Self.name(
                    "notifications_dropped_total",
                    "Notifications discarded from streams closed because their send queue was full.")),
            streamsDropped: registry.makeCounter(
                descriptor: Self.name(
                    "streams_dropped_total", "Streams closed because their client did not read fast enough.")))
        let webhooks = Self.name("webhooks_total", "amoCRM's webhooks: accepted (2xx) or refused (any other status).")
        webhooksAccepted = registry.makeCounter(descriptor: webhooks, labels: [("outcome", "accepted")])
        webhooksRefused = registry.makeCounter(descriptor: webhooks, labels: [("outcome", "refused")])
        streamsOpen = registry.makeGauge(descriptor: Self.name("streams_open", "Live streams open now."))
        syncLag = registry.makeGauge(
            descriptor: Self.name(
                "sync_lag_seconds",
                "Seconds since the last successful sync with amoCRM, the largest of the loaded accounts; 0 without a sync."
            ))
        syncErrors = registry.makeCounter(
            descriptor: Self.name(
                "sync_errors_total", "Failed polls, re-reads and webhook commits of the loaded accounts."))
        accountsLoaded =
            manyAccounts
            ? registry.makeGauge(descriptor: Self.name("accounts_loaded", "Accounts loaded in this instance now."))
            : nil
        connectionsOpen = registry.makeGauge(descriptor: Self.name("connections_open", "HTTP connections open now."))
        connectionsRefused = registry.makeCounter(
            descriptor: Self.name(
                "connections_refused_total", "Connections answered 503 at once because the most allowed were open."))
        connectionsTimedOut = registry.makeCounter(
            descriptor: Self.name(
                "connections_timed_out_total",
                "Connections closed because a request head, a body or an idle wait took too long."))
    }

    /// `screenpop_<name>` with its help text.
    private static func name(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "screenpop", metricName: name, unitName: "", helpText: help)
    }

    // MARK: Requests

    /// One label set of `screenpop_http_requests_total`, and what else a request of it counts.
    struct RequestKey: Hashable {
        /// The route of a request the router did not match (or matched by path but not by method).
        static let unmatched = "unmatched"
        static let postRoute = "/api/v2/events"
        static let webhookRoute = "/amocrm/webhooks/{\(WebhookController.parameter)}"

        let route: String
        let method: String
        let status: Int
    }

    final class RequestSeries: Sendable {
        let requests: Counter
        /// The post's histogram, for `POST /api/v2/events`.
        let duration: DurationHistogram?
        /// The webhooks' counter of its outcome, for `POST /amocrm/webhooks/{secret}`.
        let webhooks: Counter?

        init(requests: Counter, duration: DurationHistogram?, webhooks: Counter?) {
            self.requests = requests
            self.duration = duration
            self.webhooks = webhooks
        }
    }

    /// Counts a request that the router answered.
    ///
    /// - Parameters:
    ///   - route: The router's pattern of the route (`context.endpointPath`); nil or `NotFound`
    ///     for a request it did not match.
    ///   - method: The request's method; one outside the usual few is counted as `other`.
    ///   - status: The answer's status.
    ///   - start: When the request reached the router.
    func countRequest(route: String?, method: HTTPRequest.Method, status: Int, start: ContinuousClock.Instant) {
        let series = series(route: Self.routeLabel(route), method: Self.methodLabel(method), status: status)
        series.requests.increment()
        series.duration?.record(ContinuousClock.now - start)
        series.webhooks?.increment()
    }

    /// The series of a label set: made the first time it is seen, then reused.
    func series(route: String, method: String, status: Int) -> RequestSeries {
        let key = RequestKey(route: route, method: method, status: status)
        if let found = requests.withLockedValue({ $0[key] }) { return found }
        // Outside the table's lock: the registry takes its own.
        let made = RequestSeries(
            requests: registry.makeCounter(
                descriptor: Self.name(
                    "http_requests_total",
                    "Requests answered, by the router's route (unmatched: none), method and status."),
                labels: [("route", route), ("method", method), ("status", String(status))]),
            duration: route == RequestKey.postRoute && method == "POST" ? postDuration : nil,
            webhooks: route == RequestKey.webhookRoute && method == "POST"
                ? ((200..<300).contains(status) ? webhooksAccepted : webhooksRefused) : nil)
        return requests.withLockedValue { table in
            if let found = table[key] { return found }
            table[key] = made
            return made
        }
    }

    /// The route's label: the router's pattern, or `unmatched`. (Hummingbird's not-found
    /// responder names the request `NotFound`.)
    static func routeLabel(_ route: String?) -> String {
        guard let route, route != "NotFound" else { return RequestKey.unmatched }
        return route
    }

    /// The method's label: one of the standard methods, or `other` (a client could otherwise make
    /// a series for every word it sends).
    static func methodLabel(_ method: HTTPRequest.Method) -> String {
        switch method {
        case .get, .post, .head, .put, .delete, .patch, .options, .connect, .trace: method.rawValue
        default: "other"
        }
    }

    // MARK: Scraping

    /// Brings what is read at scrape time up to date (open streams, loaded accounts, the feeds'
    /// sync, connections), then writes every metric of ``registry`` in Prometheus' text format.
    func exposition(accounts: ServedAccounts, connections: ConnectionLimiter) async -> [UInt8] {
        let loaded = accounts.loadedAccounts
        var streamCount = 0
        var largestLag: Int?
        for account in loaded {
            streamCount += account.hub.subscriberCount()
            guard let feed = account.feed else { continue }
            let health = await feed.syncHealth()
            if let lag = health.lagSeconds { largestLag = max(largestLag ?? 0, lag) }
            // The feed keeps its own total: add what it counted since the last scrape.
            let before = account.reportedSyncErrors.withLockedValue { reported in
                defer { reported = max(reported, health.errorCount) }
                return reported
            }
            if health.errorCount > before { syncErrors.increment(by: Int64(health.errorCount - before)) }
        }
        streamsOpen.set(to: Double(streamCount))
        syncLag.set(to: Double(largestLag ?? 0))
        accountsLoaded?.set(to: Double(loaded.count))
        connectionsOpen.set(to: Double(connections.openCount))
        let (refused, timedOut) = (connections.refusedCount, connections.timedOutCount)
        reportedConnections.withLockedValue { reported in
            if refused > reported.refused { connectionsRefused.increment(by: Int64(refused - reported.refused)) }
            if timedOut > reported.timedOut { connectionsTimedOut.increment(by: Int64(timedOut - reported.timedOut)) }
            reported = (max(reported.refused, refused), max(reported.timedOut, timedOut))
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 << 10)
        registry.emit(into: &bytes)
        return bytes
    }
}

/// What every account's ``NotificationHub`` counts for the server's metrics.
struct StreamCounters: Sendable {
    /// Events pushed to open streams, and replayed to reconnecting ones.
    let delivered: Counter
    /// Events discarded with the queue of a stream closed for not reading.
    let dropped: Counter
    /// Streams closed because their queue was full.
    let streamsDropped: Counter
}
