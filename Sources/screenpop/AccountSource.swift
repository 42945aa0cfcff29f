import AccountIndex
import AmoCRM
import ArgumentParser
import ScreenPopStore
import ScreenPopSupport

/// Where a command takes the account from: a directory of saved amoCRM pages, or a store.
struct AccountSource: ParsableArguments {
    @Option(help: ArgumentHelp("The account directory: amoCRM API v4 pages (docs/amocrm.md).", valueName: "DIR"))
    var account: String?

    @Option(help: ArgumentHelp("The store: a SQLite file made by `screenpop import` (docs/live-account.md).", valueName: "PATH"))
    var store: String?

    func validate() throws {
        switch (account, store) {
        case (nil, nil): throw ValidationError("Give the account: --account DIR or --store PATH.")
        case (.some, .some): throw ValidationError("--account and --store cannot be used together.")
        default: break
        }
    }

    /// What the commands need of an account.
    struct Loaded {
        var data: AccountData
        var names: [(EntityRef, String)]
        var users: [Int]
        /// For the log: where it came from.
        var origin: String
    }

    /// Loads the account; the error's description says what and where.
    ///
    /// - Parameter progress: A directory's loading progress on standard error (a store loads at once).
    func load(suffixFallback: SuffixFallback, progress: AccountDirectory.Options.Progress = .never) async throws
        -> Loaded
    {
        if let store {
            // Reading never creates a store: a mistyped path is an error, not a new empty file.
            guard access(store, F_OK) == 0 else {
                throw StoreError("\(store): no such store; make one with `screenpop import` or `screenpop sync`")
            }
            let opened = try SQLiteAccountStore(path: store)
            guard let stored = try await opened.loadOnlyAccount(suffixFallback: suffixFallback) else {
                throw StoreError("\(store): the store holds no account; fill it with `screenpop import`")
            }
            return Loaded(
                data: stored.data, names: stored.entityNames, users: stored.users.map(\.id), origin: store)
        }
        let directory = account ?? ""
        let loaded = try await AccountDirectory.load(
            directory, options: AccountDirectory.Options(suffixFallback: suffixFallback, progress: progress))
        return Loaded(data: loaded.data, names: loaded.entityNames, users: loaded.users.map(\.id), origin: directory)
    }
}
