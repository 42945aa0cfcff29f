import HTTPTypes
import Hummingbird
import Logging

/// Echoes the request id (`hb.request.id` in every log line of the request) as `X-Request-Id`, and
/// logs each request at debug level with its status and duration.
///
/// A client's own `X-Request-Id` is kept in the logs as `client.request.id`.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var context = context
        if let clientID = request.headers.first(.requestID) {
            context.logger[metadataKey: "client.request.id"] = .string(String(clientID.prefix(128)))
        }
        guard context.logger.logLevel <= .debug else {
            var response = try await next(request, context)
            response.headers[.requestID] = context.id
            return response
        }
        let start = ContinuousClock.now
        var response = try await next(request, context)
        response.headers[.requestID] = context.id
        let elapsed = ContinuousClock.now - start
        let microseconds = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        context.logger.debug(
            "\(request.method) \(request.uri.path) \(response.status.code)",
            metadata: ["duration.us": "\(microseconds)"])
        return response
    }
}
