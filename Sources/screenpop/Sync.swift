import AccountIndex
import AccountSync
import AmoCRMClient
import ArgumentParser
import ScreenPopStore
import ScreenPopSupport
import Synchronization

/// `screenpop sync`: the account from amoCRM's API v4 into the store (docs/cli.md).
struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read the account from amoCRM's API v4 into the store.",
        discussion: """
            The first run lists every entity (contacts, companies, leads, customers with their links, users, \
            customer statuses, the account's settings) page by page into the store (a SQLite file, created if \
            absent); interrupted, the next run goes on from the page after the last one stored. Later runs \
            read only what changed since the last run, and reconcile (list everything again to find \
            deletions and unlinks) when the last reconciliation is older than --reconcile seconds. \
            Credentials: SCREENPOP_AMOCRM_TOKEN (a long-lived token) or --amocrm-token-file, or the OAuth \
            variables SCREENPOP_AMOCRM_CLIENT_ID, _CLIENT_SECRET, _REFRESH_TOKEN and _REDIRECT_URI. Progress \
            goes to standard error; one line of JSON with what was done to standard output.
            """
    )

    @Option(
        help: ArgumentHelp(
            "The store: a SQLite file, created if absent, or postgres://USER@HOST:PORT/DB.", valueName: "URL"))
    var store: String

    @Option(help: ArgumentHelp("The account, when the store holds several.", valueName: "N"))
    var accountID: Int?

    @OptionGroup var amocrm: AmoCRMOptions

    @Option(
        help: ArgumentHelp(
            "Reconcile when the last reconciliation is older than this many seconds (0: every run).",
            valueName: "SECONDS"))
    var reconcile = 86_400

    func validate() throws {
        guard amocrm.amocrm != nil else { throw ValidationError("Give amoCRM's base URL: --amocrm URL.") }
        guard reconcile >= 0 else { throw ValidationError("--reconcile must not be negative.") }
    }

    func run() async throws {
        do {
            try await StoreLocation.with(store, create: true) { opened in
                var accountID = self.accountID
                if accountID == nil { accountID = try await Self.onlyAccount(of: opened) }
                let client = try await amocrm.client(store: opened, accountID: accountID)
                if accountID == nil {
                    guard let account = try await client.accountObject().account, let id = account.id else {
                        throw CLIError("amoCRM's GET /api/v4/account gave no account id")
                    }
                    accountID = id
                    // A pair refreshed before the id was known moves to the account.
                    let early = try await opened.syncState(accountID: 0)
                    if let access = early[SyncStateKey.oauthAccessToken], let refresh = early[SyncStateKey.oauthRefreshToken] {
                        _ = try await opened.apply(
                            [StoreBatch(syncState: [SyncStateKey.oauthAccessToken: access, SyncStateKey.oauthRefreshToken: refresh])],
                            accountID: id)
                    }
                }
                let id = accountID!
                let before = try await opened.entityCounts(accountID: id).values.reduce(0, +)
                let display = SyncProgressDisplay(expected: before)
                let syncer = AccountSyncer(
                    client: client, store: opened, sink: StoreSink(store: opened, accountID: id), accountID: id,
                    progress: { display.show($0) })
                let state = try await opened.syncState(accountID: id)
                var mode: String
                var report: ListingReport
                if AccountSyncer.isListingInProgress(state) || state[SyncStateKey.pollFrom] == nil {
                    mode = "full"
                    report = try await syncer.fullListing()
                } else {
                    mode = "incremental"
                    report = try await syncer.poll()
                    if AccountSyncer.isListingDue(state, reconcileSeconds: reconcile, now: syncer.now()) {
                        mode = "incremental+reconcile"
                        let listing = try await syncer.fullListing()
                        report.entities += listing.entities
                        report.pages += listing.pages
                        report.deleted += listing.deleted
                    }
                }
                display.finish()
                let counts = try await opened.entityCounts(accountID: id)
                var output = OutputBuffer()
                output.beginObject()
                output.field("account_id", id)
                output.field("mode", mode)
                output.field("resumed", report.resumed)
                output.field("entities_read", report.entities)
                output.field("pages", report.pages)
                output.field("deleted", report.deleted)
                output.field("contacts", counts[.contact] ?? 0)
                output.field("companies", counts[.company] ?? 0)
                output.field("leads", counts[.lead] ?? 0)
                output.field("customers", counts[.customer] ?? 0)
                output.field("store", StoreLocation.redacted(store))
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

extension Sync {
    /// The store's only account; nil when it has none (a first sync).
    static func onlyAccount(of store: any AccountStore) async throws -> Int? {
        let ids = try await store.accountIDs()
        guard ids.count <= 1 else {
            throw CLIError("the store holds \(ids.count) accounts (\(ids.map(String.init).joined(separator: ", "))); name one with --account-id")
        }
        return ids.first
    }
}

/// Progress on standard error: a line redrawn in place on a terminal (counts, rate, and an ETA
/// when an earlier sync tells how many entities to expect), a line every five seconds otherwise.
final class SyncProgressDisplay: Sendable {
    private struct State {
        var lastShown: ContinuousClock.Instant?
        var shownOnTerminal = false
    }

    private let expected: Int
    private let start = ContinuousClock.now
    private let isTerminal = isatty(2) == 1
    private let state = Mutex(State())

    init(expected: Int) {
        self.expected = expected
    }

    func show(_ progress: SyncProgress) {
        let now = ContinuousClock.now
        let line: String? = state.withLock { state in
            let every: Duration = isTerminal ? .milliseconds(200) : .seconds(5)
            if let last = state.lastShown, now - last < every, progress.phase != .done { return nil }
            state.lastShown = now
            let seconds = max(0.001, Self.seconds(now - start))
            let rate = Double(progress.entities) / seconds
            var text = "sync: \(progress.phase.rawValue)"
            if let kind = progress.kind { text += " \(kind)s" }
            text += ", \(progress.entities) entities, \(progress.pages) pages, \(Int(rate))/s"
            if expected > progress.entities, rate > 0 {
                let remaining = Int(Double(expected - progress.entities) / rate)
                let filled = min(20, progress.entities * 20 / max(1, expected))
                text = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 20 - filled) + "] "
                    + text + ", ETA \(remaining / 60)m\(remaining % 60)s"
            }
            if isTerminal {
                state.shownOnTerminal = true
                return "\r\u{1B}[2K" + text
            }
            return text + "\n"
        }
        if let line { StandardError.write(line) }
    }

    func finish() {
        if state.withLock({ $0.shownOnTerminal }) { StandardError.write("\r\u{1B}[2K") }
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
