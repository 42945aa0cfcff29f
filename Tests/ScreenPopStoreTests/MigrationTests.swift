import AccountIndex
import AmoCRM
import GRDB
import ScreenPopStore
import Testing

/// A store written by the first schema opens under the current one with nothing lost.
@Suite struct MigrationTests {
    @Test func aVersion1StoreKeepsItsAccountAndItsLinksBecomeASet() async throws {
        try await SQLiteAccountStoreTests.withStorePath { path in
            // The v1 schema and rows, as the first release wrote them.
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in
                try db.execute(
                    sql: """
                        CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                        INSERT INTO grdb_migrations VALUES ('v1');
                        CREATE TABLE account (account_id INTEGER PRIMARY KEY, name TEXT, subdomain TEXT, country TEXT,
                            customers_mode TEXT NOT NULL);
                        CREATE TABLE entity (account_id INTEGER NOT NULL, kind INTEGER NOT NULL, id INTEGER NOT NULL,
                            position INTEGER NOT NULL, name TEXT NOT NULL, created_at INTEGER NOT NULL,
                            updated_at INTEGER NOT NULL, is_deleted INTEGER NOT NULL, responsible_user_id INTEGER,
                            pipeline_id INTEGER, status_id INTEGER, PRIMARY KEY (account_id, kind, id));
                        CREATE INDEX entity_order ON entity (account_id, kind, position);
                        CREATE TABLE phone (account_id INTEGER NOT NULL, kind INTEGER NOT NULL, entity_id INTEGER NOT NULL,
                            position INTEGER NOT NULL, value TEXT NOT NULL, enum_code TEXT NOT NULL,
                            PRIMARY KEY (account_id, kind, entity_id, position));
                        CREATE TABLE link (account_id INTEGER NOT NULL, position INTEGER NOT NULL,
                            link_kind INTEGER NOT NULL, a_id INTEGER NOT NULL, b_id INTEGER NOT NULL,
                            is_main INTEGER NOT NULL, PRIMARY KEY (account_id, position));
                        CREATE TABLE user (account_id INTEGER NOT NULL, id INTEGER NOT NULL, name TEXT NOT NULL,
                            email TEXT, PRIMARY KEY (account_id, id));
                        CREATE TABLE customer_status (account_id INTEGER NOT NULL, id INTEGER NOT NULL,
                            name TEXT NOT NULL, type INTEGER, PRIMARY KEY (account_id, id));
                        CREATE TABLE sync_state (account_id INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
                            PRIMARY KEY (account_id, key));
                        INSERT INTO account VALUES (9, 'Test', 'test', 'RU', 'disabled');
                        INSERT INTO entity VALUES (9, 1, 1, 0, 'Ann', 100, 100, 0, NULL, NULL, NULL);
                        INSERT INTO entity VALUES (9, 2, 5, 0, 'Deal', 100, 100, 0, NULL, 77, 142);
                        INSERT INTO entity VALUES (9, 3, 20, 0, 'Old Co', 100, 100, 0, NULL, NULL, NULL);
                        INSERT INTO entity VALUES (9, 3, 21, 1, 'New Co', 100, 100, 0, NULL, NULL, NULL);
                        INSERT INTO phone VALUES (9, 1, 1, 0, '+7 999 888-55-33', 'MOB');
                        -- The contact-lead pair from both sides (main on the lead's), and two companies of one
                        -- contact: the later wins.
                        INSERT INTO link VALUES (9, 0, 1, 1, 5, 0);
                        INSERT INTO link VALUES (9, 1, 1, 1, 5, 1);
                        INSERT INTO link VALUES (9, 2, 5, 1, 20, 0);
                        INSERT INTO link VALUES (9, 3, 5, 1, 21, 0);
                        INSERT INTO sync_state VALUES (9, 'listing.last_at', '100');
                        INSERT INTO sync_state VALUES (9, 'poll.from', '50');
                        """)
            }
            let stored = try await #require(try SQLiteAccountStore(path: path).loadOnlyAccount())
            #expect(stored.accountID == 9)
            #expect(stored.data.contacts.map(\.phones) == [[PhoneValue("+7 999 888-55-33", kind: .mobile)]])
            #expect(stored.details.companies.map(\.name) == ["Old Co", "New Co"])
            #expect(
                Set(stored.data.links) == [
                    .contactLead(contactID: 1, leadID: 5, isMain: true), .contactCompany(contactID: 1, companyID: 21),
                ])
            // And it takes updates at once.
            let store = try SQLiteAccountStore(path: path)
            let changes = try await store.apply(
                [StoreBatch(updates: [EntityUpdate(entity: .contact(1), updatedAt: 200, name: "Anna")])], accountID: 9)
            #expect(changes.entities.map(\.details.name) == ["Anna"])
            // Schema v5: leads have no price and the account no pipelines until told.
            #expect(stored.details.leads.map(\.price) == [nil] && stored.pipelines.isEmpty)
            let pipelines = [LeadPipeline(id: 77, name: "Sales", statuses: [LeadPipelineStatus(id: 142, name: "Won")])]
            _ = try await store.apply(
                [
                    StoreBatch(
                        updates: [EntityUpdate(entity: .lead(5), updatedAt: 300, price: 4_500)], pipelines: pipelines)
                ], accountID: 9)
            let after = try await #require(try store.loadOnlyAccount())
            #expect(after.details.leads.map(\.price) == [4_500] && after.pipelines == pipelines)
            // The next sync reconciles: every lead's price is read, not only those changed since.
            #expect(try await store.syncState(accountID: 9) == ["poll.from": "50"])
        }
    }
}
