import AccountIndex
import AccountSync
import AmoCRM
import CallEvents
import Foundation
import Logging
import ScreenPopStore
import Testing

/// What a notification's card shows follows the account as it changes: a webhook that moves a lead
/// shows in the next call's card, and so do renamed users and pipelines and a new subdomain.
@Suite struct CardFactsTests {
    static let account = AccountObject(id: 42, subdomain: "okna", country: "RU", customersMode: "disabled")
    static let users = [AccountUser(id: 801, name: "Анна Смирнова"), AccountUser(id: 802, name: "Дмитрий Козлов")]
    static let pipelines = [
        LeadPipeline(
            id: 5_010_001, name: "Продажи окон",
            statuses: [
                LeadPipelineStatus(id: 5_010_101, name: "Первичный контакт"),
                LeadPipelineStatus(id: 5_010_102, name: "Переговоры"),
                LeadPipelineStatus(id: 142, name: "Успешно реализовано"),
            ]),
        LeadPipeline(
            id: 5_020_001, name: "Монтаж", statuses: [LeadPipelineStatus(id: 142, name: "Смонтировано")]),
    ]

    /// Contact 1 (+7 916 123-45-67) of company 3, with one active lead, 10.
    static var stored: StoredAccount {
        var data = AccountData(settings: AccountSettings(defaultRegion: "RU"))
        data.contacts = [Contact(id: 1, createdAt: 10, phones: [PhoneValue("+7 916 123-45-67", kind: .mobile)])]
        data.companies = [Company(id: 3, createdAt: 10)]
        data.leads = [Lead(id: 10, statusID: 5_010_101)]
        data.links = [
            .contactLead(contactID: 1, leadID: 10, isMain: true), .contactCompany(contactID: 1, companyID: 3),
        ]
        let details = AccountDetails(
            contacts: [EntityDetails(name: "Иван Петров", createdAt: 10, responsibleUserID: 801)],
            companies: [EntityDetails(name: "ООО «Ромашка»", createdAt: 10)],
            leads: [
                EntityDetails(
                    name: "Окна в квартиру", createdAt: 10, updatedAt: 100, responsibleUserID: 801,
                    pipelineID: 5_010_001, price: 150_000)
            ])
        return StoredAccount(
            account: account, data: data, details: details, users: users, customerStatuses: [], pipelines: pipelines)
    }

    /// A fresh SQLite store holding ``stored``.
    static func withStore<T>(_ body: (SQLiteAccountStore) async throws -> T) async throws -> T {
        try await IncrementalEqualsStoreTests.withStore { store in
            try await store.replace(with: stored)
            return try await body(store)
        }
    }

    /// Delivers nothing: the tests read the notifications the service makes.
    struct NoSink: NotificationSink {
        func deliver(_ notifications: [CallNotification]) async {}
    }

    /// The card of a call from `number`, made as a request to the server makes it.
    static func card(_ live: LiveAccount, _ number: String = "+79161234567") throws -> CallCard {
        let service = CallEventsService(
            index: live.index, configuration: CallEventsConfiguration(roster: live.roster), sink: NoSink())
        let body = #"{"add":[{"type":"phone_call","phone_number":"\#(number)"}]}"#
        let request = try CallEventsRequest(json: Array(body.utf8))
        return try #require(try service.notifications(for: request).first).card
    }

    @Test func aWebhookThatMovesALeadShowsInTheNextCard() async throws {
        try await Self.withStore { store in
            let live = try await LiveAccount.open(store: store)
            let before = try Self.card(live)
            #expect(before.link == "https://okna.amocrm.ru/leads/detail/10")
            #expect(
                before.lead
                    == CallCard.Lead(
                        id: 10, name: "Окна в квартиру", price: 150_000, pipelineID: 5_010_001,
                        pipeline: "Продажи окон",
                        statusID: 5_010_101, status: "Первичный контакт", link: "https://okna.amocrm.ru/leads/detail/10"
                    ))
            #expect(before.responsibleUser == CallCard.User(id: 801, name: "Анна Смирнова"))
            #expect(before.contact?.name == "Иван Петров" && before.company?.name == "ООО «Ромашка»")
            #expect(before.company?.link == "https://okna.amocrm.ru/companies/detail/3")

            // amoCRM's lead status webhook: another stage, another price, another manager.
            let feed = LiveFeed(account: live, syncer: nil, logger: Logger(label: "test"))
            let webhook =
                "leads%5Bstatus%5D%5B0%5D%5Bid%5D=10&leads%5Bstatus%5D%5B0%5D%5Bstatus_id%5D=5010102"
                + "&leads%5Bstatus%5D%5B0%5D%5Bpipeline_id%5D=5010001&leads%5Bstatus%5D%5B0%5D%5Bprice%5D=24000"
                + "&leads%5Bstatus%5D%5B0%5D%5Bresponsible_user_id%5D=802"
                + "&leads%5Bstatus%5D%5B0%5D%5Blast_modified%5D=200&leads%5Bstatus%5D%5B0%5D%5Bold_status_id%5D=5010101"
                + "&account%5Bid%5D=42&account%5Bsubdomain%5D=okna"
            let answer = await feed.receiveWebhook(
                body: Array(webhook.utf8), contentType: "application/x-www-form-urlencoded")
            #expect(answer.status == 200, "\(String(decoding: answer.json, as: UTF8.self))")
            let after = try Self.card(live)
            #expect(after.lead?.status == "Переговоры" && after.lead?.statusID == 5_010_102)
            #expect(after.lead?.price == 24_000)
            #expect(after.lead?.name == "Окна в квартиру", "what the webhook does not carry stays")
            #expect(after.responsibleUser == CallCard.User(id: 802, name: "Дмитрий Козлов"))
            // The store holds what the card shows.
            let back = try #require(try await store.load(accountID: 42, suffixFallback: SuffixFallback()))
            #expect(back.details.leads[0].price == 24_000 && back.details.leads[0].responsibleUserID == 802)

            // Renamed in amoCRM (users and pipelines read again), and the account moved to another subdomain.
            var renamed = Self.pipelines
            renamed[0].statuses[1].name = "Переговоры и замер"
            renamed[0].name = "Окна"
            try await live.commit(
                StoreBatch(
                    account: AccountObject(id: 42, subdomain: "okna-plus", country: "RU", customersMode: "disabled"),
                    users: [AccountUser(id: 802, name: "Дмитрий К.")], pipelines: renamed))
            let relabelled = try Self.card(live)
            #expect(relabelled.lead?.pipeline == "Окна" && relabelled.lead?.status == "Переговоры и замер")
            #expect(relabelled.responsibleUser == CallCard.User(id: 802, name: "Дмитрий К."))
            #expect(relabelled.link == "https://okna-plus.amocrm.ru/leads/detail/10")

            // Won in another pipeline: 142 is named by that pipeline. (A won lead is not the target: the
            // roster is asked directly.)
            try await live.commit(
                StoreBatch(updates: [
                    EntityUpdate(entity: .lead(10), updatedAt: 300, pipelineID: 5_020_001, statusID: 142)
                ]))
            let won = try #require(live.roster.facts(of: .lead(10)))
            #expect(won.pipelineID == 5_020_001 && won.statusID == 142 && won.price == 24_000)
            #expect(
                live.roster.labels.statusNames[LeadStatusKey(pipelineID: 5_020_001, statusID: 142)] == "Смонтировано")
            #expect(try Self.card(live).lead == nil, "a won lead is not opened: the contact's card is")

            // A reload (an import elsewhere) keeps the facts and labels the store has.
            let reopened = try await LiveAccount.open(store: store)
            #expect(reopened.roster.facts(of: .lead(10)) == won)
            #expect(reopened.roster.labels == live.roster.labels)
        }
    }

    @Test func aRegistrationsAmoCRMAddressIsTheLinksBase() async throws {
        try await Self.withStore { store in
            let live = try await LiveAccount.open(store: store, amocrmURL: "https://okna.kommo.com/")
            #expect(try Self.card(live).link == "https://okna.kommo.com/leads/detail/10")
            try await live.commit(
                StoreBatch(account: AccountObject(id: 42, subdomain: "other", country: "RU", customersMode: "disabled"))
            )
            #expect(try Self.card(live).link == "https://okna.kommo.com/leads/detail/10", "not the subdomain's")

            // A store of many accounts opens each with its registration's address.
            try await store.register(
                AccountRegistration(
                    accountID: 42, subdomain: "okna", amocrmURL: "https://okna.amocrm.com", apiTokenHash: [1],
                    webhookSecretHash: [2], createdAt: 0))
            let provider = StoreAccountProvider(
                store: store, options: StoreAccountProvider.Options(), logger: Logger(label: "test"))
            let parts = try await provider.load(accountID: 42)
            #expect(parts.events.roster.labels.amocrmURL == "https://okna.amocrm.com")
            #expect(parts.events.roster.facts(of: .lead(10))?.price == 150_000)
            #expect(parts.events.roster.labels.userNames[801] == "Анна Смирнова")
            await parts.unload()
        }
    }

    /// The three places that make a roster (a directory, a live account, a provider) make the same one.
    @Test func theFactsOfEveryEntityAreThePagesFacts() throws {
        let stored = Self.stored
        let names = EntityNames(data: stored.data, details: stored.details)
        #expect(names.count == 3)
        #expect(
            names.facts(of: .lead(10))
                == EntityFacts(
                    name: "Окна в квартиру", responsibleUserID: 801, pipelineID: 5_010_001, statusID: 5_010_101,
                    price: 150_000))
        #expect(names.facts(of: .contact(1)) == EntityFacts(name: "Иван Петров", responsibleUserID: 801))
        var customers = AccountData(settings: AccountSettings(defaultRegion: "RU"))
        customers.customers = [Customer(id: 5, statusID: 1001), Customer(id: 6, statusID: nil)]
        let statusOnly = EntityNames(data: customers, details: AccountDetails())
        #expect(statusOnly.facts(of: .customer(5)) == EntityFacts(statusID: 1001), "details may be missing")
        #expect(statusOnly.facts(of: .customer(6)) == nil, "nothing known is not kept")

        let labels = AccountLabels(account: stored.account, users: stored.users, pipelines: stored.pipelines)
        #expect(labels.amocrmURL == "https://okna.amocrm.ru")
        #expect(labels.userNames == [801: "Анна Смирнова", 802: "Дмитрий Козлов"])
        #expect(labels.pipelineNames == [5_010_001: "Продажи окон", 5_020_001: "Монтаж"])
        #expect(labels.statusNames.count == 4)
        #expect(labels.statusNames[LeadStatusKey(pipelineID: 5_010_001, statusID: 142)] == "Успешно реализовано")
        #expect(labels.statusNames[LeadStatusKey(pipelineID: 5_020_001, statusID: 142)] == "Смонтировано")
        let noSubdomain = AccountLabels(
            account: AccountObject(country: "RU", customersMode: "disabled"), users: [], pipelines: [], amocrmURL: "")
        #expect(noSubdomain.amocrmURL == nil)
    }
}
