import AccountIndex
import AccountSync
import AccountSynthesis
import AmoCRM
import CallEvents
import ScreenPopPostgres
import ScreenPopStore
import Synchronization
import Testing

/// Two instances (two stores on one database, two live accounts) committing at once: after each
/// round, each has followed the other's changes, and both indexes and name lists equal the store.
@Suite struct FollowingTests {
    static let account = AccountObject(id: 42, subdomain: "test", country: "RU", customersMode: "periodicity")

    static func expectMatchesStore(_ live: LiveAccount, _ store: PostgresAccountStore, _ step: String) async throws {
        let stored = try #require(try await store.load(accountID: 42, suffixFallback: live.suffixFallback))
        let rebuilt = AccountIndex(building: stored.data).snapshot.dump()
        let followed = live.index.snapshot.dump()
        // A Bool: the expectation would print both dumps whole.
        let equal = followed == rebuilt
        #expect(equal, "\(store.origin) after \(step)")
        for (ref, name) in stored.entityNames where live.roster.name(of: ref) != name {
            Issue.record(
                "\(store.origin) after \(step): the name of \(ref) is \(live.roster.name(of: ref) ?? "none"), not \(name)"
            )
        }
        #expect(live.roster.users.ids == Set(stored.users.map(\.id)).sorted(), "\(store.origin) users after \(step)")
        // The card's facts (prices, statuses, responsible users) and labels (users', pipelines' names).
        let facts = EntityNames(data: stored.data, details: stored.details)
        #expect(live.roster.nameCount == facts.count, "\(store.origin) facts after \(step)")
        for (ref, _) in stored.entityNames where live.roster.facts(of: ref) != facts.facts(of: ref) {
            Issue.record("\(store.origin) after \(step): the facts of \(ref) are not the store's")
        }
        #expect(
            live.roster.labels
                == AccountLabels(account: stored.account, users: stored.users, pipelines: stored.pipelines),
            "\(store.origin) labels after \(step)")
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func twoInstancesFollowEachOther(seed: UInt64) async throws {
        try await TestPostgres.withDatabase { url in
            let first = try await PostgresAccountStore.open(url, origin: "first")
            let second = try await PostgresAccountStore.open(url, origin: "second")
            do {
                let synthetic = SyntheticAccount(seed: seed, contacts: 40)
                try await first.replace(
                    with: StoredAccount(
                        account: Self.account, data: synthetic.data, details: synthetic.details,
                        users: [AccountUser(id: 1, name: "A")], customerStatuses: [],
                        pipelines: SyntheticAccount.amoCRMPipelines))
                let a = try await LiveAccount.open(store: first)
                let b = try await LiveAccount.open(store: second)
                var random = RandomUpdates(seed: seed, ids: synthetic)
                for round in 0..<30 {
                    let (forA, forB) = (random.batch(), random.batch())
                    async let committedA = a.commit(forA)
                    async let committedB = b.commit(forB)
                    _ = try await (committedA, committedB)
                    // What a notification would start: each reads the other's entries.
                    await a.catchUp()
                    await b.catchUp()
                    #expect(a.appliedSequence == b.appliedSequence, "round \(round)")
                    try await Self.expectMatchesStore(a, first, "round \(round)")
                    try await Self.expectMatchesStore(b, second, "round \(round)")
                }
                // An import on one: the other loads the account again.
                let other = SyntheticAccount(seed: seed + 100, contacts: 30)
                try await first.replace(
                    with: StoredAccount(
                        account: Self.account, data: other.data, details: other.details,
                        users: [AccountUser(id: 7, name: "G")], customerStatuses: []))
                await b.catchUp()
                try await Self.expectMatchesStore(b, second, "an import by the other")
                // A removal: the other is told.
                let removed = RemovalFlag()
                b.onRemoval { removed.set() }
                try await first.removeAccount(accountID: 42)
                await b.catchUp()
                #expect(removed.isSet)
            } catch {
                await first.shutdown()
                await second.shutdown()
                throw error
            }
            await first.shutdown()
            await second.shutdown()
        }
    }

    /// A follower cut off for longer than the log keeps: its next catch-up finds the log trimmed past
    /// it, and it loads the account again instead.
    @Test func aFollowerBehindATrimmedLogLoadsTheAccountAgain() async throws {
        try await TestPostgres.withDatabase { url in
            let first = try await PostgresAccountStore.open(url, origin: "first")
            let second = try await PostgresAccountStore.open(url, origin: "second")
            do {
                let synthetic = SyntheticAccount(seed: 9, contacts: 40)
                try await first.replace(
                    with: StoredAccount(
                        account: Self.account, data: synthetic.data, details: synthetic.details,
                        users: [AccountUser(id: 1, name: "A")], customerStatuses: []))
                let a = try await LiveAccount.open(store: first)
                let b = try await LiveAccount.open(store: second)
                var random = RandomUpdates(seed: 9, ids: synthetic)
                for _ in 0..<10 { try await a.commit(random.batch()) }
                // b heard nothing of them; the log is trimmed to each account's last entry.
                #expect(try await first.trimChangeLog(olderThan: .zero) > 0)
                await b.catchUp()  // finds the log trimmed past it
                await b.catchUp()  // loads the account again
                try await Self.expectMatchesStore(b, second, "a trimmed log")
                #expect(b.appliedSequence == a.appliedSequence)
                // And it follows again from there.
                try await a.commit(random.batch())
                await b.catchUp()
                try await Self.expectMatchesStore(b, second, "a change after the trimmed log")
            } catch {
                await first.shutdown()
                await second.shutdown()
                throw error
            }
            await first.shutdown()
            await second.shutdown()
        }
    }
}

final class RemovalFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
