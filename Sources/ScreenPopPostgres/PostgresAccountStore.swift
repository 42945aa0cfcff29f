import AccountIndex
import AmoCRM
import Logging
import PostgresNIO
import Synchronization
import ScreenPopStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The store several instances share: PostgreSQL, with the SQLite store's tables and semantics,
/// a change log that followers read, notifications, a call relay and leadership locks
/// (docs/live-account.md, "PostgreSQL").
///
/// The store owns its connection pool and the task that runs it: open it, use it from any task,
/// and ``shutdown()`` it at the end.
///
/// ```swift
/// let store = try await PostgresAccountStore.open("postgres://screenpop@db:5432/screenpop")
/// let changes = try await store.apply([batch], accountID: 42)   // changes.sequence: its place in the log
/// await store.shutdown()
/// ```
///
/// Writes to one account are serialized by a transaction-level advisory lock, so an account's
/// change-log sequences are in commit order. A write is durable when it returns (the server's
/// `synchronous_commit`).
public final class PostgresAccountStore: SharedAccountStore {
    /// The server, without its password.
    public let url: PostgresURL
    public let origin: String
    let client: PostgresClient
    let runner: Task<Void, Never>
    let logger: Logger
    /// For the connections the store does not pool: a listener's, a leadership's.
    let connectionConfiguration: PostgresConnection.Configuration

    /// Connects, starts the pool and brings the schema up to date (several processes may open at
    /// once: the migrations take an advisory lock).
    ///
    /// - Parameters:
    ///   - url: `postgres://USER[:PASSWORD]@HOST:PORT/DATABASE[?sslmode=disable|prefer|require]`.
    ///   - origin: This instance's name in the change log; by default host, process id and a random part.
    ///   - maximumConnections: The pool's size.
    /// - Throws: ``StoreError`` naming the server (without the password) and what failed.
    public static func open(
        _ url: String, origin: String? = nil, maximumConnections: Int = 8,
        logger: Logger = Logger(label: "ScreenPopPostgres", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws(StoreError) -> PostgresAccountStore {
        let parsed = try PostgresURL(url)
        let (tls, connectionTLS) = try Self.tls(parsed)
        let store = PostgresAccountStore(
            url: parsed, origin: origin ?? Self.defaultOrigin(), maximumConnections: maximumConnections, logger: logger,
            tls: tls, connectionTLS: connectionTLS)
        do {
            try await store.migrate()
        } catch {
            await store.shutdown()
            throw store.failure("cannot open the store", error)
        }
        return store
    }

    private init(
        url: PostgresURL, origin: String, maximumConnections: Int, logger: Logger,
        tls: PostgresClient.Configuration.TLS, connectionTLS: PostgresConnection.Configuration.TLS
    ) {
        self.url = url
        self.origin = origin
        self.logger = logger
        var configuration = PostgresClient.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database,
            tls: tls)
        configuration.options.maximumConnections = max(1, maximumConnections)
        configuration.options.connectTimeout = .seconds(10)
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        connectionConfiguration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database,
            tls: connectionTLS)
        let client = client
        runner = Task { await client.run() }
    }

    /// The pool's and the single connections' TLS for the URL's `sslmode`.
    private static func tls(_ url: PostgresURL) throws(StoreError) -> (
        PostgresClient.Configuration.TLS, PostgresConnection.Configuration.TLS
    ) {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if url.sslMode != .verifyFull { configuration.certificateVerification = .none }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw StoreError("\(url): cannot set up TLS: \(error)")
        }
        switch url.sslMode {
        case .disable: return (.disable, .disable)
        case .prefer: return (.prefer(configuration), .prefer(context))
        case .require, .verifyFull: return (.require(configuration), .require(context))
        }
    }

    /// Closes the pool's connections. The store cannot be used afterwards; listeners and
    /// leaderships have their own connections and are ended apart.
    public func shutdown() async {
        runner.cancel()
        await runner.value
    }

    /// `host-pid-random`: unique among the instances that share a store.
    static func defaultOrigin() -> String {
        var name = [CChar](repeating: 0, count: 256)
        let host =
            gethostname(&name, name.count) == 0
            ? String(decoding: name.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self) : "host"
        return "\(host)-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
    }

    // MARK: Errors

    /// `postgres://user@host:port/db: what: the server's message`.
    func failure(_ what: String, _ error: any Error) -> StoreError {
        if let error = error as? StoreError { return StoreError("\(url): \(what): \(error.description)") }
        return StoreError("\(url): \(what): \(Self.describe(error))")
    }

    /// The server's message and SQLSTATE, or what the client saw; never the query's values or the password.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as StoreError:
            return error.description
        case let error as PostgresTransactionError:
            if let inner = error.closureError ?? error.commitError ?? error.beginError {
                return describe(inner)
            }
            return "the transaction failed"
        case let error as PSQLError:
            if let info = error.serverInfo, let message = info[.message] {
                var text = message
                if let detail = info[.detail] { text += " (\(detail))" }
                if let state = info[.sqlState] { text += " [SQLSTATE \(state)]" }
                return text
            }
            var text = "\(error.code)"
            if let underlying = error.underlying { text += ": \(underlying)" }
            return text
        case is PostgresDecodingError:
            return "a column did not decode: the schema is not the one this release writes"
        case is CancellationError:
            return "cancelled"
        default:
            return "\(error)"
        }
    }

    // MARK: Transactions

    /// Runs `body` in one transaction on a pooled connection.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await withConnection { connection in
            try await connection.withTransaction(logger: self.logger) { connection in try await body(connection) }
        }
    }

    /// The rows of `query` on a pooled connection, each decoded by `decode`.
    func rows<T: Sendable>(_ query: PostgresQuery, _ decode: @escaping @Sendable (PostgresRow) throws -> T) async throws
        -> [T]
    {
        try await withConnection { connection in try await Self.rows(query, on: connection, logger: self.logger, decode) }
    }

    /// Runs `query` on a pooled connection, outside a transaction.
    func execute(_ query: PostgresQuery) async throws {
        try await withConnection { connection in _ = try await connection.query(query, logger: self.logger) }
    }

    /// How long an operation may wait for a pooled connection: while PostgreSQL is away the pool
    /// would wait for ever, and a webhook's sender must hear "503, send it again" instead. (Once
    /// connected, an operation takes the time it needs: an import of millions of rows may take
    /// minutes; a connection that breaks fails it at once.)
    static let connectionDeadline: Duration = .seconds(10)

    /// No pooled connection within ``connectionDeadline``.
    struct NoConnection: Error, CustomStringConvertible {
        var description: String { "no connection to PostgreSQL within \(PostgresAccountStore.connectionDeadline)" }
    }

    /// A flag set once, shared by tasks.
    private final class Flag: Sendable {
        let value = Atomic<Bool>(false)
    }

    /// `body` on a pooled connection, or ``NoConnection`` when none comes within the deadline.
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let client = client
        let leased = Flag()
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await client.withConnection { connection in
                    leased.value.store(true, ordering: .releasing)
                    return try await body(connection)
                }
            }
            group.addTask {
                try await Task.sleep(for: Self.connectionDeadline)
                if !leased.value.load(ordering: .acquiring) { throw NoConnection() }
                return nil  // connected in time: the operation goes on
            }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let value = next { return value }
            }
            throw NoConnection()
        }
    }

    static func rows<T>(
        _ query: PostgresQuery, on connection: PostgresConnection, logger: Logger, _ decode: (PostgresRow) throws -> T
    ) async throws -> [T] {
        var result: [T] = []
        for try await row in try await connection.query(query, logger: logger) { result.append(try decode(row)) }
        return result
    }

    /// The advisory lock (transaction level) that serializes the writes to one account.
    static func lockAccount(_ accountID: Int, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(\(accountWriteLockKey(accountID)))", logger: logger)
    }

    /// A bigint key of its own: the high word says "account writes" (`SPW`), the low the account.
    static func accountWriteLockKey(_ accountID: Int) -> Int64 {
        0x0053_5057_0000_0000 | Int64(UInt32(truncatingIfNeeded: accountID))
    }

    // MARK: Reading

    public func accountIDs() async throws(StoreError) -> [Int] {
        do {
            return try await rows("SELECT account_id FROM account ORDER BY account_id") { try $0.decode(Int.self) }
        } catch {
            throw failure("cannot read the accounts", error)
        }
    }

    public func syncState(accountID: Int) async throws(StoreError) -> [String: String] {
        do {
            let pairs = try await rows("SELECT key, value FROM sync_state WHERE account_id = \(accountID)") {
                try $0.decode((String, String).self)
            }
            return Dictionary(pairs, uniquingKeysWith: { _, last in last })
        } catch {
            throw failure("cannot read the sync state of account \(accountID)", error)
        }
    }

    public func unseenIDs(accountID: Int, kind: EntityKind, run: Int, updatedBefore: Int) async throws(StoreError)
        -> [Int]
    {
        do {
            return try await rows(
                """
                SELECT id FROM entity WHERE account_id = \(accountID) AND kind = \(kind.elementType)
                AND NOT is_deleted AND seen_run != \(run) AND updated_at < \(updatedBefore) ORDER BY id
                """
            ) { try $0.decode(Int.self) }
        } catch {
            throw failure("cannot read the unseen entities of account \(accountID)", error)
        }
    }

    public func entityCounts(accountID: Int) async throws(StoreError) -> [EntityKind: Int] {
        do {
            let pairs = try await rows(
                "SELECT kind, COUNT(*) FROM entity WHERE account_id = \(accountID) AND NOT is_deleted GROUP BY kind"
            ) { try $0.decode((Int, Int).self) }
            var counts: [EntityKind: Int] = [:]
            for (kind, count) in pairs {
                if let kind = EntityKind(rawValue: kind) { counts[kind] = count }
            }
            return counts
        } catch {
            throw failure("cannot count the entities of account \(accountID)", error)
        }
    }

    public func load(accountID id: Int, suffixFallback: SuffixFallback) async throws(StoreError) -> StoredAccount? {
        do {
            let logger = logger
            return try await transaction { connection -> StoredAccount? in
                // One snapshot for all the reads.
                try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
                guard
                    let row = try await Self.rows(
                        "SELECT name, subdomain, country, customers_mode FROM account WHERE account_id = \(id)",
                        on: connection, logger: logger, { try $0.decode((String?, String?, String?, String).self) }
                    ).first
                else { return nil }
                let object = AccountObject(
                    id: id, name: row.0, subdomain: row.1, country: row.2, customersMode: row.3)
                let statuses = try await Self.rows(
                    "SELECT id, name, type FROM customer_status WHERE account_id = \(id) ORDER BY position",
                    on: connection, logger: logger
                ) {
                    let (statusID, name, type) = try $0.decode((Int, String, Int?).self)
                    return CustomerStatus(id: statusID, name: name, type: type)
                }
                let users = try await Self.rows(
                    #"SELECT id, name, email FROM "user" WHERE account_id = \#(id) ORDER BY position"#,
                    on: connection, logger: logger
                ) {
                    let (userID, name, email) = try $0.decode((Int, String, String?).self)
                    return AccountUser(id: userID, name: name, email: email)
                }
                let pipelines = try await Self.readPipelines(accountID: id, on: connection, logger: logger)
                var data = AccountData(
                    settings: object.settings(customerStatuses: statuses, suffixFallback: suffixFallback))
                var details = AccountDetails()
                try await Self.readEntities(accountID: id, on: connection, logger: logger, into: &data, &details)
                let links = try await Self.rows(
                    "SELECT link_kind, a_id, b_id, is_main FROM link WHERE account_id = \(id) ORDER BY seq",
                    on: connection, logger: logger
                ) { try $0.decode((Int, Int, Int, Bool).self) }
                data.links.reserveCapacity(links.count)
                for (kind, a, b, isMain) in links {
                    guard let link = LinkRow(kind: kind, a: a, b: b, isMain: isMain).link else {
                        throw StoreError("unknown link kind \(kind)")
                    }
                    data.links.append(link)
                }
                return StoredAccount(
                    account: object, data: data, details: details, users: users, customerStatuses: statuses,
                    pipelines: pipelines)
            }
        } catch {
            throw failure("cannot read account \(id)", error)
        }
    }

    /// The tables of an account's data (its registration and sync state apart).
    static let accountTables = [
        "account", "entity", "phone", "link", #""user""#, "customer_status", "lead_pipeline", "lead_status",
    ]

    /// The account's pipelines in their order, each with its statuses in theirs.
    static func readPipelines(accountID id: Int, on connection: PostgresConnection, logger: Logger) async throws
        -> [LeadPipeline]
    {
        var pipelines = try await rows(
            "SELECT id, name FROM lead_pipeline WHERE account_id = \(id) ORDER BY position", on: connection,
            logger: logger
        ) {
            let (pipelineID, name) = try $0.decode((Int, String).self)
            return LeadPipeline(id: pipelineID, name: name)
        }
        var at: [Int: Int] = [:]
        for (position, pipeline) in pipelines.enumerated() { at[pipeline.id] = position }
        let statuses = try await rows(
            "SELECT pipeline_id, id, name FROM lead_status WHERE account_id = \(id) ORDER BY pipeline_id, position",
            on: connection, logger: logger
        ) { try $0.decode((Int, Int, String).self) }
        for (pipelineID, statusID, name) in statuses {
            guard let position = at[pipelineID] else { continue }
            pipelines[position].statuses.append(LeadPipelineStatus(id: statusID, name: name))
        }
        return pipelines
    }

    private static func readEntities(
        accountID id: Int, on connection: PostgresConnection, logger: Logger, into data: inout AccountData,
        _ details: inout AccountDetails
    ) async throws {
        var phones: [EntityRef: [PhoneValue]] = [:]
        let phoneRows = try await connection.query(
            "SELECT kind, entity_id, value, enum_code FROM phone WHERE account_id = \(id) ORDER BY kind, entity_id, position",
            logger: logger)
        for try await row in phoneRows {
            let (kind, entityID, value, code) = try row.decode((Int, Int, String, String).self)
            guard let kind = EntityKind(rawValue: kind) else { continue }
            phones[EntityRef(kind: kind, id: entityID), default: []].append(
                PhoneValue(value, kind: PhoneValue.Kind(rawValue: code)))
        }
        let rows = try await connection.query(
            """
            SELECT kind, id, name, created_at, updated_at, responsible_user_id, pipeline_id, is_deleted, status_id,
                price
            FROM entity WHERE account_id = \(id) ORDER BY kind, position
            """, logger: logger)
        for try await row in rows {
            let (kind, entityID, name, createdAt, updatedAt, responsible, pipeline, isDeleted, statusID, price) =
                try row.decode((Int, Int, String, Int, Int, Int?, Int?, Bool, Int?, Int?).self)
            let detail = EntityDetails(
                name: name, createdAt: createdAt, updatedAt: updatedAt, responsibleUserID: responsible,
                pipelineID: pipeline, price: price)
            switch EntityKind(rawValue: kind) {
            case .contact:
                data.contacts.append(
                    Contact(
                        id: entityID, createdAt: createdAt, isDeleted: isDeleted,
                        phones: phones.removeValue(forKey: .contact(entityID)) ?? []))
                details.contacts.append(detail)
            case .company:
                data.companies.append(
                    Company(
                        id: entityID, createdAt: createdAt, isDeleted: isDeleted,
                        phones: phones.removeValue(forKey: .company(entityID)) ?? []))
                details.companies.append(detail)
            case .lead:
                // A lead known only from a deletion has no status.
                data.leads.append(Lead(id: entityID, isDeleted: isDeleted, statusID: statusID ?? 0))
                details.leads.append(detail)
            case .customer:
                data.customers.append(Customer(id: entityID, isDeleted: isDeleted, statusID: statusID))
                details.customers.append(detail)
            case nil:
                throw StoreError("unknown entity kind \(kind)")
            }
        }
    }
}
