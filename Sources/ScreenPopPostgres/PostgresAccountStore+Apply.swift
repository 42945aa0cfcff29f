import AccountIndex
import AmoCRM
import Logging
import PostgresNIO
import ScreenPopStore

extension PostgresAccountStore {
    public func apply(_ batch: StoreBatch, accountID: Int) async throws(StoreError) -> StoreChanges {
        try await apply([batch], accountID: accountID)
    }

    /// Writes several batches in one transaction (a group commit), in order, as if one after the
    /// other; logs the changes and notifies `screenpop_changes` in the same transaction.
    public func apply(_ batches: [StoreBatch], accountID: Int) async throws(StoreError) -> StoreChanges {
        do {
            let (logger, origin) = (logger, origin)
            return try await transaction { connection in
                try await Self.lockAccount(accountID, on: connection, logger: logger)
                var merge = Merge(connection: connection, logger: logger, accountID: accountID)
                for batch in batches { try await merge.apply(batch) }
                var changes = try await merge.finish()
                changes.sequence = try await Self.log(
                    .changes(changes), accountID: accountID, origin: origin, on: connection, logger: logger)
                return changes
            }
        } catch {
            throw failure("cannot write changes to account \(accountID)", error)
        }
    }
}

/// One transaction's merge of ``EntityUpdate``s into the tables, and the record of what changed:
/// the SQLite store's merge (SQLiteAccountStore+Apply.swift) on PostgreSQL, decision for decision.
///
/// Reads go a batch at a time (`= ANY($1)`); writes are pipelined on the connection (sent without
/// waiting for each answer) and awaited before the next read of the link table and at the end.
struct Merge {
    let connection: PostgresConnection
    let logger: Logger
    let accountID: Int
    var changes = StoreChanges()
    /// Where each changed entity is in `changes.entities`.
    var changedAt: [EntityRef: Int] = [:]
    /// Each link pair touched: whether it was there before the transaction, and with which flag.
    var linksBefore: [LinkRow.Pair: Bool?] = [:]
    var nextPosition: [EntityKind: Int] = [:]
    /// The entities' rows as they stand in this transaction, read a batch at a time (nil: absent).
    var rows: [EntityRef: EntityRow?] = [:]
    /// Contacts' and companies' phones as they stand in this transaction.
    var phones: [EntityRef: [PhoneValue]] = [:]
    /// Each owner's links of a kind as they stand in this transaction: other end to `is_main`.
    var owned: [Owner: [Int: Bool]] = [:]
    /// Writes sent and not yet answered.
    var pending: [EventLoopFuture<PostgresQueryResult>] = []

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

    init(connection: PostgresConnection, logger: Logger, accountID: Int) {
        self.connection = connection
        self.logger = logger
        self.accountID = accountID
    }

    // MARK: Talking to the server

    /// Sends a write without waiting for its answer (the connection keeps the order).
    private mutating func write(_ query: PostgresQuery) {
        let answer: EventLoopFuture<PostgresQueryResult> = connection.query(query, logger: logger)
        pending.append(answer)
    }

    /// Waits for the writes sent; the first failure is the transaction's.
    mutating func flush() async throws {
        let sent = pending
        pending = []
        var firstError: (any Error)?
        for answer in sent {
            do { _ = try await answer.get() } catch { if firstError == nil { firstError = error } }
        }
        if let firstError { throw firstError }
    }

    private mutating func read<T>(_ query: PostgresQuery, _ decode: (PostgresRow) throws -> T) async throws -> [T] {
        try await flush()
        return try await PostgresAccountStore.rows(query, on: connection, logger: logger, decode)
    }

    // MARK: Batches

    mutating func apply(_ batch: StoreBatch) async throws {
        let (stale, unchanged) = (changes.staleCount, changes.unchangedCount)
        if let account = batch.account { try await write(account) }
        if let users = batch.users { try await write(users) }
        if let statuses = batch.customerStatuses { try await write(statuses) }
        if let pipelines = batch.pipelines { try await write(pipelines) }
        try await prefetch(batch.updates)
        for update in batch.updates { try await apply(update, run: batch.listingRun) }
        for (key, value) in batch.syncState.sorted(by: { $0.key < $1.key }) {
            write(
                """
                INSERT INTO sync_state (account_id, key, value) VALUES (\(accountID), \(key), \(value))
                ON CONFLICT (account_id, key) DO UPDATE SET value = excluded.value
                """)
        }
        changes.batchOutcomes.append(
            StoreChanges.BatchOutcome(
                staleCount: changes.staleCount - stale, unchangedCount: changes.unchangedCount - unchanged))
    }

    private mutating func write(_ account: AccountObject) async throws {
        let old = try await read(
            "SELECT name, subdomain, country, customers_mode FROM account WHERE account_id = \(accountID)"
        ) { try $0.decode((String?, String?, String?, String).self) }.first
        let same =
            old.map {
                $0.0 == account.name && $0.1 == account.subdomain && $0.2 == account.country
                    && $0.3 == account.customersMode
            } ?? false
        guard !same else { return }
        write(
            """
            INSERT INTO account (account_id, name, subdomain, country, customers_mode)
            VALUES (\(accountID), \(account.name), \(account.subdomain), \(account.country), \(account.customersMode))
            ON CONFLICT (account_id) DO UPDATE SET name = excluded.name, subdomain = excluded.subdomain,
                country = excluded.country, customers_mode = excluded.customers_mode
            """)
        changes.accountChanged = true
        changes.account = AccountObject(
            id: accountID, name: account.name, subdomain: account.subdomain, country: account.country,
            customersMode: account.customersMode)
    }

    private mutating func write(_ users: [AccountUser]) async throws {
        let old = try await read(
            #"SELECT id, name, email FROM "user" WHERE account_id = \#(accountID) ORDER BY position"#
        ) {
            let (id, name, email) = try $0.decode((Int, String, String?).self)
            return AccountUser(id: id, name: name, email: email)
        }
        guard old != users else { return }
        write(#"DELETE FROM "user" WHERE account_id = \#(accountID)"#)
        // A repeated id: the later one stays, in its place (SQLite's INSERT OR REPLACE).
        for (position, user) in users.keepingLastOfEachID(\.id).enumerated() {
            write(
                #"""
                INSERT INTO "user" (account_id, id, name, email, position)
                VALUES (\#(accountID), \#(user.id), \#(user.name), \#(user.email), \#(position))
                """#)
        }
        changes.usersChanged = true
        changes.users = users.keepingLastOfEachID(\.id)
    }

    private mutating func write(_ statuses: [CustomerStatus]) async throws {
        let old = try await read(
            "SELECT id, name, type FROM customer_status WHERE account_id = \(accountID) ORDER BY position"
        ) {
            let (id, name, type) = try $0.decode((Int, String, Int?).self)
            return CustomerStatus(id: id, name: name, type: type)
        }
        guard old != statuses else { return }
        write("DELETE FROM customer_status WHERE account_id = \(accountID)")
        for (position, status) in statuses.keepingLastOfEachID(\.id).enumerated() {
            write(
                """
                INSERT INTO customer_status (account_id, id, name, type, position)
                VALUES (\(accountID), \(status.id), \(status.name), \(status.type), \(position))
                """)
        }
        changes.customerStatusesChanged = true
        changes.customerStatuses = statuses.keepingLastOfEachID(\.id)
    }

    private mutating func write(_ pipelines: [LeadPipeline]) async throws {
        let pipelines = LeadPipeline.normalized(pipelines)
        try await flush()
        let old = try await PostgresAccountStore.readPipelines(accountID: accountID, on: connection, logger: logger)
        guard old != pipelines else { return }
        write("DELETE FROM lead_pipeline WHERE account_id = \(accountID)")
        write("DELETE FROM lead_status WHERE account_id = \(accountID)")
        for (position, pipeline) in pipelines.enumerated() {
            write(
                """
                INSERT INTO lead_pipeline (account_id, id, name, position)
                VALUES (\(accountID), \(pipeline.id), \(pipeline.name), \(position))
                """)
            guard !pipeline.statuses.isEmpty else { continue }
            write(
                """
                INSERT INTO lead_status (account_id, pipeline_id, id, name, position)
                SELECT \(accountID), \(pipeline.id), i, n, p - 1
                FROM unnest(\(pipeline.statuses.map(\.id))::bigint[], \(pipeline.statuses.map(\.name))::text[])
                    WITH ORDINALITY AS t (i, n, p)
                """)
        }
        changes.pipelinesChanged = true
        changes.pipelines = pipelines
    }

    // MARK: Entities

    private mutating func apply(_ update: EntityUpdate, run: Int?) async throws {
        let ref = update.entity
        guard ref.id > 0 else { throw StoreError("\(ref): an id must be positive") }
        let kind = ref.kind.elementType
        let old = try await row(ref)
        let oldUpdatedAt = old?.details.updatedAt
        if let oldUpdatedAt, let updatedAt = update.updatedAt, updatedAt < oldUpdatedAt {
            changes.staleCount += 1
            // Still listed by amoCRM: seen by the run, though older than what is stored.
            if let run, update.isComplete { markSeen(ref, run: run) }
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
            var oldPhones: [PhoneValue] = []
            if old != nil { oldPhones = try await readPhones(ref) }
            if let new = update.phones ?? (complete ? [] : nil), new != oldPhones {
                phones = new
                phonesChanged = true
                self.phones[ref] = new
                write("DELETE FROM phone WHERE account_id = \(accountID) AND kind = \(kind) AND entity_id = \(ref.id)")
                if !new.isEmpty {
                    write(
                        """
                        INSERT INTO phone (account_id, kind, entity_id, position, value, enum_code)
                        SELECT \(accountID), \(kind), \(ref.id), p - 1, v, c
                        FROM unnest(\(new.map(\.value))::text[], \(new.map(\.kind.rawValue))::text[]) WITH ORDINALITY AS t (v, c, p)
                        """)
                }
            } else {
                phones = oldPhones
            }
        }
        let rowChanged =
            old == nil || oldDeleted != update.isDeleted || details != oldDetails || statusID != oldStatusID
        if rowChanged {
            let position: Int
            if let old { position = old.position } else { position = try await nextPosition(of: ref.kind) }
            rows[ref] = EntityRow(details: details, isDeleted: update.isDeleted, statusID: statusID, position: position)
            let seenRun = complete ? (run ?? 0) : 0
            write(
                """
                INSERT INTO entity (account_id, kind, id, position, name, created_at, updated_at, is_deleted,
                    responsible_user_id, pipeline_id, status_id, seen_run, price)
                VALUES (\(accountID), \(kind), \(ref.id), \(position), \(details.name), \(details.createdAt),
                    \(details.updatedAt), \(update.isDeleted), \(details.responsibleUserID), \(details.pipelineID),
                    \(statusID), \(seenRun), \(details.price))
                ON CONFLICT (account_id, kind, id) DO UPDATE SET name = excluded.name,
                    created_at = excluded.created_at, updated_at = excluded.updated_at,
                    is_deleted = excluded.is_deleted, responsible_user_id = excluded.responsible_user_id,
                    pipeline_id = excluded.pipeline_id, status_id = excluded.status_id,
                    seen_run = GREATEST(entity.seen_run, excluded.seen_run), price = excluded.price
                """)
        } else if let run, complete {
            markSeen(ref, run: run)
        }
        if old == nil { changes.created.insert(ref) }

        var linksChanged = false
        let keys = complete ? EmbeddedLinks.keys(of: ref.kind) : Array(update.links.keys)
        for key in keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            if try await replaceLinks(of: ref, key: key, with: update.links[key] ?? []) { linksChanged = true }
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

    private mutating func markSeen(_ ref: EntityRef, run: Int) {
        write(
            """
            UPDATE entity SET seen_run = \(run)
            WHERE account_id = \(accountID) AND kind = \(ref.kind.elementType) AND id = \(ref.id) AND seen_run < \(run)
            """)
    }

    private mutating func readPhones(_ ref: EntityRef) async throws -> [PhoneValue] {
        if let known = phones[ref] { return known }
        try await fetchPhones(of: ref.kind, ids: [ref.id])
        return phones[ref] ?? []
    }

    private mutating func fetchPhones(of kind: EntityKind, ids: [Int]) async throws {
        for id in ids { phones[EntityRef(kind: kind, id: id)] = [] }
        let found = try await read(
            """
            SELECT entity_id, value, enum_code FROM phone
            WHERE account_id = \(accountID) AND kind = \(kind.elementType) AND entity_id = ANY(\(ids))
            ORDER BY entity_id, position
            """
        ) { try $0.decode((Int, String, String).self) }
        for (id, value, code) in found {
            phones[EntityRef(kind: kind, id: id), default: []].append(
                PhoneValue(value, kind: PhoneValue.Kind(rawValue: code)))
        }
    }

    /// A new entity goes after the last of its kind.
    private mutating func nextPosition(of kind: EntityKind) async throws -> Int {
        let next: Int
        if let cached = nextPosition[kind] {
            next = cached
        } else {
            next =
                try await read(
                    "SELECT MAX(position) + 1 FROM entity WHERE account_id = \(accountID) AND kind = \(kind.elementType)"
                ) { try $0.decode(Int?.self) }.first.flatMap { $0 } ?? 0
        }
        nextPosition[kind] = next + 1
        return next
    }

    /// The entity's row as it stands in this transaction.
    private mutating func row(_ ref: EntityRef) async throws -> EntityRow? {
        if let known = rows[ref] { return known }
        try await fetchRows(of: ref.kind, ids: [ref.id])
        return rows[ref] ?? nil
    }

    /// Reads the rows of these entities (and the absence of the others) into ``rows``.
    private mutating func fetchRows(of kind: EntityKind, ids: [Int]) async throws {
        for id in ids { rows[EntityRef(kind: kind, id: id)] = .some(nil) }
        let found = try await read(
            """
            SELECT id, name, created_at, updated_at, is_deleted, responsible_user_id, pipeline_id, status_id, position,
                price
            FROM entity WHERE account_id = \(accountID) AND kind = \(kind.elementType) AND id = ANY(\(ids))
            """
        ) { try $0.decode((Int, String, Int, Int, Bool, Int?, Int?, Int?, Int, Int?).self) }
        for (id, name, createdAt, updatedAt, isDeleted, responsible, pipeline, statusID, position, price) in found {
            let details = EntityDetails(
                name: name, createdAt: createdAt, updatedAt: updatedAt, responsibleUserID: responsible,
                pipelineID: pipeline, price: price)
            rows[EntityRef(kind: kind, id: id)] = EntityRow(
                details: details, isDeleted: isDeleted, statusID: statusID, position: position)
        }
    }

    /// Reads, a batch at a time, the rows, phones and links that these updates will look at.
    private mutating func prefetch(_ updates: [EntityUpdate]) async throws {
        var ids: [EntityKind: [Int]] = [:]
        var owners: Set<Owner> = []
        for update in updates {
            let ref = update.entity
            if rows[ref] == nil { ids[ref.kind, default: []].append(ref.id) }
            let keys = update.isComplete ? EmbeddedLinks.keys(of: ref.kind) : Array(update.links.keys)
            for key in keys {
                guard let probe = EmbeddedLinks.link(owner: ref, key: key, id: 1) else { continue }
                let kind = LinkRow(probe).kind
                let owner = Owner(kind: kind, isA: LinkRow.isAEnd(ref.kind, inKind: kind) ?? false, id: ref.id)
                if owned[owner] == nil { owners.insert(owner) }
            }
        }
        for (kind, list) in ids.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            try await fetchRows(of: kind, ids: Array(Set(list)).sorted())
        }
        // The phones of the parties that exist and whose phones are not known yet.
        var parties: [EntityKind: Set<Int>] = [:]
        for update in updates {
            let ref = update.entity
            guard ref.kind == .contact || ref.kind == .company, phones[ref] == nil, case .some(.some) = rows[ref]
            else { continue }
            parties[ref.kind, default: []].insert(ref.id)
        }
        for (kind, list) in parties.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            try await fetchPhones(of: kind, ids: list.sorted())
        }
        var groups: [Owner: [Int]] = [:]  // (kind, isA, 0) -> ids
        for owner in owners { groups[Owner(kind: owner.kind, isA: owner.isA, id: 0), default: []].append(owner.id) }
        for (group, ids) in groups { try await fetchOwned(kind: group.kind, isA: group.isA, ids: ids.sorted()) }
    }

    /// Reads the links of kind `kind` held at these ids' end into ``owned``.
    private mutating func fetchOwned(kind: Int, isA: Bool, ids: [Int]) async throws {
        let (column, other) = isA ? ("a_id", "b_id") : ("b_id", "a_id")
        for id in ids { owned[Owner(kind: kind, isA: isA, id: id)] = [:] }
        let found = try await read(
            """
            SELECT \(unescaped: column), \(unescaped: other), is_main FROM link
            WHERE account_id = \(accountID) AND link_kind = \(kind) AND \(unescaped: column) = ANY(\(ids))
            """
        ) { try $0.decode((Int, Int, Bool).self) }
        for (id, otherID, isMain) in found {
            owned[Owner(kind: kind, isA: isA, id: id), default: [:]][otherID] = isMain
        }
    }

    /// The links of kind `kind` held at `id`'s end, as they stand in this transaction.
    private mutating func links(kind: Int, isA: Bool, id: Int) async throws -> [Int: Bool] {
        let owner = Owner(kind: kind, isA: isA, id: id)
        if let known = owned[owner] { return known }
        try await fetchOwned(kind: kind, isA: isA, ids: [id])
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
    private mutating func replaceLinks(
        of owner: EntityRef, key: EmbeddedLinks.Key, with entries: [EmbeddedLinks.Entry]
    ) async throws -> Bool {
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
        let current = try await links(kind: kind, isA: ownerIsA, id: owner.id)
        var changed = false
        func row(_ other: Int, isMain: Bool) -> LinkRow {
            ownerIsA
                ? LinkRow(kind: kind, a: owner.id, b: other, isMain: isMain)
                : LinkRow(kind: kind, a: other, b: owner.id, isMain: isMain)
        }
        // (SQLite's order of a dictionary's iteration: any order gives the same rows and changes.)
        for (other, isMain) in current.sorted(by: { $0.key < $1.key }) where wanted[other] == nil {
            delete(row(other, isMain: isMain))
            changed = true
        }
        for other in order {
            let isMain = ownerSetsMain ? wanted[other]! : (current[other] ?? false)
            if let was = current[other] {
                guard was != isMain else { continue }
                setMain(row(other, isMain: was), to: isMain)
            } else {
                try await insert(row(other, isMain: isMain), ownerIsSingleEnd: ownerIsSingle)
            }
            changed = true
        }
        return changed
    }

    private mutating func insert(_ row: LinkRow, ownerIsSingleEnd: Bool) async throws {
        // The other end's "at most one" link goes (a company listing a contact moves it from its
        // former company). When the owner is that end, its own list replaced its links already.
        if !ownerIsSingleEnd, let end = LinkRow.singleEnd(ofKind: row.kind) {
            let (column, id, otherColumn, otherID) =
                end == .a ? ("a_id", row.a, "b_id", row.b) : ("b_id", row.b, "a_id", row.a)
            let displaced = try await read(
                """
                SELECT a_id, b_id, is_main FROM link WHERE account_id = \(accountID) AND link_kind = \(row.kind)
                AND \(unescaped: column) = \(id) AND \(unescaped: otherColumn) != \(otherID) ORDER BY seq
                """
            ) { try $0.decode((Int, Int, Bool).self) }
            for (a, b, isMain) in displaced { delete(LinkRow(kind: row.kind, a: a, b: b, isMain: isMain)) }
        }
        // (A lead's main contact changes only by the lead's own list, which sets every row's flag.)
        note(row.pair, before: nil)
        track(row, isMain: row.isMain)
        write(
            """
            INSERT INTO link (account_id, link_kind, a_id, b_id, is_main)
            VALUES (\(accountID), \(row.kind), \(row.a), \(row.b), \(row.isMain))
            """)
    }

    private mutating func delete(_ row: LinkRow) {
        note(row.pair, before: row.isMain)
        track(row, isMain: nil)
        write(
            """
            DELETE FROM link WHERE account_id = \(accountID) AND link_kind = \(row.kind) AND a_id = \(row.a)
            AND b_id = \(row.b)
            """)
    }

    private mutating func setMain(_ row: LinkRow, to isMain: Bool) {
        note(row.pair, before: row.isMain)
        track(row, isMain: isMain)
        write(
            """
            UPDATE link SET is_main = \(isMain) WHERE account_id = \(accountID) AND link_kind = \(row.kind)
            AND a_id = \(row.a) AND b_id = \(row.b)
            """)
    }

    /// Records a pair's state before its first change in the transaction (nil: absent).
    private mutating func note(_ pair: LinkRow.Pair, before: Bool?) {
        if linksBefore[pair] == nil { linksBefore[pair] = .some(before) }
    }

    // MARK: The result

    mutating func finish() async throws -> StoreChanges {
        let touched = linksBefore.keys.sorted { ($0.kind, $0.a, $0.b) < ($1.kind, $1.a, $1.b) }
        var after: [LinkRow.Pair: Bool] = [:]
        if !touched.isEmpty {
            let found = try await read(
                """
                SELECT l.link_kind, l.a_id, l.b_id, l.is_main FROM link l
                JOIN unnest(\(touched.map(\.kind))::bigint[], \(touched.map(\.a))::bigint[], \(touched.map(\.b))::bigint[])
                    AS t (kind, a, b) ON l.link_kind = t.kind AND l.a_id = t.a AND l.b_id = t.b
                WHERE l.account_id = \(accountID)
                """
            ) { try $0.decode((Int, Int, Int, Bool).self) }
            for (kind, a, b, isMain) in found { after[LinkRow.Pair(kind: kind, a: a, b: b)] = isMain }
        }
        for pair in touched {
            let before = linksBefore[pair]!
            let now = after[pair]
            guard before != now else { continue }
            if let before, let link = LinkRow(kind: pair.kind, a: pair.a, b: pair.b, isMain: before).link {
                changes.unlinked.append(link)
            }
            if let now, let link = LinkRow(kind: pair.kind, a: pair.a, b: pair.b, isMain: now).link {
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
        for (group, ids) in need { try await fetchOwned(kind: group.kind, isA: group.isA, ids: ids) }
        for ref in created {
            for kind in 1...5 {
                guard let isA = LinkRow.isAEnd(ref.kind, inKind: kind) else { continue }
                for (other, isMain) in (owned[Owner(kind: kind, isA: isA, id: ref.id)] ?? [:]).sorted(by: {
                    $0.key < $1.key
                }) {
                    let row = LinkRow(kind: kind, a: isA ? ref.id : other, b: isA ? other : ref.id, isMain: isMain)
                    guard let link = row.link, linked.insert(link).inserted else { continue }
                    changes.linked.append(link)
                }
            }
        }
        try await flush()
        return changes
    }
}
