import AccountSynthesis
import AmoCRM
import Benchmark
import Foundation

// Loading an account from saved amoCRM API v4 pages (issue 4: at least 50 MB/s; docs/amocrm.md):
// `SyntheticAccount(seed: 1, contacts: n)` written by `amoCRMPages()` (250 entities a page, 20,000 a
// file, every link listed from both sides) into a temporary directory in the setup, then one
// `AccountDirectory.load` an iteration, 2 tasks, files in the page cache. "MB/s" is the files' bytes
// over the iteration's wall-clock time.
//
// Not gated: the loader's allocation count depends on how its tasks interleave. Under
// SCREENPOP_BENCH_ALLOCATION_GATE=1 (CI) only the 10k load runs, for a smoke test.

let megabytesPerSecond = BenchmarkMetric.custom("MB/s", polarity: .prefersLarger, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    let gateOnly = ProcessInfo.processInfo.environment["SCREENPOP_BENCH_ALLOCATION_GATE"] == "1"
    var sizes: [(name: String, contacts: Int)] = [("10k", 10_000)]
    if !gateOnly { sizes += [("100k", 100_000), ("1M", 1_000_000)] }
    for (size, contacts) in sizes {
        let files = SavedPages()
        Benchmark(
            "Load_\(size)",
            configuration: .init(
                metrics: [.wallClock, .peakMemoryResident, megabytesPerSecond], timeUnits: .milliseconds,
                warmupIterations: 1, maxDuration: .seconds(contacts >= 1_000_000 ? 300 : 20),
                maxIterations: contacts >= 1_000_000 ? 5 : 10, thresholds: nil),
            closure: { benchmark in
                let start = ContinuousClock.now
                let account = try await AccountDirectory.load(
                    files.directory, options: .init(parallelism: 2, progress: .never))
                let elapsed = ContinuousClock.now - start
                benchmark.stopMeasurement()
                let (seconds, attoseconds) = elapsed.components
                let time = Double(seconds) + Double(attoseconds) / 1e18
                benchmark.measurement(megabytesPerSecond, Int((Double(files.bytes) / 1e6 / time).rounded()))
                blackHole(account)
            },
            setup: { try files.write(SyntheticAccount(seed: 1, contacts: contacts)) },
            teardown: { files.remove() })
    }
}

/// The pages of one benchmark, on disk for its run.
final class SavedPages: @unchecked Sendable {
    private(set) var directory = ""
    private(set) var bytes = 0

    func write(_ account: SyntheticAccount) throws {
        directory = NSTemporaryDirectory() + "screenpop-load-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        bytes = 0
        for file in account.amoCRMPages() {
            try Data(file.bytes).write(to: URL(fileURLWithPath: directory + "/" + file.name))
            bytes += file.bytes.count
        }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
