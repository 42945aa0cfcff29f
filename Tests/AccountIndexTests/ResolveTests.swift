import PhoneNumbers
import Testing

@testable import AccountIndex

/// Every rule and edge of the decision, through an index built from account data.
@Suite struct ResolveTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let data: AccountData
        let caller: String
        let target: CallTargetDecision.Target
        let rule: CallTargetDecision.Reason.Rule
        let level: MatchLevel
        var candidates: [EntityRef] = []
        var testDescription: String { name }
    }

    static let number = "+79998885533"

    static func account(
        _ settings: AccountSettings = ruSettings(), contacts: [Contact] = [], companies: [Company] = [],
        leads: [Lead] = [], customers: [Customer] = [], links: [AccountLink] = []
    ) -> AccountData {
        AccountData(
            settings: settings, contacts: contacts, companies: companies, leads: leads, customers: customers,
            links: links)
    }

    static let cases: [Case] = [
        // The four rules.
        Case(
            name: "one active lead",
            data: account(
                contacts: [contact(1, number)], leads: [lead(10)],
                links: [.contactLead(contactID: 1, leadID: 10)]),
            caller: number, target: .lead(id: 10), rule: .singleActiveLead, level: .exact, candidates: [.contact(1)]),
        Case(
            name: "one customer",
            data: account(
                contacts: [contact(1, number)], customers: [customer(20)],
                links: [.contactCustomer(contactID: 1, customerID: 20)]),
            caller: number, target: .customer(id: 20), rule: .singleCustomer, level: .exact, candidates: [.contact(1)]),
        Case(
            name: "two active leads",
            data: account(
                contacts: [contact(1, number)], leads: [lead(10), lead(11)],
                links: [.contactLead(contactID: 1, leadID: 10), .contactLead(contactID: 1, leadID: 11)]),
            caller: number, target: .contactCard(id: 1), rule: .severalLinkedEntities, level: .exact,
            candidates: [.contact(1)]),
        Case(
            name: "one lead and one customer",
            data: account(
                contacts: [contact(1, number)], leads: [lead(10)],
                customers: [customer(20)],
                links: [.contactLead(contactID: 1, leadID: 10), .contactCustomer(contactID: 1, customerID: 20)]),
            caller: number, target: .contactCard(id: 1), rule: .severalLinkedEntities, level: .exact,
            candidates: [.contact(1)]),
        Case(
            name: "nothing linked", data: account(contacts: [contact(1, number)]),
            caller: number, target: .contactCard(id: 1), rule: .noLinkedEntities, level: .exact,
            candidates: [.contact(1)]),
        Case(
            name: "nobody has the number", data: account(contacts: [contact(1, "+79161234567")]),
            caller: number, target: .createContact(e164: number), rule: .noMatch, level: .none),
        Case(
            name: "empty account", data: account(),
            caller: "8 (999) 888-55-33", target: .createContact(e164: number), rule: .noMatch, level: .none),
        // Deleted and closed entities.
        Case(
            name: "won and lost leads in several pipelines do not count",
            data: account(
                contacts: [contact(1, number)],
                leads: [
                    lead(10, status: 142), lead(11, status: 143),
                    lead(12, status: 142),
                    lead(13, status: 31),
                ],
                links: (10...13).map { .contactLead(contactID: 1, leadID: $0) }),
            caller: number, target: .lead(id: 13), rule: .singleActiveLead, level: .exact, candidates: [.contact(1)]),
        Case(
            name: "only won and lost leads: the card",
            data: account(
                contacts: [contact(1, number)],
                leads: [lead(10, status: 142), lead(11, status: 143)],
                links: [.contactLead(contactID: 1, leadID: 10), .contactLead(contactID: 1, leadID: 11)]),
            caller: number, target: .contactCard(id: 1), rule: .noLinkedEntities, level: .exact,
            candidates: [.contact(1)]),
        Case(
            name: "a deleted lead does not count",
            data: account(
                contacts: [contact(1, number)], leads: [lead(10, deleted: true), lead(11)],
                links: [.contactLead(contactID: 1, leadID: 10), .contactLead(contactID: 1, leadID: 11)]),
            caller: number, target: .lead(id: 11), rule: .singleActiveLead, level: .exact, candidates: [.contact(1)]),
        Case(
            name: "a closed customer does not count",
            data: account(
                contacts: [contact(1, number)], leads: [lead(10)], customers: [customer(20, status: 900)],
                links: [.contactLead(contactID: 1, leadID: 10), .contactCustomer(contactID: 1, customerID: 20)]),
            caller: number, target: .lead(id: 10), rule: .singleActiveLead, level: .exact, candidates: [.contact(1)]),
        Case(
            name: "a deleted customer does not count",
            data: account(
                contacts: [contact(1, number)], customers: [customer(20, deleted: true), customer(21, status: nil)],
                links: [.contactCustomer(contactID: 1, customerID: 20), .contactCustomer(contactID: 1, customerID: 21)]),
            caller: number, target: .customer(id: 21), rule: .singleCustomer, level: .exact, candidates: [.contact(1)]),
        Case(
            name: "customers switched off: no customer counts",
            data: account(
                ruSettings(customers: false), contacts: [contact(1, number)], leads: [lead(10)],
                customers: [customer(20)],
                links: [.contactLead(contactID: 1, leadID: 10), .contactCustomer(contactID: 1, customerID: 20)]),
            caller: number, target: .lead(id: 10), rule: .singleActiveLead, level: .exact, candidates: [.contact(1)]),
        Case(
            name: "customers switched off: a lone customer shows the card",
            data: account(
                ruSettings(customers: false), contacts: [contact(1, number)], customers: [customer(20)],
                links: [.contactCustomer(contactID: 1, customerID: 20)]),
            caller: number, target: .contactCard(id: 1), rule: .noLinkedEntities, level: .exact,
            candidates: [.contact(1)]),
        Case(
            name: "a deleted contact is never a candidate",
            data: account(contacts: [contact(1, number, deleted: true)], companies: [company(5, number)]),
            caller: number, target: .companyCard(id: 5), rule: .noLinkedEntities, level: .exact,
            candidates: [.company(5)]),
        // Several candidates.
        Case(
            name: "a number shared by a contact and a company: the contact first",
            data: account(
                contacts: [contact(1, number, created: 5_000)], companies: [company(5, number, created: 1)],
                leads: [lead(10)],
                links: [.companyLead(companyID: 5, leadID: 10)]),
            caller: number, target: .contactCard(id: 1), rule: .noLinkedEntities, level: .exact,
            candidates: [.contact(1), .company(5)]),
        Case(
            name: "several contacts: the oldest",
            data: account(
                contacts: [
                    contact(3, number, created: 300), contact(2, number, created: 200),
                    contact(4, number, created: 200),
                ],
                leads: [lead(10)], links: [.contactLead(contactID: 2, leadID: 10)]),
            caller: number, target: .lead(id: 10), rule: .singleActiveLead, level: .exact,
            candidates: [.contact(2), .contact(4), .contact(3)]),
        Case(
            name: "a company's own leads, not its contacts'",
            data: account(
                contacts: [contact(1, "+79161234567")], companies: [company(5, number)], leads: [lead(10), lead(11)],
                links: [
                    .contactCompany(contactID: 1, companyID: 5), .contactLead(contactID: 1, leadID: 10),
                    .companyLead(companyID: 5, leadID: 11),
                ]),
            caller: number, target: .lead(id: 11), rule: .singleActiveLead, level: .exact, candidates: [.company(5)]),
        // Links known from one side only, or from both.
        Case(
            name: "a link listed only by the lead",
            data: { () -> AccountData in
                var data = account(contacts: [contact(1, number)], leads: [lead(10)])
                data.links.append(.contactLead(contactID: 1, leadID: 10, isMain: true))
                return data
            }(),
            caller: number, target: .lead(id: 10), rule: .singleActiveLead, level: .exact, candidates: [.contact(1)]),
        Case(
            name: "a link listed only by the contact",
            data: { () -> AccountData in
                var data = account(contacts: [contact(1, number)], customers: [customer(20)])
                data.links.append(.contactCustomer(contactID: 1, customerID: 20))
                return data
            }(),
            caller: number, target: .customer(id: 20), rule: .singleCustomer, level: .exact, candidates: [.contact(1)]),
        Case(
            name: "a link listed by both sides counts once",
            data: { () -> AccountData in
                var data = account(companies: [company(5, number)], leads: [lead(10)])
                data.links.append(.companyLead(companyID: 5, leadID: 10))
                data.links.append(.companyLead(companyID: 5, leadID: 10))
                return data
            }(),
            caller: number, target: .lead(id: 10), rule: .singleActiveLead, level: .exact, candidates: [.company(5)]),
        Case(
            name: "a link to an entity missing from the data is skipped",
            data: account(contacts: [contact(1, number)], links: [.contactLead(contactID: 1, leadID: 99)]),
            caller: number, target: .contactCard(id: 1), rule: .noLinkedEntities, level: .exact,
            candidates: [.contact(1)]),
        // Matching levels.
        Case(
            name: "stored without country code, called in E.164",
            data: account(contacts: [contact(1, "999 888 55 33")]),
            caller: number, target: .contactCard(id: 1), rule: .noLinkedEntities, level: .exact,
            candidates: [.contact(1)]),
        Case(
            name: "caller ID as a SIP URI with trunk prefix",
            data: account(contacts: [contact(1, number)]),
            caller: "\"Иван\" <sip:89998885533@10.0.0.1>", target: .contactCard(id: 1), rule: .noLinkedEntities,
            level: .exact, candidates: [.contact(1)]),
        Case(
            name: "the caller's extension is ignored",
            data: account(contacts: [contact(1, "+7 495 123-45-67")]),
            caller: "+7 495 123-45-67 доб. 55", target: .contactCard(id: 1), rule: .noLinkedEntities, level: .exact,
            candidates: [.contact(1)]),
        Case(
            name: "a German number stored without + matches on the last 10 digits",
            data: account(contacts: [contact(1, "49 30 1234567")]),
            caller: "+49 30 1234567", target: .contactCard(id: 1), rule: .noLinkedEntities, level: .suffix(digits: 10),
            candidates: [.contact(1)]),
        Case(
            name: "a wrong country code matches on the last digits",
            data: account(
                contacts: [contact(1, "+7 701 123 45 67")], leads: [lead(10)],
                links: [.contactLead(contactID: 1, leadID: 10)]),
            caller: "+380 701 123 45 67", target: .lead(id: 10), rule: .singleActiveLead, level: .suffix(digits: 10),
            candidates: [.contact(1)]),
        Case(
            name: "an exact match hides the last-digits matches",
            data: account(contacts: [contact(1, "+7 701 123 45 67"), contact(2, "+380 701 123 45 67", created: 2_000)]),
            caller: "+380 701 123 45 67", target: .contactCard(id: 2), rule: .noLinkedEntities, level: .exact,
            candidates: [.contact(2)]),
        Case(
            name: "fallback off in the settings",
            data: account(ruSettings(fallback: false), contacts: [contact(1, "49 30 1234567")]),
            caller: "+49 30 1234567", target: .createContact(e164: "+49301234567"), rule: .noMatch, level: .none),
        Case(
            name: "numbers shorter than the suffix match only exactly",
            data: account(contacts: [contact(1, "+7 123 4567")]),
            caller: "+1 123 4567", target: .createContact(e164: "+11234567"), rule: .noMatch, level: .none),
        // Unreadable caller numbers.
        Case(
            name: "anonymous caller", data: account(contacts: [contact(1, number)]),
            caller: "anonymous", target: .createContact(e164: nil), rule: .unreadableNumber, level: .none),
        Case(
            name: "empty caller", data: account(contacts: [contact(1, number)]),
            caller: "  ", target: .createContact(e164: nil), rule: .unreadableNumber, level: .none),
    ]

    @Test(arguments: cases)
    func resolve(_ example: Case) {
        let index = build(example.data)
        let resolution = index.resolve(callerNumber: example.caller)
        #expect(resolution.target == example.target, "\(resolution)")
        #expect(resolution.decision.reason.rule == example.rule)
        #expect(resolution.matchLevel == example.level)
        #expect(resolution.candidates.map(\.entity) == example.candidates)
        #expect(resolution.chosen?.entity == example.candidates.first)
        if example.rule == .unreadableNumber {
            #expect(resolution.callerNumber == nil && resolution.e164 == nil && resolution.readError != nil)
        } else {
            #expect(resolution.e164 != nil && resolution.reading != nil)
        }
        // The same through a parsed number, when there is one.
        if let number = resolution.callerNumber {
            #expect(index.resolve(number).decision == resolution.decision)
        }
    }

    @Test func fallbackSwitchedOffForOneCall() {
        let index = build(Self.account(contacts: [contact(1, "49 30 1234567")]))
        #expect(index.resolve(callerNumber: "+49 30 1234567").matchLevel == .suffix(digits: 10))
        let off = index.resolve(callerNumber: "+49 30 1234567", options: ResolveOptions(suffixFallback: false))
        #expect(off.matchLevel == .none)
        #expect(off.target == .createContact(e164: "+49301234567"))
        // And on for one call when the account has it off.
        let offByDefault = build(Self.account(ruSettings(fallback: false), contacts: [contact(1, "49 30 1234567")]))
        let on = offByDefault.resolve(callerNumber: "+49 30 1234567", options: ResolveOptions(suffixFallback: true))
        #expect(on.matchLevel == .suffix(digits: 10))
    }

    @Test func suffixLengthIsASetting() {
        var settings = ruSettings()
        settings.suffixFallback.digits = 7
        // Same last 7 digits, different last 8.
        let index = build(Self.account(settings, contacts: [contact(1, "+7 999 888 55 33")]))
        let resolution = index.resolve(callerNumber: "+7 916 888 55 33")
        #expect(resolution.matchLevel == .suffix(digits: 7))
        #expect(resolution.chosen?.matchedNumber == key("+79998885533"))
        #expect(
            build(Self.account(contacts: [contact(1, "+7 999 888 55 33")])).resolve(callerNumber: "+7 916 888 55 33")
                .matchLevel == .none)
    }

    @Test func severalStoredNumbersOfOneContactMakeOneCandidate() {
        let index = build(
            Self.account(contacts: [
                contact(1, "+7 701 123 45 67", "+380 701 123 45 67", "8 701 123 45 67"), contact(2, "+1 701 123 4567"),
            ]))
        let resolution = index.resolve(callerNumber: "+998 701 123 45 67")
        #expect(resolution.matchLevel == .suffix(digits: 10))
        // Contact 1 once, whichever of its three numbers matched; contact 2's US number ends the same.
        #expect(resolution.candidates.map(\.entity) == [.contact(1), .contact(2)])
    }

    @Test func customPolicyChoosesAnotherCandidate() {
        let data = Self.account(
            contacts: [contact(1, Self.number, created: 100)], companies: [company(5, Self.number, created: 50)],
            leads: [lead(10)], links: [.companyLead(companyID: 5, leadID: 10)])
        let index = build(data)
        let companiesFirst = CandidatePolicy(name: "companies first") {
            $0.entity.kind == .company && $1.entity.kind != .company
        }
        let resolution = index.resolve(callerNumber: Self.number, options: ResolveOptions(policy: companiesFirst))
        #expect(resolution.target == .lead(id: 10))
        #expect(resolution.candidates.map(\.entity) == [.company(5), .contact(1)])
    }

    @Test func buildReportListsSkippedLinks() {
        let data = Self.account(
            contacts: [contact(1, Self.number), contact(-4)], leads: [lead(10)],
            links: [
                .contactLead(contactID: 1, leadID: 99), .contactLead(contactID: 7, leadID: 10),
                .contactLead(contactID: 1, leadID: 10),
            ])
        let index = build(data)
        #expect(index.buildReport.skippedCount == 3)
        #expect(index.buildReport.skipped.map(\.code) == [.invalidID, .unknownEntity, .unknownEntity])
        #expect(index.buildReport.skipped.map(\.entity) == [.contact(-4), .lead(99), .contact(7)])
        #expect(index.buildReport.skipped.map(\.changeIndex) == [1, 3, 4])
        #expect(index.resolve(callerNumber: Self.number).target == .lead(id: 10))
    }

    @Test func laterEntitiesAndLinksReplaceEarlierOnes() {
        let data = Self.account(
            contacts: [contact(1, "+79161234567", created: 5), contact(1, Self.number, created: 7)],
            companies: [company(5), company(6)], leads: [lead(10), lead(10, status: 142)],
            links: [
                .companyLead(companyID: 5, leadID: 10), .companyLead(companyID: 6, leadID: 10),
                .contactCompany(contactID: 1, companyID: 5), .contactCompany(contactID: 1, companyID: 6),
                .contactLead(contactID: 1, leadID: 10, isMain: true),
            ])
        let index = build(data)
        let snapshot = index.snapshot
        #expect(snapshot.contact(1)?.phoneKeys == [key(Self.number)])
        #expect(snapshot.contact(1)?.createdAt == 7)
        #expect(snapshot.contact(1)?.relatedIDs == [6])
        #expect(snapshot.company(5)?.relatedIDs == [])
        #expect(snapshot.company(6)?.otherLeadIDs == [10])
        #expect(snapshot.lead(10)?.companyID == 6)
        #expect(snapshot.lead(10)?.isActive == false)
        #expect(snapshot.lead(10)?.mainContactID == 1)
        #expect(index.resolve(callerNumber: "+79161234567").target == .createContact(e164: "+79161234567"))
    }
}
