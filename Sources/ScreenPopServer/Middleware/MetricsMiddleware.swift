import HTTPTypes
import Hummingbird

/// Counts every request the router answers in `screenpop_http_requests_total` (by the router's
/// route pattern, method and status), times `POST /api/v2/events`, and counts amoCRM's webhooks
/// accepted and refused (``ServerMetrics``).
///
/// A request is counted when its answer's head is ready (a stream's when it opens), and an error
/// thrown to the router with the status the router will answer (a wrong webhook secret's 404, say).
/// Requests refused before the router (too many connections, a head sent too slowly) are the
/// connection counters' (`screenpop_connections_*`).
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.countRequest(route: context.endpointPath, method: request.method, status: status, start: start)
            throw error
        }
        metrics.countRequest(
            route: context.endpointPath, method: request.method, status: response.status.code, start: start)
        return response
    }
}
