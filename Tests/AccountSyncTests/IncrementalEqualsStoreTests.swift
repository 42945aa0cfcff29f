import AccountIndex
import AccountSync
import AccountSynthesis
import AmoCRM
import CallEvents
import Foundation
import ScreenPopStore
import Testing

/// Whatever sequence of updates a live account takes, its index equals one built from scratch from
/// the store, and its names are the store's.
@Suite struct IncrementalEqualsStoreTests {
    /// A fresh store file, removed afterwards.
    static func withStore<T>(_ body: (SQLiteAccountStore) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("screenpop-sync-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(try SQLiteAccountStore(path: directory.appendingPathComponent("account.sqlite").path))
    }

    static let account = AccountObject(id: 42, subdomain: "test", country: "RU", customersMode: "periodicity")
    static let statuses = [
        CustomerStatus(id: 1005, name: "Closed", type: 3), CustomerStatus(id: 1001, name: "Open", type: 0),
    ]

    /// The store holding the account object alone, and its live account.
    static func emptyLiveAccount(in store: SQLiteAccountStore) async throws -> LiveAccount {
        try await store.replace(
            with: StoredAccount(
                account: account, data: AccountData(settings: AccountSettings(defaultRegion: "RU")),
                details: AccountDetails(), users: [], customerStatuses: []))
        return try await LiveAccount.open(store: store)
    }

    /// The same checks after every commit: the index, the names and the card's facts, the labels.
    static func expectMatchesStore(_ live: LiveAccount, _ store: SQLiteAccountStore, step: String) async throws {
        let stored = try #require(try await store.load(accountID: live.accountID, suffixFallback: live.suffixFallback))
        let rebuilt = AccountIndex(building: stored.data).snapshot.dump()
        let incremental = live.index.snapshot.dump()
        #expect(incremental == rebuilt, "after \(step)")
        for (ref, name) in stored.entityNames {
            #expect(live.roster.name(of: ref) == name, "name of \(ref) after \(step)")
        }
        let facts = EntityNames(data: stored.data, details: stored.details)
        #expect(live.roster.nameCount == facts.count, "entities with facts after \(step)")
        for ref in stored.data.leads.map({ EntityRef.lead($0.id) }) + stored.data.customers.map({ .customer($0.id) }) {
            #expect(live.roster.facts(of: ref) == facts.facts(of: ref), "facts of \(ref) after \(step)")
        }
        #expect(
            live.roster.labels
                == AccountLabels(account: stored.account, users: stored.users, pipelines: stored.pipelines),
            "labels after \(step)")
    }

    @Test(arguments: Array(1...16) as [UInt64])
    func randomUpdatesKeepTheIndexEqualToTheStore(seed: UInt64) async throws {
        try await Self.withStore { store in
            let synthetic = SyntheticAccount(seed: seed, contacts: 40)
            try await store.replace(
                with: StoredAccount(
                    account: Self.account, data: synthetic.data, details: synthetic.details,
                    users: [AccountUser(id: 1, name: "A")], customerStatuses: Self.statuses,
                    pipelines: SyntheticAccount.amoCRMPipelines))
            let live = try await LiveAccount.open(store: store)
            try await Self.expectMatchesStore(live, store, step: "open")
            var random = RandomUpdates(seed: seed, ids: synthetic)
            for step in 0..<60 {
                var batch = StoreBatch(updates: (0..<random.int(1...6)).map { _ in random.update() })
                if random.int(0...19) == 0 {
                    batch.customerStatuses =
                        random.int(0...1) == 0
                        ? [CustomerStatus(id: 1005, name: "Closed", type: 3)]
                        : [
                            CustomerStatus(id: 1005, name: "Closed", type: 0),
                            CustomerStatus(id: 1001, name: "Open", type: 3),
                        ]
                }
                if random.int(0...9) == 0 {
                    var pipelines = Array(SyntheticAccount.amoCRMPipelines.prefix(random.int(1...3)))
                    pipelines[0].statuses[0].name = "Этап \(random.int(0...3))"
                    batch.pipelines = pipelines
                    batch.users = [AccountUser(id: 1, name: "A\(random.int(0...1))"), AccountUser(id: 2, name: "B")]
                }
                if random.int(0...29) == 0 {
                    batch.account = AccountObject(
                        id: 42, subdomain: "test", country: random.int(0...1) == 0 ? "RU" : "KZ",
                        customersMode: random.int(0...3) == 0 ? "disabled" : "periodicity")
                }
                try await live.commit(batch)
                try await Self.expectMatchesStore(live, store, step: "step \(step): \(batch.updates)")
            }
            // Concurrent commits go in groups and still agree, while calls read the index and the
            // roster (under `--sanitize=thread`, a race here is reported).
            let ids = random.contacts
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<40 {
                    let batch = StoreBatch(updates: [random.update(), random.update()])
                    group.addTask { try await live.commit(batch) }
                }
                group.addTask {
                    for round in 0..<2_000 {
                        let id = ids[round % ids.count]
                        _ = live.roster.name(of: .contact(id))
                        _ = live.roster.users.contains(1)
                        _ = live.index.resolve(callerNumber: RandomUpdates.numbers[round % RandomUpdates.numbers.count])
                    }
                }
                try await group.waitForAll()
            }
            try await Self.expectMatchesStore(live, store, step: "concurrent commits")
            #expect(live.commitStatistics.failures == 0)
        }
    }

    /// One transaction of several batches (a group commit) tells each batch's own counts: a
    /// webhook's answer says how many of its updates were stale, not how many of the group's were.
    @Test func aGroupCommitCountsEachBatchApart() async throws {
        try await Self.withStore { store in
            _ = try await Self.emptyLiveAccount(in: store)
            let accountID = try #require(try await store.accountIDs().first)
            let newer = EntityUpdate(
                entity: .contact(8), updatedAt: 2_000, name: "New", createdAt: 1_000,
                phones: [PhoneValue("+7 999 888-55-34")], isComplete: true)
            let older = EntityUpdate(entity: .contact(8), updatedAt: 1_500, name: "Old")
            let changes = try await store.apply(
                [StoreBatch(updates: [newer]), StoreBatch(updates: [older, older]), StoreBatch(updates: [newer])],
                accountID: accountID)
            #expect(changes.staleCount == 2 && changes.unchangedCount == 1)
            #expect(changes.forBatch(0).staleCount == 0 && changes.forBatch(0).unchangedCount == 0)
            #expect(changes.forBatch(1).staleCount == 2)
            #expect(changes.forBatch(2).staleCount == 0 && changes.forBatch(2).unchangedCount == 1)
            #expect(changes.forBatch(2).entities.count == changes.entities.count)
        }
    }

    @Test func anOlderUpdateChangesNothingAndARepeatIsOnce() async throws {
        try await Self.withStore { store in
            let live = try await Self.emptyLiveAccount(in: store)
            let newer = EntityUpdate(
                entity: .contact(7), updatedAt: 2_000, name: "New", createdAt: 1_000,
                phones: [PhoneValue("+7 999 888-55-33")], isComplete: true)
            let older = EntityUpdate(
                entity: .contact(7), updatedAt: 1_500, name: "Old", phones: [PhoneValue("+7 916 123-45-67")])
            var changes = try await live.commit(StoreBatch(updates: [newer]))
            #expect(changes.entities.count == 1 && changes.created == [.contact(7)])
            changes = try await live.commit(StoreBatch(updates: [older]))
            #expect(changes.staleCount == 1 && changes.entities.isEmpty)
            changes = try await live.commit(StoreBatch(updates: [newer]))
            #expect(changes.unchangedCount == 1 && changes.entities.isEmpty)
            #expect(live.roster.name(of: .contact(7)) == "New")
            #expect(live.index.resolve(callerNumber: "+79998885533").target == .contactCard(id: 7))
            // A deletion without a time is taken as current; an older add cannot bring it back.
            _ = try await live.commit(StoreBatch(updates: [.deletion(of: .contact(7))]))
            _ = try await live.commit(StoreBatch(updates: [older]))
            #expect(live.index.resolve(callerNumber: "+79998885533").target.entity == nil)
            try await Self.expectMatchesStore(live, store, step: "delete")
        }
    }

    @Test func aLinkToAnEntityNotYetStoredReachesTheIndexWithIt() async throws {
        try await Self.withStore { store in
            let live = try await Self.emptyLiveAccount(in: store)
            // The contact lists lead 5 before lead 5 is known.
            try await live.commit(
                StoreBatch(updates: [
                    EntityUpdate(
                        entity: .contact(1), updatedAt: 10, name: "Ann", createdAt: 10,
                        phones: [PhoneValue("+7 999 888-55-33")], links: [.leads: [.init(id: 5)]], isComplete: true)
                ]))
            #expect(live.index.resolve(callerNumber: "+79998885533").target == .contactCard(id: 1))
            try await live.commit(
                StoreBatch(updates: [
                    EntityUpdate(entity: .lead(5), updatedAt: 11, name: "Deal", statusID: 100, isComplete: false)
                ]))
            #expect(live.index.resolve(callerNumber: "+79998885533").target == .lead(id: 5))
            try await Self.expectMatchesStore(live, store, step: "lead arrives")
        }
    }
}
