import AccountIndex
import AccountSynthesis
import AmoCRM
import Foundation
import Logging
import PostgresNIO
import ScreenPopPostgres
import ScreenPopStore
import Testing

/// The PostgreSQL store on a real server: what goes in comes out, registrations, removal, errors.
@Suite struct PostgresAccountStoreTests {
    @Test func aSyntheticAccountComesBackAsItWent() async throws {
        let synthetic = SyntheticAccount(seed: 11, contacts: 2_000)
        let stored = StoredAccount(
            account: AccountObject(id: 777, subdomain: "synthetic", country: "RU", customersMode: "periodicity"),
            data: synthetic.data, details: synthetic.details, users: [AccountUser(id: 7_000_001, name: "A")],
            customerStatuses: [
                CustomerStatus(id: SyntheticAccount.closedCustomerStatusID, type: CustomerStatus.closedType),
                CustomerStatus(id: 1001, name: "new", type: 0),
            ], pipelines: SyntheticAccount.amoCRMPipelines)
        try await TestPostgres.withStore { store, url in
            try await store.replace(with: stored)
            // Another store on the same database: what the server holds, not a cache.
            let other = try await PostgresAccountStore.open(url)
            let back = try #require(try await other.load(accountID: 777, suffixFallback: SuffixFallback()))
            await other.shutdown()
            #expect(back.data.contacts == stored.data.contacts)
            #expect(back.data.companies == stored.data.companies)
            #expect(back.data.leads == stored.data.leads)
            #expect(back.data.customers == stored.data.customers)
            #expect(Set(back.data.links) == Set(LinkRowsForTests.pairs(stored.data.links)))
            #expect(back.details == stored.details)
            #expect(back.users == stored.users && back.customerStatuses == stored.customerStatuses)
            #expect(back.pipelines == stored.pipelines && !back.pipelines.isEmpty)
            #expect(back.details.leads.contains { $0.price != nil }, "prices come back")
            #expect(back.data.settings.closedCustomerStatusIDs == [SyntheticAccount.closedCustomerStatusID])
            #expect(
                AccountIndex(building: back.data).snapshot.dump()
                    == AccountIndex(building: synthetic.data).snapshot.dump())
            #expect(
                try await store.entityCounts(accountID: 777)[.contact]
                    == stored.data.contacts.count(where: { !$0.isDeleted }))
        }
    }

    @Test func replacingIsWholeAndOtherAccountsAreUntouched() async throws {
        let sample = StoredAccount(
            account: AccountObject(id: 1, country: "RU", customersMode: "disabled"), data: SampleAccount.data,
            details: AccountDetails(), users: [], customerStatuses: [])
        var other = sample
        other.accountID = 2
        other.account.id = 2
        try await TestPostgres.withStore { store, _ in
            try await store.replace(with: sample)
            try await store.replace(with: other)
            var smaller = sample
            smaller.data.contacts.removeLast()
            try await store.replace(with: smaller)
            #expect(try await store.accountIDs() == [1, 2])
            #expect(
                try await store.load(accountID: 1, suffixFallback: SuffixFallback())?.data.contacts
                    == smaller.data.contacts)
            #expect(
                try await store.load(accountID: 2, suffixFallback: SuffixFallback())?.data.contacts
                    == sample.data.contacts)
            #expect(try await store.load(accountID: 3, suffixFallback: SuffixFallback()) == nil)
            await #expect(throws: StoreError.self) { try await store.loadOnlyAccount() }
        }
    }

    static func registration(_ id: Int, token: UInt8, secret: UInt8) -> AccountRegistration {
        AccountRegistration(
            accountID: id, subdomain: "account\(id)", amocrmURL: id == 1 ? nil : "https://account\(id).amocrm.ru",
            apiTokenHash: Array(repeating: token, count: 32), webhookSecretHash: Array(repeating: secret, count: 32),
            createdAt: 1_700_000_000 + id)
    }

    @Test func instancesThatMakeAServerSecretAtOnceAllKeepTheFirst() async throws {
        try await TestPostgres.withStore { store, url in
            let other = try await PostgresAccountStore.open(url, origin: "other")
            async let mine = store.serverSecret(named: "k", orMake: { Array(repeating: 1, count: 32) })
            async let theirs = other.serverSecret(named: "k", orMake: { Array(repeating: 2, count: 32) })
            let both = await (try? mine, try? theirs)
            await other.shutdown()
            let (a, b) = (try #require(both.0), try #require(both.1))
            #expect(a == b)
            #expect(try await store.serverSecret(named: "k", orMake: { [3] }) == a)
        }
    }

    @Test func registrationsAreUniqueByEachHash() async throws {
        try await TestPostgres.withStore { store, _ in
            let first = Self.registration(1, token: 1, secret: 2)
            let second = Self.registration(2, token: 3, secret: 4)
            try await store.register(second)
            try await store.register(first)
            #expect(try await store.registrations() == [first, second])
            // The same account again: replaced.
            var renamed = first
            renamed.subdomain = "renamed"
            renamed.apiTokenHash = Array(repeating: 9, count: 32)
            try await store.register(renamed)
            #expect(try await store.registrations() == [renamed, second])
            // Another account with a hash taken: refused, and nothing changes.
            let error = await #expect(throws: StoreError.self) {
                try await store.register(Self.registration(3, token: 3, secret: 5))
            }
            #expect(error?.description.contains("register account 3") == true)
            #expect(error?.description.contains("registration_api_token") == true)
            await #expect(throws: StoreError.self) {
                try await store.register(Self.registration(3, token: 6, secret: 2))
            }
            #expect(try await store.registrations() == [renamed, second])
        }
    }

    @Test func removingAnAccountRemovesAllOfItAndLogsIt() async throws {
        try await TestPostgres.withStore { store, url in
            var sample = StoredAccount(
                account: AccountObject(id: 5, country: "RU", customersMode: "periodicity"), data: SampleAccount.data,
                details: AccountDetails(), users: [AccountUser(id: 1, name: "A")],
                customerStatuses: [CustomerStatus(id: 1005, name: "Closed", type: 3)],
                pipelines: [LeadPipeline(id: 77, name: "P", statuses: [LeadPipelineStatus(id: 142, name: "Won")])])
            try await store.replace(with: sample)
            sample.accountID = 6
            sample.account.id = 6
            try await store.replace(with: sample)
            for id in [5, 6] {
                try await store.register(Self.registration(id, token: UInt8(id), secret: UInt8(id + 10)))
                _ = try await store.apply(
                    [
                        StoreBatch(
                            updates: [EntityUpdate(entity: .contact(99), updatedAt: 1, name: "X")],
                            syncState: ["k": "v"])
                    ],
                    accountID: id)
            }
            try await store.removeAccount(accountID: 5)
            #expect(try await store.accountIDs() == [6])
            #expect(try await store.registrations().map(\.accountID) == [6])
            #expect(try await store.syncState(accountID: 5).isEmpty)
            #expect(try await store.syncState(accountID: 6) == ["k": "v"])
            #expect(try await store.load(accountID: 6, suffixFallback: SuffixFallback()) != nil)
            // No row of account 5 is left in any table.
            let left = try await Self.rowsOfAccount(5, url: url)
            #expect(left == 0)
            let log = try await store.changes(accountID: 5, after: 0, limit: 10)
            #expect(log.map(\.kind) == [.removed])
            #expect(log.first?.origin == store.origin)
        }
    }

    /// A database of the release before prices and pipelines (schema version 3) is brought to version
    /// 4 at open: its leads have no price, its accounts no pipelines, and its synced accounts'
    /// next sync reconciles (every lead's price is read).
    @Test func aVersion3DatabaseGetsPricesAndPipelines() async throws {
        try await TestPostgres.withDatabase { url in
            var data = AccountData(settings: AccountSettings(defaultRegion: "RU"))
            data.leads = [Lead(id: 5, statusID: 142)]
            let old = StoredAccount(
                account: AccountObject(id: 9, country: "RU", customersMode: "disabled"), data: data,
                details: AccountDetails(leads: [EntityDetails(name: "Deal", createdAt: 100, pipelineID: 77)]),
                users: [], customerStatuses: [])
            let first = try await PostgresAccountStore.open(url)
            try await first.replace(with: old)
            _ = try await first.apply(
                [StoreBatch(syncState: ["listing.last_at": "100", "poll.from": "50"])], accountID: 9)
            await first.shutdown()
            // Back to version 3, as the previous release left it.
            try await Self.withConnection(url) { connection in
                for statement in [
                    "ALTER TABLE entity DROP COLUMN price", "DROP TABLE lead_pipeline", "DROP TABLE lead_status",
                    "DELETE FROM schema_version WHERE version = 4",
                ] {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: TestPostgres.logger)
                }
            }
            let store = try await PostgresAccountStore.open(url)
            let migrated = try #require(try await store.load(accountID: 9, suffixFallback: SuffixFallback()))
            #expect(migrated.details == old.details && migrated.pipelines.isEmpty)
            #expect(try await store.syncState(accountID: 9) == ["poll.from": "50"])
            let pipelines = [LeadPipeline(id: 77, name: "Sales", statuses: [LeadPipelineStatus(id: 142, name: "Won")])]
            _ = try await store.apply(
                [
                    StoreBatch(
                        updates: [EntityUpdate(entity: .lead(5), updatedAt: 200, price: 4_500)], pipelines: pipelines)
                ], accountID: 9)
            let after = try #require(try await store.load(accountID: 9, suffixFallback: SuffixFallback()))
            #expect(after.details.leads.map(\.price) == [4_500] && after.pipelines == pipelines)
            await store.shutdown()
        }
    }

    /// A connection to the database of `url`, for `body`.
    static func withConnection(_ url: String, _ body: (PostgresConnection) async throws -> Void) async throws {
        let parsed = try PostgresURL(url)
        let connection = try await PostgresConnection.connect(
            configuration: PostgresConnection.Configuration(
                host: parsed.host, port: parsed.port, username: parsed.user, password: nil, database: parsed.database,
                tls: .disable), id: 3, logger: TestPostgres.logger)
        do {
            try await body(connection)
        } catch {
            await connection.closeAndSettle()
            throw error
        }
        await connection.closeAndSettle()
    }

    /// How many rows of `accountID` the account tables hold.
    static func rowsOfAccount(_ accountID: Int, url: String) async throws -> Int {
        let parsed = try PostgresURL(url)
        let connection = try await PostgresConnection.connect(
            configuration: PostgresConnection.Configuration(
                host: parsed.host, port: parsed.port, username: parsed.user, password: nil, database: parsed.database,
                tls: .disable), id: 2, logger: TestPostgres.logger)
        var total = 0
        for table in [
            "registration", "account", "entity", "phone", "link", "\"user\"", "customer_status", "sync_state",
            "lead_pipeline", "lead_status",
        ] {
            let rows = try await connection.query(
                "SELECT COUNT(*) FROM \(unescaped: table) WHERE account_id = \(accountID)", logger: TestPostgres.logger)
            for try await count in rows.decode(Int.self) { total += count }
        }
        await connection.closeAndSettle()
        return total
    }

    @Test(arguments: [
        ("mysql://u@h:1/d", "must start with postgres://"),
        ("postgres://u:hunter2@h:99999/d", "port"),
        ("postgres://u:hunter2@h:5432", "no /DATABASE"),
        ("postgres://u:hunter2@h:5432/", "no database name"),
        ("postgres://h:5432/d", "no USER@"),
        ("postgres://u:hunter2@h:5432/d?sslmode=sometimes", "sslmode"),
    ])
    func aURLThatDoesNotParseSaysWhatIsWrongWithoutThePassword(url: String, what: String) async throws {
        let error = await #expect(throws: StoreError.self) { try await PostgresAccountStore.open(url) }
        #expect(error?.description.contains(what) == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("hunter2") == false)
    }

    @Test func urlsParse() throws {
        let url = try PostgresURL("postgresql://screen%40pop:p%3Ass@db.example:6543/accounts?sslmode=disable")
        #expect(url.user == "screen@pop" && url.password == "p:ss" && url.host == "db.example")
        #expect(url.port == 6543 && url.database == "accounts" && url.sslMode == .disable)
        #expect(url.description == "postgres://screen@pop@db.example:6543/accounts?sslmode=disable")
        let ipv6 = try PostgresURL("postgres://u@[::1]/d")
        #expect(ipv6.host == "::1" && ipv6.port == 5432 && ipv6.description == "postgres://u@[::1]:5432/d")
    }

    @Test func aServerThatDoesNotAnswerIsAnErrorThatNamesItWithoutThePassword() async throws {
        // A port nothing listens on: bind one, close it.
        let url = "postgres://postgres:hunter2@127.0.0.1:1/screenpop?sslmode=disable"
        let error = await #expect(throws: StoreError.self) { try await PostgresAccountStore.open(url) }
        let text = error?.description ?? ""
        #expect(
            text.hasPrefix("postgres://postgres@127.0.0.1:1/screenpop?sslmode=disable: cannot open the store: "),
            "\(text)")
        #expect(!text.contains("hunter2"))
    }

    @Test func aServerErrorSaysWhatAndWhere() async throws {
        try await TestPostgres.withStore { store, _ in
            let error = await #expect(throws: StoreError.self) {
                try await store.apply(
                    [StoreBatch(updates: [EntityUpdate(entity: .contact(-1), name: "X")])], accountID: 5)
            }
            #expect(
                error?.description
                    == "\(store.url): cannot write changes to account 5: contact -1: an id must be positive")
            // Nothing of a failed transaction stays, not even its log entry.
            let last = try await store.lastSequence(accountID: 5)
            #expect(last == 0)
        }
    }
}

enum LinkRowsForTests {
    /// The links as a store keeps them: each pair once, main when either side says so (these
    /// accounts have no contradicting "at most one" links).
    static func pairs(_ links: [AccountLink]) -> [AccountLink] {
        var mains: Set<AccountLink> = []
        for case .contactLead(let contact, let lead, true) in links {
            mains.insert(.contactLead(contactID: contact, leadID: lead))
        }
        return links.map { link in
            if case .contactLead(let contact, let lead, _) = link {
                return .contactLead(
                    contactID: contact, leadID: lead,
                    isMain: mains.contains(.contactLead(contactID: contact, leadID: lead)))
            }
            return link
        }
    }
}
