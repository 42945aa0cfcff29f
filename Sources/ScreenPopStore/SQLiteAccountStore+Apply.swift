import AccountIndex
import AmoCRM
import GRDB

extension SQLiteAccountStore {
    public func apply(_ batch: StoreBatch, accountID: Int) async throws(StoreError) -> StoreChanges {
        try await apply([batch], accountID: accountID)
    }

    /// Writes several batches in one transaction (a group commit), in order, as if one after the
    /// other.
    public func apply(_ batches: [StoreBatch], accountID: Int) async throws(StoreError) -> StoreChanges {
        do {
            return try await pool.write { db in
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

    public func unseenIDs(accountID: Int, kind: EntityKind, run: Int, updatedBefore: Int) async throws(StoreError) -> [Int] {
        do {
            return try await pool.read { db in
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

    public func entityCounts(accountID: Int) async throws(StoreError) -> [EntityKind: Int] {
        do {
            return try await pool.read { db in
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

    public func syncState(accountID: Int) async throws(StoreError) -> [String: String] {
        do {
            return try await pool.read { db in
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
    /// The entities' rows as they stand in this transaction, read a batch at a time (nil: absent).
    var rows: [EntityRef: EntityRow?] = [:]
    /// Each owner's links of a kind as they stand in this transaction: other end to `is_main`.
    var owned: [Owner: [Int: Bool]] = [:]

    /// One entity row.
    struct EntityRow {
        var details: EntityDetails
        var isDeleted: Bool
        var statusID: Int?
        var position: Int
    }

    /// The links of one kind held at one end: `a` when `isA` (the `a_id` column), else `b`.
    struct Owner: Hashable {
        var kind: Int
        var isA: Bool
        var id: Int
    }

    let upsertEntity: Statement
    let markSeen: Statement
    let selectPhones: Statement
    let deletePhones: Statement
    let insertPhone: Statement

    init(db: Database, accountID: Int) throws {
        self.db = db
        self.accountID = accountID
        upsertEntity = try db.makeStatement(
            sql: """
                INSERT INTO entity VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (account_id, kind, id) DO UPDATE SET name = excluded.name,
                    created_at = excluded.created_at, updated_at = excluded.updated_at,
                    is_deleted = excluded.is_deleted, responsible_user_id = excluded.responsible_user_id,
                    pipeline_id = excluded.pipeline_id, status_id = excluded.status_id,
                    seen_run = MAX(seen_run, excluded.seen_run), price = excluded.price
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
        let (stale, unchanged) = (changes.staleCount, changes.unchangedCount)
        defer {
            changes.batchOutcomes.append(
                StoreChanges.BatchOutcome(
                    staleCount: changes.staleCount - stale, unchangedCount: changes.unchangedCount - unchanged))
        }
        if let account = batch.account { try write(account) }
        if let users = batch.users { try write(users) }
        if let statuses = batch.customerStatuses { try write(statuses) }
        if let pipelines = batch.pipelines { try write(pipelines) }
        try prefetch(batch.updates)
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
        changes.account = AccountObject(
            id: accountID, name: account.name, subdomain: account.subdomain, country: account.country,
            customersMode: account.customersMode)
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
        changes.users = users.keepingLastOfEachID(\.id)
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
        changes.customerStatuses = statuses.keepingLastOfEachID(\.id)
    }

    private mutating func write(_ pipelines: [LeadPipeline]) throws {
        let pipelines = LeadPipeline.normalized(pipelines)
        guard try SQLiteAccountStore.readPipelines(accountID: accountID, from: db) != pipelines else { return }
        for table in ["lead_pipeline", "lead_status"] {
            try db.execute(sql: "DELETE FROM \(table) WHERE account_id = ?", arguments: [accountID])
        }
        try SQLiteAccountStore.insertPipelines(pipelines, accountID: accountID, into: db)
        changes.pipelinesChanged = true
        changes.pipelines = pipelines
    }

    // MARK: Entities

    private mutating func apply(_ update: EntityUpdate, run: Int?) throws {
        let ref = update.entity
        guard ref.id > 0 else { throw StoreError("\(ref): an id must be positive") }
        let kind = ref.kind.elementType
        let old = try row(ref)
        let oldUpdatedAt = old?.details.updatedAt
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
        var details = old?.details ?? EntityDetails()
        var statusID = old?.statusID
        let oldDetails = details
        let oldStatusID = statusID
        let oldDeleted = old?.isDeleted ?? false
        if complete || update.name != nil { details.name = update.name ?? "" }
        if let createdAt = update.createdAt {
            details.createdAt = createdAt
        } else if old == nil {
            details.createdAt = update.updatedAt ?? 0
        }
        details.updatedAt = max(details.updatedAt, update.updatedAt ?? details.updatedAt)
        if complete || update.responsibleUserID != nil { details.responsibleUserID = update.responsibleUserID }
        if ref.kind == .lead && (complete || update.pipelineID != nil) { details.pipelineID = update.pipelineID }
        if ref.kind == .lead && (complete || update.price != nil) { details.price = update.price }
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
            let position = try old?.position ?? nextPosition(of: ref.kind)
            rows[ref] = EntityRow(details: details, isDeleted: update.isDeleted, statusID: statusID, position: position)
            try upsertEntity.execute(arguments: [
                accountID, kind, ref.id, position, details.name, details.createdAt, details.updatedAt, update.isDeleted,
                details.responsibleUserID, details.pipelineID, statusID, complete ? (run ?? 0) : 0, details.price,
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

    /// A new entity goes after the last of its kind.
    private mutating func nextPosition(of kind: EntityKind) throws -> Int {
        let next: Int
        if let cached = nextPosition[kind] {
            next = cached
        } else {
            next =
                try Int.fetchOne(
                    db, sql: "SELECT MAX(position) + 1 FROM entity WHERE account_id = ? AND kind = ?",
                    arguments: [accountID, kind.elementType]) ?? 0
        }
        nextPosition[kind] = next + 1
        return next
    }

    /// The entity's row as it stands in this transaction.
    private mutating func row(_ ref: EntityRef) throws -> EntityRow? {
        if let known = rows[ref] { return known }
        try fetchRows(of: ref.kind, ids: [ref.id])
        return rows[ref] ?? nil
    }

    private static let rowColumns =
        "id, name, created_at, updated_at, is_deleted, responsible_user_id, pipeline_id, status_id, position, price"

    /// Reads the rows of these entities (and the absence of the others) into ``rows``.
    private mutating func fetchRows(of kind: EntityKind, ids: [Int]) throws {
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = ids[start..<min(ids.count, start + 500)]
            for id in chunk { rows[EntityRef(kind: kind, id: id)] = .some(nil) }
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            let statement = try db.cachedStatement(
                sql: "SELECT \(Self.rowColumns) FROM entity WHERE account_id = ? AND kind = ? AND id IN (\(marks))")
            var arguments: StatementArguments = [accountID, kind.elementType]
            arguments += StatementArguments(chunk)
            let cursor = try Row.fetchCursor(statement, arguments: arguments)
            while let row = try cursor.next() {
                let details = EntityDetails(
                    name: row[1], createdAt: row[2], updatedAt: row[3], responsibleUserID: row[5], pipelineID: row[6],
                    price: row[9])
                rows[EntityRef(kind: kind, id: row[0])] = EntityRow(
                    details: details, isDeleted: row[4], statusID: row[7], position: row[8])
            }
        }
    }

    /// Reads, a batch at a time, the rows and the links that these updates will look at.
    private mutating func prefetch(_ updates: [EntityUpdate]) throws {
        var ids: [EntityKind: [Int]] = [:]
        var owners: [Owner: Bool] = [:]
        for update in updates {
            let ref = update.entity
            if rows[ref] == nil { ids[ref.kind, default: []].append(ref.id) }
            let keys = update.isComplete ? EmbeddedLinks.keys(of: ref.kind) : Array(update.links.keys)
            for key in keys {
                guard let probe = EmbeddedLinks.link(owner: ref, key: key, id: 1) else { continue }
                let kind = LinkRow(probe).kind
                let owner = Owner(kind: kind, isA: LinkRow.isAEnd(ref.kind, inKind: kind) ?? false, id: ref.id)
                if owned[owner] == nil { owners[owner] = true }
            }
        }
        for (kind, list) in ids { try fetchRows(of: kind, ids: Array(Set(list)).sorted()) }
        var groups: [Owner: [Int]] = [:]  // (kind, isA, 0) -> ids
        for owner in owners.keys { groups[Owner(kind: owner.kind, isA: owner.isA, id: 0), default: []].append(owner.id) }
        for (group, ids) in groups { try fetchOwned(kind: group.kind, isA: group.isA, ids: ids.sorted()) }
    }

    /// Reads the links of kind `kind` held at these ids' end into ``owned``.
    private mutating func fetchOwned(kind: Int, isA: Bool, ids: [Int]) throws {
        let (column, other) = isA ? ("a_id", "b_id") : ("b_id", "a_id")
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = ids[start..<min(ids.count, start + 500)]
            for id in chunk { owned[Owner(kind: kind, isA: isA, id: id)] = [:] }
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            let statement = try db.cachedStatement(
                sql: "SELECT \(column), \(other), is_main FROM link WHERE account_id = ? AND link_kind = ? AND \(column) IN (\(marks))")
            var arguments: StatementArguments = [accountID, kind]
            arguments += StatementArguments(chunk)
            let cursor = try Row.fetchCursor(statement, arguments: arguments)
            while let row = try cursor.next() {
                owned[Owner(kind: kind, isA: isA, id: row[0]), default: [:]][row[1]] = row[2]
            }
        }
    }

    /// The links of kind `kind` held at `id`'s end, as they stand in this transaction.
    private mutating func links(kind: Int, isA: Bool, id: Int) throws -> [Int: Bool] {
        let owner = Owner(kind: kind, isA: isA, id: id)
        if let known = owned[owner] { return known }
        try fetchOwned(kind: kind, isA: isA, ids: [id])
        return owned[owner] ?? [:]
    }

    /// Keeps ``owned`` in step with a row written (`isMain` nil: deleted).
    private mutating func track(_ row: LinkRow, isMain: Bool?) {
        let a = Owner(kind: row.kind, isA: true, id: row.a)
        let b = Owner(kind: row.kind, isA: false, id: row.b)
        if owned[a] != nil { owned[a]![row.b] = isMain }
        if owned[b] != nil { owned[b]![row.a] = isMain }
    }

    // MARK: Links

    /// Makes `owner`'s links under `key` exactly `entries`; true when a row changed.
    private mutating func replaceLinks(of owner: EntityRef, key: EmbeddedLinks.Key, with entries: [EmbeddedLinks.Entry])
        throws -> Bool
    {
        guard let probe = EmbeddedLinks.link(owner: owner, key: key, id: 1) else { return false }
        let kind = LinkRow(probe).kind
        let ownerIsA = LinkRow.isAEnd(owner.kind, inKind: kind) ?? false
        // What the owner lists, as rows; for an "at most one" end held by the owner, the last entry.
        var wanted: [Int: Bool] = [:]
        var order: [Int] = []
        let ownerIsSingle = LinkRow.singleEnd(ofKind: kind).map { ($0 == .a) == ownerIsA } ?? false
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
        let current = try links(kind: kind, isA: ownerIsA, id: owner.id)
        var changed = false
        func row(_ other: Int, isMain: Bool) -> LinkRow {
            ownerIsA
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
                try insert(row(other, isMain: isMain), ownerIsSingleEnd: ownerIsSingle)
            }
            changed = true
        }
        return changed
    }

    private mutating func insert(_ row: LinkRow, ownerIsSingleEnd: Bool) throws {
        // The other end's "at most one" link goes (a company listing a contact moves it from its
        // former company). When the owner is that end, its own list replaced its links already.
        if !ownerIsSingleEnd, let end = LinkRow.singleEnd(ofKind: row.kind) {
            let (column, id, otherColumn, otherID) = end == .a ? ("a_id", row.a, "b_id", row.b) : ("b_id", row.b, "a_id", row.a)
            let displaced = try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT a_id, b_id, is_main FROM link WHERE account_id = ? AND link_kind = ? AND \(column) = ? AND \(otherColumn) != ?"),
                arguments: [accountID, row.kind, id, otherID])
            for old in displaced { try delete(LinkRow(kind: row.kind, a: old[0], b: old[1], isMain: old[2])) }
        }
        // (A lead's main contact changes only by the lead's own list, which sets every row's flag.)
        note(row.pair, before: nil)
        track(row, isMain: row.isMain)
        try db.cachedStatement(sql: "INSERT INTO link VALUES (?, ?, ?, ?, ?)").execute(
            arguments: [accountID, row.kind, row.a, row.b, row.isMain])
    }

    private mutating func delete(_ row: LinkRow) throws {
        note(row.pair, before: row.isMain)
        track(row, isMain: nil)
        try db.cachedStatement(sql: "DELETE FROM link WHERE account_id = ? AND link_kind = ? AND a_id = ? AND b_id = ?")
            .execute(arguments: [accountID, row.kind, row.a, row.b])
    }

    private mutating func setMain(_ row: LinkRow, to isMain: Bool) throws {
        note(row.pair, before: row.isMain)
        track(row, isMain: isMain)
        try db.cachedStatement(
            sql: "UPDATE link SET is_main = ? WHERE account_id = ? AND link_kind = ? AND a_id = ? AND b_id = ?"
        ).execute(arguments: [isMain, accountID, row.kind, row.a, row.b])
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
        let created = changes.created.sorted()
        var need: [Owner: [Int]] = [:]
        for ref in created {
            for kind in 1...5 {
                guard let isA = LinkRow.isAEnd(ref.kind, inKind: kind) else { continue }
                let owner = Owner(kind: kind, isA: isA, id: ref.id)
                if owned[owner] == nil { need[Owner(kind: kind, isA: owner.isA, id: 0), default: []].append(ref.id) }
            }
        }
        for (group, ids) in need { try fetchOwned(kind: group.kind, isA: group.isA, ids: ids) }
        for ref in created {
            for kind in 1...5 {
                guard let isA = LinkRow.isAEnd(ref.kind, inKind: kind) else { continue }
                for (other, isMain) in (owned[Owner(kind: kind, isA: isA, id: ref.id)] ?? [:]).sorted(by: { $0.key < $1.key }) {
                    let row = LinkRow(kind: kind, a: isA ? ref.id : other, b: isA ? other : ref.id, isMain: isMain)
                    guard let link = row.link, linked.insert(link).inserted else { continue }
                    changes.linked.append(link)
                }
            }
        }
        return changes
    }
}
