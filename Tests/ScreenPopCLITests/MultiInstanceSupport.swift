import AccountIndex
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

// The C library's names that the types below shadow with methods of their own, and the
// platforms' spellings.
private func posixClose(_ fd: Int32) { _ = close(fd) }
private func posixListen(_ fd: Int32, _ backlog: Int32) -> Int32 { listen(fd, backlog) }
private func posixConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}
#if os(Linux)
    private let streamSocket = Int32(SOCK_STREAM.rawValue)
    private let noSignal = Int32(MSG_NOSIGNAL)
#else
    private let streamSocket = SOCK_STREAM
    private let noSignal: Int32 = 0
#endif

/// What the tests of several `screenpop serve` instances on one PostgreSQL store share: the
/// PostgreSQL servers (scripts/postgres.sh), databases, instances, requests, raw event streams and
/// a TCP proxy that can cut one instance off its database.
enum MultiInstance {
    static let demoAccountID = 31_415_926
    static let demoSubdomain = "okna-plus-demo"
    /// The demo account's users (Examples/demo-account/users.json).
    static let demoUsers = [8_010_001, 8_010_002, 8_010_003]

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Runs `screenpop ARGUMENTS` to its end (the child's output goes to files: no thread blocks).
    struct Finished {
        var status: Int32
        var output: String
        var errors: String
        /// The last line of standard output as JSON.
        var json: [String: Any] {
            let line = output.split(separator: "\n").last.map(String.init) ?? ""
            return (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
        }
        var objects: [[String: Any]] {
            output.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }
    }

    static func screenpop(_ arguments: [String], environment: [String: String] = [:]) async throws -> Finished {
        let child = try EndToEnd.Child(arguments, environment: EndToEnd.environment(environment))
        let status = try await child.exitStatus(within: .seconds(300))
        return Finished(status: status, output: child.output, errors: child.errors)
    }

    /// A registered account: what `screenpop accounts add` printed once.
    struct Registered {
        var accountID: Int
        var apiToken: String
        var webhookSecret: String
        var webhookPath: String
    }

    /// `screenpop accounts add --store URL --subdomain NAME [--id N] [EXTRA]`; its JSON checked.
    static func addAccount(
        store: String, subdomain: String, id: Int?, _ extra: [String] = [], environment: [String: String] = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> Registered {
        let arguments =
            ["accounts", "add", "--store", store, "--subdomain", subdomain] + (id.map { ["--id", "\($0)"] } ?? [])
        let added = try await screenpop(arguments + extra, environment: environment)
        try #require(added.status == 0, "accounts add: \(added.errors)", sourceLocation: sourceLocation)
        let json = added.json
        let accountID = try #require(
            json["account_id"] as? Int, "accounts add: \(added.output)", sourceLocation: sourceLocation)
        if let id { #expect(accountID == id, "accounts add: \(added.output)", sourceLocation: sourceLocation) }
        #expect(json["subdomain"] as? String == subdomain, "\(added.output)", sourceLocation: sourceLocation)
        let token = try #require(json["api_token"] as? String, "\(added.output)", sourceLocation: sourceLocation)
        let secret = try #require(json["webhook_secret"] as? String, "\(added.output)", sourceLocation: sourceLocation)
        #expect(token.hasPrefix("sp_"), "\(added.output)", sourceLocation: sourceLocation)
        #expect(secret.hasPrefix("wh_"), "\(added.output)", sourceLocation: sourceLocation)
        #expect(json["webhook_path"] as? String == "/amocrm/webhooks/" + secret, sourceLocation: sourceLocation)
        return Registered(
            accountID: accountID, apiToken: token, webhookSecret: secret,
            webhookPath: json["webhook_path"] as? String ?? "")
    }

    /// `screenpop import --store URL --account DIR`: its account id.
    static func importAccount(store: String, directory: String, sourceLocation: SourceLocation = #_sourceLocation)
        async throws -> Int
    {
        let imported = try await screenpop(["import", "--store", store, "--account", directory])
        try #require(imported.status == 0, "import: \(imported.errors)", sourceLocation: sourceLocation)
        return try #require(
            imported.json["account_id"] as? Int, "import: \(imported.output)", sourceLocation: sourceLocation)
    }

    // MARK: Instances

    /// A running `screenpop serve` and its port.
    final class Instance: @unchecked Sendable {
        let name: String
        let child: EndToEnd.Child
        let port: Int

        private init(name: String, child: EndToEnd.Child, port: Int) {
            self.name = name
            self.child = child
            self.port = port
        }

        /// `screenpop serve --store STORE --port 0 EXTRA`, once it listens.
        static func start(
            _ name: String, store: String, _ extra: [String] = [], environment: [String: String] = [:]
        ) async throws -> Instance {
            let child = try EndToEnd.Child(
                ["serve", "--store", store, "--port", "0"] + extra, environment: EndToEnd.environment(environment))
            do {
                let port = try await child.port(within: .seconds(120))
                return Instance(name: name, child: child, port: port)
            } catch {
                child.kill()
                throw Failure(description: "\(name) did not listen: \(child.errors)")
            }
        }

        var pid: Int32 { child.pid }
        var log: String { child.errors }

        /// The end of the log, or from its crash report's start when it has one.
        var logExcerpt: String {
            let text = log
            for marker in ["Fatal error", "Assertion failed", "Precondition failed", "Program crashed"] {
                if let range = text.range(of: marker) {
                    let before = text[..<range.lowerBound].suffix(1500)
                    return String(before) + String(text[range.lowerBound...].prefix(2500))
                }
            }
            return String(text.suffix(3000))
        }
        var isRunning: Bool { child.process.isRunning }

        func client(_ token: String?) -> Client { Client(port: port, token: token) }

        /// SIGTERM: a graceful shutdown ends with status 0 (within 20 s).
        func expectCleanExit(sourceLocation: SourceLocation = #_sourceLocation) {
            let status = child.terminate()
            #expect(
                status == 0, "\(name) after SIGTERM: \(status.map(String.init) ?? "still running"): \(logExcerpt)",
                sourceLocation: sourceLocation)
        }

        /// SIGKILL, and waits for the exit.
        func killHard() async throws {
            if child.process.isRunning { kill(child.pid, SIGKILL) }
            _ = try await child.exitStatus()
        }

        /// `GET /ready` answers 200 within `seconds` (a bound against a hang).
        func waitUntilReady(seconds: Double = 60) async throws -> Bool {
            try await EndToEnd.eventually(seconds: seconds) {
                (try? await Client(port: port, token: nil).get("/ready").status) == 200
            }
        }
    }

    /// A flag a task polls to stop. (Cancelling a task that awaits `URLSession.data` can deadlock
    /// in FoundationNetworking on Linux: the cancellation holds the task's status lock while it
    /// waits for the session's queue, and the session's queue waits for that lock to resume it.)
    final class StopFlag: Sendable {
        private let state = Mutex(false)
        var isSet: Bool { state.withLock { $0 } }
        func set() { state.withLock { $0 = true } }
    }

    /// Runs `body`; an error it throws is reported with the instances' logs.
    static func showingLogs<T>(
        _ instances: [Instance], sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
    ) async throws -> T {
        do {
            return try await body()
        } catch {
            let logs = instances.map { "\($0.name):\n\($0.logExcerpt)" }.joined(separator: "\n")
            Issue.record("\(error)\n\(logs)", sourceLocation: sourceLocation)
            throw error
        }
    }

    // MARK: HTTP

    /// Requests to one instance with one account's token (none: no Authorization).
    struct Client: Sendable {
        let port: Int
        let token: String?

        static let session: URLSession = {
            let configuration = URLSessionConfiguration.ephemeral
            configuration.httpMaximumConnectionsPerHost = 16
            return URLSession(configuration: configuration)
        }()

        func request(
            _ method: String, _ path: String, body: Data? = nil, contentType: String? = nil,
            headers: [String: String] = [:], timeout: Double = 60
        ) async throws -> EndToEnd.Answer {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            request.httpMethod = method
            if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
            if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
            for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
            request.httpBody = body
            request.timeoutInterval = timeout
            let (data, response) = try await Self.session.data(for: request)
            return EndToEnd.Answer(status: (response as? HTTPURLResponse)?.statusCode ?? 0, data: data)
        }

        func get(_ path: String) async throws -> EndToEnd.Answer { try await request("GET", path) }

        /// `POST /amocrm/webhooks/<secret>` (no token: the secret is the credential).
        func webhook(secret: String, _ form: WebhookForm) async throws -> EndToEnd.Answer {
            try await Client(port: port, token: nil).request(
                "POST", "/amocrm/webhooks/\(secret)", body: form.body, contentType: "application/x-www-form-urlencoded")
        }

        /// `POST /api/v2/events` for one call.
        func events(number: String, users: [Int]? = nil) async throws -> EndToEnd.Answer {
            var event: [String: Any] = ["type": "phone_call", "phone_number": number]
            if let users { event["users"] = users }
            let body = try JSONSerialization.data(withJSONObject: ["add": [event]])
            return try await request("POST", "/api/v2/events", body: body, contentType: "application/json")
        }

        /// What a call from `number` opens: the answer's first item, `element_type` and `element_id`
        /// (both nil for create_contact); throws unless the answer is 200.
        func call(_ number: String) async throws -> Target {
            let answer = try await events(number: number)
            guard answer.status == 200 else {
                throw Failure(
                    description:
                        "POST /api/v2/events (\(number)) on \(port), token \(token.map { String($0.prefix(10)) + "…" } ?? "none"): \(answer.status) \(answer.text)"
                )
            }
            let item = ServeCommandTests.item(answer.json)
            return Target(type: item?["element_type"] as? Int, id: item?["element_id"] as? Int)
        }
    }

    /// What a call opens; both nil: create a contact (an unknown caller).
    struct Target: Equatable, CustomStringConvertible {
        var type: Int?
        var id: Int?
        static let unknownCaller = Target(type: nil, id: nil)
        var description: String { type.map { "\($0)/\(id.map(String.init) ?? "nil")" } ?? "create_contact" }
    }

    // MARK: Event streams

    /// A Server-Sent Events stream read on a raw socket (FoundationNetworking has no incremental
    /// body on Linux): the head, then the body (chunked or not) cut into events.
    final class EventStream: @unchecked Sendable {
        struct Event: CustomStringConvertible {
            var id: String?
            var data: String
            var json: [String: Any] {
                (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any] ?? [:]
            }
            var description: String { "id: \(id ?? "none") data: \(data.prefix(160))" }
        }

        private let fd: Int32
        private let state = Mutex(State())
        private struct State {
            var raw: [UInt8] = []
            var status: Int?
            var chunked = false
            var headEnd: Int?
            /// The decoded body.
            var body: [UInt8] = []
            var bodyConsumed = 0
            var rawConsumed = 0
            var events: [Event] = []
            var comments: [String] = []
            var ended = false
        }

        /// `GET /api/v2/events/stream?user_id=USER` with `token` (and `Last-Event-ID`).
        convenience init(port: Int, user: String, token: String?, lastEventID: String? = nil) throws {
            try self.init(port: port, query: "user_id=\(user)", token: token, lastEventID: lastEventID)
        }

        /// `GET /api/v2/events/stream?QUERY` (`ticket=…`) with `token` if any (and `Last-Event-ID`).
        init(port: Int, query: String, token: String?, lastEventID: String? = nil) throws {
            guard let connected = connectToLoopback(port: port) else {
                throw Failure(description: "connect to 127.0.0.1:\(port): errno \(errno)")
            }
            fd = connected
            var head = "GET /api/v2/events/stream?\(query) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
            head += "Accept: text/event-stream\r\n"
            if let token { head += "Authorization: Bearer \(token)\r\n" }
            if let lastEventID { head += "Last-Event-ID: \(lastEventID)\r\n" }
            head += "\r\n"
            let bytes = Array(head.utf8)
            let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, noSignal) }
            guard sent == bytes.count else {
                posixClose(fd)
                throw Failure(description: "send: errno \(errno)")
            }
            let thread = Thread { [self] in readLoop() }
            thread.start()
        }

        deinit { posixClose(fd) }

        private func readLoop() {
            var buffer = [UInt8](repeating: 0, count: 16 << 10)
            while true {
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count <= 0 { break }
                state.withLock { state in
                    state.raw += buffer[0..<count]
                    Self.parse(&state)
                }
            }
            state.withLock { $0.ended = true }
        }

        private static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
            guard bytes.count >= needle.count + start else { return nil }
            var i = start
            while i + needle.count <= bytes.count {
                if bytes[i] == needle[0] && Array(bytes[i..<(i + needle.count)]) == needle { return i }
                i += 1
            }
            return nil
        }

        private static func parse(_ state: inout State) {
            if state.headEnd == nil {
                guard let end = find(Array("\r\n\r\n".utf8), in: state.raw, from: 0) else { return }
                let head = String(decoding: state.raw[0..<end], as: UTF8.self)
                let lines = head.split(separator: "\r\n")
                let statusLine = lines.first.map(String.init) ?? ""
                state.status = statusLine.split(separator: " ").dropFirst().first.flatMap { Int($0) }
                state.chunked = lines.contains {
                    $0.lowercased().hasPrefix("transfer-encoding:") && $0.lowercased().contains("chunked")
                }
                state.headEnd = end + 4
                state.rawConsumed = end + 4
            }
            // The body.
            if state.chunked {
                while true {
                    guard let lineEnd = find(Array("\r\n".utf8), in: state.raw, from: state.rawConsumed) else { break }
                    let sizeText = String(decoding: state.raw[state.rawConsumed..<lineEnd], as: UTF8.self)
                    guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16) else { break }
                    let start = lineEnd + 2
                    guard state.raw.count >= start + size + 2 else { break }
                    state.body += state.raw[start..<(start + size)]
                    state.rawConsumed = start + size + 2
                }
            } else {
                state.body += state.raw[state.rawConsumed...]
                state.rawConsumed = state.raw.count
            }
            // Events: frames end with an empty line.
            while let end = find(Array("\n\n".utf8), in: state.body, from: state.bodyConsumed) {
                let frame = String(decoding: state.body[state.bodyConsumed..<end], as: UTF8.self)
                state.bodyConsumed = end + 2
                var id: String?
                var data: [String] = []
                for line in frame.split(separator: "\n", omittingEmptySubsequences: false) {
                    if line.hasPrefix(":") {
                        state.comments.append(line.dropFirst().trimmingCharacters(in: .whitespaces))
                    } else if line.hasPrefix("id:") {
                        id = line.dropFirst(3).trimmingCharacters(in: .whitespaces)
                    } else if line.hasPrefix("data:") {
                        var value = line.dropFirst(5)
                        if value.hasPrefix(" ") { value = value.dropFirst() }
                        data.append(String(value))
                    }
                }
                if !data.isEmpty { state.events.append(Event(id: id, data: data.joined(separator: "\n"))) }
            }
        }

        var status: Int? { state.withLock { $0.status } }
        var events: [Event] { state.withLock { $0.events } }
        var ended: Bool { state.withLock { $0.ended } }
        /// The body as text (for a refused stream, the error's JSON).
        var bodyText: String { state.withLock { String(decoding: $0.body, as: UTF8.self) } }
        var description: String {
            state.withLock {
                "status \($0.status.map(String.init) ?? "none"), \($0.events.count) events, body \(String(decoding: $0.body.prefix(400), as: UTF8.self))"
            }
        }

        /// Waits for the `: connected` comment: the stream is registered and gets what comes next.
        func waitUntilConnected(seconds: Double = 60) async throws -> Bool {
            try await EndToEnd.eventually(seconds: seconds) {
                state.withLock { $0.comments.contains("connected") || $0.ended }
            } && state.withLock { $0.comments.contains("connected") }
        }

        /// Waits until the head came (or the connection ended).
        func waitForStatus(seconds: Double = 60) async throws -> Int? {
            _ = try await EndToEnd.eventually(seconds: seconds) { state.withLock { $0.status != nil || $0.ended } }
            // A refused stream's body comes with its head; give it to the end.
            _ = try await EndToEnd.eventually(seconds: 5) { state.withLock { $0.ended || $0.status == 200 } }
            return status
        }

        /// Waits for `count` events in all.
        func waitForEvents(_ count: Int, seconds: Double = 30) async throws -> [Event] {
            _ = try await EndToEnd.eventually(seconds: seconds) {
                state.withLock { $0.events.count >= count || $0.ended }
            }
            return events
        }

        /// Waits for the event of the notification `uid` (other calls' events may come first).
        func waitForEvent(uid: String, seconds: Double = 30) async throws -> Event? {
            func find() -> Event? { events.first { $0.json["uid"] as? String == uid } }
            _ = try await EndToEnd.eventually(seconds: seconds) { find() != nil || ended }
            return find()
        }

        func close() { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    // MARK: PostgreSQL

    /// A PostgreSQL server started by scripts/postgres.sh in a directory of its own, or the one of
    /// `SCREENPOP_TEST_POSTGRES_URL`.
    struct PostgresServer: Sendable {
        /// `postgres://postgres@127.0.0.1:PORT/screenpop`: the server's URL with a database.
        let url: String
        /// Nil for the environment's server (not ours to stop).
        let directory: URL?

        static let script = ServeCommandTests.repository.appendingPathComponent("scripts/postgres.sh").path
        static let hint =
            "PostgreSQL is needed for these tests: apt-get install postgresql (or set SCREENPOP_TEST_POSTGRES_URL)"

        /// Starts a server in a new directory (initdb, a free port).
        static func start(_ label: String) async throws -> PostgresServer {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "screenpop-pg-\(label)-\(UUID().uuidString.prefix(8))")
            let url = try await run(start: directory)
            return PostgresServer(url: url, directory: directory)
        }

        static func run(start directory: URL) async throws -> String {
            let result = try await shell(["bash", script, "start", directory.path])
            guard result.status == 0, let url = result.output.split(separator: "\n").last.map(String.init),
                url.hasPrefix("postgres://")
            else {
                throw Failure(
                    description:
                        "scripts/postgres.sh start failed (status \(result.status)): \(result.errors) \(result.output)\n\(hint)"
                )
            }
            return url
        }

        /// `scripts/postgres.sh stop DIR` (`pg_ctl stop -m fast`).
        func stop() async throws {
            guard let directory else { return }
            let result = try await shell(["bash", Self.script, "stop", directory.path])
            guard result.status == 0 else {
                throw Failure(description: "scripts/postgres.sh stop failed: \(result.errors)")
            }
        }

        /// Starts it again in the same directory: the script keeps the port when it is free.
        func restart() async throws -> String {
            guard let directory else { throw Failure(description: "not our server") }
            return try await Self.run(start: directory)
        }

        /// Stops it and removes its directory.
        func destroy() async {
            guard let directory else { return }
            try? await stop()
            try? FileManager.default.removeItem(at: directory)
            try? FileManager.default.removeItem(atPath: directory.path + ".lock")
        }

        /// The URL of database `name` on this server.
        func database(_ name: String) -> String {
            var base = url
            if let query = base.firstIndex(of: "?") { base = String(base[..<query]) }
            guard let scheme = base.range(of: "://"), let slash = base[scheme.upperBound...].firstIndex(of: "/") else {
                return base + "/" + name
            }
            return String(base[..<slash]) + "/" + name
        }

        /// Creates a database for one test, runs `body` with its URL, and drops it.
        func withDatabase<T>(_ label: String, _ body: (String) async throws -> T) async throws -> T {
            let name = "screenpop_mi_\(label.lowercased())_\(UUID().uuidString.prefix(8).lowercased())"
            try await psql("CREATE DATABASE \(name)")
            do {
                let result = try await body(database(name))
                try? await psql("DROP DATABASE \(name) WITH (FORCE)")
                return result
            } catch {
                try? await psql("DROP DATABASE \(name) WITH (FORCE)")
                throw error
            }
        }

        func psql(_ command: String) async throws {
            let psql = try Self.psqlPath()
            let result = try await shell([psql, url, "-v", "ON_ERROR_STOP=1", "-qc", command])
            guard result.status == 0 else {
                throw Failure(description: "psql \(url) -c '\(command)': \(result.errors)")
            }
        }

        static func psqlPath() throws -> String {
            var candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
                .split(separator: ":").map { "\($0)/psql" }
            if let versions = try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql") {
                candidates += versions.sorted().reversed().map { "/usr/lib/postgresql/\($0)/bin/psql" }
            }
            guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
                throw Failure(description: "psql not found. \(hint)")
            }
            return found
        }
    }

    /// The PostgreSQL server of this test process: `SCREENPOP_TEST_POSTGRES_URL`, else one started
    /// on first use and stopped when the suite ends (`SharedPostgresTrait`).
    actor SharedPostgres {
        static let shared = SharedPostgres()
        private var server: PostgresServer?
        private var starting: Task<PostgresServer, any Error>?

        func get() async throws -> PostgresServer {
            if let server { return server }
            if let url = ProcessInfo.processInfo.environment["SCREENPOP_TEST_POSTGRES_URL"], !url.isEmpty {
                let server = PostgresServer(url: url, directory: nil)
                self.server = server
                return server
            }
            let task = starting ?? Task { try await PostgresServer.start("shared") }
            starting = task
            do {
                let started = try await task.value
                server = started
                return started
            } catch {
                starting = nil
                throw error
            }
        }

        func stop() async {
            let stopping = server
            server = nil
            starting = nil
            await stopping?.destroy()
        }
    }

    /// Runs a program to its end (output to files, polled: no thread blocks). Spawned with
    /// posix_spawn, not Foundation's Process: on Linux, Process sees a child's end when a socket it
    /// hands the child closes, and the PostgreSQL server that scripts/postgres.sh leaves running
    /// inherits that socket, so `start` would never end.
    static func shell(_ arguments: [String]) async throws -> Finished {
        let directory = FileManager.default.temporaryDirectory
        let name = "screenpop-mi-shell-\(UUID())"
        let outputFile = directory.appendingPathComponent(name + ".out").path
        let errorFile = directory.appendingPathComponent(name + ".err").path
        defer {
            try? FileManager.default.removeItem(atPath: outputFile)
            try? FileManager.default.removeItem(atPath: errorFile)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errorFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv: [UnsafeMutablePointer<CChar>?] = (["/usr/bin/env"] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, environ)
        guard spawned == 0 else { throw Failure(description: "posix_spawn \(arguments): \(spawned)") }
        let deadline = ContinuousClock.now + .seconds(180)
        var status: Int32 = 0
        while true {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { break }
            if done < 0 && errno != EINTR { throw Failure(description: "waitpid \(arguments): errno \(errno)") }
            guard ContinuousClock.now < deadline else {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw Failure(description: "\(arguments) still running after 180 s")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        // WIFEXITED / WEXITSTATUS; a signal's end as 128 + the signal.
        let exit = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Finished(
            status: exit,
            output: (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? "",
            errors: (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? "")
    }
}

/// Stops the test process's PostgreSQL server when the suite ends (started on first use).
struct SharedPostgresTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        do {
            try await function()
        } catch {
            await MultiInstance.SharedPostgres.shared.stop()
            throw error
        }
        await MultiInstance.SharedPostgres.shared.stop()
    }
}

extension Trait where Self == SharedPostgresTrait {
    static var sharedPostgres: Self { SharedPostgresTrait() }
}

extension WebhookForm {
    /// `account[id]` and `account[subdomain]`: the account a webhook says it is from.
    mutating func account(_ id: Int, subdomain: String) {
        pairs += [("account[id]", "\(id)"), ("account[subdomain]", subdomain)]
    }
}

// MARK: - A TCP proxy

/// Forwards 127.0.0.1:`port` to 127.0.0.1:`target`, byte for byte, until `cut()`: then every
/// connection through it is closed and new ones are refused, until `restore()` listens again on
/// the same port. One instance's way to PostgreSQL, so that it alone can be cut off.
final class TCPProxy: @unchecked Sendable {
    let target: Int
    private(set) var port: Int = 0
    private let state = Mutex(State())
    private struct State {
        var listener: Int32 = -1
        var sockets: Set<Int32> = []
        var generation = 0
    }

    init(target: Int) throws {
        self.target = target
        try listen(port: 0)
    }

    private func listen(port requested: Int) throws {
        let fd = socket(AF_INET, streamSocket, 0)
        guard fd >= 0 else { throw MultiInstance.Failure(description: "socket: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(requested).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, posixListen(fd, 64) == 0 else {
            let error = errno
            posixClose(fd)
            throw MultiInstance.Failure(description: "proxy bind/listen on \(requested): errno \(error)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: actual.sin_port))
        let generation = state.withLock { state in
            state.listener = fd
            state.generation += 1
            return state.generation
        }
        Thread { [self] in acceptLoop(fd, generation: generation) }.start()
    }

    private func acceptLoop(_ listener: Int32, generation: Int) {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let live = state.withLock { $0.generation == generation && $0.listener == listener }
            guard live, let upstream = connectToLoopback(port: target) else {
                posixClose(client)
                if !live { return }
                continue
            }
            state.withLock { $0.sockets.formUnion([client, upstream]) }
            Thread { [self] in pump(from: client, to: upstream) }.start()
            Thread { [self] in pump(from: upstream, to: client) }.start()
        }
    }

    private func pump(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 32 << 10)
        loop: while true {
            let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            var sent = 0
            while sent < count {
                let n = buffer.withUnsafeBytes { send(destination, $0.baseAddress! + sent, count - sent, noSignal) }
                if n <= 0 { break loop }
                sent += n
            }
        }
        // Either side ended: end both (the other pump then ends too); close once both are done.
        shutdown(source, Int32(SHUT_RDWR))
        shutdown(destination, Int32(SHUT_RDWR))
        state.withLock { state in
            if state.sockets.remove(source) != nil { posixClose(source) }
        }
    }

    /// Closes every connection through the proxy and stops listening: connecting is refused.
    func cut() {
        state.withLock { state in
            state.generation += 1
            shutdown(state.listener, Int32(SHUT_RDWR))
            posixClose(state.listener)
            state.listener = -1
            for fd in state.sockets { shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    /// Listens again on the same port.
    func restore() throws {
        try listen(port: port)
    }

    deinit {
        cut()
    }
}

/// A socket connected to 127.0.0.1:`port`, nil when it cannot connect (errno says why).
func connectToLoopback(port: Int) -> Int32? {
    let fd = socket(AF_INET, streamSocket, 0)
    guard fd >= 0 else { return nil }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            posixConnect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard connected == 0 else {
        posixClose(fd)
        return nil
    }
    return fd
}
