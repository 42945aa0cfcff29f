import AccountIndex
import AccountSync
import AmoCRM
import ArgumentParser
import CallEvents
import ScreenPopStore
import ScreenPopSupport

/// Where a command takes the account from: a directory of saved amoCRM pages, or a store.
struct AccountSource: ParsableArguments {
    @Option(help: ArgumentHelp("The account directory: amoCRM API v4 pages (docs/amocrm.md).", valueName: "DIR"))
    var account: String?

    @Option(
        help: ArgumentHelp(
            "The store: a SQLite file made by `screenpop import`, or postgres://USER@HOST:PORT/DB (docs/live-account.md).",
            valueName: "URL"))
    var store: String?

    @Option(help: ArgumentHelp("With --store: the account, when the store holds several.", valueName: "N"))
    var accountID: Int?

    func validate() throws {
        switch (account, store) {
        case (nil, nil): throw ValidationError("Give the account: --account DIR or --store PATH.")
        case (.some, .some): throw ValidationError("--account and --store cannot be used together.")
        default: break
        }
        if accountID != nil && store == nil { throw ValidationError("--account-id needs --store.") }
    }

    /// What the commands need of an account.
    struct Loaded {
        var data: AccountData
        var details: AccountDetails
        var account: AccountObject
        var users: [AccountUser]
        var pipelines: [LeadPipeline]
        /// For the log: where it came from.
        var origin: String

        /// What a server's notifications show: the users, every entity's facts, the account's labels.
        func roster() -> AccountRoster {
            AccountRoster(account: account, data: data, details: details, users: users, pipelines: pipelines)
        }
    }

    /// Loads the account; the error's description says what and where.
    ///
    /// - Parameter progress: A directory's loading progress on standard error (a store loads at once).
    func load(suffixFallback: SuffixFallback, progress: AccountDirectory.Options.Progress = .never) async throws
        -> Loaded
    {
        if let store {
            // Reading never creates a store: a mistyped path is an error, not a new empty file.
            let found = try await StoreLocation.with(store, create: false) { opened in
                if let accountID {
                    return try await opened.load(accountID: accountID, suffixFallback: suffixFallback)
                }
                return try await opened.loadOnlyAccount(suffixFallback: suffixFallback)
            }
            guard let stored = found else {
                let which = accountID.map { "no account \($0)" } ?? "no account"
                throw StoreError("\(StoreLocation.redacted(store)): the store holds \(which); fill it with `screenpop import`")
            }
            return Loaded(
                data: stored.data, details: stored.details, account: stored.account, users: stored.users,
                pipelines: stored.pipelines, origin: StoreLocation.redacted(store))
        }
        let directory = account ?? ""
        let loaded = try await AccountDirectory.load(
            directory, options: AccountDirectory.Options(suffixFallback: suffixFallback, progress: progress))
        return Loaded(
            data: loaded.data, details: loaded.details, account: loaded.account, users: loaded.users,
            pipelines: loaded.pipelines, origin: directory)
    }
}
