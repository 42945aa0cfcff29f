import CallEvents
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /healthz`, `GET /readyz` and `GET /metrics` (docs/events-api.md, "Health and metrics").
///
/// `/healthz` is public and says only that the process answers. `/readyz` and `/metrics` tell
/// more about the server (its accounts' sync, its traffic), so they want the API's bearer token,
/// checked without loading its account for `/metrics`; in a server of many accounts any account's
/// token will do, and the metrics are the whole server's. (`/health` and `/ready`, public, stay as
/// they were for the tools that call them.)
struct HealthController: Sendable {
    let accounts: ServedAccounts
    let readiness: @Sendable () async -> Readiness
    let maxSyncLag: Duration
    let metrics: ServerMetrics
    let connections: ConnectionLimiter

    /// Prometheus' text exposition format.
    static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

    func addRoutes(
        to router: some RouterMethods<ServerRequestContext>,
        authenticated: some RouterMethods<ServerRequestContext>
    ) {
        router.get("/healthz") { _, _ -> Response in
            Self.json(#"{"status":"ok"}"#.utf8, status: .ok)
        }
        authenticated.get("/readyz", use: readyz)
        authenticated.get("/metrics", use: scrape)
    }

    /// The same three routes without a token, for a listener only the monitoring can reach
    /// (``ScreenPopServer/monitoringApplication(host:port:onServerRunning:)``): `/readyz` is then
    /// the whole server's.
    func addMonitoringRoutes(to router: some RouterMethods<ServerRequestContext>) {
        addRoutes(to: router, authenticated: router)
    }

    // MARK: Readiness

    /// Whether the request's account can be served now, and why not.
    struct Check: Sendable, Hashable {
        /// Every reason it cannot, joined with `; `; nil when ready.
        var reason: String?
        /// The account's sync lag, nil without a sync.
        var syncLagSeconds: Int?
    }

    /// Ready when the embedding code's ``ScreenPopServer/readiness`` says so, the account is
    /// loaded (or loads now), and its sync, if one runs, last succeeded within ``maxSyncLag``.
    /// Without an account (the monitoring listener): the readiness, and the sync of every loaded
    /// account.
    func check(accountID: Int?) async -> Check {
        var reasons: [String] = []
        if let reason = await readiness().reason { reasons.append(reason) }
        let limit = maxSyncLag.components.seconds
        var lags: [Int] = []
        if let accountID {
            do {
                let account = try await accounts.beginUse(accountID: accountID)
                defer { accounts.endUse(account) }
                if let lag = await account.feed?.syncHealth().lagSeconds { lags.append(lag) }
            } catch {
                // The provider's error may name a store's address: the log has it, the answer does not.
                reasons.append("the account cannot be loaded now")
            }
        } else {
            for account in accounts.loadedAccounts {
                if let lag = await account.feed?.syncHealth().lagSeconds { lags.append(lag) }
            }
        }
        let lagging = lags.filter { $0 > limit }
        if let longest = lagging.max() {
            reasons.append(
                lagging.count == 1
                    ? "the sync with amoCRM lags: its last success started \(longest) s ago, over the limit of \(limit) s"
                    : "the syncs of \(lagging.count) accounts with amoCRM lag: the longest last succeeded \(longest) s "
                        + "ago, over the limit of \(limit) s")
        }
        return Check(reason: reasons.isEmpty ? nil : reasons.joined(separator: "; "), syncLagSeconds: lags.max())
    }

    @Sendable
    func readyz(_ request: Request, context: ServerRequestContext) async throws -> Response {
        // No account: the monitoring listener's, which has no token.
        let check = await check(accountID: context.accountID)
        var json = Array(#"{"status":"#.utf8)
        if let reason = check.reason {
            json += Array(#""not_ready","reason":"#.utf8)
            CallEventsError.appendJSONString(reason, to: &json)
            json += Array("}".utf8)
            context.logger.notice("not ready", metadata: ["reason": "\(reason)"])
            return Self.json(json, status: .serviceUnavailable)
        }
        json += Array(#""ready","sync_lag_seconds":"#.utf8)
        json += Array((check.syncLagSeconds.map(String.init) ?? "null").utf8)
        json += Array("}".utf8)
        return Self.json(json, status: .ok)
    }

    // MARK: Metrics

    @Sendable
    func scrape(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let bytes = await metrics.exposition(accounts: accounts, connections: connections)
        var buffer = ByteBuffer()
        buffer.writeBytes(bytes)
        return Response(
            status: .ok,
            headers: [
                .contentType: Self.metricsContentType, .contentLength: String(bytes.count), .cacheControl: "no-store",
            ],
            body: ResponseBody(byteBuffer: buffer))
    }

    static func json(_ bytes: some Sequence<UInt8>, status: HTTPResponse.Status) -> Response {
        var buffer = ByteBuffer()
        buffer.writeBytes(bytes)
        return Response(
            status: status,
            headers: [
                .contentType: "application/json", .contentLength: String(buffer.readableBytes),
                .cacheControl: "no-store",
            ],
            body: ResponseBody(byteBuffer: buffer))
    }
}
