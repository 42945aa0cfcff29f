// Times PostgresAccountStore.replace of a synthetic account (docs/live-account.md, "PostgreSQL"):
//
//   URL=$(scripts/postgres.sh start /tmp/screenpop-bench-postgres)
//   swift run -c release screenpop-pg-import-bench "$URL" 1000000
//
// Replaces account 1 of the database twice (into nothing, then over itself) and loads it back.
import AccountIndex
import AccountSynthesis
import AmoCRM
import ScreenPopPostgres
import ScreenPopStore

#if canImport(Glibc)
    import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: screenpop-pg-import-bench postgres://USER@HOST:PORT/DB [contacts, default 1000000]")
    exit(2)
}
let contacts = arguments.count > 2 ? Int(arguments[2]) ?? 1_000_000 : 1_000_000
let clock = ContinuousClock()
func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}
func rounded(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)"
}

let synthetic = SyntheticAccount(seed: 1, contacts: contacts)
let stored = StoredAccount(
    account: AccountObject(id: 1, subdomain: "bench", country: "RU", customersMode: "periodicity"),
    data: synthetic.data, details: synthetic.details, users: [AccountUser(id: 1, name: "A")],
    customerStatuses: SyntheticAccount.amoCRMCustomerStatuses)
let data = stored.data
let entities = data.contacts.count + data.companies.count + data.leads.count + data.customers.count
let phones = data.contacts.reduce(0) { $0 + $1.phones.count } + data.companies.reduce(0) { $0 + $1.phones.count }
print("\(contacts) contacts: \(entities) entities, \(phones) phones, \(data.links.count) links")

do {
    let store = try await PostgresAccountStore.open(arguments[1])
    try await store.removeAccount(accountID: 1)
    let first = try await clock.measure { try await store.replace(with: stored) }
    print(
        "replace into an empty account: \(rounded(seconds(first))) s, \(Int(Double(entities) / seconds(first))) entities/s"
    )
    let again = try await clock.measure { try await store.replace(with: stored) }
    print("replace over itself: \(rounded(seconds(again))) s, \(Int(Double(entities) / seconds(again))) entities/s")
    var loaded: StoredAccount?
    let load = try await clock.measure { loaded = try await store.load(accountID: 1, suffixFallback: SuffixFallback()) }
    print("load: \(rounded(seconds(load))) s, \(loaded?.data.contacts.count ?? 0) contacts back")
    try await store.removeAccount(accountID: 1)
    await store.shutdown()
} catch {
    print("error: \(error)")
    exit(1)
}
