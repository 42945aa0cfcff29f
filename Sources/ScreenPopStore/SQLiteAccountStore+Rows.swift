import AccountIndex
import AmoCRM
import GRDB
import GRDBSQLite

/// Takes an account's rows one at a time, as ``SQLiteAccountStore/visit(accountID:suffixFallback:_:)``
/// reads them: the account first, then every contact and company (with its name and phones), lead
/// and customer, then the links. Contacts and companies come in id order; leads, customers and
/// links in no particular order. For work over a whole account that need not hold it whole (the
/// account audit): at a million contacts, ``AccountData`` with its details takes over a gigabyte.
public protocol AccountRowVisitor: Sendable {
    mutating func account(_ account: AccountObject, settings: AccountSettings)
    mutating func contact(_ contact: Contact, name: String)
    mutating func company(_ company: Company, name: String)
    mutating func lead(_ lead: Lead)
    mutating func customer(_ customer: Customer)
    /// Every entity has been visited; the links follow.
    mutating func entitiesComplete()
    mutating func link(_ link: AccountLink)
}

extension SQLiteAccountStore {
    /// Reads the account `accountID` (or the store's only account) row by row into `visitor`, in
    /// one read transaction: a consistent view while writers go on.
    ///
    /// - Returns: The visitor after the last row, or nil when the store holds no such account.
    /// - Throws: ``StoreError`` for a store that cannot be read, or that holds several accounts
    ///   and none was named.
    /// - Complexity: O(n) in the rows; memory is the visitor's.
    public func visit<Visitor: AccountRowVisitor>(
        accountID: Int?, suffixFallback: SuffixFallback = SuffixFallback(), _ visitor: Visitor
    ) async throws(StoreError) -> Visitor? {
        let id: Int
        if let accountID {
            id = accountID
        } else {
            let ids = try await accountIDs()
            guard ids.count <= 1 else {
                throw StoreError(
                    "\(path): the store holds \(ids.count) accounts (\(ids.map(String.init).joined(separator: ", "))); name one with --account-id"
                )
            }
            guard let only = ids.first else { return nil }
            id = only
        }
        do {
            return try await pool.read { db -> Visitor? in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM account WHERE account_id = ?", arguments: [id])
                else { return nil }
                var visitor = visitor
                let object = AccountObject(
                    id: id, name: row["name"], subdomain: row["subdomain"], country: row["country"],
                    customersMode: row["customers_mode"])
                let statuses = try Row.fetchAll(
                    db, sql: "SELECT id, name, type FROM customer_status WHERE account_id = ? ORDER BY rowid",
                    arguments: [id]
                ).map { CustomerStatus(id: $0["id"], name: $0["name"], type: $0["type"]) }
                visitor.account(
                    object, settings: object.settings(customerStatuses: statuses, suffixFallback: suffixFallback))
                try Self.visitEntities(accountID: id, db: db, &visitor)
                visitor.entitiesComplete()
                // In the table's order: the table holds each link once with the "at most one" links
                // resolved (LinkRow.normalized), so their order says nothing. `+account_id` keeps
                // SQLite from the primary key's index, whose order costs a seek per link (five times
                // slower on a million contacts).
                let links = try RawRows(
                    db, sql: "SELECT link_kind, a_id, b_id, is_main FROM link WHERE +account_id = ?", arguments: [id])
                while try links.next() {
                    let link = LinkRow(kind: links.int(0), a: links.int(1), b: links.int(2), isMain: links.int(3) != 0)
                    guard let value = link.link else { throw StoreError("unknown link kind \(link.kind)") }
                    visitor.link(value)
                }
                return visitor
            }
        } catch let error as StoreError {
            throw StoreError("\(path): \(error)")
        } catch {
            throw StoreError("\(path): cannot read account \(id): \(error)")
        }
    }

    /// Contacts and companies in the primary key's order, then leads and customers in the table's.
    ///
    /// The phones are a second cursor in the same order, merged here: a join would seek the phone
    /// table once per entity (more than twice slower).
    private static func visitEntities<Visitor: AccountRowVisitor>(
        accountID id: Int, db: Database, _ visitor: inout Visitor
    )
        throws
    {
        let parties = try RawRows(
            db,
            sql: """
                SELECT kind, id, name, created_at, is_deleted FROM entity
                WHERE account_id = ? AND kind IN (\(EntityKind.contact.rawValue), \(EntityKind.company.rawValue))
                ORDER BY kind, id
                """, arguments: [id])
        let phoneRows = try RawRows(
            db,
            sql: """
                SELECT kind, entity_id, value, enum_code FROM phone WHERE account_id = ?
                ORDER BY kind, entity_id, position
                """, arguments: [id])
        // The phone row ahead of the entities, read out of its statement.
        func nextPhone() throws -> (kind: Int, entity: Int, value: String, code: String)? {
            guard try phoneRows.next() else { return nil }
            return (phoneRows.int(0), phoneRows.int(1), phoneRows.text(2), phoneRows.text(3))
        }
        var phone = try nextPhone()
        var phones: [PhoneValue] = []
        while try parties.next() {
            let kind = parties.int(0)
            let entityID = parties.int(1)
            // Phones of entities that are not there are skipped, as a join skips them.
            while let ahead = phone, (ahead.kind, ahead.entity) < (kind, entityID) { phone = try nextPhone() }
            phones.removeAll(keepingCapacity: true)
            while let ahead = phone, ahead.kind == kind, ahead.entity == entityID {
                phones.append(PhoneValue(ahead.value, kind: PhoneValue.Kind(rawValue: ahead.code)))
                phone = try nextPhone()
            }
            let name = parties.text(2)
            let createdAt = parties.int(3)
            let isDeleted = parties.int(4) != 0
            switch EntityKind(rawValue: kind) {
            case .contact:
                visitor.contact(
                    Contact(id: entityID, createdAt: createdAt, isDeleted: isDeleted, phones: phones), name: name)
            case .company:
                visitor.company(
                    Company(id: entityID, createdAt: createdAt, isDeleted: isDeleted, phones: phones), name: name)
            default:
                throw StoreError("unknown entity kind \(kind)")
            }
        }
        // Leads and customers have no phones, and their names are not needed. In the table's order
        // (`+account_id`: no seek per row through the primary key's index), as the links.
        let others = try RawRows(
            db,
            sql: """
                SELECT kind, id, is_deleted, status_id FROM entity
                WHERE +account_id = ? AND kind IN (\(EntityKind.lead.rawValue), \(EntityKind.customer.rawValue))
                """, arguments: [id])
        while try others.next() {
            let kind = others.int(0)
            let entityID = others.int(1)
            let isDeleted = others.int(2) != 0
            let status = others.isNull(3) ? nil : others.int(3)
            switch EntityKind(rawValue: kind) {
            case .lead: visitor.lead(Lead(id: entityID, isDeleted: isDeleted, statusID: status ?? 0))
            case .customer: visitor.customer(Customer(id: entityID, isDeleted: isDeleted, statusID: status))
            default: throw StoreError("unknown entity kind \(kind)")
            }
        }
    }
}

/// A statement stepped with SQLite's own calls, for the millions of rows of a whole account:
/// GRDB's `Row` costs a retain and a release per column read (a tenth of the audit's time).
/// Integer columns are read as integers (0 for NULL), text as UTF-8.
private struct RawRows {
    let statement: Statement

    init(_ db: Database, sql: String, arguments: StatementArguments) throws {
        statement = try db.makeStatement(sql: sql)
        try statement.setArguments(arguments)
    }

    /// Steps to the next row: false after the last.
    func next() throws -> Bool {
        let code = sqlite3_step(statement.sqliteStatement)
        if code == SQLITE_ROW { return true }
        if code == SQLITE_DONE { return false }
        let message = sqlite3_errmsg(sqlite3_db_handle(statement.sqliteStatement)).map { String(cString: $0) }
        throw StoreError("SQLite error \(code): \(message ?? "unknown") (\(statement.sql))")
    }

    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(statement.sqliteStatement, column)) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement.sqliteStatement, column) == SQLITE_NULL }

    func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(statement.sqliteStatement, column) else { return "" }
        let count = Int(sqlite3_column_bytes(statement.sqliteStatement, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
}
