import CallEvents
import HTTPTypes
import Hummingbird
import Logging

/// Lets a request through only with `Authorization: Bearer <token>`; answers 401 otherwise.
///
/// The scheme is matched without regard to case; the token is compared in constant time
/// (``APIToken/matches(_:)``) and never logged.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: APIToken

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard let header = request.headers.first(.authorization), Self.check(header, token) else {
            context.logger.notice(
                "refused: missing or wrong bearer token",
                metadata: [
                    "http.path": "\(LoggedPath.of(request.uri.path))",
                    "authorization": "\(request.headers[.authorization] == nil ? "absent" : "present")",
                ])
            return CallEventsError(
                code: .unauthorized, detail: "send the header Authorization: Bearer <the account's API token>"
            ).response(requestID: context.id)
        }
        return try await next(request, context)
    }

    /// `Bearer <token>` (any case of `Bearer`, one or more spaces).
    static func check(_ header: String, _ token: APIToken) -> Bool {
        let utf8 = header.utf8
        let scheme = "bearer".utf8
        guard utf8.count > scheme.count else { return false }
        var index = utf8.startIndex
        for expected in scheme {
            guard utf8[index] | 0x20 == expected else { return false }
            index = utf8.index(after: index)
        }
        guard utf8[index] == UInt8(ascii: " ") else { return false }
        while index < utf8.endIndex && utf8[index] == UInt8(ascii: " ") { index = utf8.index(after: index) }
        return token.matches(utf8[index...])
    }
}
