import AccountIndex
import PhoneNumbers

/// The first thing an engineer would write: a dictionary from the normalized E.164 text to the contacts
/// and companies that have it (and one from the last digits, for the fallback), the entities in
/// dictionaries by id, and per contact or company an array of linked lead and customer ids that every
/// call scans, looking up each lead's status.
final class NaiveIndex {
    struct Party {
        let kind: EntityKind
        let id: Int
        let createdAt: Int
        let isDeleted: Bool
    }

    let settings: AccountSettings
    var byNumber: [String: [Party]] = [:]
    var bySuffix: [String: [Party]] = [:]
    var leads: [Int: Lead] = [:]
    var customers: [Int: Customer] = [:]
    var contactLeads: [Int: [Int]] = [:]
    var companyLeads: [Int: [Int]] = [:]
    var contactCustomers: [Int: [Int]] = [:]
    var companyCustomers: [Int: [Int]] = [:]

    init(_ data: AccountData) {
        settings = data.settings
        let region = data.settings.defaultRegion
        let digits = data.settings.suffixFallback.digits
        func add(_ party: Party, _ phones: [PhoneValue]) {
            for key in PhoneKey.keys(inStoredValues: phones, defaultRegion: region) {
                byNumber[key.e164, default: []].append(party)
                if let suffix = suffixText(key, digits: digits) { bySuffix[suffix, default: []].append(party) }
            }
        }
        for c in data.contacts {
            add(Party(kind: .contact, id: c.id, createdAt: c.createdAt, isDeleted: c.isDeleted), c.phones)
        }
        for c in data.companies {
            add(Party(kind: .company, id: c.id, createdAt: c.createdAt, isDeleted: c.isDeleted), c.phones)
        }
        for l in data.leads { leads[l.id] = l }
        for k in data.customers { customers[k.id] = k }
        // Links come from both sides: each pair once; a lead's or customer's company is the last one linked.
        let links = NormalizedLinks(data.links)
        for (c, l) in links.contactLeads { contactLeads[c, default: []].append(l) }
        for (c, k) in links.contactCustomers { contactCustomers[c, default: []].append(k) }
        for (l, m) in links.leadCompany { companyLeads[m, default: []].append(l) }
        for (k, m) in links.customerCompany { companyCustomers[m, default: []].append(k) }
    }

    func resolve(_ number: PhoneNumber) -> CallTargetDecision.Target {
        guard let key = PhoneKey(number) else { return .createContact(e164: nil) }
        var chosen = best(byNumber[key.e164])
        if chosen == nil, settings.suffixFallback.isEnabled,
            let suffix = suffixText(key, digits: settings.suffixFallback.digits)
        {
            chosen = best(bySuffix[suffix])
        }
        guard let chosen else { return .createContact(e164: nil) }

        let leadIDs = (chosen.kind == .contact ? contactLeads[chosen.id] : companyLeads[chosen.id]) ?? []
        var activeLeads = 0
        var leadID = 0
        for id in leadIDs {
            if let lead = leads[id], lead.isActive {
                activeLeads += 1
                leadID = id
            }
        }
        var openCustomers = 0
        var customerID = 0
        if settings.customersEnabled {
            let customerIDs =
                (chosen.kind == .contact ? contactCustomers[chosen.id] : companyCustomers[chosen.id]) ?? []
            for id in customerIDs {
                if let customer = customers[id], !customer.isDeleted,
                    !(customer.statusID.map { settings.closedCustomerStatusIDs.contains($0) } ?? false)
                {
                    openCustomers += 1
                    customerID = id
                }
            }
        }
        if activeLeads == 1 && openCustomers == 0 { return .lead(id: leadID) }
        if openCustomers == 1 && activeLeads == 0 { return .customer(id: customerID) }
        return chosen.kind == .contact ? .contactCard(id: chosen.id) : .companyCard(id: chosen.id)
    }

    /// Contacts before companies, then the oldest, then the smallest id; deleted ones never.
    private func best(_ parties: [Party]?) -> Party? {
        var best: Party? = nil
        for p in parties ?? [] where !p.isDeleted {
            if let b = best,
                (b.kind == .contact ? 0 : 1, b.createdAt, b.id) <= (p.kind == .contact ? 0 : 1, p.createdAt, p.id)
            {
                continue
            }
            best = p
        }
        return best
    }
}

/// `naive <size> <seed> <queries> [answers.txt] [passes]`.
func runNaive(_ args: [String]) {
    let (size, seed, queries, answersPath, passes) = resolveArguments(args, mode: "naive")
    let workload = Workload(size: size, seed: seed, queries: queries)
    let callers = workload.callers

    let rssBefore = currentRSSKiB()
    let t0 = nowNs()
    let index = NaiveIndex(workload.data)
    let buildMs = Double(nowNs() - t0) / 1e6
    let q0 = nowNs()
    blackHole(index.resolve(callers[0]))
    let firstQueryNs = nowNs() - q0

    // Memory: resident after the build and one pass over the calls (SQLite's page cache fills as it
    // reads), before the measurement's own arrays.
    for i in 0..<callers.count { blackHole(index.resolve(callers[i])) }
    let rssAfter = currentRSSKiB()

    writeAnswers(answersPath, callers.map { Answer.of(index.resolve($0)) })
    let timing = latencies(count: callers.count, passes: passes) { i in blackHole(index.resolve(callers[i])) }
    resolveReport(
        peer: "naive", workload: workload, buildMs: buildMs, rssBeforeKiB: rssBefore, rssAfterKiB: rssAfter,
        firstQueryNs: firstQueryNs, timing: timing, passes: passes
    ).print()
}
