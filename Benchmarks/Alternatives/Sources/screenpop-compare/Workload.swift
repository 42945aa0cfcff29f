import AccountIndex
import AccountSynthesis
import PhoneNumbers

/// The account and the calls every resolve peer answers, generated the same way in every process.
struct Workload {
    let size: Int
    let data: AccountData
    /// The caller texts whose number could be read, as PBXs send them.
    let callerTexts: [String]
    /// Their numbers, read with ScreenPop's `CallerID` and the account's region (outside any timing):
    /// every peer answers the same question, "which entity has this number".
    let callers: [PhoneNumber]
    /// How many generated caller texts had no number (left out of every peer's timing).
    let unreadable: Int
    let generationMs: Double

    init(size: Int, seed: UInt64, queries: Int) {
        let t0 = nowNs()
        let account = SyntheticAccount(seed: seed, contacts: size)
        var texts: [String] = []
        var callers: [PhoneNumber] = []
        var unreadable = 0
        for text in account.callerNumbers(count: queries, seed: 7) {
            if let reading = try? CallerID.lookupNumber(text, defaultRegion: account.data.settings.defaultRegion) {
                texts.append(text)
                callers.append(reading.number)
            } else {
                unreadable += 1
            }
        }
        self.size = size
        self.data = account.data
        self.callerTexts = texts
        self.callers = callers
        self.unreadable = unreadable
        self.generationMs = Double(nowNs() - t0) / 1e6
    }
}

/// A decision as one comparable line: `lead 123`, `customer 5`, `contact 7`, `company 9` or `create`.
enum Answer {
    static func of(_ target: CallTargetDecision.Target) -> String {
        switch target {
        case .lead(let id): "lead \(id)"
        case .customer(let id): "customer \(id)"
        case .contactCard(let id): "contact \(id)"
        case .companyCard(let id): "company \(id)"
        case .createContact: "create"
        }
    }
}

/// The last `digits` digits of a number of at least that many digits, as text (the suffix fallback's key).
func suffixText(_ key: PhoneKey, digits: Int) -> String? {
    guard key.digitCount >= digits else { return nil }
    return String(key.e164.utf8.suffix(digits))!
}

/// The links as the index applies them: pairs once, "at most one" links replaced by the later one.
struct NormalizedLinks {
    var contactLeads: [(contact: Int, lead: Int)] = []
    var contactCustomers: [(contact: Int, customer: Int)] = []
    /// lead → company, customer → company (the last link wins).
    var leadCompany: [Int: Int] = [:]
    var customerCompany: [Int: Int] = [:]

    init(_ links: [AccountLink]) {
        var seenLeads = Set<PairKey>()
        var seenCustomers = Set<PairKey>()
        for link in links {
            switch link {
            case .contactLead(let c, let l, _):
                if seenLeads.insert(PairKey(a: c, b: l)).inserted { contactLeads.append((c, l)) }
            case .contactCustomer(let c, let k):
                if seenCustomers.insert(PairKey(a: c, b: k)).inserted { contactCustomers.append((c, k)) }
            case .companyLead(let m, let l): leadCompany[l] = m
            case .companyCustomer(let m, let k): customerCompany[k] = m
            case .contactCompany: break  // not part of the decision
            }
        }
    }

    struct PairKey: Hashable {
        let a: Int
        let b: Int
    }
}

/// Times `body` once per query, `passes` times over all queries, after one untimed pass.
func latencies(count: Int, passes: Int, _ body: (Int) -> Void) -> (sorted: [UInt64], meanNs: Double) {
    for i in 0..<count { body(i) }
    var samples: [UInt64] = []
    samples.reserveCapacity(count * passes)
    for _ in 0..<passes {
        for i in 0..<count {
            let s = nowNs()
            body(i)
            samples.append(nowNs() - s)
        }
    }
    // The mean from a pass without a clock read per query.
    let p0 = nowNs()
    for i in 0..<count { body(i) }
    let mean = Double(nowNs() - p0) / Double(max(count, 1))
    samples.sort()
    return (samples, mean)
}

/// The common fields of a resolve peer's JSON line.
func resolveReport(
    peer: String, workload: Workload, buildMs: Double, rssBeforeKiB: Int, rssAfterKiB: Int,
    firstQueryNs: UInt64, timing: (sorted: [UInt64], meanNs: Double), passes: Int
) -> JSONLine {
    var json = JSONLine()
    json.add("peer", peer)
    json.add("size", workload.size)
    json.add("contacts", workload.data.contacts.count)
    json.add("companies", workload.data.companies.count)
    json.add("leads", workload.data.leads.count)
    json.add("customers", workload.data.customers.count)
    json.add("links", workload.data.links.count)
    json.add("queries", workload.callers.count)
    json.add("unreadable_skipped", workload.unreadable)
    json.add("passes", passes)
    json.add("generation_ms", workload.generationMs)
    json.add("build_ms", buildMs)
    json.add("first_query_us", Double(firstQueryNs) / 1e3)
    json.add("p50_ns", percentile(timing.sorted, 0.5))
    json.add("p90_ns", percentile(timing.sorted, 0.9))
    json.add("p99_ns", percentile(timing.sorted, 0.99))
    json.add("mean_ns", timing.meanNs)
    json.add("rss_before_build_kib", rssBeforeKiB)
    json.add("rss_after_kib", rssAfterKiB)
    json.add("index_rss_kib", rssAfterKiB - rssBeforeKiB)
    json.add("peak_rss_kib", peakRSSKiB())
    return json
}

func writeAnswers(_ path: String?, _ answers: [String]) {
    guard let path else { return }
    let out = OutputFile(path)
    for a in answers { out.line(a) }
    out.close()
}

/// `<size> <seed> <queries> [answers.txt] [passes]`
func resolveArguments(_ args: [String], mode: String) -> (Int, UInt64, Int, String?, Int) {
    guard args.count >= 3, let size = Int(args[0]), let seed = UInt64(args[1]), let queries = Int(args[2]) else {
        fail("usage: \(mode) <size> <seed> <queries> [answers.txt] [passes]")
    }
    let answers = args.count > 3 && args[3] != "-" ? args[3] : nil
    let passes = args.count > 4 ? Int(args[4]) ?? 3 : 3
    return (size, seed, queries, answers, passes)
}
