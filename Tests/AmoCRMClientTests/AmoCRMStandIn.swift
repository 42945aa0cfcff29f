import AccountSynthesis
import AmoCRM
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ScreenPopJSON
import ServiceLifecycle
import Synchronization
import Testing

/// A local stand-in of amoCRM's API v4 over real HTTP (Hummingbird on 127.0.0.1, a free port):
/// serves an account's pages as ``AmoCRM/PageWriter`` writes them, at the `limit` asked, with
/// `page` and `_links.next`; checks the bearer token; and can be told to fail first.
final class AmoCRMStandIn: Sendable {
    /// An answer given instead of the page, once, to the next request.
    enum Fault: Sendable {
        case status(Int, retryAfter: String? = nil)
        /// The page's head and first half, then the connection is closed.
        case dropMidPage
    }

    /// A request as it came: path, query, the answer's status.
    struct Logged: Sendable {
        let path: String
        let query: String
        let status: Int
    }

    let token: String
    /// The account's files for a page size (`SyntheticAccount.amoCRMPages(perPage:perFile:)`).
    private let pages: @Sendable (Int) -> [(name: String, bytes: [UInt8])]

    private struct State {
        var port = 0
        var faults: [Fault] = []
        /// Lists answered with 204 whatever they hold.
        var emptyLists: Set<String> = []
        var log: [Logged] = []
        /// Pages of each list for a limit: list name ("contacts", "customers/statuses") to page bodies.
        var cache: [Int: [String: [[UInt8]]]] = [:]
        var accountBody: [UInt8] = []
    }

    private let state = Mutex(State())

    init(
        token: String = "standin-token-7d1",
        pages: @escaping @Sendable (Int) -> [(name: String, bytes: [UInt8])]
    ) {
        self.token = token
        self.pages = pages
    }

    convenience init(_ account: SyntheticAccount, users: [AccountUser] = [], token: String = "standin-token-7d1") {
        self.init(token: token) { limit in account.amoCRMPages(perPage: limit, perFile: limit, users: users) }
    }

    var base: String { "http://127.0.0.1:\(state.withLock { $0.port })" }
    var log: [Logged] { state.withLock { $0.log } }

    /// The next requests get these answers, one each, before pages are served again.
    func fail(_ faults: [Fault]) { state.withLock { $0.faults += faults } }
    /// `list` ("customers") is answered with 204 No Content.
    func answerEmpty(_ list: String) { _ = state.withLock { $0.emptyLists.insert(list) } }

    /// The pages of every list at `limit` entities a page.
    private func lists(limit: Int) -> [String: [[UInt8]]] {
        if let cached = state.withLock({ $0.cache[limit] }) { return cached }
        var lists: [String: [[UInt8]]] = [:]
        var account: [UInt8] = []
        for file in pages(limit) {
            if file.name == PageWriterNames.account {
                account = file.bytes
                continue
            }
            if file.name == "statuses.json" {
                lists["customers/statuses", default: []].append(file.bytes)
                continue
            }
            let kind = String(file.name.prefix { $0 != "-" })
            // One page a file (perFile == perPage): "[{page}]".
            var bytes = file.bytes
            if bytes.first == UInt8(ascii: "[") {
                bytes.removeFirst()
                bytes.removeLast()
            }
            lists[kind, default: []].append(bytes)
        }
        state.withLock {
            $0.cache[limit] = lists
            $0.accountBody = account
        }
        return lists
    }

    // MARK: Serving

    private func answer(_ request: Request, list: String) -> Response {
        let path = request.uri.path
        let query = request.uri.query ?? ""
        var drop = false
        func respond(_ status: HTTPResponse.Status, _ body: [UInt8] = [], headers: HTTPFields = [:]) -> Response {
            state.withLock {
                $0.log.append(Logged(path: path, query: query, status: drop ? -1 : Int(status.code)))
            }
            var headers = headers
            if !body.isEmpty { headers[.contentType] = "application/hal+json" }
            guard drop else {
                return Response(
                    status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
            }
            // Content-Length says the whole page; half of it is written, then the writer fails and
            // the server closes the connection.
            let half = ByteBuffer(bytes: body.prefix(body.count / 2))
            return Response(
                status: status, headers: headers,
                body: ResponseBody(contentLength: body.count) { writer in
                    try await writer.write(half)
                    throw StandInError.dropped
                })
        }
        guard request.headers[.authorization] == "Bearer \(token)" else {
            return respond(
                .unauthorized,
                Array(
                    #"{"title":"Unauthorized","type":"https://httpstatus.es/401","status":401,"detail":"Unauthorized"}"#
                        .utf8))
        }
        let fault: Fault? = state.withLock { $0.faults.isEmpty ? nil : $0.faults.removeFirst() }
        if case .dropMidPage = fault { drop = true }
        if case .status(let code, let retryAfter) = fault {
            var headers = HTTPFields()
            if let retryAfter { headers[HTTPField.Name("Retry-After")!] = retryAfter }
            return respond(HTTPResponse.Status(code: code), Array(#"{"status":\#(code)}"#.utf8), headers: headers)
        }
        let parameters = request.uri.queryParameters
        let limit = min(250, max(1, parameters.get("limit", as: Int.self) ?? 50))
        let lists = lists(limit: limit)
        if list == "account" { return respond(.ok, state.withLock { $0.accountBody }) }
        let page = max(1, parameters.get("page", as: Int.self) ?? 1)
        let bodies = lists[list] ?? []
        if state.withLock({ $0.emptyLists.contains(list) }) || page > bodies.count { return respond(.noContent) }
        // `{"_page":N,"_links":{...},` and the page object's body after its `{`.
        var links = JSONWriter()
        func href(_ page: Int) -> String {
            var url = "\(base)/api/v4/\(list)?page=\(page)&limit=\(limit)"
            if let with = parameters.get("with") { url += "&with=\(with)" }
            return url
        }
        links.beginObject()
        links.key("_page")
        links.integer(page)
        links.key("_links")
        links.beginObject()
        links.key("self")
        links.beginObject()
        links.key("href")
        links.string(href(page))
        links.endObject()
        if page < bodies.count {
            links.key("next")
            links.beginObject()
            links.key("href")
            links.string(href(page + 1))
            links.endObject()
        }
        links.endObject()
        var body = links.bytes  // the object begun above is left open
        body.append(UInt8(ascii: ","))
        body.append(contentsOf: bodies[page - 1].dropFirst())
        return respond(.ok, body)
    }

    /// Runs `body` against the stand-in on a free port; stops it afterwards.
    func run<T: Sendable>(_ body: @Sendable (AmoCRMStandIn) async throws -> T) async throws -> T {
        let router = Router()
        for list in ["account", "users", "customers/statuses", "contacts", "companies", "leads", "customers"] {
            router.get(RouterPath("api/v4/" + list)) { [self] request, _ in answer(request, list: list) }
        }
        var logger = Logger(label: "amocrm-standin")
        logger.logLevel = .critical
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [application], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let result: Result<T, any Error>
            do {
                var iterator = ports.makeAsyncIterator()
                guard let port = await iterator.next(), port > 0 else { throw StandInError.noPort }
                state.withLock { $0.port = port }
                result = .success(try await body(self))
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }
}

enum StandInError: Error { case noPort, dropped }

enum PageWriterNames {
    static let account = AccountDirectory.accountFileName
}
