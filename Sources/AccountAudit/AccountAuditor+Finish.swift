import AccountIndex
import PhoneNumbers

extension AccountAuditor {
    /// The report.
    ///
    /// - Complexity: O(n log n) in the stored numbers: a sort per suffix length.
    public consuming func finish() -> AccountAudit {
        var auditor = self
        auditor.entitiesComplete()
        return auditor.makeReport()
    }

    func makeReport() -> AccountAudit {
        let state = links ?? LinkState()
        // A company's leads and customers: the links that last named it.
        var companyLeads: [UInt32: [Int]] = [:]
        for (lead, party) in state.leadCompany { companyLeads[party, default: []].append(lead) }
        var companyCustomers: [UInt32: [Int]] = [:]
        for (customer, party) in state.customerCompany { companyCustomers[party, default: []].append(customer) }

        func linked(_ party: UInt32) -> (leads: [Int], customers: [Int]) {
            let isContact = partyRefs[Int(party)].kind == .contact
            let leads = (isContact ? state.contactLeads[party] : companyLeads[party]) ?? []
            let customers = (isContact ? state.contactCustomers[party] : companyCustomers[party]) ?? []
            return (Array(Set(leads)).sorted(), Array(Set(customers)).sorted())
        }

        var duplicates: [DuplicateNumber] = []
        var shared: [SharedNumber] = []
        var severalPostings = 0
        for group in state.groups {
            let key = PhoneKey(rawValue: postings[group.lowerBound].key)
            severalPostings += group.count
            var candidates: [Candidate] = []
            var entities: [EntityRef: AuditEntity] = [:]
            for posting in postings[group] {
                let party = Int(posting.party)
                let (leads, customers) = linked(posting.party)
                let ref = partyRefs[party]
                candidates.append(
                    Candidate(
                        entity: ref, createdAt: partyCreatedAt[party], matchedNumber: key,
                        links: LinkedEntities(activeLeads: leads, openCustomers: customers)))
                var entity = self.entity(party)
                entity.values = [values[Int(posting.value)]]
                entity.activeLeads = leads
                entity.openCustomers = customers
                entities[ref] = entity
            }
            // The decision `resolve` makes for a call from this number: the same function over
            // the same candidates.
            let decision = CallTargetDecision(
                callerNumber: key.number, matchLevel: .exact, candidates: candidates,
                customersEnabled: settings.customersEnabled)
            let ordered = decision.candidates
            let rule = ordered.count > 1 ? ChoiceRule.between(ordered[0], ordered[1]) : .smallestID
            let orderedEntities = ordered.compactMap { entities[$0.entity] }
            if let company = switchboardCompany(group, state: state) {
                shared.append(
                    SharedNumber(
                        e164: key.e164, companyID: company, entities: orderedEntities, decision: decision, rule: rule))
            } else {
                duplicates.append(DuplicateNumber(e164: key.e164, entities: orderedEntities, decision: decision, rule: rule))
            }
        }
        duplicates.sort { ($0.entities.count, $1.e164) > ($1.entities.count, $0.e164) }
        shared.sort { ($0.entities.count, $1.e164) > ($1.entities.count, $0.e164) }

        var collisions: [SuffixCollision] = []
        var collisionCounts: [(digits: Int, count: Int)] = []
        for digits in options.suffixDigits {
            let found = suffixCollisions(digits: digits)
            collisionCounts.append((digits, found.count))
            collisions.append(contentsOf: found)
        }
        collisions.sort { a, b in
            if a.entities.count != b.entities.count { return a.entities.count > b.entities.count }
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
            values: values, valueParty: valueParty, errorNames: errorNames, records: valueFindings)
        return AccountAudit(
            settings: settings, options: options, summary: summary, duplicates: duplicates, sharedNumbers: shared,
            suffixCollisions: collisions, tables: tables)
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

    /// Distinct numbers (of at least `digits` digits) that share their last `digits` digits.
    func suffixCollisions(digits: Int) -> [SuffixCollision] {
        var modulus: UInt64 = 1
        for _ in 0..<digits { modulus &*= 10 }
        // (suffix, first posting of the key), one per distinct key; postings are sorted by key.
        var runs: [(suffix: UInt64, start: Int)] = []
        var i = 0
        while i < postings.count {
            let key = PhoneKey(rawValue: postings[i].key)
            if key.digitCount >= digits { runs.append((key.digitValue % modulus, i)) }
            let current = postings[i].key
            while i < postings.count && postings[i].key == current { i += 1 }
        }
        runs.sort { ($0.suffix, $0.start) < ($1.suffix, $1.start) }
        var found: [SuffixCollision] = []
        var start = 0
        while start < runs.count {
            var end = start + 1
            while end < runs.count && runs[end].suffix == runs[start].suffix { end += 1 }
            if end - start > 1 {
                var numbers: [String] = []
                var entities: [AuditEntity] = []
                for run in runs[start..<end] {
                    let key = postings[run.start].key
                    numbers.append(PhoneKey(rawValue: key).e164)
                    var p = run.start
                    while p < postings.count && postings[p].key == key {
                        var entity = self.entity(Int(postings[p].party))
                        entity.values = [values[Int(postings[p].value)]]
                        entities.append(entity)
                        p += 1
                    }
                }
                var suffix = String(runs[start].suffix)
                if suffix.count < digits { suffix = String(repeating: "0", count: digits - suffix.count) + suffix }
                found.append(SuffixCollision(digits: digits, suffix: suffix, numbers: numbers, entities: entities))
            }
            start = end
        }
        return found
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
    public init(data: AccountData, names: (EntityRef) -> String? = { _ in nil }, options: AuditOptions = AuditOptions()) {
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
