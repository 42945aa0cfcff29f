import AccountIndex
import AccountSync
import AmoCRMClient
import AmoCRM
import ArgumentParser
import CallEvents
import Logging
import ScreenPopServer
import ScreenPopStore
import ScreenPopSupport

/// `screenpop serve`: the call-notification server on an account directory (docs/events-api.md).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve amoCRM's call-notification API (POST /api/v2/events) and live streams for an account.",
        discussion: """
            Loads the account (a directory of amoCRM API v4 JSON pages, docs/amocrm.md, or a store made by \
            `screenpop import`) and serves \
            POST /api/v2/events and GET /api/v2/events/stream?user_id=N. Every request needs \
            "Authorization: Bearer <token>"; the token comes from the environment variable SCREENPOP_API_TOKEN, \
            or else from the file api-token in the account directory (a store: the variable only). The server \
            does not start without one. \
            With a store the account is live: amoCRM's webhooks are taken at POST /amocrm/webhooks/<secret> \
            (the secret from SCREENPOP_WEBHOOK_SECRET), and with --amocrm the server polls amoCRM every --poll \
            seconds, reconciles every --reconcile seconds and reads back what webhooks do not carry \
            (docs/live-account.md); GET /api/v2/sync/status tells how that goes. \
            SIGINT or SIGTERM shut it down gracefully: requests in flight finish, streams end.
            """
    )

    @OptionGroup var source: AccountSource

    @OptionGroup var amocrm: AmoCRMOptions

    @Option(help: ArgumentHelp("With --amocrm: seconds between two polls of amoCRM.", valueName: "SECONDS"))
    var poll = 60

    @Option(help: ArgumentHelp("With --amocrm: seconds between two reconciliations.", valueName: "SECONDS"))
    var reconcile = 86_400

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0 for any free port).")
    var port = 8080

    @Option(help: ArgumentHelp("How often live streams get a heartbeat, in seconds.", valueName: "SECONDS"))
    var heartbeat = 15

    @Option(help: ArgumentHelp("Notifications kept per user for Last-Event-ID replay.", valueName: "N"))
    var replay = 256

    @Option(help: ArgumentHelp("Bytes of notifications kept per user for replay.", valueName: "BYTES"))
    var replayBytes = 128 << 10

    @Option(help: ArgumentHelp("Live streams one user may have open at once.", valueName: "N"))
    var maxStreamsPerUser = 8

    @Option(help: ArgumentHelp("Live streams open at once in all.", valueName: "N"))
    var maxStreams = 10_000

    @Option(
        help: ArgumentHelp(
            "Bytes that may wait to be sent on one stream before it is closed.", valueName: "BYTES"))
    var streamQueueBytes = 64 << 10

    @Option(help: ArgumentHelp("Seconds a client has to send a whole request head.", valueName: "SECONDS"))
    var headTimeout = 30

    @Option(help: ArgumentHelp("Seconds a client has to send a whole request body.", valueName: "SECONDS"))
    var bodyTimeout = 120

    @Option(help: ArgumentHelp("Seconds an idle keep-alive connection stays open.", valueName: "SECONDS"))
    var idleTimeout = 75

    @Option(help: ArgumentHelp("Connections open at once; more are refused with 503.", valueName: "N"))
    var maxConnections = 10_000

    @Option(help: "The log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    @Option(
        help: ArgumentHelp(
            "The language of an unknown caller's place and carrier in notifications (en, ru, de...); "
                + "by default ru for an account in Russia, Belarus, Kazakhstan or Kyrgyzstan, else en.",
            valueName: "LANG"))
    var language: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535.") }
        guard heartbeat > 0 else { throw ValidationError("--heartbeat must be positive.") }
        guard replay > 0 else { throw ValidationError("--replay must be positive.") }
        guard poll > 0, reconcile > 0 else { throw ValidationError("--poll and --reconcile must be positive.") }
        if amocrm.amocrm != nil && source.store == nil {
            throw ValidationError("--amocrm needs --store: a live account is kept in a store.")
        }
        for (name, value) in [
            ("--replay-bytes", replayBytes), ("--max-streams-per-user", maxStreamsPerUser), ("--max-streams", maxStreams),
            ("--stream-queue-bytes", streamQueueBytes), ("--head-timeout", headTimeout),
            ("--body-timeout", bodyTimeout), ("--idle-timeout", idleTimeout), ("--max-connections", maxConnections),
        ] where value <= 0 {
            throw ValidationError("\(name) must be positive.")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical.")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in ServerLogHandler(label: label, logLevel: level) }
        var logger = Logger(label: "screenpop")
        logger.logLevel = level

        let token: APIToken
        do {
            var environment: [String: String] = [:]
            if let value = getenv(APIToken.environmentVariable) {
                environment[APIToken.environmentVariable] = String(cString: value)
            }
            token = try APIToken.load(environment: environment, accountDirectory: source.account)
        } catch {
            Self.report("\(error)")
            throw ExitCode.failure
        }
        let openFiles = OpenFileLimit.raiseToHardLimit()
        if let openFiles, openFiles < maxConnections + 64 {
            logger.warning(
                "the open-file limit is below --max-connections: connections beyond it fail to be accepted",
                metadata: ["open_files": "\(openFiles)", "max_connections": "\(maxConnections)"])
        }
        var configuration = ServerConfiguration(
            host: host, port: port, apiToken: token, heartbeatInterval: .seconds(heartbeat),
            streams: StreamLimits(
                replayCount: replay, replayBytes: replayBytes, streamsPerUser: maxStreamsPerUser,
                streams: maxStreams, streamQueueBytes: streamQueueBytes),
            timeouts: ConnectionTimeouts(
                head: .seconds(headTimeout), body: .seconds(bodyTimeout), idle: .seconds(idleTimeout)),
            maxConnections: maxConnections)
        if let store = source.store {
            try await serveLive(store: store, configuration: &configuration, logger: logger)
            return
        }
        let loaded: AccountSource.Loaded
        do {
            loaded = try await source.load(suffixFallback: SuffixFallback())
        } catch {
            Self.report("\(error)")
            throw ExitCode.failure
        }
        let index = await AccountIndex.building(loaded.data, parallelism: AccountDirectory.processorCount)
        let users = loaded.users
        logger.info(
            "account loaded",
            metadata: [
                "account": "\(loaded.origin)", "contacts": "\(loaded.data.contacts.count)",
                "companies": "\(loaded.data.companies.count)", "leads": "\(loaded.data.leads.count)",
                "customers": "\(loaded.data.customers.count)", "users": "\(users.count)", "token": "\(token)",
            ])
        if users.isEmpty {
            logger.warning("the account has no users: events without users notify nobody, and named users are refused")
        }
        var events = CallEventsConfiguration(users: users, names: EntityNames(loaded.names))
        events.describeCaller = CallerDescriber.describe(
            language: language ?? CallerDescriber.language(forAccountRegion: loaded.data.settings.defaultRegion))
        let server = ScreenPopServer(index: index, events: events, configuration: configuration, logger: logger)
        try await server.application().runService()
        logger.info("stopped")
    }

    /// Serves a live account from the store: webhooks, and with --amocrm polling, reconciliation
    /// and re-reads, all committed to the store before the index and the names see them.
    private func serveLive(store path: String, configuration: inout ServerConfiguration, logger: Logger) async throws {
        let start = ContinuousClock.now
        let live: LiveAccount
        let syncer: AccountSyncer?
        do {
            (live, syncer) = try await openLive(store: path, logger: logger)
        } catch {
            Self.report("\(error)")
            throw ExitCode.failure
        }
        if let secret = AmoCRMOptions.environment(Webhooks.secretVariable) {
            configuration.webhookSecret = APIToken(secret)
        } else {
            logger.warning("no \(Webhooks.secretVariable): amoCRM's webhooks are not taken")
        }
        let counts = live.index.snapshot.counts
        logger.info(
            "account loaded",
            metadata: [
                "account": "\(path)", "account_id": "\(live.accountID)", "contacts": "\(counts.contacts)",
                "companies": "\(counts.companies)", "leads": "\(counts.leads)", "customers": "\(counts.customers)",
                "users": "\(live.roster.users.ids.count)", "token": "\(configuration.apiToken)",
                "seconds": "\(ContinuousClock.now - start)",
                "amocrm": "\(syncer?.client.configuration.baseURL ?? "none")",
            ])
        let feed = LiveFeed(account: live, syncer: syncer, logger: logger)
        var events = CallEventsConfiguration(roster: live.roster)
        events.describeCaller = CallerDescriber.describe(
            language: language ?? CallerDescriber.language(forAccountRegion: live.index.snapshot.settings.defaultRegion))
        let server = ScreenPopServer(
            index: live.index, events: events, configuration: configuration, feed: feed, logger: logger)
        let hub = server.hub
        live.observe { changes in
            if changes.usersChanged { hub.setUsers(live.roster.users.ids) }
        }
        let poll = poll
        let reconcile = reconcile
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await feed.run(poll: .seconds(poll), reconcile: .seconds(reconcile)) }
            try await server.application().runService()
            group.cancelAll()
        }
        logger.info("stopped")
    }

    /// The store's account, first read whole from amoCRM when the store is empty and --amocrm is
    /// given; and the syncer that keeps it current (nil without --amocrm).
    private func openLive(store path: String, logger: Logger) async throws -> (LiveAccount, AccountSyncer?) {
        guard amocrm.amocrm != nil || access(path, F_OK) == 0 else {
            throw CLIError("\(path): no such store; make one with `screenpop import` or `screenpop sync`, or give --amocrm")
        }
        let store = try SQLiteAccountStore(path: path)
        var accountID = try await store.accountIDs().first
        var client: AmoCRMClient?
        if amocrm.amocrm != nil {
            let made = try await amocrm.client(store: store, accountID: accountID)
            client = made
            if let id = accountID, Self.isFirstListingUnfinished(try await store.syncState(accountID: id)) {
                // A first listing that was interrupted (the process killed): the store holds a part of
                // the account. It is finished before anything is served, as on an empty store.
                logger.info("the first listing of the account was interrupted: finishing it before serving")
                let first = AccountSyncer(
                    client: made, store: store, sink: StoreSink(store: store, accountID: id), accountID: id)
                try await first.fullListing()
            } else if accountID == nil {
                // An empty store: the first listing, before anything can be served.
                guard let id = try await made.accountObject().account?.id else {
                    throw CLIError("amoCRM's GET /api/v4/account gave no account id")
                }
                logger.info("the store is empty: reading the whole account from amoCRM first")
                let first = AccountSyncer(
                    client: made, store: store, sink: StoreSink(store: store, accountID: id), accountID: id)
                try await first.fullListing()
                accountID = id
            }
        }
        guard let accountID else {
            throw CLIError("\(path): the store holds no account; fill it with `screenpop import` or `screenpop sync`")
        }
        if client == nil, Self.isFirstListingUnfinished(try await store.syncState(accountID: accountID)) {
            let advice = "finish it with `screenpop sync`, or serve with --amocrm"
            logger.warning("the store holds part of the account: its first listing was interrupted; \(advice)")
        }
        let live = try await LiveAccount.open(store: store, accountID: accountID)
        return (live, client.map { AccountSyncer(client: $0, store: store, sink: live, accountID: live.accountID) })
    }

    /// Whether the store's account comes from a first listing still in progress: part of it is
    /// missing. (A later listing in progress, a reconciliation, leaves the previous one whole; an
    /// imported account has no listing.)
    static func isFirstListingUnfinished(_ state: [String: String]) -> Bool {
        AccountSyncer.isListingInProgress(state) && (state[SyncStateKey.lastListingRun] ?? "").isEmpty
    }

    /// Says why on standard error; the caller then exits with a failure.
    private static func report(_ message: String) {
        StandardError.write("screenpop: error: \(message)\n")
    }
}
