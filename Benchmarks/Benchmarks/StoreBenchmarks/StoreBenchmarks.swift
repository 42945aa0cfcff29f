import AccountSynthesis
import AmoCRM
import Benchmark
import Foundation
import ScreenPopStore

// The SQLite store (docs/live-account.md): writing a whole account (`replace(with:)`, one
// transaction, synchronous=FULL) and reading it back (`load`), for `SyntheticAccount(seed: 1,
// contacts: n)`. "entities/s" counts contacts, companies, leads and customers; "store/JSON %" is
// the store file's size against the same account's API v4 pages.
//
// Not gated (the count of SQLite's allocations is not ours). Under SCREENPOP_BENCH_ALLOCATION_GATE=1
// (CI) only the 10k size runs, as a smoke test.

let entitiesPerSecond = BenchmarkMetric.custom("entities/s", polarity: .prefersLarger, useScalingFactor: false)
let storeToJSON = BenchmarkMetric.custom("store/JSON %", polarity: .prefersSmaller, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    let gateOnly = ProcessInfo.processInfo.environment["SCREENPOP_BENCH_ALLOCATION_GATE"] == "1"
    var sizes: [(name: String, contacts: Int)] = [("10k", 10_000)]
    if !gateOnly { sizes += [("100k", 100_000)] }
    for (size, contacts) in sizes {
        let fixture = StoreFixture()
        let configuration = Benchmark.Configuration(
            metrics: [.wallClock, .peakMemoryResident, entitiesPerSecond, storeToJSON], timeUnits: .milliseconds,
            warmupIterations: 1, maxDuration: .seconds(30), maxIterations: 5, thresholds: nil)
        Benchmark(
            "Replace_\(size)", configuration: configuration,
            closure: { benchmark in
                let start = ContinuousClock.now
                try await fixture.store.replace(with: fixture.account)
                let elapsed = ContinuousClock.now - start
                benchmark.stopMeasurement()
                benchmark.measurement(entitiesPerSecond, fixture.perSecond(elapsed))
                benchmark.measurement(storeToJSON, fixture.sizeRatioPercent())
            },
            setup: { try fixture.prepare(contacts: contacts) },
            teardown: { fixture.remove() })
        let loadFixture = StoreFixture()
        Benchmark(
            "Load_\(size)", configuration: configuration,
            closure: { benchmark in
                let start = ContinuousClock.now
                let account = try await loadFixture.store.loadOnlyAccount()
                let elapsed = ContinuousClock.now - start
                benchmark.stopMeasurement()
                benchmark.measurement(entitiesPerSecond, loadFixture.perSecond(elapsed))
                blackHole(account)
            },
            setup: {
                try loadFixture.prepare(contacts: contacts)
                try await loadFixture.store.replace(with: loadFixture.account)
            },
            teardown: { loadFixture.remove() })
    }
}

/// One benchmark's account and store file.
final class StoreFixture: @unchecked Sendable {
    private(set) var account: StoredAccount!
    private(set) var store: SQLiteAccountStore!
    private var directory = ""
    private var jsonBytes = 0

    func prepare(contacts: Int) throws {
        let synthetic = SyntheticAccount(seed: 1, contacts: contacts)
        jsonBytes = synthetic.amoCRMPages().reduce(0) { $0 + $1.bytes.count }
        account = StoredAccount(
            account: AccountObject(id: 1, country: "RU", customersMode: "periodicity"), data: synthetic.data,
            details: synthetic.details, users: [], customerStatuses: [])
        directory = NSTemporaryDirectory() + "screenpop-store-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try SQLiteAccountStore(path: directory + "/account.sqlite")
    }

    var entities: Int {
        account.data.contacts.count + account.data.companies.count + account.data.leads.count
            + account.data.customers.count
    }

    func perSecond(_ elapsed: Duration) -> Int {
        let (seconds, attoseconds) = elapsed.components
        return Int((Double(entities) / (Double(seconds) + Double(attoseconds) / 1e18)).rounded())
    }

    /// The store's files (database and WAL) against the pages' JSON, in percent.
    func sizeRatioPercent() -> Int {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let bytes = files.reduce(0) { total, name in
            let size = (try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.size]) as? Int
            return total + (size ?? 0)
        }
        return jsonBytes > 0 ? bytes * 100 / jsonBytes : 0
    }

    func remove() {
        store = nil
        try? FileManager.default.removeItem(atPath: directory)
    }
}
