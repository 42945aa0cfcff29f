import AccountIndex
import AmoCRM
import Logging
import PostgresNIO
import ScreenPopStore

extension PostgresAccountStore {
    /// Replaces everything stored for the account in one transaction, the rows streamed with
    /// `COPY ... FROM STDIN`; logs a `replaced` entry (followers load the account again) and
    /// notifies. The sync state and the registration stay.
    public func replace(with stored: StoredAccount) async throws(StoreError) {
        do {
            let (logger, origin) = (logger, origin)
            try await transaction { connection in
                let id = stored.accountID
                try await Self.lockAccount(id, on: connection, logger: logger)
                for table in ["account", "entity", "phone", "link", #""user""#, "customer_status"] {
                    try await connection.query("DELETE FROM \(unescaped: table) WHERE account_id = \(id)", logger: logger)
                }
                let object = stored.account
                try await connection.query(
                    """
                    INSERT INTO account (account_id, name, subdomain, country, customers_mode)
                    VALUES (\(id), \(object.name), \(object.subdomain), \(object.country), \(object.customersMode))
                    """, logger: logger)
                try await Self.copyEntities(of: stored, on: connection, logger: logger)
                try await Self.copy(
                    into: "link", columns: ["account_id", "link_kind", "a_id", "b_id", "is_main"], on: connection,
                    logger: logger
                ) { row in
                    for link in LinkRow.normalized(stored.data.links) {
                        row([.int(id), .int(link.kind), .int(link.a), .int(link.b), .bool(link.isMain)])
                    }
                }
                try await Self.copy(
                    into: "user", columns: ["account_id", "id", "name", "email", "position"], on: connection,
                    logger: logger
                ) { row in
                    for (position, user) in stored.users.enumerated() {
                        row([.int(id), .int(user.id), .text(user.name), .text(user.email), .int(position)])
                    }
                }
                try await Self.copy(
                    into: "customer_status", columns: ["account_id", "id", "name", "type", "position"],
                    on: connection, logger: logger
                ) { row in
                    for (position, status) in stored.customerStatuses.enumerated() {
                        row([.int(id), .int(status.id), .text(status.name), .int(status.type), .int(position)])
                    }
                }
                // Followers reload the account: what the log held before is moot.
                try await connection.query("DELETE FROM change_log WHERE account_id = \(id)", logger: logger)
                _ = try await Self.log(.replaced, accountID: id, origin: origin, on: connection, logger: logger)
            }
        } catch {
            throw failure("cannot write account \(stored.accountID)", error)
        }
    }

    private static func copyEntities(
        of stored: StoredAccount, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let id = stored.accountID
        let data = stored.data
        let details = stored.details
        /// Rows of one entity, as SQLite's insert writes them.
        func entity(
            _ row: ([CopyValue]) -> Void, _ kind: EntityKind, _ position: Int, _ entityID: Int, _ detail: EntityDetails?,
            createdAt: Int?, isDeleted: Bool, statusID: Int?
        ) {
            let detail = detail ?? EntityDetails(createdAt: createdAt ?? 0)
            row([
                .int(id), .int(kind.elementType), .int(entityID), .int(position), .text(detail.name),
                .int(createdAt ?? detail.createdAt), .int(detail.updatedAt), .bool(isDeleted),
                .int(detail.responsibleUserID), .int(detail.pipelineID), .int(statusID), .int(0),
            ])
        }
        try await copy(
            into: "entity",
            columns: [
                "account_id", "kind", "id", "position", "name", "created_at", "updated_at", "is_deleted",
                "responsible_user_id", "pipeline_id", "status_id", "seen_run",
            ], on: connection, logger: logger
        ) { row in
            for (i, value) in data.contacts.enumerated() {
                entity(
                    row, .contact, i, value.id, details.contacts.element(i), createdAt: value.createdAt,
                    isDeleted: value.isDeleted, statusID: nil)
            }
            for (i, value) in data.companies.enumerated() {
                entity(
                    row, .company, i, value.id, details.companies.element(i), createdAt: value.createdAt,
                    isDeleted: value.isDeleted, statusID: nil)
            }
            for (i, value) in data.leads.enumerated() {
                entity(
                    row, .lead, i, value.id, details.leads.element(i), createdAt: nil, isDeleted: value.isDeleted,
                    statusID: value.statusID)
            }
            for (i, value) in data.customers.enumerated() {
                entity(
                    row, .customer, i, value.id, details.customers.element(i), createdAt: nil,
                    isDeleted: value.isDeleted, statusID: value.statusID)
            }
        }
        try await copy(
            into: "phone", columns: ["account_id", "kind", "entity_id", "position", "value", "enum_code"],
            on: connection, logger: logger
        ) { row in
            for (kind, parties) in [(EntityKind.contact, data.contacts.map { ($0.id, $0.phones) }),
                                    (.company, data.companies.map { ($0.id, $0.phones) })] {
                for (entityID, phones) in parties {
                    for (position, phone) in phones.enumerated() {
                        row([
                            .int(id), .int(kind.elementType), .int(entityID), .int(position), .text(phone.value),
                            .text(phone.kind.rawValue),
                        ])
                    }
                }
            }
        }
    }

    /// One field of a COPY row.
    enum CopyValue {
        case int(Int?)
        case text(String?)
        case bool(Bool)
    }

    /// Streams the rows that `produce` makes into `table` with `COPY ... FROM STDIN` (text format),
    /// a megabyte at a time.
    static func copy(
        into table: String, columns: [String], on connection: PostgresConnection, logger: Logger,
        _ produce: (_ row: ([CopyValue]) -> Void) -> Void
    ) async throws {
        var chunks: [ByteBuffer] = []
        var buffer = ByteBuffer()
        buffer.reserveCapacity(1 << 20)
        produce { values in
            for (index, value) in values.enumerated() {
                if index > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
                switch value {
                case .int(let number?): buffer.writeString(String(number))
                case .bool(let flag): buffer.writeInteger(flag ? UInt8(ascii: "t") : UInt8(ascii: "f"))
                case .text(let text?): appendEscaped(text, to: &buffer)
                case .int(nil), .text(nil): buffer.writeStaticString("\\N")
                }
            }
            buffer.writeInteger(UInt8(ascii: "\n"))
            if buffer.readableBytes >= 1 << 20 {
                chunks.append(buffer)
                buffer = ByteBuffer()
                buffer.reserveCapacity(1 << 20)
            }
        }
        if buffer.readableBytes > 0 { chunks.append(buffer) }
        guard !chunks.isEmpty else { return }
        try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
            for chunk in chunks { try await writer.write(chunk) }
        }
    }

    /// COPY's text format: backslash, tab, newline and carriage return escaped.
    private static func appendEscaped(_ text: String, to buffer: inout ByteBuffer) {
        var needsEscaping = false
        for byte in text.utf8 where byte == 0x5C || byte == 0x09 || byte == 0x0A || byte == 0x0D {
            needsEscaping = true
            break
        }
        guard needsEscaping else {
            buffer.writeString(text)
            return
        }
        for byte in text.utf8 {
            switch byte {
            case 0x5C: buffer.writeStaticString("\\\\")
            case 0x09: buffer.writeStaticString("\\t")
            case 0x0A: buffer.writeStaticString("\\n")
            case 0x0D: buffer.writeStaticString("\\r")
            default: buffer.writeInteger(byte)
            }
        }
    }
}

extension Array {
    /// The element at `index`, nil past the end.
    func element(_ index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
