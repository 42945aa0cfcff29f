import AccountIndex
import AccountSynthesis
import AmoCRM
import Foundation
import ScreenPopJSON
import Testing

@Suite struct AccountDirectoryTests {
    @Test func readsEveryKindOfPage() async throws {
        let directory = try TemporaryDirectory([
            "account.json": V4.account,
            "contacts.json": V4.page(
                "contacts",
                [
                    V4.contact(
                        1, name: "Иван Петров",
                        phones: [("8 (916) 123-45-67", "MOB"), ("+7 495 765-00-11 доб. 305", "WORK")], leads: [10]),
                    V4.contact(2, deleted: true, phones: [("+7 903 765-43-21", "HOME")]),
                ]),
            "companies.json": V4.page(
                "companies", [V4.company(5, phones: [("8 (495) 123-45-67", "WORK")], contacts: [1])]),
            "leads.json": V4.page(
                "leads", [V4.lead(10, status: 142, contacts: [1]), V4.lead(11, deleted: true, companies: [5])]),
            "customers.json": V4.page("customers", [V4.customer(20, contacts: [1]), V4.customer(21, status: nil)]),
            "users.json": V4.page(
                "users", [#"{"id": 7, "name": "Анна", "email": "anna@example.ru", "rights": {"is_admin": true}}"#]),
            "statuses.json": V4.page("statuses", [V4.status(200, type: 0), V4.status(300, type: 3)]),
        ])
        let account = try await load(directory)
        let data = account.data
        #expect(data.settings.defaultRegion == "RU")
        #expect(data.settings.customersEnabled)
        #expect(data.settings.closedCustomerStatusIDs == [300])
        #expect(data.contacts.map(\.id) == [1, 2])
        #expect(account.details.contacts[0].name == "Иван Петров")
        #expect(account.details.contacts[0].responsibleUserID == 7)
        #expect(data.contacts[0].createdAt == 1_600_000_000)
        #expect(
            data.contacts[0].phones == [
                PhoneValue("8 (916) 123-45-67", kind: .mobile), PhoneValue("+7 495 765-00-11 доб. 305", kind: .work),
            ])
        #expect(data.contacts[1].isDeleted, "deleted entities are kept, as deleted")
        #expect(data.companies.map(\.id) == [5])
        #expect(
            data.leads == [Lead(id: 10, statusID: 142), Lead(id: 11, isDeleted: true, statusID: 100)])
        #expect(
            account.details.leads == [
                EntityDetails(name: "Сделка", createdAt: 1_600_000_000, pipelineID: 10, price: 1000),
                EntityDetails(name: "Сделка", createdAt: 1_600_000_000, pipelineID: 10, price: 1000),
            ])
        #expect(data.customers.map(\.statusID) == [200, nil])
        #expect(account.users == [AccountUser(id: 7, name: "Анна", email: "anna@example.ru")])
        #expect(account.customerStatuses.map(\.isClosed) == [false, true])
        #expect(account.account.subdomain == "test")
        #expect(
            Set(data.links) == [
                .contactLead(contactID: 1, leadID: 10), .contactLead(contactID: 1, leadID: 10, isMain: true),
                .contactCompany(contactID: 1, companyID: 5), .companyLead(companyID: 5, leadID: 11),
                .contactCustomer(contactID: 1, customerID: 20),
            ])
        #expect(account.summary.files == 7)
        #expect(account.summary.pages == 6)
    }

    // MARK: Links

    @Test func linksFromEitherSideAreUnited() async throws {
        // The same account three times: links listed by contacts (and by the company for its
        // leads and customers), by the other side (leads, customers, the company for its
        // contacts), and by both.
        func account(contactSide: Bool, entitySide: Bool) throws -> TemporaryDirectory {
            try TemporaryDirectory([
                "account.json": V4.account,
                "statuses.json": V4.page("statuses", [V4.status(300, type: 3)]),
                "contacts.json": V4.page(
                    "contacts",
                    [
                        V4.contact(
                            1, phones: [("+79161234567", "MOB")], leads: contactSide ? [10] : [],
                            companies: contactSide ? [5] : []),
                        V4.contact(
                            2, phones: [("+79031112233", "MOB")], leads: contactSide ? [11, 12] : [],
                            customers: contactSide ? [20] : []),
                    ]),
                "companies.json": V4.page(
                    "companies",
                    [
                        V4.company(
                            5, phones: [("+74951234567", "WORK")], contacts: entitySide ? [1] : [],
                            leads: contactSide ? [13] : [], customers: contactSide ? [21] : [])
                    ]),
                "leads.json": V4.page(
                    "leads",
                    [
                        // Without is_main, which only a lead's side can say.
                        V4.lead(10, contacts: entitySide ? [1] : [], mainFlag: false),
                        V4.lead(11, status: 143, contacts: entitySide ? [2] : [], mainFlag: false),
                        V4.lead(12, contacts: entitySide ? [2] : [], mainFlag: false),
                        V4.lead(13, companies: entitySide ? [5] : []),
                    ]),
                "customers.json": V4.page(
                    "customers",
                    [
                        V4.customer(20, contacts: entitySide ? [2] : []),
                        V4.customer(21, companies: entitySide ? [5] : []),
                    ]),
            ])
        }
        let callers = ["+79161234567", "+79031112233", "+74951234567"]
        var answers: [[CallTargetDecision.Target]] = []
        var dumps: [AccountIndexDump] = []
        for (contactSide, entitySide) in [(true, false), (false, true), (true, true)] {
            let directory = try account(contactSide: contactSide, entitySide: entitySide)
            let index = try await AccountDirectory.loadIndex(directory.path, options: .init(progress: .never))
            #expect(index.buildReport.skippedCount == 0)
            answers.append(callers.map { index.resolve(callerNumber: $0).target })
            dumps.append(index.snapshot.dump())
        }
        #expect(answers[0] == [.lead(id: 10), .contactCard(id: 2), .companyCard(id: 5)])
        #expect(answers[1] == answers[0])
        #expect(answers[2] == answers[0])
        #expect(dumps[1] == dumps[0])
        #expect(dumps[2] == dumps[0])
    }

    // MARK: Files and pages

    @Test func pagesMayBeSingleOrInArraysUnderAnyNames() async throws {
        let contacts = (1...6).map { V4.contact($0, phones: [("+7916000000\($0)", "MOB")]) }
        let single = try TemporaryDirectory([
            "account.json": V4.account,
            "contacts-page-1.json": V4.page("contacts", Array(contacts[0..<3]), number: 1),
            "contacts-page-2.json": V4.page("contacts", Array(contacts[3..<6]), number: 2),
        ])
        let array = try TemporaryDirectory([
            "account.json": V4.account,
            "всё вместе (копия).json": "[" + V4.page("contacts", Array(contacts[0..<3]), number: 1) + ",\n"
                + V4.page("contacts", Array(contacts[3..<6]), number: 2) + "]",
        ])
        let odd = try TemporaryDirectory([
            "account.json": V4.account,
            "b.json": V4.page("contacts", Array(contacts[3..<6])),
            "a.json": V4.page("contacts", Array(contacts[0..<3])),
            "notes.txt": "not JSON at all",
            ".hidden.json": "not JSON either",
            "contacts.json.bak": "{",
            "nested/more.json": "{",
        ])
        let a = try await load(single).data
        let b = try await load(array).data
        let c = try await load(odd).data
        #expect(a.contacts.map(\.id) == [1, 2, 3, 4, 5, 6])
        #expect(b == a)
        #expect(c == a, "files are read in name order; other files, hidden files and subdirectories are ignored")
    }

    @Test func aByteOrderMarkIsAccepted() async throws {
        let directory = try TemporaryDirectory(["account.json": V4.account])
        try directory.write(
            "contacts.json", bytes: [0xEF, 0xBB, 0xBF] + Array(V4.page("contacts", [V4.contact(1)]).utf8))
        #expect(try await load(directory).data.contacts.map(\.id) == [1])
    }

    @Test func pipelinesAreReadWithTheirStatusesAndLoneLeadStatusesAndUnknownKeysSkipped() async throws {
        let directory = try TemporaryDirectory([
            "account.json": V4.account,
            "pipelines.json": #"""
            {"_total_items": 2, "_embedded": {"pipelines": [
              {"id": 1, "name": "Продажи", "sort": 1, "is_main": true, "is_archive": false, "account_id": 1,
               "_links": {"self": {"href": "https://test.amocrm.ru/api/v4/leads/pipelines/1"}},
               "_embedded": {"statuses": [
                 {"id": 10, "name": "Первичный контакт", "sort": 10, "pipeline_id": 1, "type": 1, "color": "#fff"},
                 {"id": 142, "name": "Успешно реализовано", "pipeline_id": 1, "type": 0},
                 {"id": 143, "name": null, "pipeline_id": null}]}},
              {"id": 2, "name": null, "_embedded": null},
              {"id": 3, "name": "Архив", "_embedded": {"statuses": null, "tags": []}}]}}
            """#,
            "pipeline-statuses.json": #"{"_embedded": {"statuses": [{"id": 143, "pipeline_id": 1, "type": 3}]}}"#,
            "tags.json": #"{"_embedded": {"tags": [{"id": 1, "name": "сайт"}]}}"#,
        ])
        let account = try await load(directory)
        #expect(
            account.pipelines == [
                LeadPipeline(
                    id: 1, name: "Продажи",
                    statuses: [
                        LeadPipelineStatus(id: 10, name: "Первичный контакт"),
                        LeadPipelineStatus(id: 142, name: "Успешно реализовано"), LeadPipelineStatus(id: 143),
                    ]),
                LeadPipeline(id: 2), LeadPipeline(id: 3, name: "Архив"),
            ])
        #expect(account.summary.ignoredEmbeddedKeys == ["tags"])
        #expect(account.summary.leadStatusesSkipped == 1)
        #expect(account.customerStatuses.isEmpty)
        #expect(account.data.settings.closedCustomerStatusIDs.isEmpty)
    }

    @Test func aLeadsPriceIsReadAndNullOrAbsentIsNone() async throws {
        let directory = try TemporaryDirectory([
            "account.json": V4.account,
            "leads.json": V4.page(
                "leads",
                [
                    #"{"id": 1, "status_id": 5, "price": 185000}"#, #"{"id": 2, "status_id": 5, "price": null}"#,
                    #"{"id": 3, "status_id": 5}"#, #"{"id": 4, "status_id": 5, "price": 0}"#,
                ]),
            "contacts.json": V4.page("contacts", [#"{"id": 7, "price": 100}"#]),
        ])
        let account = try await load(directory)
        #expect(account.details.leads.map(\.price) == [185_000, nil, nil, 0])
        #expect(account.details.contacts.map(\.price) == [nil], "only leads have a price")
    }

    @Test func pricesAndPipelinesGoThroughTheWriterAndBack() async throws {
        var data = AccountData(settings: AccountSettings(defaultRegion: "RU", customersEnabled: true))
        data.leads = [Lead(id: 1, statusID: 11), Lead(id: 2, statusID: 142), Lead(id: 3, statusID: 21)]
        let details = AccountDetails(leads: [
            EntityDetails(name: "Окна", createdAt: 100, responsibleUserID: 7, pipelineID: 1, price: 185_000),
            EntityDetails(name: "Без цены", createdAt: 100, pipelineID: 1),
            EntityDetails(name: "Монтаж", createdAt: 100, updatedAt: 200, pipelineID: 2, price: 0),
        ])
        let pipelines = [
            LeadPipeline(
                id: 1, name: "Продажи",
                statuses: [
                    LeadPipelineStatus(id: 11, name: "Переговоры"), LeadPipelineStatus(id: 142, name: "Успешно"),
                    LeadPipelineStatus(id: 143, name: "Закрыто \"и\" не реализовано"),
                ]),
            LeadPipeline(id: 2, name: "Монтаж", statuses: [LeadPipelineStatus(id: 21, name: "Заявка")]),
            LeadPipeline(id: 3, name: "Пустая"),
        ]
        let files = PageWriter.files(
            of: data, details: details,
            account: AccountObject(id: 1, subdomain: "test", country: "RU", customersMode: "periodicity"),
            customerStatuses: [], pipelines: pipelines, perPage: 2, perFile: 2)
        #expect(files.contains { $0.name == "pipelines.json" })
        let directory = try TemporaryDirectory()
        for file in files { try directory.write(file.name, bytes: file.bytes) }
        let account = try await load(directory)
        #expect(account.data.leads == data.leads)
        #expect(account.details.leads == details.leads)
        #expect(account.pipelines == pipelines)
        #expect(account.summary.ignoredEmbeddedKeys.isEmpty)
    }

    @Test func nullsStandForAbsentValues() async throws {
        let directory = try TemporaryDirectory([
            "account.json": V4.account(country: "null"),
            "contacts.json": V4.page(
                "contacts",
                [
                    #"{"id": 1, "name": null, "created_at": null, "updated_at": null, "is_deleted": null, "responsible_user_id": null, "custom_fields_values": null, "_embedded": null}"#,
                    #"{"id": 2, "_embedded": {"leads": null, "companies": null}}"#,
                ]),
            "leads.json": V4.page(
                "leads",
                [
                    #"{"id": 10, "status_id": 5, "pipeline_id": null, "_embedded": {"contacts": [{"id": 2, "is_main": null}]}}"#
                ]),
        ])
        let data = try await load(directory).data
        #expect(data.settings.defaultRegion == nil)
        #expect(data.contacts == [Contact(id: 1), Contact(id: 2)])
        #expect(data.leads == [Lead(id: 10, statusID: 5)])
        #expect(data.links == [.contactLead(contactID: 2, leadID: 10)])
    }

    @Test func onlyThePhoneFieldGivesPhones() async throws {
        let fields = """
            [{"field_id": 1, "field_code": "EMAIL", "values": [{"value": "a@b.ru", "enum_code": "WORK"}]},
             {"field_id": 2, "field_code": null, "field_name": "Телефон 2", "values": [{"value": "+79160001122"}]},
             {"field_id": 3, "field_code": "BIRTHDAY", "values": [{"value": 631152000}]},
             {"field_id": 4, "values": [{"value": "8 916 111-22-33", "enum_code": "WORKDD"}, {"value": null}, {"value": "+7 916 111-22-44"}], "field_code": "PHONE"},
             {"field_id": 5, "field_code": "ITEMS", "values": [{"value": {"sku": 1}}]}]
            """
        let directory = try TemporaryDirectory([
            "account.json": V4.account,
            "contacts.json": V4.page("contacts", [#"{"id": 1, "custom_fields_values": \#(fields)}"#]),
        ])
        let contact = try #require(try await load(directory).data.contacts.first)
        #expect(
            contact.phones == [
                PhoneValue("8 916 111-22-33", kind: .workDirect), PhoneValue("+7 916 111-22-44", kind: .other),
            ])
    }

    @Test(arguments: [
        ("disabled", false), ("unavailable", false), ("segments", true), ("dynamic", true), ("periodicity", true),
    ])
    func customersModeSaysWhetherCustomersAreOn(mode: String, enabled: Bool) async throws {
        let directory = try TemporaryDirectory([
            "account.json": V4.account(country: #""ru""#, mode: "\"\(mode)\"")
        ])
        let data = try await load(directory).data
        #expect(data.settings.customersEnabled == enabled)
        #expect(data.settings.defaultRegion == "RU")
    }

    // MARK: Duplicates

    @Test func ofTwoCopiesOfAnEntityTheNewestIsKept() async throws {
        let directory = try TemporaryDirectory([
            "account.json": V4.account,
            "a.json": V4.page(
                "contacts",
                [V4.contact(1, name: "new", updatedAt: 1_700_000_000, leads: [10]), V4.contact(2, name: "first")]),
            "b.json": V4.page(
                "contacts", [V4.contact(1, name: "old", updatedAt: 1_650_000_000), V4.contact(2, name: "second")]),
            "leads.json": V4.page("leads", [V4.lead(10), V4.lead(10, status: 142)]),
        ])
        let account = try await load(directory)
        #expect(
            account.details.contacts.map(\.name) == ["new", "second"], "newest updated_at; the later file on a tie")
        #expect(account.data.leads.map(\.statusID) == [142])
        #expect(account.summary.duplicatesReplaced == 3)
        #expect(account.data.links.contains(.contactLead(contactID: 1, leadID: 10)), "links of every copy are kept")
    }

    // MARK: A whole synthetic account

    @Test func aSyntheticAccountWrittenAsPagesLoadsBackIdentically() async throws {
        let synthetic = SyntheticAccount(seed: 7, contacts: 3_000)
        let directory = try TemporaryDirectory()
        try SyntheticPages.write(synthetic, to: directory, perPage: 250, perFile: 1_000)
        let account = try await load(directory)
        #expect(account.data.contacts == synthetic.data.contacts)
        #expect(account.data.companies == synthetic.data.companies)
        #expect(account.data.leads == synthetic.data.leads)
        #expect(account.data.customers == synthetic.data.customers)
        #expect(account.data.settings == synthetic.data.settings)
        #expect(account.details == synthetic.details, "names, times, responsible users, pipelines and prices")
        #expect(
            account.details.leads.contains { $0.price == nil } && account.details.leads.contains { $0.price != nil })
        #expect(account.pipelines == SyntheticAccount.amoCRMPipelines)
        let loaded = await account.buildIndex(parallelism: 2)
        let built = AccountIndex(building: synthetic.data)
        #expect(loaded.snapshot.dump() == built.snapshot.dump())
        for caller in synthetic.callerNumbers(count: 300, seed: 3) {
            #expect(loaded.resolve(callerNumber: caller) == built.resolve(callerNumber: caller))
        }
    }
}

/// Writes a ``SyntheticAccount`` as amoCRM API v4 pages (``SyntheticAccount/amoCRMPages(perPage:perFile:)``).
enum SyntheticPages {
    static func write(_ account: SyntheticAccount, to directory: TemporaryDirectory, perPage: Int, perFile: Int) throws
    {
        for file in account.amoCRMPages(perPage: perPage, perFile: perFile) {
            try directory.write(file.name, bytes: file.bytes)
        }
    }
}
