import AccountIndex
import AccountSynthesis
import Benchmark
import Foundation
import PhoneNumbers
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

// The index's figures for issue 4 (docs/performance.md, "AccountIndex"), on generated accounts of
// 10,000, 100,000 and 1,000,000 contacts with the proportions (0.3 companies, 2 leads and
// 0.2 customers per contact, 1.5 phone values per contact). 10,000,000 contacts run only with
// SCREENPOP_BENCH_10M=1 (about 20 GB of memory and many minutes).
//
// Every benchmark runs in a process of its own, so each generates its account in `setup`, outside
// any measurement.
//
// - Build_<size>: one iteration builds the whole index with `AccountIndex.building(_:parallelism: 2)`
//   (BuildOneTask_<size>: `init(building:)`, one thread; reported, not gated).
//   "index MB" is the resident memory the index holds: RSS with the index minus RSS without it,
//   both after `malloc_trim`.
// - Resolve_<size>_<case>: one iteration is ONE resolve, of the next of 21,000 caller numbers (all
//   different where the account has that many), so that the percentiles are those of single calls
//   and the slabs are as cold as in a service. Caller-ID reading is included, except in
//   `hit-parsed`, which resolves numbers parsed beforehand (the index alone).
// - Changes_<size>_<case>: one iteration applies 1,000 changes (in batches of 1 or of 100) while one
//   reader task per other core resolves callers without pause. "changes/s" and "reads/s" are
//   per iteration.
//
// CI's allocation gate (check-allocations.sh) sets SCREENPOP_BENCH_ALLOCATION_GATE=1: then only the
// 10k and 100k Build (reported) and Resolve (gated: fixed iteration counts over fixed inputs, so the
// counts are exact) benchmarks are registered; the 1M ones take minutes and the Changes ones count
// the readers' allocations too.
//
// Names use `_` where `/` would read better: benchmark 1.38.1 writes the thresholds of "A/b" to
// `Target.A_b.p90.json` but looks them up as `Target.A/b.p90.json`.

let indexMB = BenchmarkMetric.custom("index MB", polarity: .prefersSmaller, useScalingFactor: false)
let changesPerSecond = BenchmarkMetric.custom("changes/s", polarity: .prefersLarger, useScalingFactor: false)
let readsPerSecond = BenchmarkMetric.custom("reads/s", polarity: .prefersLarger, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    let gateOnly = environment("SCREENPOP_BENCH_ALLOCATION_GATE") == "1"
    var sizes: [(name: String, contacts: Int)] = [("10k", 10_000), ("100k", 100_000)]
    if !gateOnly { sizes.append(("1M", 1_000_000)) }
    if !gateOnly && environment("SCREENPOP_BENCH_10M") == "1" { sizes.append(("10M", 10_000_000)) }

    // The floor under every Resolve figure: one iteration that does nothing, timed the same way.
    Benchmark(
        "Overhead_empty-iteration",
        configuration: .init(
            metrics: [.wallClock, .mallocCountTotal], timeUnits: .nanoseconds, warmupIterations: resolveWarmup,
            maxDuration: .seconds(60), maxIterations: resolveIterations, thresholds: [.mallocCountTotal: .strict])
    ) { _ in blackHole(0) }

    for (size, contacts) in sizes {
        let large = contacts >= 1_000_000
        registerBuild(size: size, contacts: contacts, large: large)
        registerResolve(size: size, contacts: contacts)
        if !gateOnly { registerChanges(size: size, contacts: contacts) }
    }
}

// MARK: - Build

func registerBuild(size: String, contacts: Int, large: Bool) {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident, indexMB],
        timeUnits: .milliseconds,
        warmupIterations: large ? 0 : 1,
        maxDuration: .seconds(large ? 600 : 20),
        maxIterations: contacts >= 10_000_000 ? 3 : (large ? 5 : 10),
        // Not gated: the build's allocation count moves by a few thousand out of ~200K with
        // storage growth patterns, so a strict gate would fail on noise; it is reported only.
        thresholds: nil
    )
    let holder = Holder<SyntheticAccount>()
    let setup: @Sendable () async -> Void = { holder.value = SyntheticAccount(seed: 1, contacts: contacts) }
    let teardown: @Sendable () async -> Void = { holder.value = nil }
    // The parallel build's allocation count varies by a few from run to run (task scheduling), so
    // only the one-thread build is gated.
    var parallelConfiguration = configuration
    parallelConfiguration.metrics = [.wallClock, .peakMemoryResident, indexMB]
    parallelConfiguration.thresholds = nil
    Benchmark(
        "Build_\(size)", configuration: parallelConfiguration,
        closure: { (benchmark: Benchmark) async in
            let data = holder.value!.data
            let before = residentBytes(trimmed: true)
            benchmark.startMeasurement()
            let index = await AccountIndex.building(data, parallelism: 2)
            benchmark.stopMeasurement()
            benchmark.measurement(indexMB, (residentBytes(trimmed: true) - before) / 1_000_000)
            blackHole(index)
        }, setup: setup, teardown: teardown)
    Benchmark(
        "BuildOneTask_\(size)", configuration: configuration,
        closure: { (benchmark: Benchmark) in
            let data = holder.value!.data
            let before = residentBytes(trimmed: true)
            benchmark.startMeasurement()
            let index = AccountIndex(building: data)
            benchmark.stopMeasurement()
            benchmark.measurement(indexMB, (residentBytes(trimmed: true) - before) / 1_000_000)
            blackHole(index)
        }, setup: setup, teardown: teardown)
}

/// What a benchmark's setup made, for its closure. Captured directly: the setup-state variant of
/// `Benchmark.init` casts from `Any` inside the timed window, which would be timed with a resolve.
final class Holder<Value>: @unchecked Sendable {
    var value: Value?
}

// MARK: - Resolve

/// The callers of one resolve benchmark and where the next one is.
final class Callers: @unchecked Sendable {
    let snapshot: AccountSnapshot
    let texts: [String]
    let numbers: [PhoneNumber]
    var next = 0

    init(snapshot: AccountSnapshot, texts: [String]) {
        self.snapshot = snapshot
        self.texts = texts
        numbers = texts.compactMap { try? CallerID.lookupNumber($0, defaultRegion: "RU").number }
    }
}

/// How many resolves a Resolve benchmark times (warm-up included): each a different caller.
let resolveIterations = 20_000
let resolveWarmup = 1_000

func registerResolve(size: String, contacts: Int) {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: resolveWarmup,
        // A fixed number of iterations over a fixed list: the allocation counts are exact.
        maxDuration: .seconds(60),
        maxIterations: resolveIterations,
        thresholds: [.mallocCountTotal: .strict]
    )
    /// Numbers stored in the account, as the account holds them: E.164 of a Russian mobile.
    let cases: [(name: String, parsed: Bool, callers: @Sendable (SyntheticAccount, AccountSnapshot) -> [String])] = [
        ("hit-e164", false, { account, snapshot in hits(account, snapshot) }),
        ("hit-8digits", false, { account, snapshot in hits(account, snapshot).map { "8" + $0.dropFirst(2) } }),
        ("hit-8-formatted", false, { account, snapshot in hits(account, snapshot).map(formatted) }),
        ("hit-parsed", true, { account, snapshot in hits(account, snapshot) }),
        ("suffix", false, { account, snapshot in suffixHits(account, snapshot) }),
        ("miss", false, { account, snapshot in misses(snapshot) }),
    ]
    for (name, parsed, makeCallers) in cases {
        let holder = Holder<Callers>()
        Benchmark(
            "Resolve_\(size)_\(name)", configuration: configuration,
            closure: { (_: Benchmark) in
                let callers = holder.value.unsafelyUnwrapped
                let i = callers.next
                callers.next = i + 1 == callers.texts.count ? 0 : i + 1
                if parsed {
                    blackHole(callers.snapshot.resolve(callers.numbers[i]))
                } else {
                    blackHole(callers.snapshot.resolve(callerNumber: callers.texts[i]))
                }
            },
            setup: {
                let account = SyntheticAccount(seed: 1, contacts: contacts)
                let index = await AccountIndex.building(account.data, parallelism: 2)
                let snapshot = index.snapshot
                holder.value = Callers(snapshot: snapshot, texts: makeCallers(account, snapshot))
            },
            teardown: { holder.value = nil })
    }
}

/// Stored Russian mobile numbers in E.164 that resolve exactly, in a fixed random order, up to
/// `resolveIterations + resolveWarmup` of them (repeated if the account has fewer).
func hits(_ account: SyntheticAccount, _ snapshot: AccountSnapshot) -> [String] {
    var rng = SyntheticRandom(seed: 42)
    let mobiles = account.storedNumbers.filter { $0.hasPrefix("+79") && $0.count == 12 }
    var result: [String] = []
    let wanted = resolveIterations + resolveWarmup
    var attempts = 0
    while result.count < wanted && attempts < wanted * 4 {
        attempts += 1
        let number = rng.pick(mobiles)
        if snapshot.resolve(callerNumber: number).matchLevel == .exact { result.append(number) }
    }
    return result
}

/// `+79998885533` as `8 (999) 888-55-33`.
func formatted(_ e164: String) -> String {
    let d = Array(e164.dropFirst(2))
    return "8 (\(String(d[0..<3]))) \(String(d[3..<6]))-\(String(d[6..<8]))-\(String(d[8..<10]))"
}

/// Callers that match only by their last 10 digits: foreign numbers that the account stores without
/// their `+` (so that they were read as Russian numbers), called in E.164.
func suffixHits(_ account: SyntheticAccount, _ snapshot: AccountSnapshot) -> [String] {
    var candidates: [String] = []
    for number in account.storedNumbers where !number.hasPrefix("+7") {
        if case .suffix = snapshot.resolve(callerNumber: number).matchLevel { candidates.append(number) }
    }
    var rng = SyntheticRandom(seed: 43)
    return (0..<(resolveIterations + resolveWarmup)).map { _ in rng.pick(candidates) }
}

/// Russian mobile numbers in E.164 that nobody in the account has.
func misses(_ snapshot: AccountSnapshot) -> [String] {
    var rng = SyntheticRandom(seed: 44)
    var result: [String] = []
    while result.count < resolveIterations + resolveWarmup {
        var number = "+79"
        for _ in 0..<9 { number.append(Character(Unicode.Scalar(UInt8(48 + rng.int(0..<10))))) }
        if snapshot.resolve(callerNumber: number).matchLevel == .none { result.append(number) }
    }
    return result
}

// MARK: - Changes

/// An index, the changes to apply, and the reader threads that resolve while they are applied.
final class ChangeRun: @unchecked Sendable {
    let index: AccountIndex
    let changes: [AccountChange]
    var next = 0
    let stop = Atomic<Bool>(false)
    let reads = Atomic<Int>(0)
    let running = Atomic<Int>(0)

    init(index: AccountIndex, changes: [AccountChange], callers: [String]) {
        self.index = index
        self.changes = changes
        // Threads, not tasks: the readers must run all the time, beside the benchmark's own thread.
        let cores = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        for r in 0..<max(1, cores - 1) {
            running.add(1, ordering: .relaxed)
            Thread.detachNewThread { [self] in
                var i = r * 977
                var count = 0
                while !stop.load(ordering: .relaxed) {
                    blackHole(index.resolve(callerNumber: callers[i]))
                    i = i + 1 == callers.count ? 0 : i + 1
                    count += 1
                    if count & 63 == 0 { reads.add(64, ordering: .relaxed) }
                }
                running.subtract(1, ordering: .releasing)
            }
        }
    }

    func finish() {
        stop.store(true, ordering: .relaxed)
        while running.load(ordering: .acquiring) > 0 { sched_yield() }
    }
}

/// The run of one Changes benchmark, made in its setup.
final class RunHolder: @unchecked Sendable {
    var run: ChangeRun?
}

let changesPerIteration = 1_000

func registerChanges(size: String, contacts: Int) {
    let configuration = Benchmark.Configuration(
        // The allocation count includes the readers', which allocate only for a caller with several
        // candidates (their list): an upper bound on the writer's.
        metrics: [.wallClock, .mallocCountTotal, changesPerSecond, readsPerSecond],
        timeUnits: .milliseconds,
        warmupIterations: 5,
        maxDuration: .seconds(10),
        maxIterations: 200
    )
    let cases: [(name: String, batch: Int, mixed: Bool)] = [
        ("lead-status-batch-1", 1, false),
        ("lead-status-batch-100", 100, false),
        ("mixed-batch-1", 1, true),
        ("mixed-batch-100", 100, true),
    ]
    for (name, batchSize, mixed) in cases {
        let holder = RunHolder()
        Benchmark(
            "Changes_\(size)_\(name)", configuration: configuration,
            closure: { benchmark in
                let run = holder.run!
                let readsBefore = run.reads.load(ordering: .relaxed)
                let start = ContinuousClock.now
                var batch: [AccountChange] = []
                batch.reserveCapacity(batchSize)
                for _ in 0..<(changesPerIteration / batchSize) {
                    batch.removeAll(keepingCapacity: true)
                    for _ in 0..<batchSize {
                        batch.append(run.changes[run.next])
                        run.next = run.next + 1 == run.changes.count ? 0 : run.next + 1
                    }
                    do { try run.index.apply(batch) } catch { fatalError("\(error)") }
                }
                let elapsed = seconds(ContinuousClock.now - start)
                benchmark.stopMeasurement()
                benchmark.measurement(changesPerSecond, Int(Double(changesPerIteration) / elapsed))
                let reads = run.reads.load(ordering: .relaxed) - readsBefore
                benchmark.measurement(readsPerSecond, Int(Double(reads) / elapsed))
            },
            setup: {
                let account = SyntheticAccount(seed: 1, contacts: contacts)
                let index = await AccountIndex.building(account.data, parallelism: 2)
                holder.run = ChangeRun(
                    index: index, changes: changeStream(account, mixed: mixed),
                    callers: account.callerNumbers(count: 10_000, seed: 9))
            },
            teardown: {
                holder.run?.finish()
                holder.run = nil
            })
    }
}

/// 200,000 changes in a fixed random order. Lead status: leads move between open, won and lost.
/// Mixed: 60 % lead status, 10 % customer status, 10 % a contact linked to a lead, 10 % unlinked,
/// 10 % a contact upserted with a new phone value (parsed).
func changeStream(_ account: SyntheticAccount, mixed: Bool) -> [AccountChange] {
    var rng = SyntheticRandom(seed: 7)
    let data = account.data
    let statuses = [Lead.wonStatusID, Lead.lostStatusID, 3_300_101, 3_300_102]
    return (0..<200_000).map { _ -> AccountChange in
        let lead = rng.pick(data.leads).id
        let roll = mixed ? rng.int(0..<10) : 0
        switch roll {
        case 0..<6: return .setLeadStatus(leadID: lead, statusID: rng.pick(statuses))
        case 6: return .setCustomerStatus(customerID: rng.pick(data.customers).id, statusID: 1001 + rng.int(0..<5))
        case 7: return .link(.contactLead(contactID: rng.pick(data.contacts).id, leadID: lead))
        case 8: return .unlink(.contactLead(contactID: rng.pick(data.contacts).id, leadID: lead))
        default:
            var contact = rng.pick(data.contacts)
            contact.phones = [
                PhoneValue("+7 999 \(100 + rng.int(0..<900)) \(10 + rng.int(0..<90)) \(10 + rng.int(0..<90))")
            ]
            return .upsertContact(contact)
        }
    }
}

// MARK: - Helpers

func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

func seconds(_ duration: Duration) -> Double {
    let (seconds, attoseconds) = duration.components
    return Double(seconds) + Double(attoseconds) / 1e18
}

@_silgen_name("malloc_trim")
func mallocTrim(_ pad: Int) -> Int32

/// The process's resident memory, in bytes, from /proc/self/statm; after returning freed memory to
/// the system when `trimmed`. 0 where /proc is missing.
func residentBytes(trimmed: Bool) -> Int {
    #if os(Linux)
        if trimmed { _ = mallocTrim(0) }
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let n = read(fd, &buffer, buffer.count)
        guard n > 0 else { return 0 }
        let fields = buffer[0..<n].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    #else
        return 0
    #endif
}
