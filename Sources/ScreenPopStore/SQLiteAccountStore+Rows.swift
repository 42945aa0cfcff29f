import AccountIndex
import AmoCRM
import GRDB

/// Takes an account's rows one at a time, as ``SQLiteAccountStore/visit(accountID:suffixFallback:_:)``
/// reads them: the account first, then every contact and company (with its name and phones), lead
/// and customer, then the links. For work over a whole account that need not hold it whole (the
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
                // In the primary key's order, which needs no sort: the table holds each link once with
                // the "at most one" links resolved (LinkRow.normalized), so their order says nothing.
                let links = try Row.fetchCursor(
                    db, sql: "SELECT link_kind, a_id, b_id, is_main FROM link WHERE account_id = ?", arguments: [id])
                while let row = try links.next() {
                    let link = LinkRow(kind: row[0], a: row[1], b: row[2], isMain: row[3])
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

    /// Contacts and companies with their phones in one pass (the join walks both tables' primary
    /// keys in order), then leads and customers, which have no phones.
    private static func visitEntities<Visitor: AccountRowVisitor>(
        accountID id: Int, db: Database, _ visitor: inout Visitor
    )
        throws
    {
        for kinds in [
            "\(EntityKind.contact.rawValue), \(EntityKind.company.rawValue)",
            "\(EntityKind.lead.rawValue), \(EntityKind.customer.rawValue)",
        ] {
            let withPhones = kinds.hasPrefix("\(EntityKind.contact.rawValue)")
            let sql =
                withPhones
                ? """
                SELECT e.kind, e.id, e.name, e.created_at, e.is_deleted, e.status_id, p.value, p.enum_code
                FROM entity e LEFT JOIN phone p ON p.account_id = e.account_id AND p.kind = e.kind AND p.entity_id = e.id
                WHERE e.account_id = ? AND e.kind IN (\(kinds)) ORDER BY e.kind, e.id, p.position
                """
                : """
                SELECT kind, id, name, created_at, is_deleted, status_id, NULL, NULL
                FROM entity WHERE account_id = ? AND kind IN (\(kinds)) ORDER BY kind, id
                """
            try visitEntities(Row.fetchCursor(db, sql: sql, arguments: [id]), &visitor)
        }
    }

    private static func visitEntities<Visitor: AccountRowVisitor>(_ rows: RowCursor, _ visitor: inout Visitor) throws {
        var current: (kind: Int, id: Int, name: String, createdAt: Int, isDeleted: Bool, status: Int?)? = nil
        var phones: [PhoneValue] = []
        func flush(_ visitor: inout Visitor) throws {
            guard let entity = current else { return }
            switch EntityKind(rawValue: entity.kind) {
            case .contact:
                visitor.contact(
                    Contact(id: entity.id, createdAt: entity.createdAt, isDeleted: entity.isDeleted, phones: phones),
                    name: entity.name)
            case .company:
                visitor.company(
                    Company(id: entity.id, createdAt: entity.createdAt, isDeleted: entity.isDeleted, phones: phones),
                    name: entity.name)
            case .lead:
                visitor.lead(Lead(id: entity.id, isDeleted: entity.isDeleted, statusID: entity.status ?? 0))
            case .customer:
                visitor.customer(Customer(id: entity.id, isDeleted: entity.isDeleted, statusID: entity.status))
            case nil:
                throw StoreError("unknown entity kind \(entity.kind)")
            }
            phones.removeAll(keepingCapacity: true)
        }
        while let row = try rows.next() {
            let kind: Int = row[0]
            let entityID: Int = row[1]
            if current?.kind != kind || current?.id != entityID {
                try flush(&visitor)
                let name: String = row[2]
                let createdAt: Int = row[3]
                let isDeleted: Bool = row[4]
                let status: Int? = row[5]
                current = (kind, entityID, name, createdAt, isDeleted, status)
            }
            let value: String? = row[6]
            if let value {
                let code: String = row[7]
                phones.append(PhoneValue(value, kind: PhoneValue.Kind(rawValue: code)))
            }
        }
        try flush(&visitor)
    }
}
