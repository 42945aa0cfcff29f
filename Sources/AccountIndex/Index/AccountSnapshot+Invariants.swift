/// Consistency checks of a snapshot: both ends of every link agree, each party's lead and customer
/// parts agree with the leads' and customers' states, and the stored numbers are exactly the
/// indexed keys of the parties that are not deleted.
///
/// ``AccountIndex`` runs them after every build and batch when compiled with
/// `-Xswiftc -DSCREENPOP_INTERNAL_CHECKS` (see Package.swift); tests call them directly.
extension AccountSnapshot {
    /// What is inconsistent, one line each; empty when all is well.
    ///
    /// - Complexity: O(n log n) in the size of the account.
    func invariantViolations() -> [String] {
        var problems: [String] = []
        let closed = state.settings.closedCustomerStatusIDs
        var expectedPostings = Set<Posting>()

        func checkParty(_ entry: SlabEntry<PartyRecord>, isCompany: Bool) {
            let party = PartyState(entry)
            let id = entry.record.id
            let me = PartyID(isCompany: isCompany, id: id)
            if party.keys != party.keys.sorted().uniquedSorted() { problems.append("\(me.ref): keys not sorted") }
            for posting in party.postings(me) { expectedPostings.insert(posting) }
            for (leads, active) in [(party.activeLeads, true), (party.otherLeads, false)] {
                for leadID in leads {
                    guard let lead = state.leads.find(leadID).map(LeadState.init) else {
                        problems.append("\(me.ref): unknown lead \(leadID)")
                        continue
                    }
                    if lead.isActive != active { problems.append("\(me.ref): lead \(leadID) in the wrong part") }
                    let linked = isCompany ? lead.company == id : lead.contacts.contains(id)
                    if !linked { problems.append("\(me.ref): lead \(leadID) does not link back") }
                }
            }
            for (customers, open) in [(party.openCustomers, true), (party.otherCustomers, false)] {
                for customerID in customers {
                    guard let customer = state.customers.find(customerID).map(CustomerState.init) else {
                        problems.append("\(me.ref): unknown customer \(customerID)")
                        continue
                    }
                    if customer.isOpen(closedStatuses: closed) != open {
                        problems.append("\(me.ref): customer \(customerID) in the wrong part")
                    }
                    let linked = isCompany ? customer.company == id : customer.contacts.contains(id)
                    if !linked { problems.append("\(me.ref): customer \(customerID) does not link back") }
                }
            }
            if !isCompany && party.related.count > 1 { problems.append("\(me.ref): several companies") }
            for other in party.related {
                let otherID = PartyID(isCompany: !isCompany, id: other)
                guard let back = state.party(otherID).map(PartyState.init) else {
                    problems.append("\(me.ref): unknown \(otherID.ref)")
                    continue
                }
                if !back.related.contains(id) { problems.append("\(me.ref): \(otherID.ref) does not link back") }
            }
        }
        state.contacts.forEach { checkParty($0, isCompany: false) }
        state.companies.forEach { checkParty($0, isCompany: true) }

        state.leads.forEach { entry in
            let lead = LeadState(entry)
            let id = entry.record.id
            if let main = lead.main, !lead.contacts.contains(main) { problems.append("lead \(id): main not a contact") }
            for party in lead.parties {
                guard let back = state.party(party).map(PartyState.init) else {
                    problems.append("lead \(id): unknown \(party.ref)")
                    continue
                }
                if !(back.activeLeads + back.otherLeads).contains(id) {
                    problems.append("lead \(id): \(party.ref) does not link back")
                }
            }
        }
        state.customers.forEach { entry in
            let customer = CustomerState(entry)
            let id = entry.record.id
            for party in customer.parties {
                guard let back = state.party(party).map(PartyState.init) else {
                    problems.append("customer \(id): unknown \(party.ref)")
                    continue
                }
                if !(back.openCustomers + back.otherCustomers).contains(id) {
                    problems.append("customer \(id): \(party.ref) does not link back")
                }
            }
        }
        var actualPostings = Set<Posting>()
        state.phones.forEach { actualPostings.insert($0) }
        if actualPostings != expectedPostings {
            problems.append(
                "stored numbers: \(actualPostings.subtracting(expectedPostings).count) extra, "
                    + "\(expectedPostings.subtracting(actualPostings).count) missing")
        }
        if actualPostings.count != state.phones.count { problems.append("stored numbers: count is off") }
        state.phones.forEach { posting in
            if state.phones.slab(for: posting.key).map({ slab in
                (0..<slab.count).contains { slab.posting($0) == posting }
            }) != true {
                problems.append("number \(posting.key) of \(posting.owner.ref) is in the wrong slab")
            }
        }
        return problems
    }

    /// Traps on the first inconsistency.
    func checkInvariants() {
        let problems = invariantViolations()
        precondition(problems.isEmpty, "AccountIndex invariants: \(problems.prefix(10))")
    }
}
