import AccountSync
import AmoCRMClient
import ArgumentParser
import ScreenPopStore
import ScreenPopSupport

/// `screenpop webhooks`: amoCRM's webhooks of this server.
struct Webhooks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the webhooks amoCRM sends to this server.",
        subcommands: [Register.self]
    )

    /// The environment variable with the secret of the webhook path.
    static let secretVariable = "SCREENPOP_WEBHOOK_SECRET"

    /// The events a live account needs: every change of the entities it keeps.
    static let events = [
        "add_contact", "update_contact", "delete_contact", "restore_contact",
        "add_company", "update_company", "delete_company", "restore_company",
        "add_lead", "update_lead", "delete_lead", "restore_lead", "status_lead", "responsible_lead",
        "add_customer", "update_customer", "delete_customer",
    ]

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register this server's webhook with amoCRM (POST /api/v4/webhooks).",
            discussion: """
                Asks amoCRM to post every change of contacts, companies, leads and customers to the \
                destination. A destination without the path /amocrm/webhooks/<secret> gets it appended, with \
                the secret from SCREENPOP_WEBHOOK_SECRET. Registering the same destination again updates it. \
                amoCRM allows this to the account's administrators only.
                """
        )

        @Option(help: ArgumentHelp("The store (its account id and any OAuth pair): a path or a postgres:// URL.", valueName: "URL"))
        var store: String

        @Option(help: ArgumentHelp("The account, when the store holds several.", valueName: "N"))
        var accountID: Int?

        @OptionGroup var amocrm: AmoCRMOptions

        @Option(
            help: ArgumentHelp(
                "Where amoCRM posts: https://screenpop.example.com or the whole webhook URL.", valueName: "URL"))
        var destination: String

        func validate() throws {
            guard amocrm.amocrm != nil else { throw ValidationError("Give amoCRM's base URL: --amocrm URL.") }
            guard destination.hasPrefix("https://") || destination.hasPrefix("http://") else {
                throw ValidationError("--destination must be an http(s) URL.")
            }
        }

        func run() async throws {
            do {
                try await StoreLocation.with(store, create: false) { opened in
                    var accountID = self.accountID
                    if accountID == nil { accountID = try await Sync.onlyAccount(of: opened) }
                    let client = try await amocrm.client(store: opened, accountID: accountID)
                    var url = destination
                    var secret: String?
                    if !url.contains("/amocrm/webhooks/") {
                        guard let value = AmoCRMOptions.environment(Webhooks.secretVariable) else {
                            throw CLIError(
                                "the destination has no /amocrm/webhooks/<secret> path: set \(Webhooks.secretVariable) "
                                    + "(the secret `serve` checks) or give the whole URL")
                        }
                        secret = value
                        while url.hasSuffix("/") { url.removeLast() }
                        url += "/amocrm/webhooks/" + value
                    } else {
                        secret = url.split(separator: "/").last.map(String.init)
                    }
                    let hook = try await client.registerWebhook(destination: url, settings: Webhooks.events)
                    var output = OutputBuffer()
                    output.beginObject()
                    output.field("id", hook.id)
                    output.field("destination", Webhooks.redacted(hook.destination, secret: secret))
                    output.field("events", hook.settings.joined(separator: ","))
                    output.endRecord()
                    output.flush()
                }
            } catch let error as ValidationError {
                throw error
            } catch {
                StandardError.write("screenpop: error: \(error)\n")
                throw ExitCode.failure
            }
        }
    }

    /// The URL with its secret replaced: what may be printed or logged.
    static func redacted(_ url: String, secret: String?) -> String {
        guard let secret, !secret.isEmpty, let range = url.firstRange(of: "/amocrm/webhooks/" + secret) else { return url }
        var redacted = url
        redacted.replaceSubrange(range, with: "/amocrm/webhooks/<redacted>")
        return redacted
    }
}
