import AccountIndex
import AccountSynthesis
import AmoCRM
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ScreenPopJSON
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A local stand-in of amoCRM's API v4 over real HTTP (Hummingbird), holding an account that tests
/// change while clients read it.
///
/// It serves `GET /api/v4/account`, `/users`, `/customers/statuses`, `/leads/pipelines`, `/contacts`,
/// `/companies`, `/leads` and `/customers` (with `limit`, `page`, `with`, `_links.next`, `filter[updated_at]`,
/// `filter[id]` and `order`), `POST /oauth2/access_token` (the OAuth 2.0 refresh) and
/// `POST /api/v4/webhooks`. Every page is written by ``AmoCRM/PageWriter`` from the account as it is
/// at the request. It checks the bearer token, can be told to fail first (``fail(_:)``), and logs
/// every request (``log``).
///
/// ```swift
/// let standIn = AmoCRMStandIn(SyntheticAccount(seed: 1, contacts: 600))
/// try await standIn.run { standIn in
///     // standIn.base is http://127.0.0.1:<port>; the long-lived token is standIn.token.
///     standIn.setClock(to: 1_800_000_000)
///     standIn.upsertContact(Contact(id: 7, phones: [PhoneValue("+79161234567")]), name: "New")
///     standIn.expireAccessToken()   // OAuth requests get 401 until a refresh
/// }
/// ```
public final class AmoCRMStandIn: Sendable {
    /// An answer given instead of the right one, once, to the next request that passes the token
    /// check (the token endpoint's included).
    public enum Fault: Sendable {
        /// This status, with `Retry-After` when given, and a small JSON body.
        case status(Int, retryAfter: String? = nil)
        /// The right answer's head and the first half of its body, then the connection is closed.
        /// The request was handled (a refresh token given is used up).
        case dropMidPage
    }

    /// A request as it came and the status of its answer (-1: dropped half way), or a mark.
    public struct Logged: Sendable, CustomStringConvertible {
        /// `GET`, `POST`, or `MARK` for a ``mark(_:)``.
        public let method: String
        /// `/api/v4/contacts`; a mark's text.
        public let path: String
        /// The query as it came (percent-encoded); ``parameters`` decodes it.
        public let query: String
        public let status: Int
        /// The bearer token of the request, when it had one.
        public let bearer: String?

        /// The query's parameters, decoded: `("filter[id][]", "42")`.
        public var parameters: [(key: String, value: String)] {
            StandInQuery(query).items.map { ($0.key, $0.value) }
        }

        /// The values of `key` in the query, decoded.
        public func values(_ key: String) -> [String] { parameters.filter { $0.key == key }.map(\.value) }

        public var description: String {
            method == "MARK" ? "MARK \(path)" : "\(method) \(path)\(query.isEmpty ? "" : "?" + query) → \(status)"
        }
    }

    /// An OAuth 2.0 token pair the stand-in issued.
    public struct Tokens: Hashable, Sendable {
        public var accessToken: String
        public var refreshToken: String

        public init(accessToken: String, refreshToken: String) {
            self.accessToken = accessToken
            self.refreshToken = refreshToken
        }
    }

    /// The integration whose tokens the stand-in issues: what `POST /oauth2/access_token` checks.
    public struct OAuthApp: Hashable, Sendable {
        public var clientID: String
        public var clientSecret: String
        public var redirectURI: String

        public init(
            clientID: String = "standin-client-0c5", clientSecret: String = "standin-secret-91f",
            redirectURI: String = "https://screenpop.example/oauth"
        ) {
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.redirectURI = redirectURI
        }
    }

    /// A webhook registered through `POST /api/v4/webhooks`.
    public struct Webhook: Hashable, Sendable {
        public var id: Int
        public var destination: String
        public var settings: [String]
        public var createdAt: Int
        public var updatedAt: Int
    }

    /// The long-lived token, always accepted.
    public let token: String
    /// The integration of the OAuth tokens.
    public let oauthApp: OAuthApp

    struct State {
        var account: StandInAccount
        /// Bumped by every change of the account; ``Derived`` is rebuilt when it differs.
        var version = 0
        var derived: Derived?
        /// The clock of changes; nil: the real one.
        var clock: Int?
        var host = "127.0.0.1"
        var port = 0
        /// Faults waiting, each for any request (nil) or for one path.
        var faults: [(fault: Fault, path: String?)] = []
        /// Lists answered with 204 whatever they hold.
        var emptyLists: Set<String> = []
        var log: [Logged] = []
        var tokens: Tokens
        var tokenGeneration = 1
        var accessTokenExpired = false
        var webhooks: [Webhook] = []
        var nextWebhookID = 839_656
    }

    let state: Mutex<State>

    /// - Parameters:
    ///   - account: What it serves, until tests change it.
    ///   - token: A long-lived token it accepts.
    ///   - oauthApp: The integration; the first OAuth pair is ``tokens``.
    public init(_ account: StandInAccount, token: String = "standin-token-7d1", oauthApp: OAuthApp = OAuthApp()) {
        self.token = token
        self.oauthApp = oauthApp
        self.state = Mutex(State(account: account, tokens: Self.tokens(generation: 1)))
    }

    /// A synthetic account with the account object and statuses of its saved pages.
    public convenience init(_ account: SyntheticAccount, users: [AccountUser] = [], token: String = "standin-token-7d1")
    {
        self.init(StandInAccount(account, users: users), token: token)
    }

    /// `http://127.0.0.1:<port>` once running.
    public var base: String { state.withLock { "http://\($0.host):\($0.port)" } }
    /// Every request so far, in the order they were answered, and the marks.
    public var log: [Logged] { state.withLock { $0.log } }
    /// The account as it is now.
    public var account: StandInAccount { state.withLock { $0.account } }

    /// The next requests get these answers, one each, before the right ones are given again.
    ///
    /// - Parameters:
    ///   - faults: In order.
    ///   - path: Only requests of this path (`/oauth2/access_token`) take them; nil: any request.
    public func fail(_ faults: [Fault], on path: String? = nil) {
        state.withLock { $0.faults += faults.map { ($0, path) } }
    }
    /// `list` ("customers") is answered with 204 No Content.
    public func answerEmpty(_ list: String) { _ = state.withLock { $0.emptyLists.insert(list) } }
    /// Writes `note` into the log, between the requests before and after it (a test's callback
    /// marks when it ran).
    public func mark(_ note: String) {
        state.withLock { $0.log.append(Logged(method: "MARK", path: note, query: "", status: 0, bearer: nil)) }
    }

    // MARK: Running

    /// Runs `body` against the stand-in on 127.0.0.1 and a free port; stops it afterwards.
    public func run<T: Sendable>(_ body: @Sendable (AmoCRMStandIn) async throws -> T) async throws -> T {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = application(host: "127.0.0.1", port: 0) { port in
            continuation.yield(port)
            continuation.finish()
        }
        let logger = Self.quietLogger()
        let group = ServiceGroup(configuration: .init(services: [application], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let result: Result<T, any Error>
            do {
                var iterator = ports.makeAsyncIterator()
                guard let port = await iterator.next(), port > 0 else { throw StandInError.noPort }
                result = .success(try await body(self))
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }

    /// Serves on `host:port` (0: a free port) until SIGINT or SIGTERM; `onRunning` is told the
    /// port once it listens. With `control`, also the routes that change the account over HTTP
    /// (`AmoCRMStandIn+Control.swift`), for clients in other processes.
    public func serve(
        host: String = "127.0.0.1", port: Int, control: Bool = false,
        onRunning: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws {
        try await application(host: host, port: port, control: control, onRunning: onRunning).runService()
    }

    private func application(
        host: String, port: Int, control: Bool = false, onRunning: @escaping @Sendable (Int) -> Void
    ) -> some ApplicationProtocol {
        let router = Router()
        if control { registerControlRoutes(on: router) }
        for list in [
            "account", "users", "customers/statuses", "leads/pipelines", "contacts", "companies", "leads", "customers",
        ] {
            router.get(RouterPath("api/v4/" + list)) { [self] request, _ in
                try await handle(request, route: .list(list))
            }
        }
        router.post("api/v4/webhooks") { [self] request, _ in try await handle(request, route: .webhooks) }
        router.post("oauth2/access_token") { [self] request, _ in try await handle(request, route: .token) }
        return Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
            onServerRunning: { [self] channel in
                let port = channel.localAddress?.port ?? 0
                state.withLock {
                    $0.host = host
                    $0.port = port
                }
                onRunning(port)
            }, logger: Self.quietLogger())
    }

    private static func quietLogger() -> Logger {
        var logger = Logger(label: "amocrm-standin")
        logger.logLevel = .critical
        return logger
    }

    // MARK: Answering

    enum Route {
        case list(String)
        case webhooks
        case token
    }

    /// The answer to `request`: the token check (API routes), a fault if one waits, then the route's.
    private func handle(_ request: Request, route: Route) async throws -> Response {
        let path = request.uri.path
        let query = request.uri.query ?? ""
        let method = request.method.rawValue
        let bearer = request.headers[.authorization].flatMap { value -> String? in
            value.hasPrefix("Bearer ") ? String(value.dropFirst("Bearer ".count)) : nil
        }
        func logged(_ status: Int) -> Logged {
            Logged(method: method, path: path, query: query, status: status, bearer: bearer)
        }
        // The token endpoint authenticates the integration by its body; the API by the bearer token.
        let needsToken = if case .token = route { false } else { true }
        if needsToken {
            let accepted = state.withLock { state in
                bearer == token || (bearer == state.tokens.accessToken && !state.accessTokenExpired)
            }
            guard accepted else {
                state.withLock { $0.log.append(logged(401)) }
                return Self.response(
                    .unauthorized,
                    Self.problem(title: "Unauthorized", status: 401, detail: "Unauthorized"),
                    type: "application/problem+json")
            }
        }
        let fault: Fault? = state.withLock { state in
            guard let i = state.faults.firstIndex(where: { $0.path == nil || $0.path == path }) else { return nil }
            return state.faults.remove(at: i).fault
        }
        if case .status(let code, let retryAfter) = fault {
            var headers = HTTPFields()
            if let retryAfter { headers[HTTPField.Name("Retry-After")!] = retryAfter }
            state.withLock { $0.log.append(logged(code)) }
            return Self.response(
                HTTPResponse.Status(code: code), Array(#"{"status":\#(code)}"#.utf8), headers: headers)
        }
        let answer: Answer
        switch route {
        case .list(let list): answer = listAnswer(list, query: query)
        case .webhooks: answer = webhookAnswer(try await request.body.collect(upTo: 1 << 20))
        case .token: answer = tokenAnswer(try await request.body.collect(upTo: 1 << 20), request.headers)
        }
        let dropped = if case .dropMidPage = fault { true } else { false }
        state.withLock { $0.log.append(logged(dropped ? -1 : Int(answer.status.code))) }
        guard dropped else { return Self.response(answer.status, answer.body, type: answer.type) }
        // Content-Length says the whole body; half of it is written, then the writer fails and the
        // server closes the connection.
        let half = ByteBuffer(bytes: answer.body.prefix(answer.body.count / 2))
        var headers = HTTPFields()
        headers[.contentType] = answer.type
        return Response(
            status: answer.status, headers: headers,
            body: ResponseBody(contentLength: answer.body.count) { writer in
                try await writer.write(half)
                throw StandInError.dropped
            })
    }

    /// An answer before it is sent.
    struct Answer {
        var status: HTTPResponse.Status
        var body: [UInt8] = []
        var type = "application/hal+json"
    }

    static func response(
        _ status: HTTPResponse.Status, _ body: [UInt8], type: String = "application/hal+json",
        headers: HTTPFields = [:]
    ) -> Response {
        var headers = headers
        if !body.isEmpty { headers[.contentType] = type }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// amoCRM's `application/problem+json` body.
    static func problem(title: String, status: Int, detail: String, hint: String? = nil, type: String? = nil)
        -> [UInt8]
    {
        var w = JSONWriter()
        w.beginObject()
        if let hint {
            w.key("hint")
            w.string(hint)
        }
        w.key("title")
        w.string(title)
        w.key("type")
        w.string(type ?? "https://httpstatus.es/\(status)")
        w.key("status")
        w.integer(status)
        w.key("detail")
        w.string(detail)
        w.endObject()
        return w.bytes
    }

    static func badRequest(_ detail: String) -> Answer {
        Answer(
            status: .badRequest, body: problem(title: "Bad Request", status: 400, detail: detail),
            type: "application/problem+json")
    }

    // MARK: The clock of changes

    /// The `updated_at` that changes get: the clock set by ``setClock(to:)``, or now.
    public var now: Int { state.withLock { $0.clock } ?? Int(time(nil)) }

    /// Changes get `unixSeconds` as their `updated_at` from now on; nil: the real clock again.
    public func setClock(to unixSeconds: Int?) { state.withLock { $0.clock = unixSeconds } }

    /// Moves the clock of changes `seconds` on (from now, when it was the real one).
    public func advanceClock(by seconds: Int) {
        let real = Int(time(nil))
        state.withLock { $0.clock = ($0.clock ?? real) + seconds }
    }

    static func tokens(generation: Int) -> Tokens {
        Tokens(accessToken: "standin-access-\(generation)-b7e4", refreshToken: "standin-refresh-\(generation)-5d2a")
    }
}

enum StandInError: Error { case noPort, dropped }
