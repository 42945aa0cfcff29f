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
                for posting in postings[start..<end] { state.interesting[partyRefs[Int(posting.party)]] = posting.party }
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
        guard var state = links else { return earlyLinks.append(link) }
        links = nil  // no copy of the dictionaries while they change
        defer { links = state }
        switch link {
        case .contactLead(let contact, let lead, _):
            if let party = state.interesting[.contact(contact)], Self.contains(activeLeadIDs, lead) {
                state.contactLeads[party, default: []].append(lead)
            }
        case .companyLead(let company, let lead):
            guard Self.contains(companyIDs, company), Self.contains(activeLeadIDs, lead) else { return }
            state.leadCompany[lead] = state.interesting[.company(company)]
        case .contactCustomer(let contact, let customer):
            if let party = state.interesting[.contact(contact)], Self.contains(openCustomerIDs, customer) {
                state.contactCustomers[party, default: []].append(customer)
            }
        case .companyCustomer(let company, let customer):
            guard Self.contains(companyIDs, company), Self.contains(openCustomerIDs, customer) else { return }
            state.customerCompany[customer] = state.interesting[.company(company)]
        case .contactCompany(let contact, let company):
            guard let party = state.interesting[.contact(contact)], Self.contains(companyIDs, company) else { return }
            state.contactCompany[party] = company
        }
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
