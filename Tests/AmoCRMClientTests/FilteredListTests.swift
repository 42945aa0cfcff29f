import AccountIndex
import AccountSynthesis
import AmoCRM
import AmoCRMClient
import AmoCRMStandIn
import Testing

/// Lists filtered by `updated_at` and read by id, against a stand-in whose account the tests change.
@Suite struct FilteredListTests {
    /// Later than every `updated_at` of a synthetic account (2015–2025).
    static let t0 = 1_900_000_000

    static func updates(_ pages: EntityPages) async throws -> [EntityUpdate] {
        var updates: [EntityUpdate] = []
        for try await page in pages { updates += page.updates }
        return updates
    }

    @Test func updatedAtGivesOnlyWhatChangedOldestFirst() async throws {
        let synthetic = SyntheticAccount(seed: 7, contacts: 300)
        let standIn = AmoCRMStandIn(synthetic, users: AmoCRMClientTests.users)
        try await standIn.run { standIn in
            let client = AmoCRMClientTests.client(standIn)
            // Nothing has changed since t0 yet: an empty list (204).
            #expect(try await Self.updates(client.pages(of: .contact, updatedFrom: Self.t0)).isEmpty)
            #expect(try await Self.updates(client.pages(of: .lead, updatedFrom: Self.t0)).isEmpty)

            let contact = synthetic.data.contacts[10]
            let lead = synthetic.data.leads[20]
            let company = synthetic.data.companies[0]
            standIn.setClock(to: Self.t0 + 30)
            var changed = contact
            changed.phones = [PhoneValue("+7 916 000-11-22", kind: .mobile)]
            standIn.upsertContact(changed, name: "Changed")
            standIn.setLeadStatus(lead.id, to: Lead.wonStatusID, at: Self.t0 + 40)
            standIn.upsertLead(
                Lead(id: 70_000_001, statusID: 20), name: "New lead", pipelineID: 3_300_100, at: Self.t0 + 10,
                contacts: [contact.id], mainContact: contact.id, companies: [company.id])
            standIn.delete(.company(company.id))

            let contacts = try await Self.updates(client.pages(of: .contact, updatedFrom: Self.t0))
            #expect(contacts.map(\.entity) == [.contact(contact.id)])
            #expect(contacts.first?.name == "Changed")
            #expect(contacts.first?.updatedAt == Self.t0 + 30)
            #expect(contacts.first?.phones == changed.phones)
            #expect(contacts.first?.isComplete == true)

            let leads = try await Self.updates(client.pages(of: .lead, updatedFrom: Self.t0))
            // Oldest change first: the new lead (t0+10), then the won one (t0+40).
            #expect(leads.map(\.entity) == [.lead(70_000_001), .lead(lead.id)])
            #expect(leads.first?.links[.contacts] == [EmbeddedLinks.Entry(id: contact.id, isMain: true)])
            #expect(leads.first?.links[.companies] == nil, "the company was deleted, and its links with it")
            #expect(leads.last?.statusID == Lead.wonStatusID)

            #expect(try await Self.updates(client.pages(of: .company, updatedFrom: Self.t0)).isEmpty)
            let all = try await client.list(AmoCRMClient.path(of: .company))
            #expect(!all.flatMap(\.updates).contains { $0.entity == .company(company.id) }, "deleted: not listed")

            let asked = standIn.log.last { $0.path == "/api/v4/leads" && $0.status == 200 }
            #expect(asked?.values("filter[updated_at][from]") == [String(Self.t0)])
            #expect(asked?.values("order[updated_at]") == ["asc"])
            #expect(asked?.values("with") == ["contacts"])
            #expect(asked?.values("filter[updated_at][to]") == [])
        }
    }

    @Test func bothEndsAreIncludedAndNextLinksKeepTheFilter() async throws {
        let synthetic = SyntheticAccount(seed: 8, contacts: 200)
        let standIn = AmoCRMStandIn(synthetic)
        try await standIn.run { standIn in
            // Contact i changes at t0 + 99 - i: the order of the changes is not the order of the ids.
            let ids = synthetic.data.contacts.prefix(100).map(\.id)
            for (i, id) in ids.enumerated() { standIn.touch(.contact(id), at: Self.t0 + 99 - i) }
            let client = AmoCRMClientTests.client(standIn, pageLimit: 40)
            var numbers: [Int] = []
            var updates: [EntityUpdate] = []
            for try await page in client.pages(of: .contact, updatedFrom: Self.t0 + 10, updatedTo: Self.t0 + 59) {
                numbers.append(page.number)
                updates += page.updates
            }
            #expect(updates.map(\.entity) == (40...89).reversed().map { .contact(ids[$0]) })
            #expect(updates.map(\.updatedAt) == (10...59).map { Self.t0 + $0 })
            #expect(numbers == [1, 2])
            let asked = standIn.log.filter { $0.path == "/api/v4/contacts" }
            #expect(asked.count == 2)
            #expect(asked.last?.values("page") == ["2"])
            #expect(asked.last?.values("filter[updated_at][from]") == [String(Self.t0 + 10)])
            #expect(asked.last?.values("filter[updated_at][to]") == [String(Self.t0 + 59)])

            // Resumed at page 2: the same second page, one request.
            let resumed = try await Self.updates(
                client.pages(of: .contact, updatedFrom: Self.t0 + 10, updatedTo: Self.t0 + 59, startingAt: 2))
            #expect(resumed.map(\.entity) == (40...49).reversed().map { .contact(ids[$0]) })
        }
    }

    @Test func threeHundredIDsAreTwoRequests() async throws {
        let synthetic = SyntheticAccount(seed: 9, contacts: 400)
        let standIn = AmoCRMStandIn(synthetic)
        try await standIn.run { standIn in
            let client = AmoCRMClientTests.client(standIn)
            let wanted = Array(synthetic.data.contacts.suffix(300).map(\.id).reversed()) + [1, 1]  // 1: no such contact
            let updates = try await Self.updates(client.pages(of: .contact, ids: wanted))
            #expect(updates.count == 300)
            #expect(Set(updates.map(\.entity.id)) == Set(synthetic.data.contacts.suffix(300).map(\.id)))
            let asked = standIn.log.filter { $0.path == "/api/v4/contacts" }
            #expect(asked.map(\.status) == [200, 200])
            #expect(asked.map { $0.values("filter[id][]").count } == [250, 51])
            #expect(asked.allSatisfy { $0.values("with") == ["leads,customers"] })
            // The links come as a full pull gives them.
            let pulled = try await client.list(AmoCRMClient.path(of: .contact), with: AmoCRMClient.with(of: .contact))
            let byID = Dictionary(uniqueKeysWithValues: pulled.flatMap(\.updates).map { ($0.entity, $0) })
            #expect(updates.allSatisfy { byID[$0.entity] == $0 })
        }
    }

    @Test func withDecidesWhichLinksAPageLists() async throws {
        var account = StandInAccount.empty()
        account.upsertCompany(Company(id: 5), at: 100)
        account.upsertLead(Lead(id: 10, statusID: 20), at: 100)
        account.upsertContact(Contact(id: 1), at: 100, leads: [10], companies: [5])
        let standIn = AmoCRMStandIn(account)
        try await standIn.run { standIn in
            let client = AmoCRMClientTests.client(standIn)
            let bare = try await client.list("/api/v4/contacts").flatMap(\.updates)
            // A contact's company comes without asking; its leads only with `with=leads`.
            #expect(bare.first?.links == [.companies: [EmbeddedLinks.Entry(id: 5)]])
            let full = try await Self.updates(client.pages(of: .contact))
            #expect(
                full.first?.links == [.companies: [EmbeddedLinks.Entry(id: 5)], .leads: [EmbeddedLinks.Entry(id: 10)]])
            let company = try await Self.updates(client.pages(of: .company)).first
            #expect(company?.links == [.contacts: [EmbeddedLinks.Entry(id: 1)]])
        }
    }

    @Test func theStandInTakesIDsAsAmoCRMClientsWriteThem() async throws {
        let synthetic = SyntheticAccount(seed: 2, contacts: 30)
        let ids = synthetic.data.contacts.map(\.id)
        let standIn = AmoCRMStandIn(synthetic)
        try await standIn.run { standIn in
            let client = AmoCRMClientTests.client(standIn)
            func read(_ parameters: [(String, String)]) async throws -> [Int] {
                try await Self.updates(client.pages("/api/v4/contacts", parameters: parameters)).map(\.entity.id)
            }
            let one = try await read([("filter[id]", String(ids[3]))])
            #expect(one == [ids[3]])
            // PHP's http_build_query: filter[id][0]=…&filter[id][1]=…
            let two = try await read([("filter[id][0]", String(ids[5])), ("filter[id][1]", String(ids[2]))])
            #expect(two == [ids[2], ids[5]])
            let descending = try await read([("order[id]", "desc")])
            #expect(descending.prefix(2) == [ids[29], ids[28]])
            let error = await #expect(throws: AmoCRMClientError.self) {
                try await read([("filter[name]", "x")])
            }
            #expect(error?.status == 400)
            #expect(error?.description.contains("filter[name]") == true)
        }
    }
}
