import Logging
import PostgresNIO
import ScreenPopStore

extension PostgresAccountStore {
    /// The channel that tells followers an account's log has a new entry: `<account_id>:<sequence>`.
    public static let changesChannel = "screenpop_changes"

    /// The change log's `kind` column.
    enum LogKind: Int16 {
        case changes = 1
        case replaced = 2
        case removed = 3
    }

    /// Writes the log entry of this transaction and its notification (delivered at commit).
    ///
    /// - Returns: The entry's sequence.
    static func log(
        _ kind: LoggedChange.Kind, accountID: Int, origin: String, on connection: PostgresConnection, logger: Logger
    ) async throws -> Int64 {
        let (code, payload): (LogKind, [UInt8])
        switch kind {
        case .changes(let changes): (code, payload) = (.changes, ChangeLogCodec.encode(changes))
        case .replaced: (code, payload) = (.replaced, [])
        case .removed: (code, payload) = (.removed, [])
        }
        let sequence = try await rows(
            """
            INSERT INTO change_log (account_id, origin, kind, payload)
            VALUES (\(accountID), \(origin), \(code.rawValue), \(ByteBuffer(bytes: payload))) RETURNING sequence
            """, on: connection, logger: logger
        ) { try $0.decode(Int64.self) }.first!
        try await connection.query(
            "SELECT pg_notify(\(changesChannel), \("\(accountID):\(sequence)"))", logger: logger)
        return sequence
    }

    public func changes(accountID: Int, after sequence: Int64, limit: Int) async throws(StoreError) -> [LoggedChange] {
        do {
            let floor = try await rows("SELECT sequence FROM change_log_floor WHERE account_id = \(accountID)") {
                try $0.decode(Int64.self)
            }.first ?? 0
            if sequence < floor {
                // What was trimmed cannot be read: the follower loads the account again.
                throw StoreError("the change log no longer holds the changes after \(sequence) (trimmed through \(floor))")
            }
            let found = try await rows(
                """
                SELECT sequence, origin, kind, payload FROM change_log
                WHERE account_id = \(accountID) AND sequence > \(sequence) ORDER BY sequence LIMIT \(max(0, limit))
                """
            ) { try $0.decode((Int64, String, Int16, ByteBuffer).self) }
            return try found.map { (sequence, origin, code, payload) throws(StoreError) in
                let kind: LoggedChange.Kind
                switch LogKind(rawValue: code) {
                case .changes:
                    var changes = try ChangeLogCodec.decode(Array(payload.readableBytesView))
                    changes.sequence = sequence
                    kind = .changes(changes)
                case .replaced: kind = .replaced
                case .removed: kind = .removed
                case nil: throw StoreError("change \(sequence) has an unknown kind \(code)")
                }
                return LoggedChange(sequence: sequence, accountID: accountID, origin: origin, kind: kind)
            }
        } catch {
            throw failure("cannot read the changes of account \(accountID) after \(sequence)", error)
        }
    }

    /// Deletes the change-log entries older than `age`, keeping the last of each account (its
    /// sequence is where a follower that loads the account starts), and records how far each
    /// account's log was trimmed. Any instance may run it, at any time.
    ///
    /// - Returns: How many entries were deleted.
    @discardableResult
    public func trimChangeLog(olderThan age: Duration) async throws(StoreError) -> Int {
        let seconds = Int(age.components.seconds)
        do {
            return try await transaction { connection in
                let deleted = try await Self.rows(
                    """
                    WITH doomed AS (
                        DELETE FROM change_log c
                        WHERE c.created_at < now() - make_interval(secs => \(seconds))
                          AND c.sequence < (SELECT MAX(sequence) FROM change_log l WHERE l.account_id = c.account_id)
                        RETURNING account_id, sequence),
                    floors AS (
                        INSERT INTO change_log_floor (account_id, sequence)
                        SELECT account_id, MAX(sequence) FROM doomed GROUP BY account_id
                        ON CONFLICT (account_id) DO UPDATE
                            SET sequence = GREATEST(change_log_floor.sequence, excluded.sequence)
                        RETURNING 1)
                    SELECT (SELECT COUNT(*) FROM doomed), (SELECT COUNT(*) FROM floors)
                    """, on: connection, logger: self.logger
                ) { try $0.decode((Int, Int).self) }.first
                return deleted?.0 ?? 0
            }
        } catch {
            throw failure("cannot trim the change log", error)
        }
    }

    public func lastSequence(accountID: Int) async throws(StoreError) -> Int64 {
        do {
            return try await rows("SELECT MAX(sequence) FROM change_log WHERE account_id = \(accountID)") {
                try $0.decode(Int64?.self)
            }.first.flatMap { $0 } ?? 0
        } catch {
            throw failure("cannot read the last change of account \(accountID)", error)
        }
    }

    // MARK: Registrations

    public func registrations() async throws(StoreError) -> [AccountRegistration] {
        do {
            return try await rows(
                """
                SELECT account_id, subdomain, amocrm_url, api_token_hash, webhook_secret_hash, created_at
                FROM registration ORDER BY account_id
                """
            ) {
                let (id, subdomain, url, token, secret, createdAt) = try $0.decode(
                    (Int, String, String?, ByteBuffer, ByteBuffer, Int).self)
                return AccountRegistration(
                    accountID: id, subdomain: subdomain, amocrmURL: url, apiTokenHash: Array(token.readableBytesView),
                    webhookSecretHash: Array(secret.readableBytesView), createdAt: createdAt)
            }
        } catch {
            throw failure("cannot read the registrations", error)
        }
    }

    /// Inserts or replaces the registration of `registration.accountID`; a hash that another
    /// account's registration has is an error (each hash selects one account).
    public func register(_ registration: AccountRegistration) async throws(StoreError) {
        do {
            try await execute(
                """
                INSERT INTO registration (account_id, subdomain, amocrm_url, api_token_hash, webhook_secret_hash, created_at)
                VALUES (\(registration.accountID), \(registration.subdomain), \(registration.amocrmURL),
                    \(ByteBuffer(bytes: registration.apiTokenHash)), \(ByteBuffer(bytes: registration.webhookSecretHash)),
                    \(registration.createdAt))
                ON CONFLICT (account_id) DO UPDATE SET subdomain = excluded.subdomain, amocrm_url = excluded.amocrm_url,
                    api_token_hash = excluded.api_token_hash, webhook_secret_hash = excluded.webhook_secret_hash,
                    created_at = excluded.created_at
                """)
        } catch {
            throw failure("cannot register account \(registration.accountID)", error)
        }
    }

    public func serverSecret(named name: String, orMake make: @Sendable () -> [UInt8]) async throws(StoreError)
        -> [UInt8]
    {
        do {
            // The first instance's insert wins; a later one's does nothing, and every one reads the kept bytes.
            let made = ByteBuffer(bytes: make())
            try await execute(
                "INSERT INTO server_secret (name, value) VALUES (\(name), \(made)) ON CONFLICT (name) DO NOTHING")
            let kept = try await rows("SELECT value FROM server_secret WHERE name = \(name)") {
                try $0.decode(ByteBuffer.self)
            }
            guard let value = kept.first else { throw StoreError("the secret \"\(name)\" vanished after it was kept") }
            return Array(value.readableBytesView)
        } catch {
            throw failure("cannot read or keep the server secret \"\(name)\"", error)
        }
    }

    /// Removes the account's registration and rows in one transaction, and logs it (kind 3).
    public func removeAccount(accountID id: Int) async throws(StoreError) {
        do {
            let (logger, origin) = (logger, origin)
            try await transaction { connection in
                try await Self.lockAccount(id, on: connection, logger: logger)
                for table in ["registration", "sync_state"] + Self.accountTables {
                    try await connection.query(
                        "DELETE FROM \(unescaped: table) WHERE account_id = \(id)", logger: logger)
                }
                // What the log held of the account is moot: a follower only needs to know it is gone.
                try await connection.query("DELETE FROM change_log WHERE account_id = \(id)", logger: logger)
                _ = try await Self.log(.removed, accountID: id, origin: origin, on: connection, logger: logger)
            }
        } catch {
            throw failure("cannot remove account \(id)", error)
        }
    }
}
