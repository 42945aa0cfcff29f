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
    static let statuses = [CustomerStatus(id: 1005, name: "Closed", type: 3), CustomerStatus(id: 1001, name: "Open", type: 0)]

    /// The store holding the account object alone, and its live account.
    static func emptyLiveAccount(in store: SQLiteAccountStore) async throws -> LiveAccount {
        try await store.replace(
            with: StoredAccount(
                account: account, data: AccountData(settings: AccountSettings(defaultRegion: "RU")),
                details: AccountDetails(), users: [], customerStatuses: []))
        return try await LiveAccount.open(store: store)
    }

    /// The same checks after every commit: the index, the names.
    static func expectMatchesStore(_ live: LiveAccount, _ store: SQLiteAccountStore, step: String) async throws {
        let stored = try #require(try await store.load(accountID: live.accountID, suffixFallback: live.suffixFallback))
        let rebuilt = AccountIndex(building: stored.data).snapshot.dump()
        let incremental = live.index.snapshot.dump()
        #expect(incremental == rebuilt, "after \(step)")
        for (ref, name) in stored.entityNames {
            #expect(live.roster.name(of: ref) == name, "name of \(ref) after \(step)")
        }
    }

    @Test(arguments: Array(1...16) as [UInt64])
    func randomUpdatesKeepTheIndexEqualToTheStore(seed: UInt64) async throws {
        try await Self.withStore { store in
            let synthetic = SyntheticAccount(seed: seed, contacts: 40)
            try await store.replace(
                with: StoredAccount(
                    account: Self.account, data: synthetic.data, details: synthetic.details,
                    users: [AccountUser(id: 1, name: "A")], customerStatuses: Self.statuses))
            let live = try await LiveAccount.open(store: store)
            try await Self.expectMatchesStore(live, store, step: "open")
            var random = UpdateGenerator(seed: seed, ids: synthetic)
            for step in 0..<60 {
                var batch = StoreBatch(updates: (0..<random.int(1...6)).map { _ in random.update() })
                if random.int(0...19) == 0 { batch.customerStatuses = random.statuses() }
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
                        _ = live.index.resolve(callerNumber: UpdateGenerator.numbers[round % UpdateGenerator.numbers.count])
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

/// Random updates over a small id space, so that they collide: the same numbers, links moved,
/// stale times, deletions, partial and complete updates.
struct UpdateGenerator {
    var state: UInt64
    let contacts: [Int]
    let companies: [Int]
    let leads: [Int]
    let customers: [Int]
    var clock = 1_700_000_000

    init(seed: UInt64, ids account: SyntheticAccount) {
        state = seed &* 0x9E37_79B9_7F4A_7C15
        // Existing ids and a few new ones.
        contacts = Array(account.data.contacts.prefix(12).map(\.id)) + [9_000_001, 9_000_002]
        companies = Array(account.data.companies.prefix(5).map(\.id)) + [9_100_001]
        leads = Array(account.data.leads.prefix(12).map(\.id)) + [9_200_001, 9_200_002]
        customers = Array(account.data.customers.prefix(5).map(\.id)) + [9_300_001]
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    mutating func pick(_ ids: [Int]) -> Int { ids[int(0...(ids.count - 1))] }

    mutating func picks(_ ids: [Int], upTo count: Int) -> [EmbeddedLinks.Entry] {
        (0..<int(0...count)).map { _ in EmbeddedLinks.Entry(id: pick(ids)) }
    }

    static let numbers = [
        "+7 999 888-55-33", "8 (916) 123-45-67", "+7 495 111-22-33", "9161234567", "+7 999 888-55-34",
        "+7 727 250-00-00", "87272500000", "garbage", "+1 415 555 0100",
    ]

    mutating func phones() -> [PhoneValue] {
        (0..<int(0...2)).map { _ in PhoneValue(Self.numbers[int(0...(Self.numbers.count - 1))]) }
    }

    mutating func statuses() -> [CustomerStatus] {
        int(0...1) == 0
            ? [CustomerStatus(id: 1005, name: "Closed", type: 3)]
            : [CustomerStatus(id: 1005, name: "Closed", type: 0), CustomerStatus(id: 1001, name: "Open", type: 3)]
    }

    mutating func update() -> EntityUpdate {
        clock += int(-3...10)  // some go back in time: stale
        let updatedAt: Int? = int(0...5) == 0 ? nil : clock
        let complete = int(0...1) == 0
        let kind = int(0...3)
        if int(0...11) == 0 {
            let id = [pick(contacts), pick(companies), pick(leads), pick(customers)][kind]
            let ref = [EntityRef.contact(id), .company(id), .lead(id), .customer(id)][kind]
            return .deletion(of: ref, updatedAt: updatedAt)
        }
        var update: EntityUpdate
        switch kind {
        case 0:
            update = EntityUpdate(entity: .contact(pick(contacts)), phones: phones())
            update.links[.leads] = picks(leads, upTo: 3)
            update.links[.customers] = picks(customers, upTo: 2)
            update.links[.companies] = picks(companies, upTo: 1)
        case 1:
            update = EntityUpdate(entity: .company(pick(companies)), phones: phones())
            update.links[.contacts] = picks(contacts, upTo: 3)
            update.links[.leads] = picks(leads, upTo: 2)
            update.links[.customers] = picks(customers, upTo: 1)
        case 2:
            update = EntityUpdate(
                entity: .lead(pick(leads)), pipelineID: 3_300_100,
                statusID: [142, 143, 100, 200][int(0...3)])
            var contacts = picks(self.contacts, upTo: 3)
            if !contacts.isEmpty && int(0...1) == 0 { contacts[int(0...(contacts.count - 1))].isMain = true }
            update.links[.contacts] = contacts
            update.links[.companies] = picks(companies, upTo: 1)
        default:
            update = EntityUpdate(
                entity: .customer(pick(customers)), statusID: int(0...2) == 0 ? nil : [1005, 1001][int(0...1)])
            update.links[.contacts] = picks(contacts, upTo: 2)
            update.links[.companies] = picks(companies, upTo: 1)
        }
        update.updatedAt = updatedAt
        update.name = int(0...3) == 0 ? nil : "name \(int(1...50))"
        update.createdAt = int(0...1) == 0 ? nil : 1_600_000_000 + int(0...1000)
        update.responsibleUserID = int(0...1) == 0 ? nil : 1
        update.isComplete = complete
        if !complete {
            // A webhook carries some keys, not all.
            for key in Array(update.links.keys) where int(0...1) == 0 { update.links[key] = nil }
            if int(0...1) == 0 { update.phones = nil }
        }
        return update
    }
}
