import AccountSynthesis
import Testing

@testable import AccountIndex

/// The memory report counts what the index holds: every record once, the fixed parts at their
/// layouts' sizes, and it moves with a change.
@Suite struct MemoryReportTests {
    @Test func theReportCountsEveryRecordAtItsSize() throws {
        let account = SyntheticAccount(seed: 3, contacts: 5_000)
        let index = AccountIndex(building: account.data)
        let snapshot = index.snapshot
        let report = snapshot.memory
        let counts = snapshot.counts
        let byName = Dictionary(uniqueKeysWithValues: report.tables.map { ($0.name, $0) })
        #expect(byName.keys.sorted() == ["companies", "contacts", "customers", "leads", "phones"])
        #expect(byName["contacts"]?.records == counts.contacts)
        #expect(byName["companies"]?.records == counts.companies)
        #expect(byName["leads"]?.records == counts.leads)
        #expect(byName["customers"]?.records == counts.customers)
        #expect(byName["phones"]?.records == counts.phoneKeys)
        #expect(byName["contacts"]?.fixedBytes == counts.contacts * MemoryLayout<PartyRecord>.stride)
        #expect(byName["leads"]?.fixedBytes == counts.leads * MemoryLayout<LeadRecord>.stride)
        // A posting: its 8-byte key and its payload words.
        #expect(byName["phones"]?.fixedBytes == counts.phoneKeys * 8 * (1 + PostingSlab.payloadWords))
        for table in report.tables {
            #expect(table.slabs > 0 && table.wordBytes >= 0 && table.overheadBytes > 0, "\(table)")
        }
        #expect(report.totalBytes == report.tables.reduce(0) { $0 + $1.totalBytes })
        #expect(report.description.hasPrefix("index "))

        // A new contact with two numbers: one record and two postings more.
        let id = 9_000_000_001
        try index.apply([
            .upsertContact(
                Contact(id: id, createdAt: 1, phones: [PhoneValue("+7 999 000-00-01"), PhoneValue("+7 999 000-00-02")]))
        ])
        let after = Dictionary(uniqueKeysWithValues: index.snapshot.memory.tables.map { ($0.name, $0) })
        #expect(after["contacts"]?.records == counts.contacts + 1)
        #expect(after["phones"]?.records == counts.phoneKeys + 2)
        // The old snapshot's report is unchanged: it counts its own state.
        #expect(snapshot.memory == report)
    }
}
