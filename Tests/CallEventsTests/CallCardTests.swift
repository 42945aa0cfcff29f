import AccountIndex
import AccountSynthesis
import CallEvents
import ScreenPopJSON
import Testing

@Suite("The card: what an agent sees of a call")
struct CallCardTests {
    static let labels = AccountLabels(
        amocrmURL: "https://okna.amocrm.ru/", userNames: [501: "Анна Смирнова"], pipelineNames: [7: "Продажи"],
        statusNames: [LeadStatusKey(pipelineID: 7, statusID: 10): "Переговоры"])

    /// The sample account's names, with facts for its lead and customer and the labels above.
    static func roster(labels: AccountLabels = labels) -> AccountRoster {
        var names = EntityNames(SampleAccount.names)
        names.set(
            EntityFacts(name: "Website order", responsibleUserID: 501, pipelineID: 7, statusID: 10, price: 185_000),
            for: .lead(1_234_565))
        names.set(EntityFacts(name: "Monthly delivery", responsibleUserID: 502), for: .customer(55))
        return AccountRoster(users: TestAccount.users, names: names, labels: labels)
    }

    static func notification(_ number: String, roster: AccountRoster = roster(), index: AccountIndex = TestAccount.index)
        throws -> CallNotification
    {
        let service = CallEventsService(
            index: index, configuration: CallEventsConfiguration(roster: roster), sink: RecordingSink())
        return try service.notifications(for: CallEventsRequest(events: [CallEvent(phoneNumber: number)]))[0]
    }

    @Test func aLeadShowsItsStagePriceContactAndResponsibleUser() throws {
        let card = try Self.notification(TestAccount.leadNumber).card
        let lead = try #require(card.lead)
        #expect(lead.id == 1_234_565 && lead.name == "Website order" && lead.price == 185_000)
        #expect(lead.pipeline == "Продажи" && lead.status == "Переговоры")
        #expect(lead.link == "https://okna.amocrm.ru/leads/detail/1234565")
        #expect(card.link == lead.link)
        #expect(card.contact == CallCard.Entity(id: 1, name: "Ivan Petrov", link: "https://okna.amocrm.ru/contacts/detail/1"))
        #expect(card.company == nil && card.customer == nil)
        #expect(card.responsibleUser == CallCard.User(id: 501, name: "Анна Смирнова"))
        #expect(card.candidates.isEmpty)
    }

    @Test func aCustomerACompanyAndAContactCard() throws {
        let customer = try Self.notification(TestAccount.customerNumber).card
        #expect(customer.customer?.name == "Monthly delivery")
        #expect(customer.link == "https://okna.amocrm.ru/customers/detail/55")
        #expect(customer.contact?.name == "Olga")
        #expect(customer.responsibleUser == CallCard.User(id: 502, name: nil))
        let company = try Self.notification(TestAccount.companyNumber).card
        #expect(company.company == CallCard.Entity(id: 4, name: "Horns & Hooves", link: "https://okna.amocrm.ru/companies/detail/4"))
        #expect(company.link == "https://okna.amocrm.ru/companies/detail/4")
        #expect(company.contact == nil && company.lead == nil)
        let contact = try Self.notification(TestAccount.contactNumber).card
        #expect(contact.contact?.name == "Anna" && contact.link == "https://okna.amocrm.ru/contacts/detail/3")
    }

    @Test func anUnknownCallerIsOfferedTheNewContactPage() throws {
        let card = try Self.notification("8 999 111-22-33").card
        #expect(card.link == "https://okna.amocrm.ru/contacts/add?phone=%2B79991112233")
        #expect(card.lead == nil && card.contact == nil && card.company == nil && card.responsibleUser == nil)
    }

    @Test func withoutTheAccountsAddressThereAreNoLinks() throws {
        let card = try Self.notification(TestAccount.leadNumber, roster: Self.roster(labels: AccountLabels())).card
        #expect(card.link == nil && card.lead?.link == nil && card.contact?.link == nil)
        #expect(card.lead?.price == 185_000 && card.lead?.pipeline == nil)
        #expect(AccountLabels.amocrmURL(subdomain: "okna") == "https://okna.amocrm.ru")
        #expect(AccountLabels.amocrmURL(subdomain: "") == nil)
    }

    @Test func aContactsCompanyAndTheOtherHoldersOfTheNumber() throws {
        var data = AccountData(settings: AccountSettings(defaultRegion: "RU"))
        data.contacts = [
            Contact(id: 1, createdAt: 100, phones: [PhoneValue("+7 912 000-00-01")]),
            Contact(id: 2, createdAt: 200, phones: [PhoneValue("8 912 000-00-01")]),
        ]
        data.companies = [Company(id: 9, createdAt: 50, phones: [PhoneValue("+7 912 000-00-01")])]
        data.link(company: 9, contacts: [1])
        var names = EntityNames()
        names[.contact(1)] = "First"
        names[.contact(2)] = "Second"
        names[.company(9)] = "Firm"
        let roster = AccountRoster(users: TestAccount.users, names: names, labels: Self.labels)
        let notification = try Self.notification("+79120000001", roster: roster, index: AccountIndex(building: data))
        let card = notification.card
        let chosen = try #require(notification.decision.chosen?.entity)
        #expect(chosen == .contact(1))
        #expect(card.contact?.name == "First" && card.company?.name == "Firm")
        #expect(card.candidates.map(\.entity) == notification.decision.otherCandidates.map(\.entity))
        #expect(Set(card.candidates.map(\.entity)) == [.contact(2), .company(9)])
        #expect(card.candidates.allSatisfy { $0.number == "+79120000001" && $0.link != nil })
        #expect(card.candidates.first { $0.entity == .contact(2) }?.name == "Second")
    }

    @Test func theNotificationJSONCarriesTheCard() throws {
        let json = try JSONValue(parsing: Self.notification(TestAccount.leadNumber).json())
        let lead = try #require(json["lead"])
        #expect(lead["price"]?.intValue == 185_000)
        #expect(lead["pipeline"]?.stringValue == "Продажи" && lead["status"]?.stringValue == "Переговоры")
        #expect(lead["pipeline_id"]?.intValue == 7 && lead["status_id"]?.intValue == 10)
        #expect(json["link"]?.stringValue == "https://okna.amocrm.ru/leads/detail/1234565")
        #expect(json["contact"]?["name"]?.stringValue == "Ivan Petrov")
        #expect(json["company"]?.isNull == true && json["customer"]?.isNull == true)
        #expect(json["responsible_user"]?["name"]?.stringValue == "Анна Смирнова")
        #expect(json["candidates"] == .array([]))
        let unknown = try JSONValue(parsing: Self.notification(TestAccount.unknownNumber).json())
        #expect(unknown["lead"]?.isNull == true && unknown["responsible_user"]?.isNull == true)
        #expect(unknown["link"]?.stringValue == "https://okna.amocrm.ru/contacts/add?phone=%2B79991112233")
    }

    @Test func factsArePackedAndUnpackedFaithfully() {
        var names = EntityNames()
        let full = EntityFacts(name: "X", responsibleUserID: 2_147_483_647, pipelineID: 1, statusID: 143, price: -5)
        names.set(full, for: .lead(1))
        #expect(names.facts(of: .lead(1)) == full)
        // An id beyond 32 bits, which amoCRM does not hand out, is kept as unknown.
        names.set(EntityFacts(name: "Y", responsibleUserID: 1 << 40, price: Int(Int64.max)), for: .lead(2))
        #expect(names.facts(of: .lead(2)) == EntityFacts(name: "Y", price: Int(Int64.max)))
        names[.lead(2)] = nil
        #expect(names.facts(of: .lead(2)) == EntityFacts(price: Int(Int64.max)))
        names.set(EntityFacts(), for: .lead(2))
        #expect(names.facts(of: .lead(2)) == nil && names.count == 1)
    }
}
