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
                for table in Self.accountTables {
                    try await connection.query(
                        "DELETE FROM \(unescaped: table) WHERE account_id = \(id)", logger: logger)
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
                ) { rows in
                    for link in LinkRow.normalized(stored.data.links) {
                        rows.field(id)
                        rows.field(link.kind)
                        rows.field(link.a)
                        rows.field(link.b)
                        rows.field(link.isMain)
                        rows.endRow()
                    }
                }
                try await Self.copy(
                    into: "user", columns: ["account_id", "id", "name", "email", "position"], on: connection,
                    logger: logger
                ) { rows in
                    for (position, user) in stored.users.enumerated() {
                        rows.field(id)
                        rows.field(user.id)
                        rows.field(user.name)
                        rows.field(user.email)
                        rows.field(position)
                        rows.endRow()
                    }
                }
                try await Self.copy(
                    into: "customer_status", columns: ["account_id", "id", "name", "type", "position"],
                    on: connection, logger: logger
                ) { rows in
                    for (position, status) in stored.customerStatuses.enumerated() {
                        rows.field(id)
                        rows.field(status.id)
                        rows.field(status.name)
                        rows.field(status.type)
                        rows.field(position)
                        rows.endRow()
                    }
                }
                let pipelines = LeadPipeline.normalized(stored.pipelines)
                try await Self.copy(
                    into: "lead_pipeline", columns: ["account_id", "id", "name", "position"], on: connection,
                    logger: logger
                ) { rows in
                    for (position, pipeline) in pipelines.enumerated() {
                        rows.field(id)
                        rows.field(pipeline.id)
                        rows.field(pipeline.name)
                        rows.field(position)
                        rows.endRow()
                    }
                }
                try await Self.copy(
                    into: "lead_status", columns: ["account_id", "pipeline_id", "id", "name", "position"],
                    on: connection, logger: logger
                ) { rows in
                    for pipeline in pipelines {
                        for (position, status) in pipeline.statuses.enumerated() {
                            rows.field(id)
                            rows.field(pipeline.id)
                            rows.field(status.id)
                            rows.field(status.name)
                            rows.field(position)
                            rows.endRow()
                        }
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
        /// The row of one entity, as SQLite's insert writes it.
        func entity(
            _ rows: inout CopyRows, _ kind: EntityKind, _ position: Int, _ entityID: Int, _ detail: EntityDetails?,
            createdAt: Int?, isDeleted: Bool, statusID: Int?
        ) {
            let detail = detail ?? EntityDetails(createdAt: createdAt ?? 0)
            rows.field(id)
            rows.field(kind.elementType)
            rows.field(entityID)
            rows.field(position)
            rows.field(detail.name)
            rows.field(createdAt ?? detail.createdAt)
            rows.field(detail.updatedAt)
            rows.field(isDeleted)
            rows.field(detail.responsibleUserID)
            rows.field(detail.pipelineID)
            rows.field(statusID)
            rows.field(0)
            rows.field(detail.price)
            rows.endRow()
        }
        try await copy(
            into: "entity",
            columns: [
                "account_id", "kind", "id", "position", "name", "created_at", "updated_at", "is_deleted",
                "responsible_user_id", "pipeline_id", "status_id", "seen_run", "price",
            ], on: connection, logger: logger
        ) { rows in
            for (i, value) in data.contacts.enumerated() {
                entity(
                    &rows, .contact, i, value.id, details.contacts.element(i), createdAt: value.createdAt,
                    isDeleted: value.isDeleted, statusID: nil)
            }
            for (i, value) in data.companies.enumerated() {
                entity(
                    &rows, .company, i, value.id, details.companies.element(i), createdAt: value.createdAt,
                    isDeleted: value.isDeleted, statusID: nil)
            }
            for (i, value) in data.leads.enumerated() {
                entity(
                    &rows, .lead, i, value.id, details.leads.element(i), createdAt: nil, isDeleted: value.isDeleted,
                    statusID: value.statusID)
            }
            for (i, value) in data.customers.enumerated() {
                entity(
                    &rows, .customer, i, value.id, details.customers.element(i), createdAt: nil,
                    isDeleted: value.isDeleted, statusID: value.statusID)
            }
        }
        try await copy(
            into: "phone", columns: ["account_id", "kind", "entity_id", "position", "value", "enum_code"],
            on: connection, logger: logger
        ) { rows in
            for (kind, parties) in [
                (EntityKind.contact, data.contacts.map { ($0.id, $0.phones) }),
                (.company, data.companies.map { ($0.id, $0.phones) }),
            ] {
                for (entityID, phones) in parties {
                    for (position, phone) in phones.enumerated() {
                        rows.field(id)
                        rows.field(kind.elementType)
                        rows.field(entityID)
                        rows.field(position)
                        rows.field(phone.value)
                        rows.field(phone.kind.rawValue)
                        rows.endRow()
                    }
                }
            }
        }
    }

    /// Streams the rows that `produce` writes into `table` with `COPY ... FROM STDIN` (text format).
    static func copy(
        into table: String, columns: [String], on connection: PostgresConnection, logger: Logger,
        _ produce: (inout CopyRows) -> Void
    ) async throws {
        var rows = CopyRows()
        produce(&rows)
        let chunks = rows.finish()
        guard !chunks.isEmpty else { return }
        try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
            for chunk in chunks { try await writer.write(chunk) }
        }
    }
}

/// Rows in COPY's text format (tab-separated, `\N` for null, backslash escapes), a megabyte a chunk.
struct CopyRows {
    private var chunks: [ByteBuffer] = []
    private var buffer = ByteBuffer()
    private var atRowStart = true

    init() { buffer.reserveCapacity(Self.chunkSize + 4096) }

    static let chunkSize = 1 << 20

    private mutating func separate() {
        if atRowStart {
            atRowStart = false
        } else {
            buffer.writeInteger(UInt8(ascii: "\t"))
        }
    }

    mutating func field(_ value: Int) {
        separate()
        // Digits without a String: this runs for every number of a million-contact import.
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes, enough for 20 digits
        var count = 0
        withUnsafeMutableBytes(of: &digits) { bytes in
            repeat {
                bytes[23 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            if value < 0 { buffer.writeInteger(UInt8(ascii: "-")) }
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[(24 - count)...]))
        }
    }

    mutating func field(_ value: Int?) {
        if let value { field(value) } else { null() }
    }

    mutating func field(_ value: Bool) {
        separate()
        buffer.writeInteger(value ? UInt8(ascii: "t") : UInt8(ascii: "f"))
    }

    mutating func field(_ value: String?) {
        guard var text = value else { return null() }
        separate()
        text.withUTF8 { utf8 in
            if !utf8.contains(where: Self.needsEscaping) {
                buffer.writeBytes(utf8)
                return
            }
            for byte in utf8 {
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

    private static func needsEscaping(_ byte: UInt8) -> Bool {
        byte == 0x5C || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    mutating func null() {
        separate()
        buffer.writeStaticString("\\N")
    }

    mutating func endRow() {
        buffer.writeInteger(UInt8(ascii: "\n"))
        atRowStart = true
        if buffer.readableBytes >= Self.chunkSize {
            chunks.append(buffer)
            buffer = ByteBuffer()
            buffer.reserveCapacity(Self.chunkSize + 4096)
        }
    }

    /// The chunks, the last one too.
    consuming func finish() -> [ByteBuffer] {
        if buffer.readableBytes > 0 { chunks.append(buffer) }
        return chunks
    }
}

extension Array {
    /// The element at `index`, nil past the end.
    func element(_ index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
