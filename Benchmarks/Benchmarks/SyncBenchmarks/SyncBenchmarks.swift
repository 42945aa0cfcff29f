import AccountIndex
import AccountSync
import AccountSynthesis
import AmoCRM
import Benchmark
import Foundation
import ScreenPopStore

// The live account's local work (docs/live-account.md, docs/performance.md):
//
// - Sync_<n>: what a full sync does with amoCRM's pages once they have arrived: decode each API v4
//   page (250 entities, as amoCRM pages them), merge it into the store (one transaction a page,
//   synchronous=FULL) and publish it to the index and the names. "entities/s" counts contacts,
//   companies, leads and customers. The account is SyntheticAccount(seed: 1, contacts: n).
// - Webhook_commit: one webhook's update (a contact's new number) decoded, committed and published,
//   on an account of 10k contacts: the time until `resolve` sees it.
// - Webhook_commit_100_concurrent: 100 webhooks committed at once (group commits): the time until
//   the last is visible.
// - Restart_<n>: opening a store of n contacts and building its index: what `serve --store` does
//   before it answers.
//
// Not gated (SQLite's allocations are not ours). Under SCREENPOP_BENCH_ALLOCATION_GATE=1 (CI) only
// the small sizes run, as a smoke test; SCREENPOP_BENCH_SYNC_1M=1 adds the 1M sizes.

let entitiesPerSecond = BenchmarkMetric.custom("entities/s", polarity: .prefersLarger, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    let environment = ProcessInfo.processInfo.environment
    let gateOnly = environment["SCREENPOP_BENCH_ALLOCATION_GATE"] == "1"
    var sizes: [(name: String, contacts: Int)] = [("10k", 10_000)]
    if !gateOnly { sizes += [("100k", 100_000)] }
    if environment["SCREENPOP_BENCH_SYNC_1M"] == "1" { sizes += [("1M", 1_000_000)] }

    for (size, contacts) in sizes {
        let fixture = SyncFixture()
        Benchmark(
            "Sync_\(size)",
            configuration: .init(
                metrics: [.wallClock, .peakMemoryResident, entitiesPerSecond], timeUnits: .milliseconds,
                warmupIterations: 0, maxDuration: .seconds(60), maxIterations: 3, thresholds: nil),
            closure: { benchmark in
                let live = try await fixture.emptyLiveAccount()
                benchmark.startMeasurement()
                let start = ContinuousClock.now
                var entities = 0
                for page in fixture.pages {
                    let updates = try page.withUnsafeBytes { try APIAnswer.page($0, source: "page").updates }
                    entities += updates.count
                    try await live.commit(StoreBatch(updates: updates, listingRun: 1))
                }
                let elapsed = ContinuousClock.now - start
                benchmark.stopMeasurement()
                benchmark.measurement(entitiesPerSecond, Int(Double(entities) / SyncFixture.seconds(elapsed)))
                blackHole(live)
            },
            setup: { try fixture.preparePages(contacts: contacts) },
            teardown: { fixture.remove() })

        let restart = SyncFixture()
        Benchmark(
            "Restart_\(size)",
            configuration: .init(
                metrics: [.wallClock, .peakMemoryResident], timeUnits: .milliseconds, warmupIterations: 0,
                maxDuration: .seconds(60), maxIterations: 3, thresholds: nil),
            closure: { _ in
                blackHole(try await LiveAccount.open(store: restart.store))
            },
            setup: { try await restart.prepareStore(contacts: contacts) },
            teardown: { restart.remove() })
    }

    let webhook = SyncFixture()
    Benchmark(
        "Webhook_commit",
        configuration: .init(
            metrics: [.wallClock], timeUnits: .microseconds, warmupIterations: 5, maxDuration: .seconds(10),
            maxIterations: 500, thresholds: nil),
        closure: { benchmark in
            let update = webhook.nextUpdate()
            benchmark.startMeasurement()
            try await webhook.live.commit(StoreBatch(updates: [update]))
            benchmark.stopMeasurement()
            // The new number finds the contact (its card, or its single active lead or customer).
            precondition(webhook.live.index.resolve(callerNumber: update.phones![0].value).target.entity != nil)
        },
        setup: { try await webhook.prepareLive(contacts: 10_000) },
        teardown: { webhook.remove() })

    let burst = SyncFixture()
    Benchmark(
        "Webhook_commit_100_concurrent",
        configuration: .init(
            metrics: [.wallClock], timeUnits: .milliseconds, warmupIterations: 1, maxDuration: .seconds(20),
            maxIterations: 50, thresholds: nil),
        closure: { benchmark in
            let updates = (0..<100).map { _ in burst.nextUpdate() }
            let live = burst.live!
            benchmark.startMeasurement()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for update in updates { group.addTask { try await live.commit(StoreBatch(updates: [update])) } }
                try await group.waitForAll()
            }
            benchmark.stopMeasurement()
        },
        setup: { try await burst.prepareLive(contacts: 10_000) },
        teardown: { burst.remove() })
}

/// A benchmark's pages, store file and live account.
final class SyncFixture: @unchecked Sendable {
    private(set) var pages: [[UInt8]] = []
    private(set) var store: SQLiteAccountStore!
    private(set) var live: LiveAccount!
    private var directory = ""
    private var contactIDs: [Int] = []
    private var counter = 0

    static let account = AccountObject(id: 1, country: "RU", customersMode: "periodicity")

    func makeDirectory() throws {
        directory = NSTemporaryDirectory() + "screenpop-sync-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// The account's pages, one page a file, 250 entities a page.
    func preparePages(contacts: Int) throws {
        let synthetic = SyntheticAccount(seed: 1, contacts: contacts)
        pages = synthetic.amoCRMPages(perPage: 250, perFile: 250)
            .filter { !["account.json", "statuses.json", "pipelines.json"].contains($0.name) }
            .map(\.bytes)
        try makeDirectory()
    }

    /// A new store holding the account object only, and its (empty) live account.
    func emptyLiveAccount() async throws -> LiveAccount {
        store = nil
        try? FileManager.default.removeItem(atPath: directory + "/account.sqlite")
        try? FileManager.default.removeItem(atPath: directory + "/account.sqlite-wal")
        try? FileManager.default.removeItem(atPath: directory + "/account.sqlite-shm")
        store = try SQLiteAccountStore(path: directory + "/account.sqlite")
        try await store.replace(
            with: StoredAccount(
                account: Self.account, data: AccountData(settings: AccountSettings(defaultRegion: "RU")),
                details: AccountDetails(), users: [], customerStatuses: []))
        return try await LiveAccount.open(store: store)
    }

    func prepareStore(contacts: Int) async throws {
        let synthetic = SyntheticAccount(seed: 1, contacts: contacts)
        try makeDirectory()
        store = try SQLiteAccountStore(path: directory + "/account.sqlite")
        try await store.replace(
            with: StoredAccount(
                account: Self.account, data: synthetic.data, details: synthetic.details, users: [],
                customerStatuses: []))
        contactIDs = synthetic.data.contacts.map(\.id)
    }

    func prepareLive(contacts: Int) async throws {
        try await prepareStore(contacts: contacts)
        live = try await LiveAccount.open(store: store)
    }

    /// A webhook's update: an existing contact gets a new, unique mobile number.
    func nextUpdate() -> EntityUpdate {
        counter += 1
        let id = contactIDs[counter % contactIDs.count]
        let number = "+7 999 \(String(1_000_000 + counter).suffix(7))"
        return EntityUpdate(entity: .contact(id), name: "Webhook \(counter)", phones: [PhoneValue(number, kind: .mobile)])
    }

    func remove() {
        live = nil
        store = nil
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
