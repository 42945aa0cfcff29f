import AccountIndex
import AmoCRM
import GRDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The embedded store: one SQLite file in WAL mode, through GRDB (docs/live-account.md has the
/// schema).
///
/// Each write is one transaction with `synchronous = FULL`: when a write returns, it is on disk and
/// survives a crash of the process or of the machine; a crash during a write leaves the store as it
/// was before it. Readers do not block the writer (WAL).
///
/// ```swift
/// let store = try SQLiteAccountStore(path: "account.sqlite")
/// try store.replace(with: StoredAccount(try await AccountDirectory.load("Examples/demo-account")))
/// let account = try store.loadOnlyAccount()
/// ```
public final class SQLiteAccountStore: AccountStore {
    /// The file.
    public let path: String
    let pool: DatabasePool

    /// Opens the store at `path`, creating the file and its tables when absent, and bringing an
    /// older schema up to date.
    public init(path: String) throws(StoreError) {
        self.path = path
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // 32 MiB of page cache a connection (SQLite's default is 2 MiB): a sync's lookups by id
            // and link stay in memory.
            try db.execute(sql: "PRAGMA cache_size = -32768")
        }
        // A new store is readable by its owner only: it keeps OAuth tokens. (SQLite gives the WAL
        // and shared-memory files the database file's permissions.)
        let created = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if created >= 0 { close(created) }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch {
            throw StoreError("\(path): cannot open the store: \(error)")
        }
    }

    // MARK: Schema

    /// Entities are one table with amoCRM's element type (1 contact, 2 lead, 3 company, 12
    /// customer) in `kind`; `position` keeps the order of the account's arrays, which decides
    /// between two facts where amoCRM's rules make the later one win.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE account (
                        account_id INTEGER PRIMARY KEY, name TEXT, subdomain TEXT, country TEXT,
                        customers_mode TEXT NOT NULL);
                    CREATE TABLE entity (
                        account_id INTEGER NOT NULL, kind INTEGER NOT NULL, id INTEGER NOT NULL,
                        position INTEGER NOT NULL, name TEXT NOT NULL, created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL, is_deleted INTEGER NOT NULL, responsible_user_id INTEGER,
                        pipeline_id INTEGER, status_id INTEGER,
                        PRIMARY KEY (account_id, kind, id));
                    CREATE INDEX entity_order ON entity (account_id, kind, position);
                    CREATE TABLE phone (
                        account_id INTEGER NOT NULL, kind INTEGER NOT NULL, entity_id INTEGER NOT NULL,
                        position INTEGER NOT NULL, value TEXT NOT NULL, enum_code TEXT NOT NULL,
                        PRIMARY KEY (account_id, kind, entity_id, position));
                    CREATE TABLE link (
                        account_id INTEGER NOT NULL, position INTEGER NOT NULL, link_kind INTEGER NOT NULL,
                        a_id INTEGER NOT NULL, b_id INTEGER NOT NULL, is_main INTEGER NOT NULL,
                        PRIMARY KEY (account_id, position));
                    CREATE TABLE user (
                        account_id INTEGER NOT NULL, id INTEGER NOT NULL, name TEXT NOT NULL, email TEXT,
                        PRIMARY KEY (account_id, id));
                    CREATE TABLE customer_status (
                        account_id INTEGER NOT NULL, id INTEGER NOT NULL, name TEXT NOT NULL, type INTEGER,
                        PRIMARY KEY (account_id, id));
                    CREATE TABLE sync_state (
                        account_id INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
                        PRIMARY KEY (account_id, key));
                    """)
        }
        // Links become a set with the "at most one" links resolved (LinkRow), so that a single
        // entity's links can be replaced in place; entities get the listing run that last saw them.
        migrator.registerMigration("v2") { db in
            try db.execute(
                sql: """
                    ALTER TABLE entity ADD COLUMN seen_run INTEGER NOT NULL DEFAULT 0;
                    CREATE TABLE link_v2 (
                        account_id INTEGER NOT NULL, link_kind INTEGER NOT NULL, a_id INTEGER NOT NULL,
                        b_id INTEGER NOT NULL, is_main INTEGER NOT NULL,
                        PRIMARY KEY (account_id, link_kind, a_id, b_id));
                    CREATE INDEX link_by_b ON link_v2 (account_id, link_kind, b_id);
                    """)
            let insert = try db.makeStatement(sql: "INSERT INTO link_v2 VALUES (?, ?, ?, ?, ?)")
            for account in try Int.fetchAll(db, sql: "SELECT DISTINCT account_id FROM link") {
                var links: [AccountLink] = []
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT link_kind, a_id, b_id, is_main FROM link WHERE account_id = ? ORDER BY position",
                    arguments: [account])
                while let row = try rows.next() {
                    let value = LinkRow(kind: row[0], a: row[1], b: row[2], isMain: row[3])
                    if let link = value.link { links.append(link) }
                }
                for row in LinkRow.normalized(links) {
                    try insert.execute(arguments: [account, row.kind, row.a, row.b, row.isMain])
                }
            }
            try db.execute(sql: "DROP TABLE link; ALTER TABLE link_v2 RENAME TO link")
        }
        // Several accounts in one store: who each is and the hashes of its credentials (hex).
        migrator.registerMigration("v3") { db in
            try db.execute(
                sql: """
                    CREATE TABLE registration (
                        account_id INTEGER PRIMARY KEY, subdomain TEXT NOT NULL, amocrm_url TEXT,
                        api_token_hash TEXT NOT NULL UNIQUE, webhook_secret_hash TEXT NOT NULL UNIQUE,
                        created_at INTEGER NOT NULL);
                    """)
        }
        // Server-wide secrets (the stream tickets' signing key), shared by every instance on the store.
        migrator.registerMigration("v4") { db in
            try db.execute(sql: "CREATE TABLE server_secret (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        }
        // What an agent's card shows of a lead: its price, and the names of its pipeline and
        // status (lead_status keys a status by both ids: won and lost are in every pipeline). The
        // last listing's time goes, so that a synced account's next sync is a reconciliation: a
        // poll reads pipelines but only the leads changed since, and the others' prices would wait
        // a day.
        migrator.registerMigration("v5") { db in
            try db.execute(
                sql: """
                    ALTER TABLE entity ADD COLUMN price INTEGER;
                    CREATE TABLE lead_pipeline (
                        account_id INTEGER NOT NULL, id INTEGER NOT NULL, name TEXT NOT NULL,
                        PRIMARY KEY (account_id, id));
                    CREATE TABLE lead_status (
                        account_id INTEGER NOT NULL, pipeline_id INTEGER NOT NULL, id INTEGER NOT NULL,
                        name TEXT NOT NULL, PRIMARY KEY (account_id, pipeline_id, id));
                    DELETE FROM sync_state WHERE key = 'listing.last_at';
                    """)
        }
        return migrator
    }

    // MARK: Writing

    public func replace(with stored: StoredAccount) async throws(StoreError) {
        do {
            try await pool.write { db in
                let id = stored.accountID
                for table in Self.accountTables {
                    try db.execute(sql: "DELETE FROM \(table) WHERE account_id = ?", arguments: [id])
                }
                let object = stored.account
                try db.execute(
                    sql: "INSERT INTO account VALUES (?, ?, ?, ?, ?)",
                    arguments: [id, object.name, object.subdomain, object.country, object.customersMode])
                try Self.insertEntities(stored, into: db)
                let link = try db.makeStatement(sql: "INSERT INTO link VALUES (?, ?, ?, ?, ?)")
                for row in LinkRow.normalized(stored.data.links) {
                    try link.execute(arguments: [id, row.kind, row.a, row.b, row.isMain])
                }
                let user = try db.makeStatement(sql: "INSERT INTO user VALUES (?, ?, ?, ?)")
                for value in stored.users { try user.execute(arguments: [id, value.id, value.name, value.email]) }
                let status = try db.makeStatement(sql: "INSERT INTO customer_status VALUES (?, ?, ?, ?)")
                for value in stored.customerStatuses {
                    try status.execute(arguments: [id, value.id, value.name, value.type])
                }
                try Self.insertPipelines(LeadPipeline.normalized(stored.pipelines), accountID: id, into: db)
            }
        } catch {
            throw StoreError("\(path): cannot write the account: \(error)")
        }
    }

    /// The tables of an account's data (its registration and sync state apart).
    static let accountTables = [
        "account", "entity", "phone", "link", "user", "customer_status", "lead_pipeline", "lead_status",
    ]

    /// Inserts the pipelines (normalized) in their order: their rowids keep it.
    static func insertPipelines(_ pipelines: [LeadPipeline], accountID id: Int, into db: Database) throws {
        let pipeline = try db.makeStatement(sql: "INSERT INTO lead_pipeline VALUES (?, ?, ?)")
        let status = try db.makeStatement(sql: "INSERT INTO lead_status VALUES (?, ?, ?, ?)")
        for value in pipelines {
            try pipeline.execute(arguments: [id, value.id, value.name])
            for stage in value.statuses { try status.execute(arguments: [id, value.id, stage.id, stage.name]) }
        }
    }

    /// The account's pipelines in the order they were written.
    static func readPipelines(accountID id: Int, from db: Database) throws -> [LeadPipeline] {
        var pipelines = try Row.fetchAll(
            db, sql: "SELECT id, name FROM lead_pipeline WHERE account_id = ? ORDER BY rowid", arguments: [id]
        ).map { LeadPipeline(id: $0[0], name: $0[1]) }
        var at: [Int: Int] = [:]
        for (position, pipeline) in pipelines.enumerated() { at[pipeline.id] = position }
        let statuses = try Row.fetchCursor(
            db, sql: "SELECT pipeline_id, id, name FROM lead_status WHERE account_id = ? ORDER BY rowid",
            arguments: [id])
        while let row = try statuses.next() {
            guard let position = at[row[0]] else { continue }
            pipelines[position].statuses.append(LeadPipelineStatus(id: row[1], name: row[2]))
        }
        return pipelines
    }

    private static func insertEntities(_ stored: StoredAccount, into db: Database) throws {
        let id = stored.accountID
        let entity = try db.makeStatement(sql: "INSERT INTO entity VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)")
        let phone = try db.makeStatement(sql: "INSERT INTO phone VALUES (?, ?, ?, ?, ?, ?)")
        func insert(
            _ kind: EntityKind, _ position: Int, _ entityID: Int, _ details: EntityDetails?, createdAt: Int?,
            isDeleted: Bool, statusID: Int?, phones: [PhoneValue]
        ) throws {
            let details = details ?? EntityDetails(createdAt: createdAt ?? 0)
            try entity.execute(arguments: [
                id, kind.elementType, entityID, position, details.name, createdAt ?? details.createdAt,
                details.updatedAt, isDeleted, details.responsibleUserID, details.pipelineID, statusID, details.price,
            ])
            for (index, value) in phones.enumerated() {
                try phone.execute(arguments: [id, kind.elementType, entityID, index, value.value, value.kind.rawValue])
            }
        }
        let data = stored.data
        let details = stored.details
        for (i, value) in data.contacts.enumerated() {
            try insert(
                .contact, i, value.id, details.contacts[safe: i], createdAt: value.createdAt, isDeleted: value.isDeleted,
                statusID: nil, phones: value.phones)
        }
        for (i, value) in data.companies.enumerated() {
            try insert(
                .company, i, value.id, details.companies[safe: i], createdAt: value.createdAt,
                isDeleted: value.isDeleted, statusID: nil, phones: value.phones)
        }
        for (i, value) in data.leads.enumerated() {
            try insert(
                .lead, i, value.id, details.leads[safe: i], createdAt: nil, isDeleted: value.isDeleted,
                statusID: value.statusID, phones: [])
        }
        for (i, value) in data.customers.enumerated() {
            try insert(
                .customer, i, value.id, details.customers[safe: i], createdAt: nil, isDeleted: value.isDeleted,
                statusID: value.statusID, phones: [])
        }
    }

    // MARK: Registrations

    public func registrations() async throws(StoreError) -> [AccountRegistration] {
        do {
            return try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT account_id, subdomain, amocrm_url, api_token_hash, webhook_secret_hash, created_at
                        FROM registration ORDER BY account_id
                        """
                ).map { row in
                    AccountRegistration(
                        accountID: row[0], subdomain: row[1], amocrmURL: row[2], apiTokenHash: Hex.decode(row[3]),
                        webhookSecretHash: Hex.decode(row[4]), createdAt: row[5])
                }
            }
        } catch {
            throw StoreError("\(path): cannot read the registrations: \(error)")
        }
    }

    public func serverSecret(named name: String, orMake make: @Sendable () -> [UInt8]) async throws(StoreError)
        -> [UInt8]
    {
        do {
            return try await pool.write { db in
                let kept = try String.fetchOne(
                    db, sql: "SELECT value FROM server_secret WHERE name = ?", arguments: [name])
                if let kept { return Hex.decode(kept) }
                let made = make()
                try db.execute(sql: "INSERT INTO server_secret VALUES (?, ?)", arguments: [name, Hex.encode(made)])
                return made
            }
        } catch {
            throw StoreError("\(path): cannot read or keep the server secret \"\(name)\": \(error)")
        }
    }

    public func register(_ registration: AccountRegistration) async throws(StoreError) {
        do {
            try await pool.write { db in
                // Not INSERT OR REPLACE: a hash that another account has would delete that
                // account's registration. It is refused, as PostgreSQL refuses it.
                try db.execute(
                    sql: """
                        INSERT INTO registration VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT (account_id) DO UPDATE SET subdomain = excluded.subdomain,
                            amocrm_url = excluded.amocrm_url, api_token_hash = excluded.api_token_hash,
                            webhook_secret_hash = excluded.webhook_secret_hash, created_at = excluded.created_at
                        """,
                    arguments: [
                        registration.accountID, registration.subdomain, registration.amocrmURL,
                        Hex.encode(registration.apiTokenHash), Hex.encode(registration.webhookSecretHash),
                        registration.createdAt,
                    ])
            }
        } catch {
            throw StoreError("\(path): cannot register account \(registration.accountID): \(error)")
        }
    }

    public func removeAccount(accountID id: Int) async throws(StoreError) {
        do {
            try await pool.write { db in
                for table in ["registration", "sync_state"] + Self.accountTables {
                    try db.execute(sql: "DELETE FROM \(table) WHERE account_id = ?", arguments: [id])
                }
            }
        } catch {
            throw StoreError("\(path): cannot remove account \(id): \(error)")
        }
    }

    // MARK: Reading

    public func accountIDs() async throws(StoreError) -> [Int] {
        do {
            return try await pool.read { db in try Int.fetchAll(db, sql: "SELECT account_id FROM account ORDER BY account_id") }
        } catch {
            throw StoreError("\(path): cannot read the accounts: \(error)")
        }
    }

    public func load(accountID id: Int, suffixFallback: SuffixFallback) async throws(StoreError) -> StoredAccount? {
        do {
            return try await pool.read { db -> StoredAccount? in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM account WHERE account_id = ?", arguments: [id])
                else { return nil }
                let object = AccountObject(
                    id: id, name: row["name"], subdomain: row["subdomain"], country: row["country"],
                    customersMode: row["customers_mode"])
                let statuses = try Row.fetchAll(
                    db, sql: "SELECT id, name, type FROM customer_status WHERE account_id = ? ORDER BY rowid",
                    arguments: [id]
                ).map { CustomerStatus(id: $0["id"], name: $0["name"], type: $0["type"]) }
                let users = try Row.fetchAll(
                    db, sql: "SELECT id, name, email FROM user WHERE account_id = ? ORDER BY rowid", arguments: [id]
                ).map { AccountUser(id: $0["id"], name: $0["name"], email: $0["email"]) }
                let pipelines = try Self.readPipelines(accountID: id, from: db)
                var data = AccountData(
                    settings: object.settings(customerStatuses: statuses, suffixFallback: suffixFallback))
                var details = AccountDetails()
                try Self.readEntities(accountID: id, from: db, into: &data, &details)
                let links = try Row.fetchCursor(
                    db, sql: "SELECT link_kind, a_id, b_id, is_main FROM link WHERE account_id = ? ORDER BY rowid",
                    arguments: [id])
                while let row = try links.next() {
                    let link = LinkRow(kind: row[0], a: row[1], b: row[2], isMain: row[3])
                    guard let value = link.link else { throw StoreError("unknown link kind \(link.kind)") }
                    data.links.append(value)
                }
                return StoredAccount(
                    account: object, data: data, details: details, users: users, customerStatuses: statuses,
                    pipelines: pipelines)
            }
        } catch let error as StoreError {
            throw StoreError("\(path): \(error)")
        } catch {
            throw StoreError("\(path): cannot read account \(id): \(error)")
        }
    }

    private static func readEntities(
        accountID id: Int, from db: Database, into data: inout AccountData, _ details: inout AccountDetails
    ) throws {
        // Columns by position, not by name: a name is looked up on every row, and at a million
        // contacts that lookup cost more than the reading.
        var phones: [EntityRef: [PhoneValue]] = [:]
        let phoneRows = try Row.fetchCursor(
            db, sql: "SELECT kind, entity_id, value, enum_code FROM phone WHERE account_id = ? ORDER BY kind, entity_id, position",
            arguments: [id])
        while let row = try phoneRows.next() {
            guard let kind = EntityKind(rawValue: row[0]) else { continue }
            let code: String = row[3]
            phones[EntityRef(kind: kind, id: row[1]), default: []].append(
                PhoneValue(row[2], kind: PhoneValue.Kind(rawValue: code)))
        }
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT kind, id, name, created_at, updated_at, responsible_user_id, pipeline_id, is_deleted, status_id,
                    price
                FROM entity WHERE account_id = ? ORDER BY kind, position
                """, arguments: [id])
        while let row = try rows.next() {
            let entityID: Int = row[1]
            let detail = EntityDetails(
                name: row[2], createdAt: row[3], updatedAt: row[4], responsibleUserID: row[5], pipelineID: row[6],
                price: row[9])
            let isDeleted: Bool = row[7]
            let statusID: Int? = row[8]
            switch EntityKind(rawValue: row[0]) {
            case .contact:
                data.contacts.append(
                    Contact(
                        id: entityID, createdAt: detail.createdAt, isDeleted: isDeleted,
                        phones: phones.removeValue(forKey: .contact(entityID)) ?? []))
                details.contacts.append(detail)
            case .company:
                data.companies.append(
                    Company(
                        id: entityID, createdAt: detail.createdAt, isDeleted: isDeleted,
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
                throw StoreError("unknown entity kind \(row[0] as Int)")
            }
        }
    }
}

/// Lowercase hexadecimal, for the credentials' hashes.
enum Hex {
    static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes of `text`; a character that is not a hexadecimal digit counts as 0.
    static func decode(_ text: String) -> [UInt8] {
        func value(_ c: UInt8) -> UInt8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: 0
            }
        }
        let utf8 = Array(text.utf8)
        return stride(from: 0, to: utf8.count - 1, by: 2).map { value(utf8[$0]) << 4 | value(utf8[$0 + 1]) }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
