import AccountIndex

/// What the links stage keeps: only the links of the entities that hold a number with others.
struct LinkState: Sendable {
    /// Runs of `postings` (sorted by key) that share a key and have two or more owners.
    var groups: [Range<Int>] = []
    /// The parties of those groups.
    var interesting: [EntityRef: UInt32] = [:]
    var contactLeads: [UInt32: [Int]] = [:]
    var contactCustomers: [UInt32: [Int]] = [:]
    /// A lead's company, when that company is interesting (a later link replaces an earlier one).
    var leadCompany: [Int: UInt32] = [:]
    var customerCompany: [Int: UInt32] = [:]
    /// An interesting contact's company id (a later link replaces an earlier one).
    var contactCompany: [UInt32: Int] = [:]

    /// ``AccountAuditor/add(_:)-(AccountLink)``'s work, on the sorted ids of the active leads,
    /// open customers and companies.
    mutating func add(_ link: AccountLink, activeLeadIDs: [Int], openCustomerIDs: [Int], companyIDs: [Int]) {
        switch link {
        case .contactLead(let contact, let lead, _):
            if let party = interesting[.contact(contact)], AccountAuditor.contains(activeLeadIDs, lead) {
                contactLeads[party, default: []].append(lead)
            }
        case .companyLead(let company, let lead):
            guard AccountAuditor.contains(companyIDs, company), AccountAuditor.contains(activeLeadIDs, lead) else {
                return
            }
            leadCompany[lead] = interesting[.company(company)]
        case .contactCustomer(let contact, let customer):
            if let party = interesting[.contact(contact)], AccountAuditor.contains(openCustomerIDs, customer) {
                contactCustomers[party, default: []].append(customer)
            }
        case .companyCustomer(let company, let customer):
            guard AccountAuditor.contains(companyIDs, company), AccountAuditor.contains(openCustomerIDs, customer)
            else { return }
            customerCompany[customer] = interesting[.company(company)]
        case .contactCompany(let contact, let company):
            guard let party = interesting[.contact(contact)], AccountAuditor.contains(companyIDs, company) else {
                return
            }
            contactCompany[party] = company
        }
    }
}

extension AccountAuditor {
    /// Says that every contact, company, lead and customer has been added: the numbers held by
    /// several entities are known from here on, so that only their links need to be kept.
    ///
    /// - Complexity: O(n log n) in the stored numbers (one sort).
    public mutating func entitiesComplete() {
        guard links == nil else { return }
        activeLeadIDs.sort()
        openCustomerIDs.sort()
        companyIDs.sort()
        postings.sort { ($0.key, $0.party) < ($1.key, $1.party) }
        var state = LinkState()
        var start = 0
        while start < postings.count {
            var end = start + 1
            while end < postings.count && postings[end].key == postings[start].key { end += 1 }
            if end - start > 1 {
                state.groups.append(start..<end)
                for posting in postings[start..<end] {
                    state.interesting[partyRefs[Int(posting.party)]] = posting.party
                }
            }
            start = end
        }
        links = state
        let early = earlyLinks
        earlyLinks = []
        for link in early { add(link) }
    }

    /// Adds a link. Links to entities that were not added are skipped, as the index skips them;
    /// a later "at most one" link (a lead's or customer's company, a contact's company) replaces
    /// an earlier one, as in the index.
    public mutating func add(_ link: AccountLink) {
        guard links != nil else { return earlyLinks.append(link) }
        // In place: a copy of the state would retain and release its dictionaries for every link.
        links!.add(link, activeLeadIDs: activeLeadIDs, openCustomerIDs: openCustomerIDs, companyIDs: companyIDs)
    }

    static func contains(_ sorted: [Int], _ id: Int) -> Bool {
        var low = 0
        var high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] < id { low = mid + 1 } else { high = mid }
        }
        return low < sorted.count && sorted[low] == id
    }
}
