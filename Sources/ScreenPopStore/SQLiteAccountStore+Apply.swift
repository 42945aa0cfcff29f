import AccountIndex
import AmoCRM
import GRDB

extension SQLiteAccountStore {
    public func apply(_ batch: StoreBatch, accountID: Int) throws(StoreError) -> StoreChanges {
        try apply([batch], accountID: accountID)
    }

    /// Writes several batches in one transaction (a group commit), in order, as if one after the
    /// other.
    public func apply(_ batches: [StoreBatch], accountID: Int) throws(StoreError) -> StoreChanges {
        do {
            return try pool.write { db in
                var merge = try Merge(db: db, accountID: accountID)
                for batch in batches { try merge.apply(batch) }
                return try merge.finish()
            }
        } catch let error as StoreError {
            throw StoreError("\(path): \(error)")
        } catch {
            throw StoreError("\(path): cannot write changes to account \(accountID): \(error)")
        }
    }

    public func unseenIDs(accountID: Int, kind: EntityKind, run: Int, updatedBefore: Int) throws(StoreError) -> [Int] {
        do {
            return try pool.read { db in
                try Int.fetchAll(
                    db,
                    sql: """
                        SELECT id FROM entity WHERE account_id = ? AND kind = ? AND is_deleted = 0 AND seen_run != ?
                        AND updated_at < ? ORDER BY id
                        """,
                    arguments: [accountID, kind.elementType, run, updatedBefore])
            }
        } catch {
            throw StoreError("\(path): cannot read the unseen entities of account \(accountID): \(error)")
        }
    }

    public func entityCounts(accountID: Int) throws(StoreError) -> [EntityKind: Int] {
        do {
            return try pool.read { db in
                var counts: [EntityKind: Int] = [:]
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT kind, COUNT(*) FROM entity WHERE account_id = ? AND is_deleted = 0 GROUP BY kind",
                    arguments: [accountID])
                while let row = try rows.next() {
                    if let kind = EntityKind(rawValue: row[0]) { counts[kind] = row[1] }
                }
                return counts
            }
        } catch {
            throw StoreError("\(path): cannot count the entities of account \(accountID): \(error)")
        }
    }

    public func syncState(accountID: Int) throws(StoreError) -> [String: String] {
        do {
            return try pool.read { db in
                var state: [String: String] = [:]
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT key, value FROM sync_state WHERE account_id = ?", arguments: [accountID])
                while let row = try rows.next() { state[row[0]] = row[1] }
                return state
            }
        } catch {
            throw StoreError("\(path): cannot read the sync state of account \(accountID): \(error)")
        }
    }
}

/// One transaction's merge of ``EntityUpdate``s into the tables, and the record of what changed.
private struct Merge {
    let db: Database
    let accountID: Int
    var changes = StoreChanges()
    /// Where each changed entity is in `changes.entities`.
    var changedAt: [EntityRef: Int] = [:]
    /// Each link pair touched: whether it was there before the transaction, and with which flag.
    var linksBefore: [LinkRow.Pair: Bool?] = [:]
    var nextPosition: [EntityKind: Int] = [:]

    let selectEntity: Statement
    let upsertEntity: Statement
    let markSeen: Statement
    let selectPhones: Statement
    let deletePhones: Statement
    let insertPhone: Statement

    init(db: Database, accountID: Int) throws {
        self.db = db
        self.accountID = accountID
        selectEntity = try db.makeStatement(
            sql: """
                SELECT name, created_at, updated_at, is_deleted, responsible_user_id, pipeline_id, status_id
                FROM entity WHERE account_id = ? AND kind = ? AND id = ?
                """)
        upsertEntity = try db.makeStatement(
            sql: """
                INSERT INTO entity VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (account_id, kind, id) DO UPDATE SET name = excluded.name,
                    created_at = excluded.created_at, updated_at = excluded.updated_at,
                    is_deleted = excluded.is_deleted, responsible_user_id = excluded.responsible_user_id,
                    pipeline_id = excluded.pipeline_id, status_id = excluded.status_id,
                    seen_run = MAX(seen_run, excluded.seen_run)
                """)
        markSeen = try db.makeStatement(
            sql: "UPDATE entity SET seen_run = ? WHERE account_id = ? AND kind = ? AND id = ? AND seen_run < ?")
        selectPhones = try db.makeStatement(
            sql: "SELECT value, enum_code FROM phone WHERE account_id = ? AND kind = ? AND entity_id = ? ORDER BY position")
        deletePhones = try db.makeStatement(
            sql: "DELETE FROM phone WHERE account_id = ? AND kind = ? AND entity_id = ?")
        insertPhone = try db.makeStatement(sql: "INSERT INTO phone VALUES (?, ?, ?, ?, ?, ?)")
    }

    // MARK: Batches

    mutating func apply(_ batch: StoreBatch) throws {
        if let account = batch.account { try write(account) }
        if let users = batch.users { try write(users) }
        if let statuses = batch.customerStatuses { try write(statuses) }
        for update in batch.updates { try apply(update, run: batch.listingRun) }
        let setState = try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO sync_state VALUES (?, ?, ?)")
        for (key, value) in batch.syncState.sorted(by: { $0.key < $1.key }) {
            try setState.execute(arguments: [accountID, key, value])
        }
    }

    private mutating func write(_ account: AccountObject) throws {
        let old = try Row.fetchOne(
            db, sql: "SELECT name, subdomain, country, customers_mode FROM account WHERE account_id = ?",
            arguments: [accountID])
        let same =
            old.map {
                ($0[0] as String?) == account.name && ($0[1] as String?) == account.subdomain
                    && ($0[2] as String?) == account.country && ($0[3] as String) == account.customersMode
            } ?? false
        guard !same else { return }
        try db.execute(
            sql: "INSERT OR REPLACE INTO account VALUES (?, ?, ?, ?, ?)",
            arguments: [accountID, account.name, account.subdomain, account.country, account.customersMode])
        changes.accountChanged = true
    }

    private mutating func write(_ users: [AccountUser]) throws {
        let old = try Row.fetchAll(
            db, sql: "SELECT id, name, email FROM user WHERE account_id = ? ORDER BY rowid", arguments: [accountID]
        ).map { AccountUser(id: $0[0], name: $0[1], email: $0[2]) }
        guard old != users else { return }
        try db.execute(sql: "DELETE FROM user WHERE account_id = ?", arguments: [accountID])
        let insert = try db.makeStatement(sql: "INSERT OR REPLACE INTO user VALUES (?, ?, ?, ?)")
        for user in users { try insert.execute(arguments: [accountID, user.id, user.name, user.email]) }
        changes.usersChanged = true
    }

    private mutating func write(_ statuses: [CustomerStatus]) throws {
        let old = try Row.fetchAll(
            db, sql: "SELECT id, name, type FROM customer_status WHERE account_id = ? ORDER BY rowid",
            arguments: [accountID]
        ).map { CustomerStatus(id: $0[0], name: $0[1], type: $0[2]) }
        guard old != statuses else { return }
        try db.execute(sql: "DELETE FROM customer_status WHERE account_id = ?", arguments: [accountID])
        let insert = try db.makeStatement(sql: "INSERT OR REPLACE INTO customer_status VALUES (?, ?, ?, ?)")
        for status in statuses { try insert.execute(arguments: [accountID, status.id, status.name, status.type]) }
        changes.customerStatusesChanged = true
    }

    // MARK: Entities

    private mutating func apply(_ update: EntityUpdate, run: Int?) throws {
        let ref = update.entity
        guard ref.id > 0 else { throw StoreError("\(ref): an id must be positive") }
        let kind = ref.kind.elementType
        let old = try Row.fetchOne(selectEntity, arguments: [accountID, kind, ref.id])
        let oldUpdatedAt: Int? = old?[2]
        if let oldUpdatedAt, let updatedAt = update.updatedAt, updatedAt < oldUpdatedAt {
            changes.staleCount += 1
            // Still listed by amoCRM: seen by the run, though older than what is stored.
            if let run, update.isComplete {
                try markSeen.execute(arguments: [run, accountID, kind, ref.id, run])
            }
            return
        }
        let complete = update.isComplete
        let isParty = ref.kind == .contact || ref.kind == .company
        var details = EntityDetails(
            name: old?[0] ?? "", createdAt: old?[1] ?? 0, updatedAt: oldUpdatedAt ?? 0,
            responsibleUserID: old?[4], pipelineID: old?[5])
        var statusID: Int? = old?[6]
        let oldDetails = details
        let oldStatusID = statusID
        let oldDeleted: Bool = old?[3] ?? false
        if complete || update.name != nil { details.name = update.name ?? "" }
        if let createdAt = update.createdAt {
            details.createdAt = createdAt
        } else if old == nil {
            details.createdAt = update.updatedAt ?? 0
        }
        details.updatedAt = max(details.updatedAt, update.updatedAt ?? details.updatedAt)
        if complete || update.responsibleUserID != nil { details.responsibleUserID = update.responsibleUserID }
        if ref.kind == .lead && (complete || update.pipelineID != nil) { details.pipelineID = update.pipelineID }
        if ref.kind == .lead || ref.kind == .customer, complete || update.statusID != nil {
            statusID = update.statusID
        }
        if ref.kind == .lead && statusID == nil { statusID = 0 }

        var phones: [PhoneValue] = []
        var phonesChanged = false
        if isParty {
            let oldPhones = old == nil ? [] : try readPhones(ref)
            if let new = update.phones ?? (complete ? [] : nil), new != oldPhones {
                phones = new
                phonesChanged = true
                try deletePhones.execute(arguments: [accountID, kind, ref.id])
                for (position, value) in new.enumerated() {
                    try insertPhone.execute(arguments: [accountID, kind, ref.id, position, value.value, value.kind.rawValue])
                }
            } else {
                phones = oldPhones
            }
        }
        let rowChanged = old == nil || oldDeleted != update.isDeleted || details != oldDetails || statusID != oldStatusID
        if rowChanged {
            let position = try self.position(for: ref, exists: old != nil)
            try upsertEntity.execute(arguments: [
                accountID, kind, ref.id, position, details.name, details.createdAt, details.updatedAt, update.isDeleted,
                details.responsibleUserID, details.pipelineID, statusID, complete ? (run ?? 0) : 0,
            ])
        } else if let run, complete {
            try markSeen.execute(arguments: [run, accountID, kind, ref.id, run])
        }
        if old == nil { changes.created.insert(ref) }

        var linksChanged = false
        let keys = complete ? EmbeddedLinks.keys(of: ref.kind) : Array(update.links.keys)
        for key in keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            if try replaceLinks(of: ref, key: key, with: update.links[key] ?? []) { linksChanged = true }
        }
        if rowChanged || phonesChanged {
            let entity = StoredEntity(
                ref: ref, isDeleted: update.isDeleted, statusID: statusID, phones: phones, details: details)
            if let at = changedAt[ref] {
                changes.entities[at] = entity
            } else {
                changedAt[ref] = changes.entities.count
                changes.entities.append(entity)
            }
        } else if !linksChanged {
            changes.unchangedCount += 1
        }
    }

    private func readPhones(_ ref: EntityRef) throws -> [PhoneValue] {
        try Row.fetchAll(selectPhones, arguments: [accountID, ref.kind.elementType, ref.id]).map {
            PhoneValue($0[0], kind: PhoneValue.Kind(rawValue: $0[1]))
        }
    }

    /// An existing entity keeps its place; a new one goes after the last of its kind.
    private mutating func position(for ref: EntityRef, exists: Bool) throws -> Int {
        if exists {
            return try Int.fetchOne(
                db, sql: "SELECT position FROM entity WHERE account_id = ? AND kind = ? AND id = ?",
                arguments: [accountID, ref.kind.elementType, ref.id]) ?? 0
        }
        let next: Int
        if let cached = nextPosition[ref.kind] {
            next = cached
        } else {
            next =
                try Int.fetchOne(
                    db, sql: "SELECT MAX(position) + 1 FROM entity WHERE account_id = ? AND kind = ?",
                    arguments: [accountID, ref.kind.elementType]) ?? 0
        }
        nextPosition[ref.kind] = next + 1
        return next
    }

    // MARK: Links

    /// Makes `owner`'s links under `key` exactly `entries`; true when a row changed.
    private mutating func replaceLinks(of owner: EntityRef, key: EmbeddedLinks.Key, with entries: [EmbeddedLinks.Entry])
        throws -> Bool
    {
        guard let probe = EmbeddedLinks.link(owner: owner, key: key, id: 1) else { return false }
        let kind = LinkRow(probe).kind
        let ownerColumn = LinkRow.ownerColumn(owner.kind, kind: kind)
        let otherColumn = ownerColumn == "a_id" ? "b_id" : "a_id"
        // What the owner lists, as rows; for an "at most one" end held by the owner, the last entry.
        var wanted: [Int: Bool] = [:]
        var order: [Int] = []
        let ownerIsSingle = LinkRow.singleEnd(ofKind: kind).map { ($0 == .a) == (ownerColumn == "a_id") } ?? false
        var mainID: Int?
        for entry in entries {
            if wanted[entry.id] == nil { order.append(entry.id) }
            wanted[entry.id] = (wanted[entry.id] ?? false) || entry.isMain
            if entry.isMain { mainID = entry.id }
        }
        if ownerIsSingle, let last = order.last {
            order = [last]
            wanted = [last: wanted[last]!]
        }
        // Only a lead's own list says which contact is main; a contact's list of leads keeps the flags.
        let ownerSetsMain = kind == 1 && owner.kind == .lead
        if ownerSetsMain {
            for id in order { wanted[id] = id == mainID }
        }
        var current: [Int: Bool] = [:]
        let rows = try Row.fetchCursor(
            db,
            sql: "SELECT \(otherColumn), is_main FROM link WHERE account_id = ? AND link_kind = ? AND \(ownerColumn) = ?",
            arguments: [accountID, kind, owner.id])
        while let row = try rows.next() { current[row[0]] = row[1] }
        var changed = false
        func row(_ other: Int, isMain: Bool) -> LinkRow {
            ownerColumn == "a_id"
                ? LinkRow(kind: kind, a: owner.id, b: other, isMain: isMain)
                : LinkRow(kind: kind, a: other, b: owner.id, isMain: isMain)
        }
        for (other, isMain) in current where wanted[other] == nil {
            try delete(row(other, isMain: isMain))
            changed = true
        }
        for other in order {
            let isMain = ownerSetsMain ? wanted[other]! : (current[other] ?? false)
            if let was = current[other] {
                guard was != isMain else { continue }
                try setMain(row(other, isMain: was), to: isMain)
            } else {
                try insert(row(other, isMain: isMain))
            }
            changed = true
        }
        return changed
    }

    private mutating func insert(_ row: LinkRow) throws {
        // The other end's "at most one" link goes (a company listing a contact moves it from its
        // former company).
        if let end = LinkRow.singleEnd(ofKind: row.kind) {
            let (column, id, otherColumn, otherID) = end == .a ? ("a_id", row.a, "b_id", row.b) : ("b_id", row.b, "a_id", row.a)
            let displaced = try Row.fetchAll(
                db,
                sql: "SELECT a_id, b_id, is_main FROM link WHERE account_id = ? AND link_kind = ? AND \(column) = ? AND \(otherColumn) != ?",
                arguments: [accountID, row.kind, id, otherID])
            for old in displaced { try delete(LinkRow(kind: row.kind, a: old[0], b: old[1], isMain: old[2])) }
        }
        if row.kind == 1 && row.isMain { try clearMain(lead: row.b, except: row.a) }
        note(row.pair, before: nil)
        try db.execute(
            sql: "INSERT INTO link VALUES (?, ?, ?, ?, ?)", arguments: [accountID, row.kind, row.a, row.b, row.isMain])
    }

    private mutating func delete(_ row: LinkRow) throws {
        note(row.pair, before: row.isMain)
        try db.execute(
            sql: "DELETE FROM link WHERE account_id = ? AND link_kind = ? AND a_id = ? AND b_id = ?",
            arguments: [accountID, row.kind, row.a, row.b])
    }

    private mutating func setMain(_ row: LinkRow, to isMain: Bool) throws {
        if isMain { try clearMain(lead: row.b, except: row.a) }
        note(row.pair, before: row.isMain)
        try db.execute(
            sql: "UPDATE link SET is_main = ? WHERE account_id = ? AND link_kind = ? AND a_id = ? AND b_id = ?",
            arguments: [isMain, accountID, row.kind, row.a, row.b])
    }

    private mutating func clearMain(lead: Int, except contact: Int) throws {
        let mains = try Int.fetchAll(
            db, sql: "SELECT a_id FROM link WHERE account_id = ? AND link_kind = 1 AND b_id = ? AND is_main = 1 AND a_id != ?",
            arguments: [accountID, lead, contact])
        for other in mains { try setMain(LinkRow(kind: 1, a: other, b: lead, isMain: true), to: false) }
    }

    /// Records a pair's state before its first change in the transaction (nil: absent).
    private mutating func note(_ pair: LinkRow.Pair, before: Bool?) {
        if linksBefore[pair] == nil { linksBefore[pair] = .some(before) }
    }

    // MARK: The result

    mutating func finish() throws -> StoreChanges {
        let check = try db.makeStatement(
            sql: "SELECT is_main FROM link WHERE account_id = ? AND link_kind = ? AND a_id = ? AND b_id = ?")
        for (pair, before) in linksBefore.sorted(by: { ($0.key.kind, $0.key.a, $0.key.b) < ($1.key.kind, $1.key.a, $1.key.b) }) {
            let after = try Bool.fetchOne(check, arguments: [accountID, pair.kind, pair.a, pair.b])
            guard before != after else { continue }
            if let before, let link = LinkRow(kind: pair.kind, a: pair.a, b: pair.b, isMain: before).link {
                changes.unlinked.append(link)
            }
            if let after, let link = LinkRow(kind: pair.kind, a: pair.a, b: pair.b, isMain: after).link {
                changes.linked.append(link)
            }
        }
        // A new entity's links that were stored before it (listed by the other end) reach the index now.
        var linked = Set(changes.linked)
        for ref in changes.created.sorted() {
            for kind in 1...5 {
                guard let column = Self.column(of: ref.kind, inKind: kind) else { continue }
                let rows = try Row.fetchAll(
                    db, sql: "SELECT a_id, b_id, is_main FROM link WHERE account_id = ? AND link_kind = ? AND \(column) = ?",
                    arguments: [accountID, kind, ref.id])
                for row in rows {
                    guard let link = LinkRow(kind: kind, a: row[0], b: row[1], isMain: row[2]).link,
                        linked.insert(link).inserted
                    else { continue }
                    changes.linked.append(link)
                }
            }
        }
        return changes
    }

    /// The column that holds an entity of `kind` in links of `linkKind`, nil when such links do
    /// not involve it.
    private static func column(of kind: EntityKind, inKind linkKind: Int) -> String? {
        switch (kind, linkKind) {
        case (.contact, 1), (.contact, 3), (.contact, 5), (.company, 2), (.company, 4): "a_id"
        case (.lead, 1), (.lead, 2), (.customer, 3), (.customer, 4), (.company, 5): "b_id"
        default: nil
        }
    }
}
