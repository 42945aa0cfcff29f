import PostgresNIO
import ScreenPopStore
import ScreenPopSupport

extension PostgresAccountStore {
    /// The channel that relays calls between instances: `<account_id>:<origin>:<base64 payload>`,
    /// or `<account_id>:<origin>:#<call_relay id>` for a payload too large for a notification.
    public static let callsChannel = "screenpop_calls"

    /// A notification's payload must stay under PostgreSQL's 8,000 bytes.
    static let largestNotification = 7_500

    /// Tells every listening instance about a call to `accountID` (so that the one holding the
    /// agent's stream shows it). Not durable: a listener that is not connected misses it.
    public func publishCall(accountID: Int, payload: [UInt8]) async throws(StoreError) {
        do {
            let message = "\(accountID):\(origin):\(Base64.encode(payload))"
            if message.utf8.count < Self.largestNotification {
                try await execute("SELECT pg_notify(\(Self.callsChannel), \(message))")
                return
            }
            let (logger, origin) = (logger, origin)
            try await transaction { connection in
                // Now and then is every large call: they are rare, and the table stays small.
                try await connection.query(
                    "DELETE FROM call_relay WHERE created_at < now() - interval '10 minutes'", logger: logger)
                let id = try await Self.rows(
                    """
                    INSERT INTO call_relay (account_id, origin, payload)
                    VALUES (\(accountID), \(origin), \(ByteBuffer(bytes: payload))) RETURNING id
                    """, on: connection, logger: logger
                ) { try $0.decode(Int64.self) }.first!
                try await connection.query(
                    "SELECT pg_notify(\(Self.callsChannel), \("\(accountID):\(origin):#\(id)"))", logger: logger)
            }
        } catch {
            throw failure("cannot publish a call to account \(accountID)", error)
        }
    }

    /// The payload of a relayed call, nil when it is gone (older than ten minutes).
    func relayedCall(id: Int64) async throws(StoreError) -> [UInt8]? {
        do {
            return try await rows("SELECT payload FROM call_relay WHERE id = \(id)") {
                Array(try $0.decode(ByteBuffer.self).readableBytesView)
            }.first
        } catch {
            throw failure("cannot read relayed call \(id)", error)
        }
    }
}
