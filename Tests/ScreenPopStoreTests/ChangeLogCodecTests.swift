import AccountIndex
import AmoCRM
import ScreenPopStore
import Testing

/// A change log entry reads back as the changes it was written from.
@Suite struct ChangeLogCodecTests {
    static var everything: StoreChanges {
        var changes = StoreChanges()
        changes.entities = [
            StoredEntity(
                ref: .contact(7), isDeleted: false, statusID: nil,
                phones: [PhoneValue("+7 999 888-55-33"), PhoneValue("8 (916) \"quoted\"\n\\", kind: .mobile)],
                details: EntityDetails(
                    name: "Ann \u{1F600} \"A\"", createdAt: 1_000, updatedAt: 2_000, responsibleUserID: 5)),
            StoredEntity(
                ref: .lead(9), isDeleted: true, statusID: 142, phones: [],
                details: EntityDetails(name: "", createdAt: 0, updatedAt: 0, pipelineID: 3_300_100, price: 185_000)),
            StoredEntity(
                ref: .lead(10), isDeleted: false, statusID: 5, phones: [],
                details: EntityDetails(name: "No price", pipelineID: 3_300_100)),
            StoredEntity(
                ref: .customer(Int(Int32.max) + 10), isDeleted: false, statusID: nil, phones: [],
                details: EntityDetails(name: "Customer")),
            StoredEntity(
                ref: .company(3), isDeleted: false, statusID: nil, phones: [PhoneValue("+7 495 111-22-33", kind: .fax)],
                details: EntityDetails(name: "Co")),
        ]
        changes.created = [.contact(7), .customer(Int(Int32.max) + 10)]
        changes.unlinked = [
            .contactLead(contactID: 7, leadID: 9, isMain: true), .companyCustomer(companyID: 3, customerID: 4),
        ]
        changes.linked = [
            .contactLead(contactID: 7, leadID: 9), .companyLead(companyID: 3, leadID: 9),
            .contactCustomer(contactID: 7, customerID: 4), .contactCompany(contactID: 7, companyID: 3),
        ]
        changes.staleCount = 2
        changes.unchangedCount = 3
        changes.batchOutcomes = [
            StoreChanges.BatchOutcome(staleCount: 2, unchangedCount: 1),
            StoreChanges.BatchOutcome(staleCount: 0, unchangedCount: 2),
        ]
        changes.accountChanged = true
        changes.customerStatusesChanged = true
        changes.pipelinesChanged = true
        changes.pipelines = [
            LeadPipeline(
                id: 5_010_001, name: "Продажи \"окон\"",
                statuses: [LeadPipelineStatus(id: 5_010_101, name: "Первичный контакт"), LeadPipelineStatus(id: 142)]),
            LeadPipeline(id: 5_020_001),
        ]
        changes.sequence = 1 << 40
        return changes
    }

    @Test func changesRoundTripExactly() throws {
        let changes = Self.everything
        #expect(try ChangeLogCodec.decode(ChangeLogCodec.encode(changes)) == changes)
        var flags = StoreChanges()
        flags.usersChanged = true
        #expect(try ChangeLogCodec.decode(ChangeLogCodec.encode(flags)) == flags)
        #expect(try ChangeLogCodec.decode(ChangeLogCodec.encode(StoreChanges())) == StoreChanges())
    }

    @Test(arguments: [
        "", "[]", #"{"v":2}"#, #"{"v":1,"entities":[[1,7]]}"#, #"{"v":1,"created":[[5,7]]}"#,
        #"{"v":1,"linked":[[9,1,2,false]]}"#, #"{"v":1,"stale":"x"}"#,
        #"{"v":1,"entities":[],"prices":[5]}"#, #"{"v":1,"pipeline_list":[[1,"a",[[2]]]]}"#,
    ])
    func whatItDidNotWriteIsAnError(text: String) {
        #expect(throws: StoreError.self) { try ChangeLogCodec.decode(Array(text.utf8)) }
    }

    /// An entry of the release before prices and pipelines (no `prices`, no `pipelines`) reads as
    /// changes without them; the new keys are ones an earlier release skips.
    @Test func entriesWithoutPricesOrPipelinesRead() throws {
        let text = #"{"v":1,"entities":[[2,9,false,142,"Deal",1,2,null,77,[]]],"users":true,"statuses":false}"#
        let changes = try ChangeLogCodec.decode(Array(text.utf8))
        #expect(changes.entities.map(\.details.price) == [nil])
        #expect(changes.entities.map(\.details.pipelineID) == [77])
        #expect(!changes.pipelinesChanged && changes.pipelines == nil && changes.usersChanged)
        var withoutPrices = StoreChanges()
        withoutPrices.entities = [Self.everything.entities[0]]
        #expect(!String(decoding: ChangeLogCodec.encode(withoutPrices), as: UTF8.self).contains("prices"))
    }

    @Test func aLaterVersionsAdditionsAreSkipped() throws {
        let text = #"{"v":1,"stale":4,"newKey":{"a":[1,2]}}"#
        #expect(try ChangeLogCodec.decode(Array(text.utf8)).staleCount == 4)
    }
}
