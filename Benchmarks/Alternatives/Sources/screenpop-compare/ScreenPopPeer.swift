import AccountIndex
import PhoneNumbers

/// `resolve <size> <seed> <queries> [answers.txt] [passes]`: ScreenPop's AccountIndex.
func runScreenPop(_ args: [String]) {
    let (size, seed, queries, answersPath, passes) = resolveArguments(args, mode: "resolve")
    let workload = Workload(size: size, seed: seed, queries: queries)
    let callers = workload.callers
    let texts = workload.callerTexts

    let rssBefore = currentRSSKiB()
    let t0 = nowNs()
    let index = AccountIndex(building: workload.data)
    let buildMs = Double(nowNs() - t0) / 1e6
    let q0 = nowNs()
    blackHole(index.resolve(callers[0]))
    let firstQueryNs = nowNs() - q0

    // Memory: resident after the build and one pass over the calls (SQLite's page cache fills as it
    // reads), before the measurement's own arrays.
    for i in 0..<callers.count { blackHole(index.resolve(callers[i]).target) }
    let rssAfter = currentRSSKiB()

    writeAnswers(answersPath, callers.map { Answer.of(index.resolve($0).target) })

    // Like for like: from the number read, as the other peers get it.
    let timing = latencies(count: callers.count, passes: passes) { i in blackHole(index.resolve(callers[i]).target) }
    // End to end: from the caller's text, reading included.
    let endToEnd = latencies(count: texts.count, passes: 1) { i in
        blackHole(index.resolve(callerNumber: texts[i]).target)
    }
    var json = resolveReport(
        peer: "screenpop", workload: workload, buildMs: buildMs, rssBeforeKiB: rssBefore, rssAfterKiB: rssAfter,
        firstQueryNs: firstQueryNs, timing: timing, passes: passes)
    json.add("text_p50_ns", percentile(endToEnd.sorted, 0.5))
    json.add("text_p99_ns", percentile(endToEnd.sorted, 0.99))
    json.add("text_mean_ns", endToEnd.meanNs)
    json.add("skipped_in_build", index.buildReport.skippedCount)
    json.print()
}
