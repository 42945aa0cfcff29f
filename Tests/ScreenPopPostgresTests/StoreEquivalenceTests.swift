import AccountIndex
import AccountSynthesis
import AmoCRM
import Foundation
import ScreenPopPostgres
import ScreenPopStore
import Testing

/// The PostgreSQL store answers as the SQLite store does: the same account after an import, the
/// same changes for every batch of random updates, the same account after them.
@Suite struct StoreEquivalenceTests {
    /// Both stores, fresh: SQLite in a temporary file, PostgreSQL in a new database.
    static func withBothStores(_ body: (SQLiteAccountStore, PostgresAccountStore) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("screenpop-pg-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let sqlite = try SQLiteAccountStore(path: directory.appendingPathComponent("account.sqlite").path)
        try await TestPostgres.withStore { postgres, _ in try await body(sqlite, postgres) }
    }

    static let account = AccountObject(id: 42, subdomain: "test", country: "RU", customersMode: "periodicity")
    static let statuses = [CustomerStatus(id: 1005, name: "Closed", type: 3), CustomerStatus(id: 1001, name: "Open", type: 0)]

    /// Everything a store answers about account 42.
    static func expectSameAnswers(_ sqlite: SQLiteAccountStore, _ postgres: PostgresAccountStore, _ step: String)
        async throws
    {
        let a = try await sqlite.load(accountID: 42, suffixFallback: SuffixFallback())
        let b = try await postgres.load(accountID: 42, suffixFallback: SuffixFallback())
        #expect(a == b, "account after \(step)")
        #expect(try await sqlite.accountIDs() == postgres.accountIDs(), "ids after \(step)")
        #expect(try await sqlite.syncState(accountID: 42) == postgres.syncState(accountID: 42), "state after \(step)")
        #expect(try await sqlite.entityCounts(accountID: 42) == postgres.entityCounts(accountID: 42), "counts after \(step)")
        // Every run the batches use, before a time and at any time: which listing saw what.
        for kind in EntityKind.allCases {
            for run in 1...3 {
                for before in [1_700_000_300, Int.max] {
                    let unseenA = try await sqlite.unseenIDs(accountID: 42, kind: kind, run: run, updatedBefore: before)
                    let unseenB = try await postgres.unseenIDs(
                        accountID: 42, kind: kind, run: run, updatedBefore: before)
                    #expect(unseenA == unseenB, "unseen \(kind), run \(run), before \(before), after \(step)")
                }
            }
        }
    }

    @Test(arguments: Array(1...6) as [UInt64])
    func randomBatchesGiveTheSameChangesAndTheSameAccount(seed: UInt64) async throws {
        try await Self.withBothStores { sqlite, postgres in
            let synthetic = SyntheticAccount(seed: seed, contacts: 40)
            let stored = StoredAccount(
                account: Self.account, data: synthetic.data, details: synthetic.details,
                users: [AccountUser(id: 1, name: "A"), AccountUser(id: 2, name: "B", email: "b@example.com")],
                customerStatuses: Self.statuses, pipelines: SyntheticAccount.amoCRMPipelines)
            try await sqlite.replace(with: stored)
            try await postgres.replace(with: stored)
            try await Self.expectSameAnswers(sqlite, postgres, "the import")
            var random = RandomUpdates(seed: seed, ids: synthetic)
            for step in 0..<40 {
                // Group commits of one to three batches.
                let batches = (0..<random.int(1...3)).map { _ in random.batch() }
                let fromSQLite = try await sqlite.apply(batches, accountID: 42)
                var fromPostgres = try await postgres.apply(batches, accountID: 42)
                #expect(fromPostgres.sequence != nil)
                fromPostgres.sequence = nil
                #expect(fromSQLite == fromPostgres, "changes of step \(step): \(batches.map(\.updates))")
                if step % 8 == 7 { try await Self.expectSameAnswers(sqlite, postgres, "step \(step)") }
            }
            try await Self.expectSameAnswers(sqlite, postgres, "the last step")
        }
    }

    @Test func theDemoAccountComesBackAsFromSQLite() async throws {
        let demo = TestPostgres.repository.appendingPathComponent("Examples/demo-account").path
        let loaded = try await AccountDirectory.load(demo, options: AccountDirectory.Options(progress: .never))
        try await Self.withBothStores { sqlite, postgres in
            var stored = StoredAccount(loaded)
            stored.accountID = 42
            stored.account.id = 42
            try await sqlite.replace(with: stored)
            try await postgres.replace(with: stored)
            try await Self.expectSameAnswers(sqlite, postgres, "the import")
            let back = try #require(try await postgres.load(accountID: 42, suffixFallback: SuffixFallback()))
            #expect(AccountIndex(building: back.data).snapshot.dump() == AccountIndex(building: loaded.data).snapshot.dump())
        }
    }

    /// One transaction of several batches tells each batch's own counts, as SQLite's does.
    @Test func aGroupCommitCountsEachBatchApart() async throws {
        try await Self.withBothStores { sqlite, postgres in
            let newer = EntityUpdate(
                entity: .contact(8), updatedAt: 2_000, name: "New", createdAt: 1_000,
                phones: [PhoneValue("+7 999 888-55-34")], isComplete: true)
            let older = EntityUpdate(entity: .contact(8), updatedAt: 1_500, name: "Old")
            let batches = [StoreBatch(updates: [newer]), StoreBatch(updates: [older, older]), StoreBatch(updates: [newer])]
            let changes = try await postgres.apply(batches, accountID: 42)
            #expect(changes.staleCount == 2 && changes.unchangedCount == 1)
            #expect(changes.forBatch(1).staleCount == 2)
            #expect(changes.forBatch(2).staleCount == 0 && changes.forBatch(2).unchangedCount == 1)
            var fromSQLite = try await sqlite.apply(batches, accountID: 42)
            fromSQLite.sequence = changes.sequence
            #expect(fromSQLite == changes)
        }
    }
}

/// What the stores' tests add to the updates: listing runs, sync state, users, statuses, pipelines,
/// the account.
extension RandomUpdates {
    mutating func batch() -> StoreBatch {
        var batch = StoreBatch(updates: (0..<int(1...6)).map { _ in update() })
        if int(0...9) == 0 { batch.listingRun = int(1...3) }
        if int(0...4) == 0 { batch.syncState = ["cursor": "\(clock)", "run": "\(int(1...3))"] }
        if int(0...14) == 0 {
            batch.customerStatuses =
                int(0...1) == 0
                ? [CustomerStatus(id: 1005, name: "Closed", type: 3)]
                : [CustomerStatus(id: 1005, name: "Closed", type: 0), CustomerStatus(id: 1001, name: "Open", type: 3)]
        }
        if int(0...14) == 0 {
            batch.users = [AccountUser(id: 1, name: "A\(int(0...1))"), AccountUser(id: 3, name: "C", email: nil)]
            if int(0...2) == 0 { batch.users!.append(AccountUser(id: 1, name: "again")) }
        }
        if int(0...9) == 0 {
            // Renamed, gone, a status twice (the later one stays), or the same again (no change).
            var pipelines = Array(SyntheticAccount.amoCRMPipelines.prefix(int(1...3)))
            if int(0...1) == 0 { pipelines[0].name = "Воронка \(int(0...2))" }
            if int(0...2) == 0 { pipelines[0].statuses.append(LeadPipelineStatus(id: 142, name: "Won \(int(0...1))")) }
            batch.pipelines = pipelines
        }
        if int(0...19) == 0 {
            batch.account = AccountObject(
                id: 42, subdomain: "test", country: int(0...1) == 0 ? "RU" : "KZ",
                customersMode: int(0...3) == 0 ? "disabled" : "periodicity")
        }
        return batch
    }
}
