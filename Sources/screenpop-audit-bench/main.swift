// Writes a synthetic account into a SQLite store, for measuring `screenpop audit` (docs/audit.md):
//
//   swift build -c release --product screenpop --product screenpop-audit-bench
//   .build/release/screenpop-audit-bench /tmp/audit-1m.sqlite 1000000
//   /usr/bin/time -v .build/release/screenpop audit --store /tmp/audit-1m.sqlite --out /tmp/audit-1m.json
//
// The account is SyntheticAccount(seed: 1, contacts: N), as the index's and the store's benchmarks use.
import AccountIndex
import AccountSynthesis
import AmoCRM
import ScreenPopStore

#if canImport(Glibc)
    import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: screenpop-audit-bench STORE.sqlite [contacts, default 1000000]")
    exit(2)
}
let contacts = arguments.count > 2 ? Int(arguments[2]) ?? 1_000_000 : 1_000_000
let synthetic = SyntheticAccount(seed: 1, contacts: contacts)
let stored = StoredAccount(
    account: AccountObject(id: 1, subdomain: "audit-bench", country: "RU", customersMode: "periodicity"),
    data: synthetic.data, details: synthetic.details, users: [AccountUser(id: 1, name: "A")],
    customerStatuses: SyntheticAccount.amoCRMCustomerStatuses)
let store = try SQLiteAccountStore(path: arguments[1])
try await store.replace(with: stored)
let data = stored.data
let phones = data.contacts.reduce(0) { $0 + $1.phones.count } + data.companies.reduce(0) { $0 + $1.phones.count }
print(
    "\(arguments[1]): \(data.contacts.count) contacts, \(data.companies.count) companies, \(data.leads.count) leads, "
        + "\(data.customers.count) customers, \(phones) phone values, \(data.links.count) links")
