import AccountIndex
import AccountSynthesis
import AmoCRM
import Foundation
import PostgresNIO
import ScreenPopPostgres
import ScreenPopStore
import Testing

/// What instances sharing one database see of each other: the change log, notifications, the
/// listener's reconnection, leadership, the call relay, migrations racing.
@Suite struct SharedStoreTests {
    static let contact = EntityUpdate(
        entity: .contact(7), updatedAt: 2_000, name: "Ann", createdAt: 1_000, phones: [PhoneValue("+7 999 888-55-33")],
        isComplete: true)

    @Test func threeProcessesOpeningAtOnceMigrateOnce() async throws {
        try await TestPostgres.withDatabase { url in
            let stores = try await withThrowingTaskGroup(of: PostgresAccountStore.self) { group in
                for index in 0..<3 {
                    group.addTask { try await PostgresAccountStore.open(url, origin: "opener-\(index)") }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(stores.count == 3)
            _ = try await stores[0].apply([StoreBatch(updates: [Self.contact])], accountID: 1)
            for store in stores {
                #expect(try await store.entityCounts(accountID: 1) == [.contact: 1])
                await store.shutdown()
            }
            // Opening again finds the schema current.
            let again = try await PostgresAccountStore.open(url)
            #expect(try await again.lastSequence(accountID: 1) == 1)
            await again.shutdown()
        }
    }

    @Test func aChangeIsLoggedAndAnotherConnectionHearsOfIt() async throws {
        try await TestPostgres.withStore(origin: "writer") { writer, url in
            let reader = try await PostgresAccountStore.open(url, origin: "reader")
            let listener = reader.listen()
            let recorder = EventRecorder(listener)
            try await recorder.wait("connected") { $0 == .connected }

            let changes = try await writer.apply([StoreBatch(updates: [Self.contact])], accountID: 3)
            let sequence = try #require(changes.sequence)
            try await recorder.wait("the change") { $0 == .change(accountID: 3, sequence: sequence) }

            let log = try await reader.changes(accountID: 3, after: 0, limit: 10)
            #expect(log == [LoggedChange(sequence: sequence, accountID: 3, origin: "writer", kind: .changes(changes))])
            #expect(try await reader.lastSequence(accountID: 3) == sequence)
            #expect(try await reader.changes(accountID: 3, after: sequence, limit: 10).isEmpty)
            #expect(try await reader.changes(accountID: 4, after: 0, limit: 10).isEmpty)

            // An import is logged as one entry: followers load the account again.
            try await writer.replace(
                with: StoredAccount(
                    account: AccountObject(id: 3, customersMode: "disabled"), data: SampleAccount.data,
                    details: AccountDetails(), users: [], customerStatuses: []))
            let replaced = try await reader.changes(accountID: 3, after: sequence, limit: 10)
            #expect(replaced.map(\.kind) == [.replaced])
            try await recorder.wait("the import") { $0 == .change(accountID: 3, sequence: replaced[0].sequence) }

            await listener.stop()
            await recorder.task.value
            await reader.shutdown()
        }
    }

    @Test func aListenerWhoseConnectionIsKilledReconnectsAndTheFollowerCatchesUp() async throws {
        try await TestPostgres.withStore(origin: "writer") { writer, url in
            let reader = try await PostgresAccountStore.open(url, origin: "reader")
            let listener = reader.listen()
            let recorder = EventRecorder(listener)
            let connected = try await recorder.wait("connected") { $0 == .connected }
            let first = try await writer.apply([StoreBatch(updates: [Self.contact])], accountID: 3)
            try await recorder.wait("the first change") { $0 == .change(accountID: 3, sequence: first.sequence!) }
            var applied = first.sequence!

            try await TestPostgres.terminate([try #require(listener.backendPID)])
            let gone = try await recorder.wait(after: connected, "disconnected") { $0 == .disconnected }
            // Written while the listener is away: no notification reaches it.
            var missed = Self.contact
            missed.updatedAt = 3_000
            missed.name = "Ann B."
            let second = try await writer.apply([StoreBatch(updates: [missed])], accountID: 3)
            try await recorder.wait(after: gone, "connected again") { $0 == .connected }
            // The follower's catch-up after (re)connecting: the log from the last applied sequence.
            let caughtUp = try await reader.changes(accountID: 3, after: applied, limit: 100)
            #expect(caughtUp.map(\.sequence) == [second.sequence!])
            guard case .changes(let changes) = caughtUp.first?.kind else {
                Issue.record("not a change: \(caughtUp)")
                return
            }
            #expect(changes.entities.map(\.details.name) == ["Ann B."])
            applied = caughtUp.last!.sequence
            // And it hears the next one.
            missed.updatedAt = 4_000
            let third = try await writer.apply([StoreBatch(updates: [missed])], accountID: 3)
            try await recorder.wait("a change after reconnecting") {
                $0 == .change(accountID: 3, sequence: third.sequence!)
            }
            #expect(third.sequence! > applied)

            await listener.stop()
            await recorder.task.value
            await reader.shutdown()
        }
    }

    @Test func leadershipIsOneAtATimeAndPassesWhenItsHolderDies() async throws {
        try await TestPostgres.withStore { first, url in
            let second = try await PostgresAccountStore.open(url)
            let held = try #require(try await first.tryLeadership(accountID: 9, purpose: 1))
            #expect(await held.isHeld)
            #expect(try await second.tryLeadership(accountID: 9, purpose: 1) == nil)
            // Another purpose or account is another lock.
            let other = try #require(try await second.tryLeadership(accountID: 9, purpose: 2))
            await other.release()
            // The holder's connection drops (its process died): the lock goes with it.
            try await TestPostgres.terminate([held.backendPID])
            var taken: Leadership?
            for _ in 0..<100 where taken == nil {
                taken = try await second.tryLeadership(accountID: 9, purpose: 1)
                if taken == nil { try await Task.sleep(for: .milliseconds(50)) }
            }
            let successor = try #require(taken)
            #expect(await !held.isHeld)
            #expect(try await first.tryLeadership(accountID: 9, purpose: 1) == nil)
            await successor.release()
            let back = try #require(try await first.tryLeadership(accountID: 9, purpose: 1))
            await back.release()
            await held.release()
            await second.shutdown()
        }
    }

    @Test(arguments: [0, 100, 5_000, 200_000])
    func callsReachEveryListenerSmallAndLarge(size: Int) async throws {
        try await TestPostgres.withStore(origin: "host:with:colons") { publisher, url in
            let other = try await PostgresAccountStore.open(url)
            let listener = other.listen()
            let recorder = EventRecorder(listener)
            try await recorder.wait("connected") { $0 == .connected }
            let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            try await publisher.publishCall(accountID: 12, payload: payload)
            try await recorder.wait("the call of \(size) bytes") {
                $0 == .call(accountID: 12, payload: payload, origin: "host:with:colons")
            }
            await listener.stop()
            await recorder.task.value
            await other.shutdown()
        }
    }
}
