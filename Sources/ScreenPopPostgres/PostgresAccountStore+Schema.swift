import PostgresNIO
import ScreenPopStore

extension PostgresAccountStore {
    /// One version of the schema: statements run in order, in the migration's transaction.
    struct Migration: Sendable {
        var version: Int
        var statements: [String]
    }

    /// The key of the advisory lock that serializes migrations across processes (`SPMIGR` in ASCII).
    static let migrationLockKey: Int64 = 0x5350_4D49_4752

    /// The tables of the SQLite store with PostgreSQL's types, and those of sharing: registrations,
    /// the change log, the call relay. Entities are one table with amoCRM's element type in `kind`;
    /// `position` keeps the order of the account's arrays; links are a set (LinkRow) whose `seq`
    /// keeps the order they were written in, as SQLite's rowid does; users and customer statuses keep
    /// their order in `position`.
    static let migrations: [Migration] = [
        Migration(
            version: 1,
            statements: [
                """
                CREATE TABLE account (
                    account_id bigint PRIMARY KEY, name text, subdomain text, country text, customers_mode text NOT NULL)
                """,
                """
                CREATE TABLE entity (
                    account_id bigint NOT NULL, kind smallint NOT NULL, id bigint NOT NULL, position bigint NOT NULL,
                    name text NOT NULL, created_at bigint NOT NULL, updated_at bigint NOT NULL, is_deleted boolean NOT NULL,
                    responsible_user_id bigint, pipeline_id bigint, status_id bigint, seen_run bigint NOT NULL DEFAULT 0,
                    PRIMARY KEY (account_id, kind, id))
                """,
                "CREATE INDEX entity_order ON entity (account_id, kind, position)",
                """
                CREATE TABLE phone (
                    account_id bigint NOT NULL, kind smallint NOT NULL, entity_id bigint NOT NULL, position integer NOT NULL,
                    value text NOT NULL, enum_code text NOT NULL, PRIMARY KEY (account_id, kind, entity_id, position))
                """,
                """
                CREATE TABLE link (
                    account_id bigint NOT NULL, link_kind smallint NOT NULL, a_id bigint NOT NULL, b_id bigint NOT NULL,
                    is_main boolean NOT NULL, seq bigserial NOT NULL, PRIMARY KEY (account_id, link_kind, a_id, b_id))
                """,
                "CREATE INDEX link_by_b ON link (account_id, link_kind, b_id)",
                """
                CREATE TABLE "user" (
                    account_id bigint NOT NULL, id bigint NOT NULL, name text NOT NULL, email text,
                    position integer NOT NULL, PRIMARY KEY (account_id, id))
                """,
                """
                CREATE TABLE customer_status (
                    account_id bigint NOT NULL, id bigint NOT NULL, name text NOT NULL, type bigint,
                    position integer NOT NULL, PRIMARY KEY (account_id, id))
                """,
                """
                CREATE TABLE sync_state (
                    account_id bigint NOT NULL, key text NOT NULL, value text NOT NULL, PRIMARY KEY (account_id, key))
                """,
                """
                CREATE TABLE registration (
                    account_id bigint PRIMARY KEY, subdomain text NOT NULL, amocrm_url text,
                    api_token_hash bytea NOT NULL, webhook_secret_hash bytea NOT NULL, created_at bigint NOT NULL)
                """,
                "CREATE UNIQUE INDEX registration_api_token ON registration (api_token_hash)",
                "CREATE UNIQUE INDEX registration_webhook_secret ON registration (webhook_secret_hash)",
                """
                CREATE TABLE change_log (
                    sequence bigserial PRIMARY KEY, account_id bigint NOT NULL, origin text NOT NULL,
                    kind smallint NOT NULL, payload bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now())
                """,
                "CREATE INDEX change_log_by_account ON change_log (account_id, sequence)",
                // Calls too large for a notification's payload; nothing here needs to survive a crash.
                """
                CREATE UNLOGGED TABLE call_relay (
                    id bigserial PRIMARY KEY, account_id bigint NOT NULL, origin text NOT NULL, payload bytea NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now())
                """,
            ]),
        // The change log is trimmed (`trimChangeLog`); the last sequence trimmed of each account is
        // kept, so that a follower behind it knows to load the account again.
        Migration(
            version: 2,
            statements: [
                "CREATE TABLE change_log_floor (account_id bigint PRIMARY KEY, sequence bigint NOT NULL)",
                "CREATE INDEX change_log_by_time ON change_log (created_at)",
            ]),
        // Server-wide secrets (the stream tickets' signing key), shared by every instance.
        Migration(
            version: 3,
            statements: ["CREATE TABLE server_secret (name text PRIMARY KEY, value bytea NOT NULL)"]),
        // What an agent's card shows of a lead: its price, and the names of its pipeline and status
        // (a status is keyed by both ids: won and lost are in every pipeline). The last listing's
        // time goes: the next sync reconciles, reading every lead's price (SQLite's v5).
        Migration(
            version: 4,
            statements: [
                "ALTER TABLE entity ADD COLUMN price bigint",
                """
                CREATE TABLE lead_pipeline (
                    account_id bigint NOT NULL, id bigint NOT NULL, name text NOT NULL, position integer NOT NULL,
                    PRIMARY KEY (account_id, id))
                """,
                """
                CREATE TABLE lead_status (
                    account_id bigint NOT NULL, pipeline_id bigint NOT NULL, id bigint NOT NULL, name text NOT NULL,
                    position integer NOT NULL, PRIMARY KEY (account_id, pipeline_id, id))
                """,
                "DELETE FROM sync_state WHERE key = 'listing.last_at'",
            ]),
    ]

    /// Applies the migrations this database has not had, in one transaction under an advisory lock.
    ///
    /// It runs on a connection of its own, opened first: a server that does not answer is an error
    /// at once, not after the pool's retries.
    func migrate() async throws {
        let connection = try await PostgresConnection.connect(
            configuration: connectionConfiguration, id: 0, logger: logger)
        do {
            try await migrate(on: connection)
        } catch {
            await connection.closeAndSettle()
            throw error
        }
        await connection.closeAndSettle()
    }

    private func migrate(on connection: PostgresConnection) async throws {
        let logger = logger
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLockKey))", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS schema_version (
                    version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                """, logger: logger)
            let applied = Set(
                try await Self.rows("SELECT version FROM schema_version", on: connection, logger: logger) {
                    try $0.decode(Int.self)
                })
            if let newest = applied.max(), newest > Self.migrations.last!.version {
                throw StoreError(
                    "the schema is at version \(newest), newer than this release's \(Self.migrations.last!.version)")
            }
            for migration in Self.migrations where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_version (version) VALUES (\(migration.version))", logger: logger)
            }
        }
    }
}
