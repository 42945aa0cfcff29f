import AccountIndex
import AccountSynthesis
import AmoCRM
import Foundation
import ScreenPopPostgres
import ScreenPopStore
import Testing

/// The time of importing a synthetic 1M-contact account (3.5M entities with its companies, leads
/// and customers): `SCREENPOP_PG_IMPORT_BENCH=1 swift test --skip-build --filter ImportBenchmark`
/// (`SCREENPOP_PG_IMPORT_CONTACTS` for another size). A figure, not an assertion.
@Suite struct ImportBenchmarkTests {
    static let enabled = ProcessInfo.processInfo.environment["SCREENPOP_PG_IMPORT_BENCH"] == "1"

    @Test(.enabled(if: enabled, "set SCREENPOP_PG_IMPORT_BENCH=1 to time it"))
    func importOfAMillionContacts() async throws {
        let contacts = Int(ProcessInfo.processInfo.environment["SCREENPOP_PG_IMPORT_CONTACTS"] ?? "") ?? 1_000_000
        let synthetic = SyntheticAccount(seed: 1, contacts: contacts)
        let stored = StoredAccount(
            account: AccountObject(id: 1, subdomain: "bench", country: "RU", customersMode: "periodicity"),
            data: synthetic.data, details: synthetic.details, users: [AccountUser(id: 1, name: "A")],
            customerStatuses: SyntheticAccount.amoCRMCustomerStatuses)
        let data = stored.data
        let entities = data.contacts.count + data.companies.count + data.leads.count + data.customers.count
        try await TestPostgres.withStore { store, _ in
            let clock = ContinuousClock()
            let first = try await clock.measure { try await store.replace(with: stored) }
            // Again, over the stored account: its rows are deleted in the same transaction.
            let again = try await clock.measure { try await store.replace(with: stored) }
            let load = try await clock.measure {
                _ = try await store.load(accountID: 1, suffixFallback: SuffixFallback())
            }
            func seconds(_ duration: Duration) -> Double {
                Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
            }
            let phones = data.contacts.reduce(0) { $0 + $1.phones.count } + data.companies.reduce(0) { $0 + $1.phones.count }
            print(
                """
                import of \(contacts) contacts: \(entities) entities, \(phones) phones, \(data.links.count) links
                replace into an empty database: \(String(format: "%.1f", seconds(first))) s, \
                \(Int(Double(entities) / seconds(first))) entities/s
                replace over itself: \(String(format: "%.1f", seconds(again))) s, \
                \(Int(Double(entities) / seconds(again))) entities/s
                load: \(String(format: "%.1f", seconds(load))) s
                """)
            #expect(try await store.entityCounts(accountID: 1).values.reduce(0, +) > 0)
        }
    }
}
