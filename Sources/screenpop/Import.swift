import AmoCRM
import ArgumentParser
import ScreenPopStore
import ScreenPopSupport

/// `screenpop import`: saved amoCRM pages into the store (docs/cli.md).
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load a directory of saved amoCRM API v4 pages into the store.",
        discussion: """
            Reads the account directory (docs/amocrm.md) and replaces what the store holds for that account \
            with it, in one transaction (the store is a SQLite file, created if absent). Prints one line of \
            JSON with what was stored.
            """
    )

    @Option(
        help: ArgumentHelp(
            "The store: a SQLite file, created if absent, or postgres://USER@HOST:PORT/DB.", valueName: "URL"))
    var store: String

    @Option(help: ArgumentHelp("The account directory.", valueName: "DIR"))
    var account: String

    func run() async throws {
        do {
            let loaded = try await AccountDirectory.load(account, options: AccountDirectory.Options(progress: .automatic))
            let stored = StoredAccount(loaded)
            try await StoreLocation.with(store, create: true) { try await $0.replace(with: stored) }
            let data = stored.data
            var output = OutputBuffer()
            output.beginObject()
            output.field("account_id", stored.accountID)
            output.field("contacts", data.contacts.count)
            output.field("companies", data.companies.count)
            output.field("leads", data.leads.count)
            output.field("customers", data.customers.count)
            output.field("links", data.links.count)
            output.field("users", stored.users.count)
            output.field("store", StoreLocation.redacted(store))
            output.endRecord()
            output.flush()
        } catch {
            StandardError.write("screenpop: error: \(error)\n")
            throw ExitCode.failure
        }
    }
}
