import AccountIndex
import AmoCRM
import Testing

/// `AmoCRMWebhook(decoding:)`: amoCRM's form-encoded webhooks into `EntityUpdate`s (docs/amocrm.md, "Webhooks").
@Suite struct WebhookDecoderTests {
    static func decode(_ body: String) throws(AmoCRMWebhookError) -> AmoCRMWebhook {
        try AmoCRMWebhook(decoding: Array(body.utf8))
    }

    /// The error of `body`, failing the test when it decodes.
    static func error(
        _ body: String, sourceLocation: SourceLocation = #_sourceLocation
    ) -> AmoCRMWebhookError? {
        #expect(throws: AmoCRMWebhookError.self, sourceLocation: sourceLocation) { try decode(body) }
    }

    // MARK: - Each kind of event

    @Test func leadStatusChange() throws {
        let webhook = try Self.decode(WebhookFixtures.leadStatus)
        #expect(webhook.accountID == 10216991)
        #expect(webhook.subdomain == "test")
        let expected = EntityUpdate(
            entity: .lead(31926520), updatedAt: 1700000300, name: "Сделка № 7", createdAt: 1700000000,
            responsibleUserID: 8010001, pipelineID: 2116, statusID: 142, price: 24000)
        #expect(webhook.updates == [expected])
        #expect(webhook.reRead == [.lead(31926520)])
    }

    @Test func aLeadsPriceIsReadAndAnEmptyOneIsNotCarried() throws {
        let webhook = try Self.decode(
            "leads[update][0][id]=1&leads[update][0][price]=15000&leads[add][0][id]=2&leads[add][0][price]="
                + "&leads[update][1][id]=3&leads[update][1][price]=0"
                + "&customers[update][0][id]=4&customers[update][0][price]=99&customers[update][0][next_price]=5000")
        #expect(webhook.updates.map(\.entity) == [.lead(1), .lead(2), .lead(3), .customer(4)])
        #expect(webhook.updates.map(\.price) == [15000, nil, 0, nil], "only a lead's price is read")
    }

    @Test func contactUpdateCarriesPhonesLeadsAndCompany() throws {
        let webhook = try Self.decode(WebhookFixtures.contactUpdate)
        #expect(webhook.accountID == nil)
        let expected = EntityUpdate(
            entity: .contact(22309159), updatedAt: 1538066975, name: "Иван Петров", createdAt: 1529344388,
            responsibleUserID: 8010001,
            phones: [
                PhoneValue("+7 916 123-45-67", kind: .other), PhoneValue("8 (495) 123-45-67 доб 12", kind: .other),
            ],
            links: [
                .leads: [.init(id: 9982719), .init(id: 9982767), .init(id: 10060679)],
                .companies: [.init(id: 22797025)],
            ])
        #expect(webhook.updates == [expected])
        #expect(webhook.reRead == [.contact(22309159)], "a contact's customers are not in webhooks")
    }

    @Test func companyComesAsAContactOfTypeCompany() throws {
        let webhook = try Self.decode(WebhookFixtures.companyAdd)
        #expect(webhook.updates.map(\.entity) == [.company(22000020)])
        #expect(webhook.updates.first?.name == "ООО «Ромашка»")
        #expect(webhook.updates.first?.phones == [PhoneValue("+7 495 000-00-01", kind: .other)])
        #expect(webhook.updates.first?.links == [:])
        #expect(webhook.reRead == [.company(22000020)])
    }

    @Test func companiesUnderTheirOwnName() throws {
        let webhook = try Self.decode("companies[update][0][id]=5&companies[update][0][name]=Acme")
        #expect(webhook.updates == [EntityUpdate(entity: .company(5), name: "Acme")])
    }

    @Test func customerUpdate() throws {
        let webhook = try Self.decode(WebhookFixtures.customerUpdate)
        let expected = EntityUpdate(
            entity: .customer(41000001), updatedAt: 1700000100, name: "Покупатель", createdAt: 1690000000,
            responsibleUserID: 8010001, statusID: 7001)
        #expect(webhook.updates == [expected])
        #expect(webhook.reRead == [.customer(41000001)])
    }

    struct ActionCase: CustomTestStringConvertible, Sendable {
        let body: String
        let entity: EntityRef
        let isDeleted: Bool
        let reRead: Bool
        var testDescription: String { body }
    }

    static let actions: [ActionCase] = [
        ActionCase(
            body: "leads[add][0][id]=1&leads[add][0][status_id]=5", entity: .lead(1), isDeleted: false, reRead: true),
        ActionCase(body: "leads[update][0][id]=1", entity: .lead(1), isDeleted: false, reRead: true),
        ActionCase(
            body: "leads[status][0][id]=1&leads[status][0][status_id]=143", entity: .lead(1), isDeleted: false,
            reRead: true),
        ActionCase(
            body: "leads[responsible][0][id]=1&leads[responsible][0][old_responsible_user_id]=2", entity: .lead(1),
            isDeleted: false, reRead: true),
        ActionCase(body: "leads[restore][0][id]=1", entity: .lead(1), isDeleted: false, reRead: true),
        ActionCase(body: "leads[delete][0][id]=1", entity: .lead(1), isDeleted: true, reRead: false),
        ActionCase(
            body: "contacts[add][0][id]=2&contacts[add][0][type]=contact", entity: .contact(2), isDeleted: false,
            reRead: true),
        ActionCase(body: "contacts[update][0][id]=2", entity: .contact(2), isDeleted: false, reRead: true),
        ActionCase(
            body: "contacts[restore][0][id]=2&contacts[restore][0][type]=company", entity: .company(2),
            isDeleted: false, reRead: true),
        ActionCase(
            body: "contacts[delete][0][id]=2&contacts[delete][0][type]=contact", entity: .contact(2), isDeleted: true,
            reRead: false),
        ActionCase(body: "companies[delete][0][id]=3", entity: .company(3), isDeleted: true, reRead: false),
        ActionCase(body: "customers[add][0][id]=4", entity: .customer(4), isDeleted: false, reRead: true),
        ActionCase(body: "customers[delete][0][id]=4", entity: .customer(4), isDeleted: true, reRead: false),
    ]

    @Test(arguments: actions) func eachAction(_ test: ActionCase) throws {
        let webhook = try Self.decode(test.body)
        #expect(webhook.updates.map(\.entity) == [test.entity])
        #expect(webhook.updates.map(\.isDeleted) == [test.isDeleted])
        #expect(webhook.updates.allSatisfy { !$0.isComplete })
        #expect(webhook.reRead == (test.reRead ? [test.entity] : []))
    }

    @Test func v2TimeNamesComeBeforeV4Ones() throws {
        let both = try Self.decode(
            "leads[update][0][id]=1&leads[update][0][updated_at]=20&leads[update][0][last_modified]=10"
                + "&leads[update][0][created_at]=4&leads[update][0][date_create]=3")
        #expect(both.updates.first?.updatedAt == 10)
        #expect(both.updates.first?.createdAt == 3)
        let v4 = try Self.decode(
            "leads[update][0][id]=1&leads[update][0][updated_at]=20&leads[update][0][created_at]=4")
        #expect(v4.updates.first?.updatedAt == 20)
        #expect(v4.updates.first?.createdAt == 4)
    }

    // MARK: - Deletions and restores

    @Test func deletionsCarryTheIdOnly() throws {
        let webhook = try Self.decode(WebhookFixtures.deletions)
        #expect(
            webhook.updates == [
                .deletion(of: .company(22000020)), .deletion(of: .contact(21999540)), .deletion(of: .lead(8000832)),
            ])
        #expect(webhook.reRead.isEmpty)
    }

    @Test func aDeletionWithATimeKeepsIt() throws {
        let webhook = try Self.decode(
            "leads[delete][0][id]=9&leads[delete][0][last_modified]=1700000000&leads[delete][0][name]=x")
        #expect(webhook.updates == [.deletion(of: .lead(9), updatedAt: 1700000000)])
    }

    @Test func restoreIsNotDeletedAndIsReRead() throws {
        let webhook = try Self.decode(WebhookFixtures.leadRestore)
        let expected = EntityUpdate(
            entity: .lead(40334183), isDeleted: false, updatedAt: 1457109765, name: "Forbidden phone number error",
            createdAt: 1456394603, responsibleUserID: 654094, pipelineID: 53218, statusID: 9931849)
        #expect(webhook.updates == [expected])
        #expect(webhook.reRead == [.lead(40334183)])
    }

    // MARK: - Phones

    @Test func phonesOnlyWhenCustomFieldsAreThere() throws {
        let without = try Self.decode("contacts[update][0][id]=1&contacts[update][0][name]=A")
        #expect(without.updates.first?.phones == nil, "no custom_fields key: phones not carried")
        let noPhoneField = try Self.decode(
            "contacts[update][0][id]=1&contacts[update][0][custom_fields][0][id]=7"
                + "&contacts[update][0][custom_fields][0][code]=EMAIL"
                + "&contacts[update][0][custom_fields][0][values][0][value]=a%40b.c")
        #expect(noPhoneField.updates.first?.phones == [], "custom fields without PHONE: no phones")
        let lead = try Self.decode(
            "leads[update][0][id]=1&leads[update][0][custom_fields][0][code]=PHONE"
                + "&leads[update][0][custom_fields][0][values][0][value]=123")
        #expect(lead.updates.first?.phones == nil, "a lead has no phones")
    }

    @Test func phoneKindsFromEnumCodes() throws {
        let webhook = try Self.decode(
            "contacts[update][0][id]=1"
                + "&contacts[update][0][custom_fields][3][values][0][value]=111&contacts[update][0][custom_fields][3][values][0][enum]=MOB"
                + "&contacts[update][0][custom_fields][3][values][1][value]=222&contacts[update][0][custom_fields][3][values][1][enum]=114611"
                + "&contacts[update][0][custom_fields][3][values][2][value]=333&contacts[update][0][custom_fields][3][values][2][enum_code]=WORKDD"
                + "&contacts[update][0][custom_fields][3][values][2][enum]=114613"
                + "&contacts[update][0][custom_fields][3][values][3]=444"
                + "&contacts[update][0][custom_fields][3][values][4][enum]=HOME"
                + "&contacts[update][0][custom_fields][3][values][5][value]=555&contacts[update][0][custom_fields][3][values][5][enum]=ICQ"
                + "&contacts[update][0][custom_fields][3][code]=PHONE")
        #expect(
            webhook.updates.first?.phones == [
                PhoneValue("111", kind: .mobile), PhoneValue("222", kind: .other), PhoneValue("333", kind: .workDirect),
                PhoneValue("444", kind: .other), PhoneValue("555", kind: .other),
            ])
    }

    @Test func phonesOfSeveralFieldsAndValuesInFirstKeyOrder() throws {
        let webhook = try Self.decode(
            "contacts[update][0][id]=1"
                + "&contacts[update][0][custom_fields][1][values][1][value]=B&contacts[update][0][custom_fields][1][values][0][value]=A"
                + "&contacts[update][0][custom_fields][0][code]=PHONE&contacts[update][0][custom_fields][0][values][0][value]=Z"
                + "&contacts[update][0][custom_fields][1][code]=PHONE")
        #expect(webhook.updates.first?.phones?.map(\.value) == ["B", "A", "Z"])
    }

    // MARK: - Links

    @Test func leadLinks() throws {
        let webhook = try Self.decode(
            "leads[update][0][id]=1&leads[update][0][linked_company_id]=77&leads[update][0][main_contact_id]=5"
                + "&leads[update][1][id]=2&leads[update][1][linked_company_id]="
                + "&leads[update][2][id]=3&leads[update][2][linked_company_id]=0"
                + "&leads[update][3][id]=4")
        #expect(
            webhook.updates.map(\.links) == [
                [.companies: [.init(id: 77)]], [.companies: []], [.companies: []], [:],
            ])
        #expect(webhook.reRead == [.lead(1), .lead(2), .lead(3), .lead(4)], "a lead's contacts are not carried")
    }

    @Test func contactLinksAreTheWholeSetWithoutRepeats() throws {
        let webhook = try Self.decode(
            "contacts[update][0][id]=1&contacts[update][0][linked_leads_id][5][ID]=5"
                + "&contacts[update][0][linked_leads_id][3][ID]=3&contacts[update][0][linked_leads_id][9]=9"
                + "&contacts[update][0][linked_leads_id][5][ID]=5&contacts[update][0][linked_leads_id][x][ID]=3"
                + "&contacts[update][0][linked_company_id]=0")
        #expect(webhook.updates.first?.links == [.leads: [.init(id: 5), .init(id: 3), .init(id: 9)], .companies: []])
    }

    @Test func companyLinksItsLeadsNotACompany() throws {
        let webhook = try Self.decode(
            "contacts[update][0][id]=1&contacts[update][0][type]=company&contacts[update][0][linked_leads_id][8][ID]=8"
                + "&contacts[update][0][linked_company_id]=4")
        #expect(webhook.updates.first?.links == [.leads: [.init(id: 8)]])
    }

    @Test func customersCarryNoLinks() throws {
        let webhook = try Self.decode("customers[update][0][id]=1&customers[update][0][linked_company_id]=4")
        #expect(webhook.updates.first?.links == [:])
    }

    // MARK: - The form

    @Test func percentEncodedCyrillicAndPlusAsSpace() throws {
        let encoded = try Self.decode(
            "contacts%5Bupdate%5D%5B0%5D%5Bid%5D=1&contacts%5Bupdate%5D%5B0%5D%5Bname%5D="
                + "%D0%98%D0%B2%D0%B0%D0%BD+%D0%9F%D0%B5%D1%82%D1%80%D0%BE%D0%B2+%2B+%d0%ba%d0%be")
        #expect(encoded.updates.first?.name == "Иван Петров + ко")
        let raw = try Self.decode("contacts[update][0][id]=1&contacts[update][0][name]=Иван+Петров")
        #expect(raw.updates.first?.name == "Иван Петров")
    }

    @Test func repeatedKeysTakeTheLaterValue() throws {
        let webhook = try Self.decode(
            "leads[update][0][id]=1&leads[update][0][name]=first&leads[update][0][name]=second"
                + "&leads[update][0][status_id]=5&leads[update][0][status_id]=6&account[id]=1&account[id]=2")
        #expect(webhook.updates == [EntityUpdate(entity: .lead(1), name: "second", statusID: 6)])
        #expect(webhook.accountID == 2)
    }

    @Test func elementsInBodyOrderAndEachReReadOnce() throws {
        let webhook = try Self.decode(
            "leads[update][1][id]=20&leads[update][0][id]=10&leads[status][0][id]=20&leads[status][0][status_id]=142"
                + "&contacts[update][0][id]=10&leads[update][1][name]=later")
        #expect(webhook.updates.map(\.entity) == [.lead(20), .lead(10), .lead(20), .contact(10)])
        #expect(webhook.updates[0].name == "later", "a later key of an element is still that element's")
        #expect(webhook.reRead == [.lead(20), .lead(10), .contact(10)])
    }

    @Test func unknownKeysAreIgnored() throws {
        let webhook = try Self.decode(
            "unsorted[add][0][uid]=abc&unsorted[add][0][source_data][data][0][phone]=1"
                + "&task[add][0][id]=t1&task[add][0][element_id]=5&notes[add][0][id]=n1&message[add][0][text]=%D0%9F"
                + "&talk[add][0][talk_id]=4&unknown=1&weird[=x&a]b=c"
                + "&leads[note][0][note][id]=99&leads[note][0][note][element_id]=1"
                + "&contacts[note][0][note][text]=hi&contacts[note][0][type]=contact"
                + "&customers[status][0][id]=abc"
                + "&leads[update][0][id]=1&leads[update][0][sale]=abc&leads[update][0][tags][0][name]=x"
                + "&leads[update][0][custom_fields][0][values][0][value]=x&leads[update][0][linked_leads_id][q]=w"
                + "&account[_links][self]=https%3A%2F%2Ftest.amocrm.ru&account[]=x"
                + "&contacts[update][0][id]=2&contacts[update][0][status_id]=abc&contacts[update][0][pipeline_id]=x"
                + "&contacts[update][0][custom_fields][0][values][0][subtype]=city"
                + "&contacts[update][0][linked_leads_id][7][name]=x")
        #expect(webhook.updates.map(\.entity) == [.lead(1), .contact(2)])
        #expect(webhook.updates[1].phones == [])
        #expect(webhook.updates[1].links == [:])
    }

    @Test func emptyBodiesAndPairsAreFine() throws {
        #expect(try Self.decode("") == AmoCRMWebhook())
        #expect(try Self.decode("&&leads[delete][0][id]=1&&") == AmoCRMWebhook(updates: [.deletion(of: .lead(1))]))
    }

    @Test func missingAccountIsNotAnError() throws {
        let webhook = try Self.decode("leads[delete][0][id]=1")
        #expect(webhook.accountID == nil && webhook.subdomain == nil)
        #expect(try Self.decode("account[id]=&leads[delete][0][id]=1").accountID == nil)
    }

    // MARK: - Errors

    struct ErrorCase: CustomTestStringConvertible, Sendable {
        let name: String
        let body: String
        let code: AmoCRMWebhookError.Code
        let description: String
        var testDescription: String { name }
    }

    static let errors: [ErrorCase] = [
        ErrorCase(
            name: "status not an integer", body: "leads[status][0][id]=1&leads[status][0][status_id]=abc",
            code: .invalidValue, description: #"leads[status][0][status_id]: not an integer: "abc""#),
        ErrorCase(
            name: "id not an integer", body: "contacts[update][0][id]=12a", code: .invalidValue,
            description: #"contacts[update][0][id]: not an integer: "12a""#),
        ErrorCase(
            name: "negative id", body: "leads[delete][0][id]=-5", code: .invalidValue,
            description: #"leads[delete][0][id]: not a positive id: "-5""#),
        ErrorCase(
            name: "zero id", body: "leads[delete][0][id]=0", code: .invalidValue,
            description: #"leads[delete][0][id]: not a positive id: "0""#),
        ErrorCase(
            name: "empty id", body: "leads[delete][0][id]=", code: .invalidValue,
            description: #"leads[delete][0][id]: not a positive id: """#),
        ErrorCase(
            name: "id out of range", body: "leads[delete][0][id]=9223372036854775808", code: .invalidValue,
            description: #"leads[delete][0][id]: out of range: "9223372036854775808""#),
        ErrorCase(
            name: "fractional time", body: "leads[update][0][id]=1&leads[update][0][last_modified]=1.5",
            code: .invalidValue, description: #"leads[update][0][last_modified]: not an integer: "1.5""#),
        ErrorCase(
            name: "spaces around a number", body: "leads[update][0][id]=1&leads[update][0][pipeline_id]=+12",
            code: .invalidValue, description: #"leads[update][0][pipeline_id]: not an integer: " 12""#),
        ErrorCase(
            name: "negative responsible user", body: "leads[update][0][id]=1&leads[update][0][responsible_user_id]=-1",
            code: .invalidValue, description: #"leads[update][0][responsible_user_id]: negative: "-1""#),
        ErrorCase(
            name: "price not an integer", body: "leads[update][0][id]=1&leads[update][0][price]=1500.50",
            code: .invalidValue, description: #"leads[update][0][price]: not an integer: "1500.50""#),
        ErrorCase(
            name: "negative price", body: "leads[status][0][id]=1&leads[status][0][price]=-1",
            code: .invalidValue, description: #"leads[status][0][price]: negative: "-1""#),
        ErrorCase(
            name: "old status checked", body: "leads[status][0][id]=1&leads[status][0][old_status_id]=x",
            code: .invalidValue, description: #"leads[status][0][old_status_id]: not an integer: "x""#),
        ErrorCase(
            name: "negative company", body: "contacts[update][0][id]=1&contacts[update][0][linked_company_id]=-3",
            code: .invalidValue, description: #"contacts[update][0][linked_company_id]: not a positive id: "-3""#),
        ErrorCase(
            name: "linked lead not an id",
            body: "contacts[update][0][id]=1&contacts[update][0][linked_leads_id][5][ID]=five",
            code: .invalidValue, description: #"contacts[update][0][linked_leads_id][5][ID]: not an integer: "five""#),
        ErrorCase(
            name: "linked leads as one value", body: "contacts[update][0][id]=1&contacts[update][0][linked_leads_id]=5",
            code: .invalidKey, description: "contacts[update][0][linked_leads_id]: expected linked_leads_id[id][ID]"),
        ErrorCase(
            name: "account id", body: "account[id]=abc", code: .invalidValue,
            description: #"account[id]: not an integer: "abc""#),
        ErrorCase(
            name: "no id", body: "leads[update][0][name]=x&leads[update][1][id]=2", code: .missingID,
            description: "leads[update][0]: the element has no id"),
        ErrorCase(
            name: "unknown type", body: "contacts[update][0][id]=1&contacts[update][0][type]=lead", code: .invalidValue,
            description: #"contacts[update][0][type]: unknown type "lead", expected "contact" or "company""#),
        ErrorCase(
            name: "contact in companies", body: "companies[update][0][id]=1&companies[update][0][type]=contact",
            code: .invalidValue,
            description: #"companies[update][0][type]: unknown type "contact", expected "company""#),
        ErrorCase(
            name: "element index not a number", body: "leads[update][x][id]=1", code: .invalidKey,
            description: "leads[update][x][id]: the element index is not a number"),
        ErrorCase(
            name: "element index empty", body: "leads[update][][id]=1", code: .invalidKey,
            description: "leads[update][][id]: the element index is not a number"),
        ErrorCase(
            name: "no field", body: "leads[update][0]=1", code: .invalidKey,
            description: "leads[update][0]: expected leads[action][index][field]"),
        ErrorCase(
            name: "scalar section", body: "leads=1", code: .invalidKey,
            description: "leads: expected leads[action][index][field]"),
        ErrorCase(
            name: "unclosed bracket", body: "leads[update][0][id=1", code: .invalidKey,
            description: "leads[update][0][id: the key is not of the form name[a][b]"),
        ErrorCase(
            name: "text after a bracket", body: "account[id]x=1", code: .invalidKey,
            description: "account[id]x: the key is not of the form name[a][b]"),
        ErrorCase(
            name: "a list where one value goes", body: "leads[update][0][id]=1&leads[update][0][status_id][0]=5",
            code: .invalidKey, description: "leads[update][0][status_id][0]: the field takes one value, not a list"),
        ErrorCase(
            name: "bad escape in a key", body: "leads%5Bupdate%5D%5B0%5D%5Bid%5=1", code: .malformedBody,
            description: "the '%' at byte 29 is not followed by two hex digits"),
        ErrorCase(
            name: "bad escape in a value", body: "leads[update][0][id]=1&leads[update][0][name]=50%",
            code: .malformedBody,
            description: "leads[update][0][name]: the '%' at byte 48 is not followed by two hex digits"),
        ErrorCase(
            name: "not UTF-8 in a value", body: "task[add][0][text]=%D0", code: .malformedBody,
            description: "task[add][0][text]: the value is not UTF-8 once percent-decoded"),
        ErrorCase(
            name: "not UTF-8 in a key", body: "a=1&%FF=1", code: .malformedBody,
            description: "the pair at byte 4: the key is not UTF-8 once percent-decoded"),
    ]

    @Test(arguments: errors) func errorsNameTheKey(_ test: ErrorCase) {
        let error = Self.error(test.body)
        #expect(error?.code == test.code)
        #expect(error?.description == test.description)
    }

    @Test func errorParts() {
        let error = Self.error("leads[status][0][id]=1&leads[status][0][status_id]=abc")
        #expect(error?.key == "leads[status][0][status_id]")
        #expect(error?.message == #"not an integer: "abc""#)
        #expect(error?.code.description == "invalid_value")
        #expect(error?.offset == 23)
    }

    @Test func aLaterBadElementFailsTheWholeBody() {
        let good = (0..<50).map { "leads[update][\($0)][id]=\($0 + 1)" }.joined(separator: "&")
        let error = Self.error(good + "&contacts[update][0][id]=1&contacts[update][0][type]=task")
        #expect(error?.code == .invalidValue)
        #expect(error?.key == "contacts[update][0][type]")
    }

    @Test func longValuesAreShortenedInMessages() {
        let error = Self.error("leads[update][0][id]=" + String(repeating: "x", count: 100))
        #expect(error?.message == #"not an integer: ""# + String(repeating: "x", count: 60) + #"…""#)
    }

    // MARK: - Limits and size

    @Test func tenThousandElementsPassAndOneMoreDoesNot() throws {
        func body(_ count: Int) -> String {
            (0..<count).map { "contacts[delete][\($0)][id]=\($0 + 1)" }.joined(separator: "&")
        }
        let webhook = try Self.decode(body(AmoCRMWebhook.maxElements))
        #expect(webhook.updates.count == 10_000)
        #expect(webhook.updates.last == .deletion(of: .contact(10_000)))
        let error = Self.error(body(AmoCRMWebhook.maxElements + 1))
        #expect(error?.code == .tooManyElements)
        #expect(error?.key == "contacts[delete][10000][id]")
        #expect(error?.message == "more than 10000 elements in one webhook")
    }

    /// A body of over 1 MiB: many elements, and one element with very many keys (where a search per
    /// key would be quadratic). Only the result is checked; the time is the benchmarks' business.
    @Test func largeBody() throws {
        var pairs: [String] = []
        for contact in 1...2_000 {
            let p = "contacts%5Bupdate%5D%5B\(contact - 1)%5D"
            pairs.append("\(p)%5Bid%5D=\(contact)&\(p)%5Bname%5D=%D0%9A%D0%BE%D0%BD%D1%82%D0%B0%D0%BA%D1%82+\(contact)")
            pairs.append("\(p)%5Bcustom_fields%5D%5B0%5D%5Bvalues%5D%5B0%5D%5Bvalue%5D=%2B7916\(1_000_000 + contact)")
            pairs.append("\(p)%5Bcustom_fields%5D%5B0%5D%5Bcode%5D=PHONE")
            for lead in 0..<5 {
                pairs.append("\(p)%5Blinked_leads_id%5D%5B\(contact * 10 + lead)%5D%5BID%5D=\(contact * 10 + lead)")
            }
        }
        let big = "contacts[update][2000]"
        pairs.append("\(big)[id]=999999&\(big)[custom_fields][0][code]=PHONE")
        for value in 0..<20_000 {
            pairs.append(
                "\(big)[custom_fields][0][values][\(value)][value]=\(value)&\(big)[linked_leads_id][\(value)][ID]=\(value + 1)"
            )
        }
        let body = pairs.joined(separator: "&")
        #expect(body.utf8.count > 1 << 20)

        let webhook = try Self.decode(body)
        #expect(webhook.updates.count == 2_001)
        #expect(webhook.reRead.count == 2_001)
        let seventh = webhook.updates[6]
        #expect(seventh.entity == .contact(7))
        #expect(seventh.name == "Контакт 7")
        #expect(seventh.phones == [PhoneValue("+79161000007", kind: .other)])
        #expect(seventh.links[.leads] == (70..<75).map { EmbeddedLinks.Entry(id: $0) })
        let last = webhook.updates[2_000]
        #expect(last.entity == .contact(999999))
        #expect(last.phones?.count == 20_000)
        #expect(last.phones?.last?.value == "19999")
        #expect(last.links[.leads]?.count == 20_000)
        #expect(last.links[.leads]?.last == EmbeddedLinks.Entry(id: 20_000))
    }

    // MARK: - What is re-read, and why

    struct MissingCase: CustomTestStringConvertible, Sendable {
        let name: String
        let update: EntityUpdate
        let missing: [String]
        var testDescription: String { name }
    }

    static let missing: [MissingCase] = [
        MissingCase(
            name: "lead status change", update: EntityUpdate(entity: .lead(1), statusID: 142),
            missing: ["contacts", "companies"]),
        MissingCase(
            name: "lead with its company",
            update: EntityUpdate(entity: .lead(1), statusID: 142, links: [.companies: []]),
            missing: ["contacts"]),
        MissingCase(
            name: "lead without a status", update: EntityUpdate(entity: .lead(1)),
            missing: ["status_id", "contacts", "companies"]),
        MissingCase(
            name: "contact with phones, leads and company",
            update: EntityUpdate(entity: .contact(1), phones: [], links: [.leads: [], .companies: []]),
            missing: ["customers"]),
        MissingCase(
            name: "contact without custom fields", update: EntityUpdate(entity: .contact(1)),
            missing: ["phones", "companies", "leads", "customers"]),
        MissingCase(
            name: "company", update: EntityUpdate(entity: .company(1), phones: [], links: [.leads: []]),
            missing: ["contacts", "customers"]),
        MissingCase(
            name: "customer", update: EntityUpdate(entity: .customer(1), statusID: 1),
            missing: ["contacts", "companies"]),
        MissingCase(name: "deletion", update: .deletion(of: .contact(1)), missing: []),
        MissingCase(
            name: "complete", update: EntityUpdate(entity: .lead(1), statusID: 1, isComplete: true), missing: []),
        MissingCase(
            name: "a contact's every link",
            update: EntityUpdate(
                entity: .contact(1), phones: [], links: [.leads: [], .companies: [], .customers: []]), missing: []),
    ]

    @Test(arguments: missing) func missingState(_ test: MissingCase) {
        #expect(AmoCRMWebhook.missingState(of: test.update) == test.missing)
    }
}
