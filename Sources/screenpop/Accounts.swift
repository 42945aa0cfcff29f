import AccountSync
import CallEvents
import AmoCRMClient
import ArgumentParser
import ScreenPopServer
import ScreenPopStore
import ScreenPopSupport

/// `screenpop accounts`: the accounts one store and its servers serve (docs/cli.md).
struct Accounts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, add, remove the accounts of a store, and rotate their credentials.",
        discussion: """
            A store holds any number of amoCRM accounts; a server on it chooses the account of each request by \
            its API token (Authorization: Bearer) and of each webhook by the secret in its path. The store keeps \
            only SHA-256 hashes of both: they are printed once, by `add` and `rotate-token`, and never again.
            """,
        subcommands: [List.self, Add.self, Remove.self, RotateToken.self]
    )

    /// `--store` for every subcommand: the account must exist.
    struct StoreOption: ParsableArguments {
        @Option(
            help: ArgumentHelp(
                "The store: a SQLite file, or postgres://USER@HOST:PORT/DB (docs/live-account.md).",
                valueName: "URL"))
        var store: String
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One line of JSON per registered account: id, subdomain, amoCRM, entities, created.")

        @OptionGroup var store: StoreOption

        func run() async throws {
            try await reportingErrors {
                let opened = try await StoreLocation.open(store.store, create: false)
                var output = OutputBuffer()
                for registration in try await opened.registrations() {
                    let counts = try await opened.entityCounts(accountID: registration.accountID)
                    output.beginObject()
                    output.field("account_id", registration.accountID)
                    output.field("subdomain", registration.subdomain)
                    output.field("amocrm", registration.amocrmURL)
                    output.field("contacts", counts[.contact] ?? 0)
                    output.field("companies", counts[.company] ?? 0)
                    output.field("leads", counts[.lead] ?? 0)
                    output.field("customers", counts[.customer] ?? 0)
                    output.field("created_at", registration.createdAt)
                    output.endRecord()
                }
                output.flush()
                await StoreLocation.close(opened)
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register an account; print its new API token and webhook secret (shown only now).",
            discussion: """
                The account's id is amoCRM's: --id, else the id of the account with this subdomain already in \
                the store (from `screenpop import` or `sync`), else read from amoCRM with --amocrm and its \
                credentials (SCREENPOP_AMOCRM_TOKEN, --amocrm-token-file or the OAuth variables), which are then \
                kept in the store so that a server can sync the account. Prints one line of JSON.
                """)

        @OptionGroup var store: StoreOption

        @Option(help: ArgumentHelp("The account's amoCRM subdomain (example for example.amocrm.ru).", valueName: "NAME"))
        var subdomain: String

        @Option(help: ArgumentHelp("amoCRM's account id, when the store and amoCRM cannot tell it.", valueName: "N"))
        var id: Int?

        @OptionGroup var amocrm: AmoCRMOptions

        func validate() throws {
            guard !subdomain.isEmpty, subdomain.utf8.allSatisfy({ $0 > 0x20 && $0 != UInt8(ascii: "/") }) else {
                throw ValidationError("--subdomain must be a name such as example (of example.amocrm.ru).")
            }
            if let id, id <= 0 { throw ValidationError("--id must be positive.") }
        }

        func run() async throws {
            try await reportingErrors {
                let opened = try await StoreLocation.open(store.store, create: true)
                let accountID = try await resolveID(opened)
                let registrations = try await opened.registrations()
                if let taken = registrations.first(where: { $0.accountID == accountID }) {
                    throw CLIError(
                        "account \(accountID) (\(taken.subdomain)) is registered already; "
                            + "`screenpop accounts rotate-token` makes new credentials")
                }
                let token = AccountSecret.generate(prefix: AccountSecret.apiTokenPrefix)
                let secret = AccountSecret.generate(prefix: AccountSecret.webhookSecretPrefix)
                try await opened.register(
                    AccountRegistration(
                        accountID: accountID, subdomain: subdomain, amocrmURL: amocrm.amocrm,
                        apiTokenHash: AccountSecret.sha256(token), webhookSecretHash: AccountSecret.sha256(secret),
                        createdAt: Int(NotificationTime.now().millisecondsSince1970 / 1000)))
                var output = OutputBuffer()
                output.beginObject()
                output.field("account_id", accountID)
                output.field("subdomain", subdomain)
                output.field("amocrm", amocrm.amocrm)
                output.field("api_token", token)
                output.field("webhook_secret", secret)
                output.field("webhook_path", "/amocrm/webhooks/" + secret)
                output.endRecord()
                output.flush()
                await StoreLocation.close(opened)
            }
        }

        /// --id, the stored account of this subdomain, or amoCRM's answer (whose credentials are kept).
        private func resolveID(_ store: any AccountStore) async throws -> Int {
            if let id { return id }
            for accountID in try await store.accountIDs() {
                let stored = try await store.load(accountID: accountID, suffixFallback: .init())
                if stored?.account.subdomain?.lowercased() == subdomain.lowercased() { return accountID }
            }
            guard amocrm.amocrm != nil else {
                throw CLIError(
                    "no account with the subdomain \(subdomain) in the store: give --id, or --amocrm to read it from amoCRM")
            }
            let client = try await amocrm.client(store: store, accountID: nil)
            guard let id = try await client.accountObject().account?.id else {
                throw CLIError("amoCRM's GET /api/v4/account gave no account id")
            }
            try await amocrm.keepCredentials(in: store, accountID: id)
            return id
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove an account: its registration and everything the store holds of it.")

        @OptionGroup var store: StoreOption

        @Option(help: ArgumentHelp("The account's id.", valueName: "N"))
        var id: Int

        func run() async throws {
            try await reportingErrors {
                let opened = try await StoreLocation.open(store.store, create: false)
                let known = try await opened.registrations().contains { $0.accountID == id }
                let stored = try await opened.accountIDs().contains(id)
                guard known || stored else { throw CLIError("the store has no account \(id)") }
                try await opened.removeAccount(accountID: id)
                var output = OutputBuffer()
                output.beginObject()
                output.field("account_id", id)
                output.field("removed", true)
                output.endRecord()
                output.flush()
                await StoreLocation.close(opened)
            }
        }
    }

    struct RotateToken: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-token",
            abstract: "Give an account a new API token (and with --webhook-secret a new secret); the old ones stop working.")

        @OptionGroup var store: StoreOption

        @Option(help: ArgumentHelp("The account's id.", valueName: "N"))
        var id: Int

        @Flag(help: "Also make a new webhook secret (amoCRM's webhook settings must then be changed).")
        var webhookSecret = false

        func run() async throws {
            try await reportingErrors {
                let opened = try await StoreLocation.open(store.store, create: false)
                guard var registration = try await opened.registrations().first(where: { $0.accountID == id }) else {
                    throw CLIError("the store has no registered account \(id); `screenpop accounts add` registers one")
                }
                let token = AccountSecret.generate(prefix: AccountSecret.apiTokenPrefix)
                registration.apiTokenHash = AccountSecret.sha256(token)
                var secret: String?
                if webhookSecret {
                    let made = AccountSecret.generate(prefix: AccountSecret.webhookSecretPrefix)
                    registration.webhookSecretHash = AccountSecret.sha256(made)
                    secret = made
                }
                try await opened.register(registration)
                var output = OutputBuffer()
                output.beginObject()
                output.field("account_id", id)
                output.field("api_token", token)
                if let secret {
                    output.field("webhook_secret", secret)
                    output.field("webhook_path", "/amocrm/webhooks/" + secret)
                }
                output.endRecord()
                output.flush()
                await StoreLocation.close(opened)
            }
        }
    }
}

/// Runs `body`; a failure other than a usage error is said on standard error, and the command fails.
func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ValidationError {
        throw error
    } catch let error as ExitCode {
        throw error
    } catch {
        StandardError.write("screenpop: error: \(error)\n")
        throw ExitCode.failure
    }
}
