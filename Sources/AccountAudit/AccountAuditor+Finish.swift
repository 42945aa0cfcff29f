import AccountIndex
import PhoneNumbers

extension AccountAuditor {
    /// The report.
    ///
    /// - Complexity: O(n log n) in the stored numbers: a sort per suffix length.
    public consuming func finish() -> AccountAudit {
        var auditor = self
        auditor.entitiesComplete()
        // What only the links needed, freed before the suffix sorts' arrays are made.
        auditor.links?.interesting = [:]
        auditor.activeLeadIDs = []
        auditor.openCustomerIDs = []
        auditor.companyIDs = []
        return auditor.makeReport()
    }

    func makeReport() -> AccountAudit {
        let state = links ?? LinkState()
        // A company's leads and customers: the links that last named it.
        var companyLeads: [UInt32: [Int]] = [:]
        for (lead, party) in state.leadCompany { companyLeads[party, default: []].append(lead) }
        var companyCustomers: [UInt32: [Int]] = [:]
        for (customer, party) in state.customerCompany { companyCustomers[party, default: []].append(customer) }
        var leads = state.contactLeads
        leads.merge(companyLeads) { a, _ in a }
        var customers = state.contactCustomers
        customers.merge(companyCustomers) { a, _ in a }

        // Groups stay compact (a range of postings); their entities and decisions are made when
        // the report is read, a few at a time.
        var duplicates: [AccountAudit.GroupRecord] = []
        var shared: [AccountAudit.GroupRecord] = []
        var severalPostings = 0
        for group in state.groups {
            severalPostings += group.count
            let company = switchboardCompany(group, state: state)
            let record = AccountAudit.GroupRecord(range: group, company: company)
            if company != nil { shared.append(record) } else { duplicates.append(record) }
        }
        let byHolders: (AccountAudit.GroupRecord, AccountAudit.GroupRecord) -> Bool = { [postings] a, b in
            if a.range.count != b.range.count { return a.range.count > b.range.count }
            return postings[a.range.lowerBound].key < postings[b.range.lowerBound].key
        }
        duplicates.sort(by: byHolders)
        shared.sort(by: byHolders)

        var collisions: [AccountAudit.CollisionRecord] = []
        var collisionStarts: [Int] = []
        var collisionCounts: [(digits: Int, count: Int)] = []
        for digits in options.suffixDigits {
            let before = collisions.count
            suffixCollisions(digits: digits, into: &collisions, starts: &collisionStarts)
            collisionCounts.append((digits, collisions.count - before))
        }
        collisions.sort { a, b in
            if a.holders != b.holders { return a.holders > b.holders }
            if a.digits != b.digits { return a.digits < b.digits }
            return a.suffix < b.suffix
        }

        var findingCounts: [(key: String, count: Int)] = [
            ("duplicates", duplicates.count), ("shared_numbers", shared.count),
            ("suffix_collisions", collisions.count),
        ]
        for kind in ValueFinding.Kind.allCases {
            findingCounts.append((kind.key, valueFindings.lazy.filter { $0.kind == kind }.count))
        }
        var distinct = 0
        var previous: UInt64? = nil
        for posting in postings where posting.key != previous {
            distinct += 1
            previous = posting.key
        }
        var calls = tally.calls
        calls.exactAmongSeveral = severalPostings
        let summary = AuditSummary(
            region: settings.defaultRegion, contacts: tally.contacts, companies: tally.companies,
            deletedSkipped: tally.deleted, entitiesAddedLate: tally.late, phoneValues: tally.values,
            storedNumbers: tally.storedNumbers, distinctNumbers: distinct, findings: findingCounts,
            suffixCollisions: collisionCounts,
            byCountry: tally.countries.map { (region: $0.key, count: $0.value) }.sorted {
                ($0.count, $1.region) > ($1.count, $0.region)
            },
            byType: tally.types.map { (type: $0.key.rawValue, count: $0.value) }.sorted {
                ($0.count, $1.type) > ($1.count, $0.type)
            },
            calls: calls)
        let tables = AccountAudit.Tables(
            partyRefs: partyRefs, partyCreatedAt: partyCreatedAt, names: names, partyHasName: partyHasName,
            values: values, valueParty: valueParty, errorNames: errorNames, records: valueFindings, hints: hints,
            postings: postings, leads: leads, customers: customers, duplicateRecords: duplicates,
            sharedRecords: shared, collisionRecords: collisions, collisionStarts: collisionStarts)
        return AccountAudit(settings: settings, options: options, summary: summary, tables: tables)
    }

    /// The company whose number this is, when the group is a switchboard: enough holders, each the
    /// company itself or one of its contacts.
    func switchboardCompany(_ group: Range<Int>, state: LinkState) -> Int? {
        guard group.count >= options.sharedNumberMinimum else { return nil }
        var company: Int? = nil
        for posting in postings[group] {
            let ref = partyRefs[Int(posting.party)]
            let owner = ref.kind == .company ? ref.id : state.contactCompany[posting.party]
            guard let owner, company == nil || company == owner else { return nil }
            company = owner
        }
        return company
    }

    /// Distinct numbers (of at least `digits` digits) that share their last `digits` digits: one
    /// record each, with the first posting of each of its numbers in `starts`.
    func suffixCollisions(digits: Int, into found: inout [AccountAudit.CollisionRecord], starts: inout [Int]) {
        var modulus: UInt64 = 1
        for _ in 0..<digits { modulus &*= 10 }
        // One per distinct key: its suffix and first posting (postings are sorted by key), packed
        // in 8 bytes as suffix × 2^shift + posting when both fit, so that a plain sort of integers
        // groups them (a fifth of the memory and time of sorting tuples).
        let shift = UInt64((modulus - 1).leadingZeroBitCount)
        let packed = shift < 64 && UInt64(postings.count) <= (1 << shift) - 1
        var sortedRuns: [UInt64] = []
        var wideRuns: [(suffix: UInt64, start: Int)] = []
        var i = 0
        while i < postings.count {
            let first = i
            let current = postings[i].key
            while i < postings.count && postings[i].key == current { i += 1 }
            let key = PhoneKey(rawValue: current)
            guard key.digitCount >= digits else { continue }
            let suffix = key.digitValue % modulus
            if packed {
                sortedRuns.appendGrowingGently(suffix << shift | UInt64(first))
            } else {
                wideRuns.append((suffix, first))
            }
        }
        sortedRuns.sort()
        wideRuns.sort { ($0.suffix, $0.start) < ($1.suffix, $1.start) }
        let mask: UInt64 = packed ? (1 << shift) - 1 : 0
        let count = packed ? sortedRuns.count : wideRuns.count
        func suffix(_ index: Int) -> UInt64 { packed ? sortedRuns[index] >> shift : wideRuns[index].suffix }
        func firstPosting(_ index: Int) -> Int { packed ? Int(sortedRuns[index] & mask) : wideRuns[index].start }
        var start = 0
        while start < count {
            let shared = suffix(start)
            var end = start + 1
            while end < count && suffix(end) == shared { end += 1 }
            if end - start > 1 {
                let from = starts.count
                var holders = 0
                for index in start..<end {
                    let first = firstPosting(index)
                    starts.append(first)
                    var last = first + 1
                    while last < postings.count && postings[last].key == postings[first].key { last += 1 }
                    holders += last - first
                }
                found.append(
                    AccountAudit.CollisionRecord(
                        digits: digits, suffix: shared, starts: from..<starts.count, holders: holders))
            }
            start = end
        }
    }

    func entity(_ party: Int) -> AuditEntity {
        let ref = partyRefs[party]
        return AuditEntity(
            ref: ref, name: partyHasName[party] ? names[party] : nil, link: options.link(to: ref),
            createdAt: partyCreatedAt[party])
    }
}

extension AccountAudit {
    /// Audits a whole account held as values.
    ///
    /// - Parameters:
    ///   - data: The account.
    ///   - names: The name of a contact or company, for the report (nil when unknown).
    ///   - options: Suffix lengths, subdomain.
    public init(data: AccountData, names: (EntityRef) -> String? = { _ in nil }, options: AuditOptions = AuditOptions())
    {
        var auditor = AccountAuditor(settings: data.settings, options: options)
        for contact in data.contacts { auditor.add(contact, name: names(contact.ref)) }
        for company in data.companies { auditor.add(company, name: names(company.ref)) }
        for lead in data.leads { auditor.add(lead) }
        for customer in data.customers { auditor.add(customer) }
        auditor.entitiesComplete()
        for link in data.links { auditor.add(link) }
        self = auditor.finish()
    }
}
