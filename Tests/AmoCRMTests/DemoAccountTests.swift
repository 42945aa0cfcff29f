import AccountIndex
import AmoCRM
import Foundation
import Testing

/// `Examples/demo-account`: it loads, and every number its README lists resolves as it says.
@Suite struct DemoAccountTests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples/demo-account").path

    @Test func loadsWhole() async throws {
        let account = try await AccountDirectory.load(Self.path, options: .init(progress: .never))
        let data = account.data
        #expect(data.settings.defaultRegion == "RU")
        #expect(data.settings.customersEnabled)
        #expect(data.settings.closedCustomerStatusIDs == [6_010_004])
        #expect((data.contacts.count, data.companies.count, data.leads.count, data.customers.count) == (15, 2, 18, 4))
        #expect(account.users.count == 3)
        #expect(account.customerStatuses.count == 5)
        #expect(account.summary.ignoredEmbeddedKeys.isEmpty)
        #expect(account.pipelines.map(\.name) == ["Продажи окон", "Монтаж и сервис"])
        #expect(
            account.pipelines.map { $0.statuses.map(\.id) } == [
                [5_010_101, 5_010_102, 5_010_103, 142, 143], [5_020_101, 5_020_102, 142, 143],
            ])
        #expect(account.pipelines[0].statuses[1].name == "Переговоры")
        let lead = try #require(account.data.leads.firstIndex { $0.id == 31_000_001 })
        #expect(account.details.leads[lead].price == 185_000)
        #expect(account.details.leads[lead].pipelineID == 5_010_001 && account.data.leads[lead].statusID == 5_010_102)
        #expect(account.summary.duplicatesReplaced == 0)
        let index = await account.buildIndex()
        #expect(index.buildReport.skippedCount == 0)
    }

    struct Call: CustomTestStringConvertible, Sendable {
        let phone: String
        let target: CallTargetDecision.Target
        let match: MatchLevel
        let rule: CallTargetDecision.Reason.Rule
        var testDescription: String { phone }
    }

    /// The README's table.
    static let calls: [Call] = [
        Call(phone: "+7 916 123-45-67", target: .lead(id: 31_000_001), match: .exact, rule: .singleActiveLead),
        Call(
            phone: "sip:89161234567@pbx.okna-plus.ru", target: .lead(id: 31_000_001), match: .exact,
            rule: .singleActiveLead),
        Call(phone: "+79037654321", target: .lead(id: 31_000_003), match: .exact, rule: .singleActiveLead),
        Call(phone: "89261112233", target: .lead(id: 31_000_007), match: .exact, rule: .singleActiveLead),
        Call(phone: "+79852223344", target: .customer(id: 41_000_001), match: .exact, rule: .singleCustomer),
        Call(phone: "+79154445566", target: .customer(id: 41_000_003), match: .exact, rule: .singleCustomer),
        Call(phone: "+79265556677", target: .contactCard(id: 21_000_006), match: .exact, rule: .severalLinkedEntities),
        Call(phone: "+79778889900", target: .contactCard(id: 21_000_007), match: .exact, rule: .severalLinkedEntities),
        Call(phone: "+79991012030", target: .contactCard(id: 21_000_008), match: .exact, rule: .noLinkedEntities),
        Call(phone: "+74951234567", target: .contactCard(id: 21_000_009), match: .exact, rule: .noLinkedEntities),
        Call(phone: "+79167778899", target: .lead(id: 31_000_013), match: .exact, rule: .singleActiveLead),
        Call(
            phone: "+380671234567", target: .lead(id: 31_000_018), match: .suffix(digits: 10), rule: .singleActiveLead),
        Call(
            phone: "+49 30 1234567", target: .contactCard(id: 21_000_013), match: .suffix(digits: 10),
            rule: .noLinkedEntities),
        Call(phone: "+78126007080", target: .companyCard(id: 51_000_002), match: .exact, rule: .severalLinkedEntities),
        Call(phone: "+79219998877", target: .createContact(e164: "+79219998877"), match: .none, rule: .noMatch),
        Call(phone: "+74993461290", target: .createContact(e164: "+74993461290"), match: .none, rule: .noMatch),
        Call(phone: "+79160001122", target: .createContact(e164: "+79160001122"), match: .none, rule: .noMatch),
        Call(phone: "anonymous", target: .createContact(e164: nil), match: .none, rule: .unreadableNumber),
    ]

    @Test(arguments: calls)
    func everyRuleHasANumber(call: Call) async throws {
        let index = try await AccountDirectory.loadIndex(Self.path, options: .init(progress: .never))
        let decision = index.resolve(callerNumber: call.phone).decision
        #expect(decision.target == call.target)
        #expect(decision.matchLevel == call.match)
        #expect(decision.reason.rule == call.rule)
    }

    @Test func theContactComesBeforeTheCompanyAndTheOldestFirst() async throws {
        let index = try await AccountDirectory.loadIndex(Self.path, options: .init(progress: .never))
        #expect(
            index.resolve(callerNumber: "+74951234567").candidates.map(\.entity) == [
                .contact(21_000_009), .company(51_000_001),
            ])
        #expect(
            index.resolve(callerNumber: "+79167778899").candidates.map(\.entity) == [
                .contact(21_000_010), .contact(21_000_011),
            ])
    }

    @Test func aShorterFallbackFindsTheNumberStoredWithoutItsAreaCode() async throws {
        var fallback = SuffixFallback()
        fallback.digits = 7
        let index = try await AccountDirectory.loadIndex(
            Self.path, options: .init(suffixFallback: fallback, progress: .never))
        let decision = index.resolve(callerNumber: "+7 499 346-12-90").decision
        #expect(decision.target == .contactCard(id: 21_000_015))
        #expect(decision.matchLevel == .suffix(digits: 7))
    }
}
