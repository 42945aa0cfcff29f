import AccountIndex

/// An account loaded from a directory: ``data`` for the index, and what amoCRM's data has besides.
public struct LoadedAccount: Sendable {
    /// Entities, links and settings: what ``AccountIndex/init(building:)`` takes. One entity per id;
    /// a link listed from both sides is listed twice (the index keeps one).
    public var data: AccountData
    /// What amoCRM says of each entity beyond what the index needs (names, responsible users,
    /// times, pipelines, prices), in the order of ``data``'s arrays.
    public var details: AccountDetails
    /// The account object of `account.json`.
    public var account: AccountObject
    /// The account's users (`GET /api/v4/users`), one per id.
    public var users: [AccountUser]
    /// The customer statuses (`GET /api/v4/customers/statuses`), one per id.
    public var customerStatuses: [CustomerStatus]
    /// The lead pipelines with their statuses (`GET /api/v4/leads/pipelines`), one per id.
    public var pipelines: [LeadPipeline] = []
    /// What was read.
    public var summary: LoadSummary

    /// The names of the entities, for notifications (`EntityNames` in `CallEvents`).
    public var entityNames: [(EntityRef, String)] { details.names(of: data) }

    /// Builds the index of ``data``, parsing stored numbers on `parallelism` tasks.
    public func buildIndex(parallelism: Int = AccountDirectory.processorCount) async -> AccountIndex {
        await AccountIndex.building(data, parallelism: parallelism)
    }
}

/// What a load read.
public struct LoadSummary: Hashable, Sendable, CustomStringConvertible {
    /// `.json` files read, `account.json` included.
    public var files = 0
    /// Their total size.
    public var bytes = 0
    /// Page objects read.
    public var pages = 0
    /// Links as listed (both sides of a link count).
    public var links = 0
    /// Entities, users, statuses and pipelines dropped because another with the same id was newer.
    public var duplicatesReplaced = 0
    /// Statuses of lead pipelines found alone under a page's `_embedded.statuses`
    /// (`GET /api/v4/leads/pipelines/{id}/statuses`), which are not customer statuses; the
    /// statuses a pipeline lists under its own `_embedded` are read with it.
    public var leadStatusesSkipped = 0
    /// Keys of pages' `_embedded` that the loader does not read (`tags`...).
    public var ignoredEmbeddedKeys: [String] = []
    /// Wall-clock time of the load.
    public var seconds = 0.0

    /// Megabytes (10^6 bytes) a second.
    public var megabytesPerSecond: Double { seconds > 0 ? Double(bytes) / 1e6 / seconds : 0 }

    public var description: String {
        "\(files) files, \(pages) pages, \(bytes) bytes in \(ProgressLine.format(seconds)) s "
            + "(\(ProgressLine.format(megabytesPerSecond)) MB/s); \(links) links listed, "
            + "\(duplicatesReplaced) duplicates replaced"
    }
}
