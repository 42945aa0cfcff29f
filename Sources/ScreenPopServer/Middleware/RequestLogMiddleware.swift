import HTTPTypes
import Hummingbird
import Logging

/// Echoes the request id (`hb.request.id` in every log line of the request) as `X-Request-Id`, and
/// logs each request at debug level with its status and duration.
///
/// A client's own `X-Request-Id` is kept in the logs as `client.request.id`. The path is logged as
/// ``LoggedPath/of(_:)`` gives it: a webhook's secret never reaches a log.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        if let clientID = request.headers.first(.requestID) {
            var context = context
            context.logger[metadataKey: "client.request.id"] = .string(String(clientID.prefix(128)))
            return try await respond(request, context: context, next: next)
        }
        // Without the client's id the context goes on as it came: no copy of it per request.
        return try await respond(request, context: context, next: next)
    }

    private func respond(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
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
            "\(request.method) \(LoggedPath.of(request.uri.path)) \(response.status.code)",
            metadata: ["duration.us": "\(microseconds)"])
        return response
    }
}

/// A request's path as logs (and the 404 answer) may show it: the webhooks' secret replaced.
///
/// Any path the router would take for the webhook route, `/amocrm/webhooks/<anything>` (the router
/// skips empty segments, so `//amocrm//webhooks/x` too, and ignores case here for safety), is
/// logged as `/amocrm/webhooks/<redacted>`. Any other path under `/amocrm/` (a mistyped webhook
/// URL, `/amocrm/webhook/<secret>`, which may hold the secret) as `/amocrm/<redacted>`, since
/// unknown paths are logged too; other paths as they are.
enum LoggedPath {
    static let redactedWebhook = "/amocrm/webhooks/<redacted>"
    static let redactedUnderAmoCRM = "/amocrm/<redacted>"

    static func of(_ path: String) -> String {
        var segments = path.utf8.split(separator: UInt8(ascii: "/")).makeIterator()
        guard let first = segments.next(), equalsIgnoringASCIICase(first, "amocrm"), let second = segments.next()
        else { return path }
        guard equalsIgnoringASCIICase(second, "webhooks") else { return redactedUnderAmoCRM }
        return segments.next() != nil ? redactedWebhook : path
    }

    private static func equalsIgnoringASCIICase(_ bytes: String.UTF8View.SubSequence, _ lowercase: String) -> Bool {
        bytes.count == lowercase.utf8.count
            && zip(bytes, lowercase.utf8).allSatisfy { byte, wanted in
                (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte) == wanted
            }
    }
}
