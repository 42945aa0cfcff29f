import Hummingbird
import Logging
import NIOCore

extension ScreenPopServer {
    /// The routes of the monitoring listener: `GET /healthz`, `GET /readyz` and `GET /metrics`
    /// without a token (Prometheus' scrapers and probes seldom carry one). `/readyz` there is the
    /// whole server's: the readiness, and the sync of every loaded account.
    public func monitoringRouter() -> Router<ServerRequestContext> {
        let router = Router(context: ServerRequestContext.self)
        router.add(middleware: RequestLogMiddleware())
        healthController.addMonitoringRoutes(to: router)
        return router
    }

    /// A second listener with ``monitoringRouter()``, to run beside ``application(onServerRunning:)``
    /// in one `ServiceGroup` (`screenpop serve --metrics-address`). Bind it to an address that only
    /// the monitoring can reach: it asks for no token. It has connection limits of its own (64
    /// connections, the API's timeouts), so that it cannot take the API's places.
    ///
    /// - Parameters:
    ///   - host: The address to listen on.
    ///   - port: The port; 0 picks a free one.
    ///   - onServerRunning: Called with the listening channel once it is bound.
    public func monitoringApplication(
        host: String, port: Int, onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let logger = logger
        // Hummingbird says "Server started and listening on HOST:PORT" at info for every
        // application: scripts that look for the API's port in that line must not find this one.
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .notice)
        return Application(
            router: monitoringRouter(),
            server: .guardedHTTP1(
                timeouts: configuration.timeouts, limiter: ConnectionLimiter(maximum: 64), head: headLimits),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                // Not "listening": that line names the API's address, which scripts look for.
                logger.info(
                    "monitoring without a token", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
                await onServerRunning(channel)
            },
            logger: quiet)
    }

    /// The health routes of this server, for both listeners.
    var healthController: HealthController {
        HealthController(
            accounts: accounts, readiness: readiness, maxSyncLag: configuration.maxSyncLag, metrics: metrics,
            connections: connections)
    }
}
