import AccountIndex
import CSQLite
import PhoneNumbers

#if canImport(Glibc)
    import Glibc
#endif

private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// The account in SQLite, as a careful engineer would lay it out: one table per entity, phone numbers
/// normalized to E.164 (with ScreenPop's parser) in their own table with an index on the number and a
/// partial one on its last digits, link tables keyed on both sides; the decision asked in SQL through
/// prepared statements that are reused.
final class SQLiteIndex {
    let db: OpaquePointer
    let path: String
    let settings: AccountSettings
    private var exact: OpaquePointer?
    private var suffix: OpaquePointer?
    private var contactDecision: OpaquePointer?
    private var companyDecision: OpaquePointer?

    static let schema = """
        PRAGMA journal_mode = OFF;
        PRAGMA synchronous = OFF;
        CREATE TABLE contacts (id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, deleted INTEGER NOT NULL);
        CREATE TABLE companies (id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, deleted INTEGER NOT NULL);
        CREATE TABLE leads (id INTEGER PRIMARY KEY, status_id INTEGER NOT NULL, deleted INTEGER NOT NULL);
        CREATE TABLE customers (id INTEGER PRIMARY KEY, status_id INTEGER, deleted INTEGER NOT NULL);
        CREATE TABLE closed_customer_statuses (status_id INTEGER PRIMARY KEY);
        -- owner_kind: amoCRM's element type, 1 contact, 3 company. suffix: the last N digits, NULL when shorter.
        CREATE TABLE phones (e164 TEXT NOT NULL, suffix TEXT, owner_kind INTEGER NOT NULL, owner_id INTEGER NOT NULL);
        CREATE TABLE contact_leads (contact_id INTEGER NOT NULL, lead_id INTEGER NOT NULL,
            PRIMARY KEY (contact_id, lead_id)) WITHOUT ROWID;
        CREATE TABLE contact_customers (contact_id INTEGER NOT NULL, customer_id INTEGER NOT NULL,
            PRIMARY KEY (contact_id, customer_id)) WITHOUT ROWID;
        -- At most one company per lead and per customer: the later link replaces the earlier one.
        CREATE TABLE company_leads (lead_id INTEGER PRIMARY KEY, company_id INTEGER NOT NULL);
        CREATE TABLE company_customers (customer_id INTEGER PRIMARY KEY, company_id INTEGER NOT NULL);
        """

    static let indexes = """
        CREATE INDEX phones_by_e164 ON phones (e164, owner_kind, owner_id);
        CREATE INDEX phones_by_suffix ON phones (suffix, owner_kind, owner_id) WHERE suffix IS NOT NULL;
        CREATE INDEX contact_leads_by_lead ON contact_leads (lead_id, contact_id);
        CREATE INDEX contact_customers_by_customer ON contact_customers (customer_id, contact_id);
        CREATE INDEX company_leads_by_company ON company_leads (company_id, lead_id);
        CREATE INDEX company_customers_by_company ON company_customers (company_id, customer_id);
        ANALYZE;
        """

    /// The chosen candidate: contacts before companies, the oldest, the smallest id; `?1` the number.
    static func candidateSQL(_ column: String) -> String {
        """
        SELECT kind, id FROM (
            SELECT 1 AS kind, c.id AS id, c.created_at AS created_at FROM phones p JOIN contacts c ON c.id = p.owner_id
             WHERE p.\(column) = ?1 AND p.owner_kind = 1 AND c.deleted = 0
            UNION ALL
            SELECT 3, m.id, m.created_at FROM phones p JOIN companies m ON m.id = p.owner_id
             WHERE p.\(column) = ?1 AND p.owner_kind = 3 AND m.deleted = 0
        ) ORDER BY kind, created_at, id LIMIT 1
        """
    }

    /// The target for the chosen contact or company `?1`: (element type, id). `?2` is 1 when customers count.
    static func decisionSQL(side: String) -> String {
        let (leadTable, customerTable, cardType) =
            side == "contact" ? ("contact_leads", "contact_customers", 1) : ("company_leads", "company_customers", 3)
        return """
            SELECT CASE WHEN l.n = 1 AND k.n = 0 THEN 2 WHEN k.n = 1 AND l.n = 0 THEN 12 ELSE \(cardType) END,
                   CASE WHEN l.n = 1 AND k.n = 0 THEN l.id WHEN k.n = 1 AND l.n = 0 THEN k.id ELSE ?1 END
            FROM (SELECT COUNT(*) AS n, MIN(x.id) AS id FROM \(leadTable) t JOIN leads x ON x.id = t.lead_id
                   WHERE t.\(side)_id = ?1 AND x.deleted = 0 AND x.status_id NOT IN (142, 143)) AS l,
                 (SELECT COUNT(*) AS n, MIN(x.id) AS id FROM \(customerTable) t JOIN customers x ON x.id = t.customer_id
                   WHERE ?2 AND t.\(side)_id = ?1 AND x.deleted = 0
                     AND (x.status_id IS NULL OR x.status_id NOT IN (SELECT status_id FROM closed_customer_statuses))) AS k
            """
    }

    init(path: String, settings: AccountSettings) {
        self.path = path
        self.settings = settings
        var handle: OpaquePointer?
        guard sqlite3_open(path, &handle) == SQLITE_OK, let handle else { fail("cannot open \(path)") }
        db = handle
        // Room for the whole database in SQLite's own page cache (it grows only as pages are read).
        exec("PRAGMA cache_size = -2000000;")
    }

    deinit {
        for s in [exact, suffix, contactDecision, companyDecision] { sqlite3_finalize(s) }
        sqlite3_close(db)
    }

    func exec(_ sql: String) {
        var error: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(db, sql, nil, nil, &error) != SQLITE_OK {
            fail("SQL failed: \(error.map { String(cString: $0) } ?? "?")\n\(sql)")
        }
    }

    func prepare(_ sql: String) -> OpaquePointer {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK,
            let statement
        else { fail("cannot prepare: \(String(cString: sqlite3_errmsg(db)))\n\(sql)") }
        return statement
    }

    private func step(_ s: OpaquePointer) {
        guard sqlite3_step(s) == SQLITE_DONE else { fail("insert failed: \(String(cString: sqlite3_errmsg(db)))") }
        sqlite3_reset(s)
    }

    /// Loads the account: numbers normalized as ScreenPop keys them, entities, links, then the indexes.
    func load(_ data: AccountData) {
        exec(Self.schema)
        exec("BEGIN;")
        let digits = settings.suffixFallback.digits
        let region = settings.defaultRegion
        let party = prepare("INSERT INTO contacts VALUES (?1, ?2, ?3)")
        let company = prepare("INSERT INTO companies VALUES (?1, ?2, ?3)")
        let phone = prepare("INSERT INTO phones VALUES (?1, ?2, ?3, ?4)")
        func addPhones(_ kind: Int, _ id: Int, _ phones: [PhoneValue]) {
            for key in PhoneKey.keys(inStoredValues: phones, defaultRegion: region) {
                sqlite3_bind_text(phone, 1, key.e164, -1, transient)
                if let s = suffixText(key, digits: digits) {
                    sqlite3_bind_text(phone, 2, s, -1, transient)
                } else {
                    sqlite3_bind_null(phone, 2)
                }
                sqlite3_bind_int64(phone, 3, Int64(kind))
                sqlite3_bind_int64(phone, 4, Int64(id))
                step(phone)
            }
        }
        for c in data.contacts {
            sqlite3_bind_int64(party, 1, Int64(c.id))
            sqlite3_bind_int64(party, 2, Int64(c.createdAt))
            sqlite3_bind_int64(party, 3, c.isDeleted ? 1 : 0)
            step(party)
            addPhones(1, c.id, c.phones)
        }
        for c in data.companies {
            sqlite3_bind_int64(company, 1, Int64(c.id))
            sqlite3_bind_int64(company, 2, Int64(c.createdAt))
            sqlite3_bind_int64(company, 3, c.isDeleted ? 1 : 0)
            step(company)
            addPhones(3, c.id, c.phones)
        }
        let lead = prepare("INSERT INTO leads VALUES (?1, ?2, ?3)")
        for l in data.leads {
            sqlite3_bind_int64(lead, 1, Int64(l.id))
            sqlite3_bind_int64(lead, 2, Int64(l.statusID))
            sqlite3_bind_int64(lead, 3, l.isDeleted ? 1 : 0)
            step(lead)
        }
        let customer = prepare("INSERT INTO customers VALUES (?1, ?2, ?3)")
        for k in data.customers {
            sqlite3_bind_int64(customer, 1, Int64(k.id))
            if let status = k.statusID {
                sqlite3_bind_int64(customer, 2, Int64(status))
            } else {
                sqlite3_bind_null(customer, 2)
            }
            sqlite3_bind_int64(customer, 3, k.isDeleted ? 1 : 0)
            step(customer)
        }
        let closed = prepare("INSERT INTO closed_customer_statuses VALUES (?1)")
        for status in settings.closedCustomerStatusIDs.sorted() {
            sqlite3_bind_int64(closed, 1, Int64(status))
            step(closed)
        }
        // Links from either side: pairs once (OR IGNORE), a later company link replaces (OR REPLACE).
        let contactLead = prepare("INSERT OR IGNORE INTO contact_leads VALUES (?1, ?2)")
        let contactCustomer = prepare("INSERT OR IGNORE INTO contact_customers VALUES (?1, ?2)")
        let companyLead = prepare("INSERT OR REPLACE INTO company_leads VALUES (?1, ?2)")
        let companyCustomer = prepare("INSERT OR REPLACE INTO company_customers VALUES (?1, ?2)")
        func pair(_ s: OpaquePointer, _ a: Int, _ b: Int) {
            sqlite3_bind_int64(s, 1, Int64(a))
            sqlite3_bind_int64(s, 2, Int64(b))
            step(s)
        }
        for link in data.links {
            switch link {
            case .contactLead(let c, let l, _): pair(contactLead, c, l)
            case .contactCustomer(let c, let k): pair(contactCustomer, c, k)
            case .companyLead(let m, let l): pair(companyLead, l, m)
            case .companyCustomer(let m, let k): pair(companyCustomer, k, m)
            case .contactCompany: break
            }
        }
        for s in [
            party, company, phone, lead, customer, closed, contactLead, contactCustomer, companyLead, companyCustomer,
        ] {
            sqlite3_finalize(s)
        }
        exec("COMMIT;")
        exec(Self.indexes)
    }

    /// Prepares the statements the calls reuse.
    func prepareQueries() {
        exact = prepare(Self.candidateSQL("e164"))
        suffix = prepare(Self.candidateSQL("suffix"))
        contactDecision = prepare(Self.decisionSQL(side: "contact"))
        companyDecision = prepare(Self.decisionSQL(side: "company"))
    }

    /// The chosen (kind, id) for `text` with `statement`, or nil.
    private func candidate(_ statement: OpaquePointer, _ text: String) -> (Int, Int)? {
        defer { sqlite3_reset(statement) }
        sqlite3_bind_text(statement, 1, text, -1, transient)
        guard sqlite3_step(statement) == SQLITE_ROW else { return nil }
        return (Int(sqlite3_column_int64(statement, 0)), Int(sqlite3_column_int64(statement, 1)))
    }

    func resolve(_ number: PhoneNumber) -> CallTargetDecision.Target {
        guard let key = PhoneKey(number) else { return .createContact(e164: nil) }
        var chosen = candidate(exact!, key.e164)
        if chosen == nil, settings.suffixFallback.isEnabled,
            let s = suffixText(key, digits: settings.suffixFallback.digits)
        {
            chosen = candidate(suffix!, s)
        }
        guard let (kind, id) = chosen else { return .createContact(e164: nil) }
        let statement = kind == 1 ? contactDecision! : companyDecision!
        defer { sqlite3_reset(statement) }
        sqlite3_bind_int64(statement, 1, Int64(id))
        sqlite3_bind_int64(statement, 2, settings.customersEnabled ? 1 : 0)
        guard sqlite3_step(statement) == SQLITE_ROW else { fail("decision query returned no row") }
        let type = Int(sqlite3_column_int64(statement, 0))
        let target = Int(sqlite3_column_int64(statement, 1))
        switch type {
        case 2: return .lead(id: target)
        case 12: return .customer(id: target)
        case 1: return .contactCard(id: target)
        default: return .companyCard(id: target)
        }
    }
}

/// `sqlite <size> <seed> <queries> [answers.txt] [passes] [db-path]`: the account in a SQLite file.
func runSQLite(_ args: [String]) {
    let (size, seed, queries, answersPath, passes) = resolveArguments(args, mode: "sqlite")
    // A path given is kept for inspection; the default one is removed at the end.
    let keep = args.count > 5
    let path = keep ? args[5] : "/tmp/screenpop-compare-\(getpid()).sqlite"
    unlink(path)
    defer { if !keep { unlink(path) } }
    let workload = Workload(size: size, seed: seed, queries: queries)
    let callers = workload.callers

    let rssBefore = currentRSSKiB()
    let t0 = nowNs()
    var index: SQLiteIndex? = SQLiteIndex(path: path, settings: workload.data.settings)
    index!.load(workload.data)
    index!.prepareQueries()
    let buildMs = Double(nowNs() - t0) / 1e6
    let q0 = nowNs()
    blackHole(index!.resolve(callers[0]))
    let firstQueryNs = nowNs() - q0

    // Memory: resident after the build and one pass over the calls (SQLite's page cache fills as it
    // reads), before the measurement's own arrays.
    for i in 0..<callers.count { blackHole(index!.resolve(callers[i])) }
    let rssAfter = currentRSSKiB()

    writeAnswers(answersPath, callers.map { Answer.of(index!.resolve($0)) })
    let timing = latencies(count: callers.count, passes: passes) { i in blackHole(index!.resolve(callers[i])) }
    var fileStat = stat()
    stat(path, &fileStat)

    // Start-up of a service whose database already exists: open, prepare, first answer.
    index = nil
    let r0 = nowNs()
    let reopened = SQLiteIndex(path: path, settings: workload.data.settings)
    reopened.prepareQueries()
    blackHole(reopened.resolve(callers[0]))
    let reopenMs = Double(nowNs() - r0) / 1e6

    var json = resolveReport(
        peer: "sqlite", workload: workload, buildMs: buildMs, rssBeforeKiB: rssBefore, rssAfterKiB: rssAfter,
        firstQueryNs: firstQueryNs, timing: timing, passes: passes)
    json.add("db_file_kib", Int(fileStat.st_size) / 1024)
    json.add("reopen_first_answer_ms", reopenMs)
    json.add("sqlite_version", String(cString: sqlite3_libversion()))
    json.print()
}
