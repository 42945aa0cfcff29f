import PhoneNumbers
import Testing

@testable import AccountIndex

@Suite struct AccountChangeTests {
    static let number = "+79998885533"

    func baseIndex() -> AccountIndex {
        var data = AccountData(settings: ruSettings())
        data.contacts = [contact(1, Self.number), contact(2, "+79161234567")]
        data.companies = [company(5, "+74951234567")]
        data.leads = [lead(10), lead(11)]
        data.customers = [customer(20)]
        return build(data)
    }

    @Test func linkingAndStatusChangesMoveTheTarget() throws {
        let index = baseIndex()
        #expect(index.resolve(callerNumber: Self.number).target == .contactCard(id: 1))
        try index.checkedApply([.link(.contactLead(contactID: 1, leadID: 10, isMain: true))])
        #expect(index.resolve(callerNumber: Self.number).target == .lead(id: 10))
        try index.checkedApply([.link(.contactLead(contactID: 1, leadID: 11))])
        #expect(index.resolve(callerNumber: Self.number).decision.reason.rule == .severalLinkedEntities)
        try index.checkedApply([.setLeadStatus(leadID: 10, statusID: Lead.wonStatusID)])
        #expect(index.resolve(callerNumber: Self.number).target == .lead(id: 11))
        try index.checkedApply([.setLeadStatus(leadID: 11, statusID: Lead.lostStatusID)])
        #expect(index.resolve(callerNumber: Self.number).target == .contactCard(id: 1))
        try index.checkedApply([.setLeadStatus(leadID: 10, statusID: 31)])  // reopened
        #expect(index.resolve(callerNumber: Self.number).target == .lead(id: 10))
        try index.checkedApply([.upsertLead(lead(10, deleted: true))])
        #expect(index.resolve(callerNumber: Self.number).target == .contactCard(id: 1))
    }

    /// Moving a lead between open stages, or setting a customer's status to the one it has, changes
    /// nothing the index keeps: the batch publishes no snapshot.
    @Test func statusChangesTheIndexCannotSeePublishNothing() throws {
        let index = baseIndex()
        try index.checkedApply([.setCustomerStatus(customerID: 20, statusID: 900)])
        let version = index.snapshot.version
        try index.apply([.setLeadStatus(leadID: 10, statusID: 31), .setLeadStatus(leadID: 11, statusID: 32)])
        try index.apply([.setCustomerStatus(customerID: 20, statusID: 900)])
        #expect(index.snapshot.version == version)
        try index.apply([.setLeadStatus(leadID: 10, statusID: Lead.wonStatusID)])
        #expect(index.snapshot.version == version + 1)
        try index.apply([.setLeadStatus(leadID: 10, statusID: Lead.lostStatusID)])  // closed either way
        #expect(index.snapshot.version == version + 1)
    }

    @Test func customersFollowStatusesAndTheAccountSwitch() throws {
        let index = baseIndex()
        try index.checkedApply([.link(.contactCustomer(contactID: 1, customerID: 20))])
        #expect(index.resolve(callerNumber: Self.number).target == .customer(id: 20))
        try index.checkedApply([.setCustomerStatus(customerID: 20, statusID: 900)])  // closed
        #expect(index.resolve(callerNumber: Self.number).target == .contactCard(id: 1))
        try index.checkedApply([.setClosedCustomerStatuses([901])])  // 900 no longer closed
        #expect(index.resolve(callerNumber: Self.number).target == .customer(id: 20))
        try index.checkedApply([.setCustomersEnabled(false)])
        let off = index.resolve(callerNumber: Self.number)
        #expect(off.target == .contactCard(id: 1))
        #expect(off.decision.reason.customersDisabled)
        try index.checkedApply([.setCustomersEnabled(true), .upsertCustomer(customer(20, status: 1, deleted: true))])
        #expect(index.resolve(callerNumber: Self.number).target == .contactCard(id: 1))
    }

    @Test func phonesChangeWithUpsertsAndSoftDeletes() throws {
        let index = baseIndex()
        try index.checkedApply([.upsertContact(contact(1, "+7 999 111-22-33"))])
        #expect(index.resolve(callerNumber: Self.number).target == .createContact(e164: Self.number))
        #expect(index.resolve(callerNumber: "+79991112233").target == .contactCard(id: 1))
        try index.checkedApply([.upsertContact(contact(1, "+7 999 111-22-33", deleted: true))])
        #expect(index.resolve(callerNumber: "+79991112233").matchLevel == .none)
        #expect(index.snapshot.contact(1)?.isDeleted == true)
        try index.checkedApply([.upsertContact(contact(1, "+7 999 111-22-33"))])
        #expect(index.resolve(callerNumber: "+79991112233").target == .contactCard(id: 1))
    }

    @Test func deletesRemoveEveryLink() throws {
        let index = baseIndex()
        try index.checkedApply([
            .link(.contactLead(contactID: 1, leadID: 10, isMain: true)), .link(.contactLead(contactID: 2, leadID: 10)),
            .link(.companyLead(companyID: 5, leadID: 10)), .link(.contactCompany(contactID: 1, companyID: 5)),
            .link(.contactCustomer(contactID: 1, customerID: 20)),
            .link(.companyCustomer(companyID: 5, customerID: 20)),
        ])
        try index.checkedApply([.deleteContact(id: 1)])
        var snapshot = index.snapshot
        #expect(snapshot.contact(1) == nil)
        #expect(snapshot.lead(10)?.contactIDs == [2])
        #expect(snapshot.lead(10)?.mainContactID == nil)
        #expect(snapshot.company(5)?.relatedIDs == [])
        #expect(snapshot.customer(20)?.contactIDs == [])
        #expect(index.resolve(callerNumber: Self.number).matchLevel == .none)

        try index.checkedApply([.deleteCompany(id: 5), .deleteLead(id: 10)])
        snapshot = index.snapshot
        #expect(snapshot.customer(20)?.companyID == nil)
        #expect(snapshot.contact(2)?.activeLeadIDs == [])
        #expect(
            snapshot.counts == AccountSnapshot.Counts(contacts: 1, companies: 0, leads: 1, customers: 1, phoneKeys: 1))
    }

    @Test func atMostOneLinksReplaceAndLinksAreIdempotent() throws {
        let index = baseIndex()
        try index.checkedApply([.upsertCompany(company(6))])
        try index.checkedApply([
            .link(.companyLead(companyID: 5, leadID: 10)), .link(.companyLead(companyID: 6, leadID: 10)),
        ])
        #expect(index.snapshot.lead(10)?.companyID == 6)
        #expect(index.snapshot.company(5)?.activeLeadIDs == [])
        #expect(index.snapshot.company(6)?.activeLeadIDs == [10])
        // Unlinking a company the lead does not have changes nothing.
        try index.checkedApply([.unlink(.companyLead(companyID: 5, leadID: 10))])
        #expect(index.snapshot.lead(10)?.companyID == 6)
        // The same link from both sides, twice: one link; one unlink removes it.
        try index.checkedApply([
            .link(.contactLead(contactID: 1, leadID: 11)), .link(.contactLead(contactID: 1, leadID: 11, isMain: true)),
        ])
        try index.checkedApply([.link(.contactLead(contactID: 1, leadID: 11))])
        #expect(index.snapshot.lead(11)?.contactIDs == [1])
        #expect(index.snapshot.lead(11)?.mainContactID == 1)
        #expect(index.snapshot.contact(1)?.activeLeadIDs == [11])
        try index.checkedApply([.unlink(.contactLead(contactID: 1, leadID: 11))])
        #expect(index.snapshot.contact(1)?.activeLeadIDs == [])
        #expect(index.snapshot.lead(11)?.mainContactID == nil)
        // A contact moves to another company.
        try index.checkedApply([
            .link(.contactCompany(contactID: 2, companyID: 5)), .link(.contactCompany(contactID: 2, companyID: 6)),
        ])
        #expect(index.snapshot.contact(2)?.relatedIDs == [6])
        #expect(index.snapshot.company(5)?.relatedIDs == [])
        #expect(index.snapshot.company(6)?.relatedIDs == [2])
    }

    struct Failure: CustomTestStringConvertible, Sendable {
        let name: String
        let batch: [AccountChange]
        let code: AccountChangeError.Code
        let changeIndex: Int
        let entity: EntityRef
        var testDescription: String { name }
    }

    static let failures: [Failure] = [
        .init(
            name: "unknown lead in a link",
            batch: [.upsertContact(contact(3, "+79160001122")), .link(.contactLead(contactID: 3, leadID: 99))],
            code: .unknownEntity, changeIndex: 1, entity: .lead(99)),
        .init(
            name: "unknown contact in a link", batch: [.link(.contactLead(contactID: 42, leadID: 10))],
            code: .unknownEntity,
            changeIndex: 0, entity: .contact(42)),
        .init(
            name: "an entity deleted earlier in the batch",
            batch: [.deleteLead(id: 10), .setLeadStatus(leadID: 10, statusID: 142)],
            code: .unknownEntity, changeIndex: 1, entity: .lead(10)),
        .init(
            name: "unknown customer",
            batch: [.setCustomersEnabled(false), .setCustomerStatus(customerID: 77, statusID: nil)],
            code: .unknownEntity, changeIndex: 1, entity: .customer(77)),
        .init(
            name: "delete of an unknown company", batch: [.deleteCompany(id: 8)], code: .unknownEntity, changeIndex: 0,
            entity: .company(8)),
        .init(name: "negative id", batch: [.upsertLead(lead(-1))], code: .invalidID, changeIndex: 0, entity: .lead(-1)),
        .init(
            name: "negative id in a link", batch: [.link(.contactCompany(contactID: 1, companyID: -5))],
            code: .invalidID,
            changeIndex: 0, entity: .company(-5)),
    ]

    @Test(arguments: failures)
    func failedBatchChangesNothing(_ failure: Failure) throws {
        let index = baseIndex()
        let before = index.snapshot
        let error = #expect(throws: AccountChangeError.self) { try index.apply(failure.batch) }
        #expect(error?.code == failure.code)
        #expect(error?.changeIndex == failure.changeIndex)
        #expect(error?.entity == failure.entity)
        #expect(error?.change == failure.batch[failure.changeIndex])
        #expect(index.snapshot === before)
        #expect(index.snapshot.dump() == before.dump())
    }

    @Test func errorsDescribeTheChange() {
        let error = AccountChangeError.unknown(.lead(99), at: 3, in: .link(.contactLead(contactID: 1, leadID: 99)))
        #expect(error.description == "change 3 (link contact 1 – lead 99): unknown lead 99")
    }

    @Test func snapshotsAreVersionedAndImmutable() throws {
        let index = baseIndex()
        let first = index.snapshot
        #expect(first.version == 0)
        #expect(try index.apply([]) === first)
        try index.checkedApply([.link(.contactLead(contactID: 1, leadID: 10))])
        let second = index.snapshot
        #expect(second.version == 1)
        #expect(first.resolve(callerNumber: Self.number).target == .contactCard(id: 1))
        #expect(second.resolve(callerNumber: Self.number).target == .lead(id: 10))
        try index.checkedApply([.setSuffixFallbackEnabled(false)])
        #expect(index.snapshot.version == 2)
        #expect(index.snapshot.settings.suffixFallback.isEnabled == false)
        #expect(second.settings.suffixFallback.isEnabled == true)
    }

    @Test func incrementalIndexGrowsFromEmpty() throws {
        let index = AccountIndex(settings: ruSettings())
        #expect(index.resolve(callerNumber: Self.number).target == .createContact(e164: Self.number))
        var changes: [AccountChange] = []
        for i in 1...300 {
            changes.append(.upsertContact(contact(i, "+7999\(1_000_000 + i)")))
            changes.append(.upsertLead(lead(10_000 + i)))
            changes.append(.link(.contactLead(contactID: i, leadID: 10_000 + i)))
        }
        for chunk in stride(from: 0, to: changes.count, by: 40) {
            try index.checkedApply(Array(changes[chunk..<min(chunk + 40, changes.count)]))
        }
        #expect(index.snapshot.counts.contacts == 300)
        #expect(index.resolve(callerNumber: "+79991000123").target == .lead(id: 10_123))
    }
}

@Suite struct AccountChangeErrorCodeTests {
    @Test func everyCodeHasItsOwnName() {
        let names = AccountChangeError.Code.BackingCode.allCases.map { AccountChangeError.Code($0).description }
        #expect(Set(names).count == names.count)
        #expect(names == ["unknown_entity", "invalid_id"])
    }
}
