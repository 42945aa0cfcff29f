import Foundation
import Logging
import PostgresNIO
import ScreenPopPostgres
import ScreenPopStore
import Synchronization
import Testing

/// The PostgreSQL server the tests use, and a fresh database for each test.
///
/// `SCREENPOP_TEST_POSTGRES_URL` names a server (and a database to connect to for creating the
/// others); without it, `scripts/postgres.sh start` runs one in a well-known temporary directory,
/// once per test process, which later processes reuse (`scripts/postgres.sh stop DIR` ends it).
/// No server is a failure, never a skip.
enum TestPostgres {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Where the script keeps the tests' server.
    static let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "screenpop-test-postgres-\(getuid())"
    ).path

    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    /// The server's URL, found or started once.
    static let server: Result<String, Unavailable> = {
        if let url = ProcessInfo.processInfo.environment["SCREENPOP_TEST_POSTGRES_URL"], !url.isEmpty {
            return .success(url)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [repository.appendingPathComponent("scripts/postgres.sh").path, "start", directory]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            return .failure(Unavailable(description: "cannot run scripts/postgres.sh: \(error)"))
        }
        let url = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            return .failure(
                Unavailable(
                    description: """
                        these tests need a PostgreSQL server: install one (apt-get install postgresql) or set \
                        SCREENPOP_TEST_POSTGRES_URL; scripts/postgres.sh start \(directory) said: \(said)
                        """))
        }
        return .success(url.trimmingCharacters(in: .whitespacesAndNewlines))
    }()

    static let logger = Logger(label: "ScreenPopPostgresTests", factory: { _ in SwiftLogNoOpLogHandler() })

    /// `url` with its database replaced.
    static func url(_ url: String, database: String) -> String {
        let query = url.firstIndex(of: "?").map { String(url[$0...]) } ?? ""
        let base = url.firstIndex(of: "?").map { String(url[..<$0]) } ?? url
        let slash = base.lastIndex(of: "/")!
        return base[...slash] + database + query
    }

    /// A connection to the server's own database, for creating and dropping others.
    static func withAdminConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let parsed = try PostgresURL(try server.get())
        let connection = try await PostgresConnection.connect(
            configuration: PostgresConnection.Configuration(
                host: parsed.host, port: parsed.port, username: parsed.user, password: parsed.password,
                database: parsed.database, tls: .disable),
            id: 1, logger: logger)
        do {
            let result = try await body(connection)
            await connection.closeAndSettle()
            return result
        } catch {
            await connection.closeAndSettle()
            throw error
        }
    }

    /// A new empty database's URL for `body`, dropped afterwards.
    static func withDatabase<T>(_ body: (String) async throws -> T) async throws -> T {
        let name = "screenpop_test_\(UInt64.random(in: 0...UInt64.max))"
        _ = try await withAdminConnection { try await $0.query("CREATE DATABASE \(unescaped: name)", logger: logger) }
        let url = url(try server.get(), database: name)
        do {
            let result = try await body(url)
            try await drop(name)
            return result
        } catch {
            try? await drop(name)
            throw error
        }
    }

    private static func drop(_ name: String) async throws {
        _ = try await withAdminConnection {
            try await $0.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)", logger: logger)
        }
    }

    /// A store on a new database, shut down and dropped afterwards.
    static func withStore<T>(origin: String? = nil, _ body: (PostgresAccountStore, String) async throws -> T)
        async throws -> T
    {
        try await withDatabase { url in
            let store = try await PostgresAccountStore.open(url, origin: origin)
            do {
                let result = try await body(store, url)
                await store.shutdown()
                return result
            } catch {
                await store.shutdown()
                throw error
            }
        }
    }

    /// Ends the server processes of `pids` (their connections drop).
    static func terminate(_ pids: [Int32]) async throws {
        try await withAdminConnection { connection in
            for pid in pids {
                try await connection.query("SELECT pg_terminate_backend(\(pid))", logger: logger)
            }
        }
    }
}

/// Everything a listener said, kept for the test to wait on.
final class EventRecorder: Sendable {
    final class Log: Sendable {
        let events = Mutex<[PostgresChangeListener.Event]>([])
    }

    let log = Log()
    let task: Task<Void, Never>

    init(_ listener: PostgresChangeListener) {
        let log = log
        task = Task {
            for await event in listener.events { log.events.withLock { $0.append(event) } }
        }
    }

    var events: [PostgresChangeListener.Event] { log.events.withLock { $0 } }

    /// The index of the first event after `index` that `matches`, waiting up to `seconds` for it.
    @discardableResult
    func wait(
        after index: Int = -1, seconds: Double = 20, _ what: String,
        _ matches: (PostgresChangeListener.Event) -> Bool
    ) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while true {
            let events = self.events
            if let found = events.indices.first(where: { $0 > index && matches(events[$0]) }) { return found }
            guard ContinuousClock.now < deadline else {
                throw TestPostgres.Unavailable(description: "no \(what) within \(seconds) s; events: \(events)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
