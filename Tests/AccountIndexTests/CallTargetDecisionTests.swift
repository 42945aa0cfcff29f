import PhoneNumbers
import Testing

@testable import AccountIndex

@Suite struct CallTargetDecisionTests {
    struct Rule: CustomTestStringConvertible, Sendable {
        let name: String
        let entity: EntityRef
        let activeLeads: [Int]
        let openCustomers: [Int]
        let customersEnabled: Bool
        let target: CallTargetDecision.Target
        let rule: CallTargetDecision.Reason.Rule
        let countedCustomers: Int
        var testDescription: String { name }
    }

    static let rules: [Rule] = [
        .init(
            name: "one active lead, no customer: the lead", entity: .contact(1), activeLeads: [10], openCustomers: [],
            customersEnabled: true, target: .lead(id: 10), rule: .singleActiveLead, countedCustomers: 0),
        .init(
            name: "one customer, no active lead: the customer", entity: .contact(1), activeLeads: [],
            openCustomers: [20],
            customersEnabled: true, target: .customer(id: 20), rule: .singleCustomer, countedCustomers: 1),
        .init(
            name: "nothing linked: the contact card", entity: .contact(1), activeLeads: [], openCustomers: [],
            customersEnabled: true, target: .contactCard(id: 1), rule: .noLinkedEntities, countedCustomers: 0),
        .init(
            name: "nothing linked: the company card", entity: .company(5), activeLeads: [], openCustomers: [],
            customersEnabled: true, target: .companyCard(id: 5), rule: .noLinkedEntities, countedCustomers: 0),
        .init(
            name: "two active leads: the card", entity: .contact(1), activeLeads: [10, 11], openCustomers: [],
            customersEnabled: true, target: .contactCard(id: 1), rule: .severalLinkedEntities, countedCustomers: 0),
        .init(
            name: "two customers: the card", entity: .company(5), activeLeads: [], openCustomers: [20, 21],
            customersEnabled: true, target: .companyCard(id: 5), rule: .severalLinkedEntities, countedCustomers: 2),
        .init(
            name: "one lead and one customer: the card", entity: .contact(1), activeLeads: [10], openCustomers: [20],
            customersEnabled: true, target: .contactCard(id: 1), rule: .severalLinkedEntities, countedCustomers: 1),
        .init(
            name: "customers off: one lead and one customer shows the lead", entity: .contact(1), activeLeads: [10],
            openCustomers: [20], customersEnabled: false, target: .lead(id: 10), rule: .singleActiveLead,
            countedCustomers: 0),
        .init(
            name: "customers off: one customer alone shows the card", entity: .contact(1), activeLeads: [],
            openCustomers: [20], customersEnabled: false, target: .contactCard(id: 1), rule: .noLinkedEntities,
            countedCustomers: 0),
        .init(
            name: "customers off: two leads", entity: .contact(1), activeLeads: [10, 11], openCustomers: [20, 21],
            customersEnabled: false, target: .contactCard(id: 1), rule: .severalLinkedEntities, countedCustomers: 0),
    ]

    @Test(arguments: rules)
    func rule(_ example: Rule) throws {
        let number = try PhoneNumber(parsing: "+79998885533", defaultRegion: nil)
        let candidate = Candidate(
            entity: example.entity, createdAt: 0, matchedNumber: key("+79998885533"),
            links: LinkedEntities(activeLeads: example.activeLeads, openCustomers: example.openCustomers))
        let decision = CallTargetDecision(
            callerNumber: number, matchLevel: .exact, candidates: [candidate],
            customersEnabled: example.customersEnabled)
        #expect(decision.target == example.target)
        #expect(decision.reason.rule == example.rule)
        #expect(decision.reason.activeLeads == example.activeLeads.count)
        #expect(decision.reason.countedCustomers == example.countedCustomers)
        #expect(decision.reason.customersDisabled == !example.customersEnabled)
        #expect(decision.matchLevel == .exact)
        #expect(decision.chosen == candidate)
        #expect(decision.otherCandidates.isEmpty)
        #expect(decision.elementID == example.target.entity?.id)
    }

    @Test func noCandidateOffersToCreateTheContact() throws {
        let number = try PhoneNumber(parsing: "8 999 888-55-33", defaultRegion: "RU")
        let decision = CallTargetDecision(
            callerNumber: number, matchLevel: .exact, candidates: [], customersEnabled: true)
        #expect(decision.target == .createContact(e164: "+79998885533"))
        #expect(decision.reason.rule == .noMatch)
        #expect(decision.matchLevel == .none)  // whatever was claimed, nothing matched
        #expect(decision.chosen == nil)
        #expect(decision.elementType == nil && decision.elementID == nil)
    }

    @Test func unreadableNumberOffersToCreateAContactWithoutNumber() {
        let candidate = Candidate(
            entity: .contact(1), createdAt: 0, matchedNumber: key("+79998885533"), links: LinkedEntities())
        let decision = CallTargetDecision(
            callerNumber: nil, matchLevel: .exact, candidates: [candidate], customersEnabled: true)
        #expect(decision.target == .createContact(e164: nil))
        #expect(decision.reason.rule == .unreadableNumber)
        #expect(decision.matchLevel == .none)
    }

    @Test func amoCRMPolicyPutsContactsFirstThenOldestThenSmallestID() throws {
        func candidate(_ entity: EntityRef, _ createdAt: Int) -> Candidate {
            Candidate(entity: entity, createdAt: createdAt, matchedNumber: key("+79998885533"), links: LinkedEntities())
        }
        let candidates = [
            candidate(.company(1), 10), candidate(.contact(9), 50), candidate(.contact(3), 20),
            candidate(.contact(2), 20), candidate(.company(0), 5),
        ]
        let sorted = CandidatePolicy.amoCRM.sorted(candidates).map(\.entity)
        #expect(sorted == [.contact(2), .contact(3), .contact(9), .company(0), .company(1)])

        let decision = CallTargetDecision(
            callerNumber: try PhoneNumber(parsing: "+79998885533", defaultRegion: nil), matchLevel: .suffix(digits: 10),
            candidates: candidates, customersEnabled: true)
        #expect(decision.chosen?.entity == .contact(2))
        #expect(decision.otherCandidates.map(\.entity) == [.contact(3), .contact(9), .company(0), .company(1)])
        #expect(decision.candidates.count == 5)
        #expect(decision.matchLevel == .suffix(digits: 10))
    }

    @Test func replaceablePolicyWithDeterministicTies() {
        func candidate(_ entity: EntityRef, _ createdAt: Int) -> Candidate {
            Candidate(entity: entity, createdAt: createdAt, matchedNumber: key("+79998885533"), links: LinkedEntities())
        }
        let companiesFirst = CandidatePolicy(name: "companies first") {
            ($0.entity.kind == .company) && ($1.entity.kind != .company)
        }
        let sorted = companiesFirst.sorted([
            candidate(.contact(1), 1), candidate(.company(7), 9), candidate(.company(6), 9),
        ])
        // Ties among companies fall back to amoCRM's order: created_at, then id.
        #expect(sorted.map(\.entity) == [.company(6), .company(7), .contact(1)])
    }

    /// Total: any candidates in any order give one decision, and it agrees with the rules.
    @Test func totalOverRandomInputs() throws {
        var rng = SystemRandomNumberGenerator()
        let number = try PhoneNumber(parsing: "+79998885533", defaultRegion: nil)
        for _ in 0..<500 {
            let candidates = (0..<Int.random(in: 0...4, using: &rng)).map { i in
                Candidate(
                    entity: Bool.random(using: &rng) ? .contact(i) : .company(i),
                    createdAt: Int.random(in: 0...3, using: &rng),
                    matchedNumber: key("+79998885533"),
                    links: LinkedEntities(
                        activeLeads: Array(0..<Int.random(in: 0...3, using: &rng)),
                        openCustomers: Array(100..<100 + Int.random(in: 0...3, using: &rng))))
            }
            let enabled = Bool.random(using: &rng)
            let decision = CallTargetDecision(
                callerNumber: number, matchLevel: .exact, candidates: candidates.shuffled(using: &rng),
                customersEnabled: enabled)
            guard let chosen = CandidatePolicy.amoCRM.sorted(candidates).first else {
                #expect(decision.target == .createContact(e164: "+79998885533"))
                continue
            }
            #expect(decision.chosen == chosen)
            let leads = chosen.links.activeLeadCount
            let customers = enabled ? chosen.links.openCustomerCount : 0
            switch decision.target {
            case .lead: #expect(leads == 1 && customers == 0)
            case .customer: #expect(customers == 1 && leads == 0)
            case .contactCard, .companyCard: #expect(!(leads == 1 && customers == 0) && !(customers == 1 && leads == 0))
            case .createContact: Issue.record("a candidate was there")
            }
        }
    }
}
