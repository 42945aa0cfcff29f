import AccountIndex
import AccountSync
import AmoCRMClient
import AmoCRM
import ArgumentParser
import CallEvents
import Logging
import Metrics
import Prometheus
import ScreenPopServer
import ScreenPopStore
import ScreenPopSupport
import ServiceLifecycle

/// `screenpop serve`: the call-notification server on an account directory (docs/events-api.md).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve amoCRM's call-notification API (POST /api/v2/events) and live streams for an account.",
        discussion: """
            Loads the account (a directory of amoCRM API v4 JSON pages, docs/amocrm.md, or a store made by \
            `screenpop import`) and serves \
            POST /api/v2/events and GET /api/v2/events/stream?user_id=N. Every request needs \
            "Authorization: Bearer <token>"; the token comes from the environment variable SCREENPOP_API_TOKEN, \
            or else from the file api-token in the account directory. A store may hold many accounts: each \
            request's token selects its account (`screenpop accounts add` makes them), loaded on its first \
            request and unloaded beyond --max-memory; the variable selects a store's only account. The server \
            does not start without a token. On PostgreSQL (--store postgres://...) several instances serve the \
            same accounts (docs/live-account.md). \
            With a store the account is live: amoCRM's webhooks are taken at POST /amocrm/webhooks/<secret> \
            (the secret from SCREENPOP_WEBHOOK_SECRET), and with --amocrm the server polls amoCRM every --poll \
            seconds, reconciles every --reconcile seconds and reads back what webhooks do not carry \
            (docs/live-account.md); GET /api/v2/sync/status tells how that goes. \
            GET /healthz says the process answers; GET /readyz (with the token) whether the token's account is \
            served and its sync within --max-sync-lag; GET /metrics (with the token) the server's metrics in \
            Prometheus' text format. \
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

    @Option(
        help: ArgumentHelp(
            "The largest request head, in bytes of method, target, header names and values (at most 65536); "
                + "a larger one gets 431 and its connection is closed.",
            valueName: "BYTES"))
    var maxHeadBytes = 16 << 10

    @Option(
        name: .customLong("max-url-bytes"),
        help: ArgumentHelp(
            "The longest request target (path and query), in bytes; a longer one gets 414 and its connection "
                + "is closed.",
            valueName: "BYTES"))
    var maxURLBytes = 8 << 10

    @Option(
        help: ArgumentHelp(
            "The largest webhook body (POST /amocrm/webhooks/<secret>), in bytes; a larger one gets 413.",
            valueName: "BYTES"))
    var maxWebhookBytes = 4 << 20

    @Option(
        help: ArgumentHelp(
            "Refused credentials (wrong or missing tokens, forged tickets, wrong webhook secrets) a minute "
                + "allowed to one address and to one credential, after --refusal-burst; beyond it refusals are "
                + "answered 429 after a second. 0 turns the limit off.",
            valueName: "N"))
    var maxRefusalsPerMinute = 30

    @Option(help: ArgumentHelp("Refused credentials allowed in a row before the rate applies.", valueName: "N"))
    var refusalBurst = 30

    @Option(
        help: ArgumentHelp(
            "Addresses and credentials whose refusals are tracked at once; the least recently refused is "
                + "forgotten beyond it.",
            valueName: "N"))
    var maxTrackedClients = 10_000

    @Option(
        help: ArgumentHelp(
            "With --store: the memory the loaded accounts' indexes may hold, in bytes (by estimate); the least "
                + "recently used account without open streams is unloaded beyond it. Unlimited by default.",
            valueName: "BYTES"))
    var maxMemory: Int?

    @Option(
        help: ArgumentHelp(
            "Seconds a stream ticket lives when its request does not say (at most 86400). Tickets are signed "
                + "with \(StreamTicketSigner.environmentVariable) when set, else with a key kept in the store "
                + "(shared by every instance on it), else (--account) with a key made at start.",
            valueName: "SECONDS"))
    var ticketLifetime = 43_200

    @Option(
        help: ArgumentHelp(
            "With --amocrm: how long the sync may go without success before GET /readyz answers 503, in seconds; "
                + "300 by default, or three polls when --poll is longer.",
            valueName: "SECONDS"))
    var maxSyncLag: Int?

    @Option(
        help: ArgumentHelp(
            "Also serve GET /healthz, /readyz (the whole server's) and /metrics without a token on this "
                + "address, for monitoring only (e.g. 127.0.0.1:9090).",
            valueName: "HOST:PORT"))
    var metricsAddress: String?

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
        guard (1...86_400).contains(ticketLifetime) else {
            throw ValidationError("--ticket-lifetime must be between 1 and 86400 seconds.")
        }
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
            ("--max-head-bytes", maxHeadBytes), ("--max-url-bytes", maxURLBytes),
            ("--max-webhook-bytes", maxWebhookBytes), ("--refusal-burst", refusalBurst),
            ("--max-tracked-clients", maxTrackedClients),
        ] where value <= 0 {
            throw ValidationError("\(name) must be positive.")
        }
        guard maxHeadBytes <= Self.maximumHeadBytes else {
            throw ValidationError(
                "--max-head-bytes must be at most \(Self.maximumHeadBytes): the HTTP decoder refuses heads over "
                    + "80 KiB itself, with a bare 400.")
        }
        guard maxRefusalsPerMinute >= 0 else {
            throw ValidationError("--max-refusals-per-minute must be 0 (no limit) or positive.")
        }
        if let maxMemory, maxMemory <= 0 { throw ValidationError("--max-memory must be positive.") }
        if let maxSyncLag, maxSyncLag <= 0 { throw ValidationError("--max-sync-lag must be positive.") }
        if let metricsAddress, Self.hostAndPort(metricsAddress) == nil {
            throw ValidationError(
                "--metrics-address must be HOST:PORT with a port between 0 and 65535 (127.0.0.1:9090, [::1]:9090), "
                    + "not \"\(metricsAddress)\".")
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

        var environment: [String: String] = [:]
        if let value = getenv(APIToken.environmentVariable) {
            environment[APIToken.environmentVariable] = String(cString: value)
        }
        // A store may register its accounts' tokens; the environment's then selects its only account.
        let token: APIToken?
        do {
            token = try APIToken.load(environment: environment, accountDirectory: source.account)
        } catch {
            if source.store == nil {
                Self.report("\(error)")
                throw ExitCode.failure
            }
            token = nil
        }
        let openFiles = OpenFileLimit.raiseToHardLimit()
        if let openFiles, openFiles < maxConnections + 64 {
            logger.warning(
                "the open-file limit is below --max-connections: connections beyond it fail to be accepted",
                metadata: ["open_files": "\(openFiles)", "max_connections": "\(maxConnections)"])
        }
        var configuration = ServerConfiguration(
            host: host, port: port, heartbeatInterval: .seconds(heartbeat),
            streams: StreamLimits(
                replayCount: replay, replayBytes: replayBytes, streamsPerUser: maxStreamsPerUser,
                streams: maxStreams, streamQueueBytes: streamQueueBytes),
            timeouts: ConnectionTimeouts(
                head: .seconds(headTimeout), body: .seconds(bodyTimeout), idle: .seconds(idleTimeout)),
            maxConnections: maxConnections, maxMemoryBytes: maxMemory)
        configuration.apiToken = token
        applyRequestLimits(to: &configuration)
        configuration.tickets.defaultLifetime = .seconds(ticketLifetime)
        do {
            configuration.tickets.key = try Self.environmentTicketKey()
        } catch {
            Self.report("\(error)")
            throw ExitCode.failure
        }
        configuration.maxSyncLag = .seconds(maxSyncLag ?? max(300, 3 * poll))
        // One registry for the server's metrics and for any library's swift-metrics: one /metrics.
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        configuration.metricsRegistry = registry
        if let store = source.store {
            try await serveStore(store, configuration: configuration, logger: logger)
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
                "customers": "\(loaded.data.customers.count)", "users": "\(users.count)",
                "token": "\(token.map { "\($0)" } ?? "none")",
                // Counted from the index's own slabs (IndexMemoryReport), not read from the process.
                "index_mib": "\(index.snapshot.memory.totalBytes >> 20)",
            ])
        if users.isEmpty {
            logger.warning("the account has no users: events without users notify nobody, and named users are refused")
        }
        var events = CallEventsConfiguration(roster: loaded.roster())
        events.describeCaller = CallerDescriber.describe(
            language: language ?? CallerDescriber.language(forAccountRegion: loaded.data.settings.defaultRegion))
        let server = ScreenPopServer(index: index, events: events, configuration: configuration, logger: logger)
        try await Self.listening(configuration) { try await run(server, logger: logger) }
        logger.info("stopped")
    }

    /// The largest `--max-head-bytes`.
    static let maximumHeadBytes = 64 << 10

    /// The limits of requests' heads, of webhook bodies and of refused credentials, as the options say.
    func applyRequestLimits(to configuration: inout ServerConfiguration) {
        configuration.maxHeadBytes = maxHeadBytes
        configuration.maxURLBytes = maxURLBytes
        configuration.maxWebhookBytes = maxWebhookBytes
        configuration.refusals.perMinute = maxRefusalsPerMinute
        configuration.refusals.burst = refusalBurst
        configuration.refusals.trackedKeys = maxTrackedClients
    }

    /// The stream tickets' key from the environment, nil when it is not set.
    ///
    /// - Throws: ``CLIError`` when it is shorter than 32 bytes: a short key would be guessable.
    static func environmentTicketKey() throws -> [UInt8]? {
        guard let value = AmoCRMOptions.environment(StreamTicketSigner.environmentVariable) else { return nil }
        let key = Array(value.utf8)
        guard key.count >= StreamTicketSigner.minimumKeyBytes else {
            throw CLIError(
                "\(StreamTicketSigner.environmentVariable) has \(key.count) bytes; a stream ticket key needs at least "
                    + "\(StreamTicketSigner.minimumKeyBytes) (e.g. `openssl rand -hex 32`)")
        }
        return key
    }

    /// Serves the store's accounts: each request's token (each webhook's secret) selects its
    /// account, loaded on its first request and kept current by webhooks and, with amoCRM's
    /// credentials, polling (docs/live-account.md). On PostgreSQL, several instances share the
    /// store: they follow each other's changes, relay calls to each other's streams and take
    /// turns at polling.
    private func serveStore(_ location: String, configuration: ServerConfiguration, logger: Logger) async throws {
        let store: any AccountStore
        do {
            store = try await StoreLocation.open(location, create: amocrm.amocrm != nil, logger: logger)
        } catch {
            // Without a token the store had to supply them: say both.
            Self.report(configuration.apiToken == nil ? "\(Self.noToken) (and the store cannot be opened: \(error))" : "\(error)")
            throw ExitCode.failure
        }
        do {
            try await serveStore(store, location: location, configuration: configuration, logger: logger)
        } catch {
            await StoreLocation.close(store)
            if !(error is ExitCode) { Self.report("\(error)") }
            throw ExitCode.failure
        }
        await StoreLocation.close(store)
    }

    static let noToken = "no API token: set \(APIToken.environmentVariable), or register accounts with `screenpop accounts add`"

    private func serveStore(
        _ store: any AccountStore, location: String, configuration: ServerConfiguration, logger: Logger
    ) async throws {
        // One account served as before: a first listing when the store is empty and --amocrm is given.
        if amocrm.amocrm != nil { try await finishFirstListing(store, logger: logger) }
        let cluster = SharedStoreCluster(store: store, logger: logger)
        var options = StoreAccountProvider.Options()
        options.poll = .seconds(poll)
        options.reconcile = .seconds(reconcile)
        let language = language
        options.describer = { region in
            CallerDescriber.describe(language: language ?? CallerDescriber.language(forAccountRegion: region))
        }
        let amocrm = amocrm
        options.client = { accountID, registration in
            if let url = registration?.amocrmURL {
                var options = amocrm
                options.amocrm = url
                return try await options.client(store: store, accountID: accountID)
            }
            // `serve --amocrm` syncs the store's one account, with the environment's credentials.
            guard amocrm.amocrm != nil, try await store.accountIDs() == [accountID] else { return nil }
            return try await amocrm.client(store: store, accountID: accountID)
        }
        options.leadership = cluster.leadership
        options.changesRefused = { cluster.changesRefused }
        options.environmentTokenHash = configuration.apiToken?.sha256
        if let secret = AmoCRMOptions.environment(Webhooks.secretVariable) {
            options.environmentSecretHash = AccountSecret.sha256(secret)
        }
        let provider = StoreAccountProvider(store: store, options: options, logger: logger)
        try await provider.refreshCredentials()
        let registered = try await store.registrations().count
        guard registered > 0 || configuration.apiToken != nil else { throw CLIError(Self.noToken) }
        if configuration.apiToken != nil, provider.onlyAccountID == nil {
            let count = try await store.accountIDs().count
            logger.warning(
                "\(APIToken.environmentVariable) selects an account only when the store holds exactly one",
                metadata: ["accounts": "\(count)"])
        }
        if options.environmentSecretHash == nil && registered == 0 {
            logger.warning("no \(Webhooks.secretVariable): amoCRM's webhooks are not taken")
        }
        var configuration = configuration
        if configuration.tickets.key == nil {
            // Every instance on the store signs with the same key, so a ticket works on any of them.
            configuration.tickets.key = try await store.serverSecret(
                named: StreamTicketSigner.storeSecretName, orMake: StreamTicketSigner.randomKey)
        }
        let server = ScreenPopServer(
            accounts: provider, configuration: configuration, relay: cluster.relay,
            readiness: { cluster.readiness }, logger: logger)
        let accounts = server.accounts
        provider.onUsersChanged { accountID, users in _ = accounts.setUsers(users, accountID: accountID) }
        provider.onRemoved { accountID in Task { await accounts.unload(accountID: accountID) } }
        logger.info(
            "store opened",
            metadata: [
                "store": "\(StoreLocation.redacted(location))", "registered_accounts": "\(registered)",
                "shared": "\(cluster.isShared)",
            ])
        // The store's only account is served from the start, as a server of one account always was.
        if let only = provider.onlyAccountID {
            try await server.accounts.preload(accountID: only)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await cluster.follow(provider: provider, server: server) }
            group.addTask { await provider.keepCredentialsFresh(every: .seconds(2)) }
            try await Self.listening(configuration) { try await run(server, logger: logger) }
            group.cancelAll()
        }
        logger.info("stopped")
    }

    /// With --amocrm, the store's one account is read whole before anything is served: when the
    /// store is empty, or its first listing was interrupted (the process killed).
    private func finishFirstListing(_ store: any AccountStore, logger: Logger) async throws {
        let ids = try await store.accountIDs()
        guard ids.count <= 1 else { return }
        if let id = ids.first {
            guard Self.isFirstListingUnfinished(try await store.syncState(accountID: id)) else { return }
            logger.info("the first listing of the account was interrupted: finishing it before serving")
            let client = try await amocrm.client(store: store, accountID: id)
            try await AccountSyncer(client: client, store: store, sink: StoreSink(store: store, accountID: id), accountID: id)
                .fullListing()
            return
        }
        guard try await store.registrations().isEmpty else { return }
        let client = try await amocrm.client(store: store, accountID: nil)
        guard let id = try await client.accountObject().account?.id else {
            throw CLIError("amoCRM's GET /api/v4/account gave no account id")
        }
        logger.info("the store is empty: reading the whole account from amoCRM first")
        try await AccountSyncer(client: client, store: store, sink: StoreSink(store: store, accountID: id), accountID: id)
            .fullListing()
    }

    /// Whether the store's account comes from a first listing still in progress: part of it is
    /// missing. (A later listing in progress, a reconciliation, leaves the previous one whole; an
    /// imported account has no listing.)
    static func isFirstListingUnfinished(_ state: [String: String]) -> Bool {
        AccountSyncer.isListingInProgress(state) && (state[SyncStateKey.lastListingRun] ?? "").isEmpty
    }

    /// Runs the server, and the monitoring listener with `--metrics-address`, until SIGINT or
    /// SIGTERM shuts both down gracefully.
    private func run(_ server: ScreenPopServer, logger: Logger) async throws {
        guard let metricsAddress, let (host, port) = Self.hostAndPort(metricsAddress) else {
            try await server.application().runService()
            return
        }
        let monitoring = MonitoringListener(
            application: server.monitoringApplication(host: host, port: port), address: metricsAddress)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [server.application(), monitoring], gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }

    /// The monitoring listener, whose bind failure names its own option rather than `--port`.
    struct MonitoringListener: Service {
        let application: any Service
        let address: String

        func run() async throws {
            do {
                try await application.run()
            } catch {
                // ListenFailure knows which bind errors a person can fix; its advice names --port.
                guard let failure = ListenFailure(error, host: "", port: 0) else { throw error }
                let what = failure.reason.split(separator: ";").first.map(String.init) ?? failure.reason
                throw MonitoringListenFailure(description: "cannot listen on --metrics-address \(address): \(what)")
            }
        }
    }

    /// `HOST:PORT` (`[IPv6]:PORT` too) as a host and a port; nil when it is not that.
    static func hostAndPort(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = text[..<colon]
        if host.hasPrefix("[") && host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }) else { return nil }
        return (String(host), port)
    }

    /// Runs the server; an address it cannot listen on (in use, say) is told in one line that names
    /// it and the option that changes it, and the command fails.
    private static func listening(
        _ configuration: ServerConfiguration, _ run: () async throws -> Void
    ) async throws {
        do {
            try await run()
        } catch let failure as MonitoringListenFailure {
            report("\(failure)")
            throw ExitCode.failure
        } catch {
            guard let failure = ListenFailure(error, host: configuration.host, port: configuration.port) else {
                throw error
            }
            report("\(failure)")
            throw ExitCode.failure
        }
    }

    /// Says why on standard error; the caller then exits with a failure.
    private static func report(_ message: String) {
        StandardError.write("screenpop: error: \(message)\n")
    }
}

/// The monitoring listener (`--metrics-address`) could not listen: its address and why.
struct MonitoringListenFailure: Error, CustomStringConvertible {
    let description: String
}
