import Logging
import PostgresNIO
import ScreenPopStore

/// One instance's turn at a task for an account (polling amoCRM, say): a session-level advisory
/// lock held on a connection of its own.
///
/// When the process dies or its connection drops, the server releases the lock, and another
/// instance's ``PostgresAccountStore/tryLeadership(accountID:purpose:)`` gets it.
public final class Leadership: Sendable {
    public let accountID: Int
    public let purpose: Int32
    /// The server process holding the lock.
    public let backendPID: Int32
    let connection: PostgresConnection
    let logger: Logger

    init(accountID: Int, purpose: Int32, backendPID: Int32, connection: PostgresConnection, logger: Logger) {
        self.accountID = accountID
        self.purpose = purpose
        self.backendPID = backendPID
        self.connection = connection
        self.logger = logger
    }

    /// Whether the lock is still held: its connection is open and answers (a dropped connection's
    /// lock is gone: the server released it).
    public var isHeld: Bool {
        get async {
            guard !connection.isClosed else { return false }
            return (try? await connection.query("SELECT 1", logger: logger)) != nil
        }
    }

    /// Releases the lock and closes its connection.
    public func release() async {
        // (postgres-nio never answers a query sent on a closed connection.)
        guard !connection.isClosed else { return }
        _ = try? await connection.query(
            "SELECT pg_advisory_unlock(\(purpose), \(Int32(truncatingIfNeeded: accountID)))", logger: logger)
        await connection.closeAndSettle()
    }
}

extension PostgresAccountStore {
    /// Takes the lock of (`purpose`, `accountID`) if no one holds it.
    ///
    /// The key is PostgreSQL's two-integer advisory key (`purpose`, the account id's low 32 bits),
    /// apart from the store's own one-integer keys.
    ///
    /// - Returns: The leadership, nil when another session holds it.
    public func tryLeadership(accountID: Int, purpose: Int32) async throws(StoreError) -> Leadership? {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: connectionConfiguration, id: Int.random(in: 1...Int(Int32.max)), logger: logger)
        } catch {
            throw failure("cannot connect for the leadership of account \(accountID)", error)
        }
        do {
            let key = Int32(truncatingIfNeeded: accountID)
            let row = try await Self.rows(
                "SELECT pg_try_advisory_lock(\(purpose), \(key)), pg_backend_pid()", on: connection, logger: logger
            ) { try $0.decode((Bool, Int32).self) }.first
            guard let row, row.0 else {
                await connection.closeAndSettle()
                return nil
            }
            return Leadership(
                accountID: accountID, purpose: purpose, backendPID: row.1, connection: connection, logger: logger)
        } catch {
            await connection.closeAndSettle()
            throw failure("cannot take the leadership of account \(accountID)", error)
        }
    }
}
