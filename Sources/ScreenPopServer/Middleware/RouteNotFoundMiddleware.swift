import CallEvents
import HTTPTypes
// The SPI is the router's own path trie: a path resolves here exactly as the router resolves it
// (captures, wildcards, empty segments, a trailing slash). Hummingbird is pinned; a change of the
// SPI fails the build, not a request.
@_spi(Internal) import Hummingbird
import NIOCore
import Synchronization

/// The methods of each path the router serves, read from the router itself once its routes are
/// added (``load(_:)``): what a request that no route takes is told.
///
/// Hummingbird 2.28.1 answers a known path with another method as it answers an unknown path (an
/// empty 404, from the router's not-found responder), so the path is resolved again here.
final class RouteTable: Sendable {
    private let trie = Mutex<RouterTrie<[HTTPRequest.Method]>?>(nil)

    /// Takes the router's routes (`Router.routes`); call it once every route is added.
    ///
    /// A `HEAD` that `RouterOptions.autoGenerateHeadEndpoints` would add later is not listed: the
    /// server does not set that option.
    func load(_ routes: [(path: RouterPath, method: HTTPRequest.Method)]) {
        var paths: [RouterPath] = []
        var methods: [String: [HTTPRequest.Method]] = [:]
        for route in routes {
            if methods[route.path.description] == nil { paths.append(route.path) }
            methods[route.path.description, default: []].append(route.method)
        }
        let builder = RouterPathTrieBuilder<[HTTPRequest.Method]>()
        for path in paths {
            let sorted = methods[path.description]!.sorted { $0.rawValue < $1.rawValue }
            builder.addEntry(path, value: sorted)
        }
        let built = RouterTrie(base: builder)
        trie.withLock { $0 = built }
    }

    /// The methods the router takes on `path`, sorted; nil when no route has the path.
    func methods(path: String) -> [HTTPRequest.Method]? {
        trie.withLock { $0 }?.resolve(path)?.value
    }
}

/// Turns a 404 (the router's, for a path or method no route takes, or a route's own) into the
/// API's JSON error: `not_found` naming the route, or `method_not_allowed` with `Allow` when the
/// path has routes but not for this method.
///
/// A route's own 404 (a wrong webhook secret) gets the same answer as a path no route takes, so
/// it stays indistinguishable from one. Paths are shown as ``LoggedPath/of(_:)`` gives them: a
/// webhook secret is never echoed.
struct RouteNotFoundMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError where error.status == .notFound {
            return Self.answer(method: request.method, path: request.uri.path, routes: routes)
        }
    }

    /// The answer to `method path` when no route takes it.
    static func answer(method: HTTPRequest.Method, path: String, routes: RouteTable) -> Response {
        let shown = Self.shown(path)
        if let allowed = routes.methods(path: path), !allowed.isEmpty, !allowed.contains(method) {
            let list = allowed.map(\.rawValue).joined(separator: ", ")
            var response = CallEventsError.response(
                status: .methodNotAllowed, code: .methodNotAllowed,
                message: "\(shown) does not take \(method.rawValue); it takes \(list)")
            response.headers[.allow] = list
            return response
        }
        return CallEventsError.response(
            status: .notFound, code: .notFound,
            message: "no route \(method.rawValue) \(shown); the API is POST /api/v2/events, "
                + "and a user's live stream GET /api/v2/events/stream?user_id=N")
    }

    /// The path as an answer may show it: a webhook's secret replaced, and at most 200 characters.
    static func shown(_ path: String) -> String {
        let logged = LoggedPath.of(path)
        guard logged.unicodeScalars.count > 200 else { return logged }
        return String(String.UnicodeScalarView(logged.unicodeScalars.prefix(200))) + "…"
    }
}
