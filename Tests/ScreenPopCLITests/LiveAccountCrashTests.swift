import AccountIndex
import AccountSync
import AccountSynthesis
import AmoCRM
import AmoCRMStandIn
import Foundation
import ScreenPopStore
import Synchronization
import Testing

/// `kill -9` of the real binary while it syncs with amoCRM's stand-in, and while it takes a burst
/// of webhooks: the store opens afterwards, the sync goes on from where it stopped and ends equal
/// to amoCRM, and no acknowledged webhook is lost or half applied.
@Suite(.serialized) struct LiveAccountCrashTests {
    static let accountID = LiveAccountEndToEndTests.accountID
    /// The lists a listing reads, in its order (customers are on in the synthetic accounts).
    static let listPaths = ["/api/v4/contacts", "/api/v4/companies", "/api/v4/leads", "/api/v4/customers"]

    /// The requests of a listing (no filter: not a poll, not a read by id).
    static func listingRequests(_ log: some Sequence<AmoCRMStandIn.Logged>) -> [AmoCRMStandIn.Logged] {
        log.filter { request in
            request.method == "GET" && listPaths.contains(request.path)
                && !request.parameters.contains { $0.key.hasPrefix("filter[") }
        }
    }

    static func page(of request: AmoCRMStandIn.Logged) -> Int { request.values("page").last.flatMap(Int.init) ?? 1 }

    enum Kill: CustomStringConvertible {
        /// After this long.
        case after(Duration)
        /// Once the stand-in has answered this many pages of the listing to this run.
        case afterPages(Int)

        var description: String {
            switch self {
            case .after(let delay): "after \(delay)"
            case .afterPages(let pages): "after \(pages) pages"
            }
        }
    }

    /// A 20,000-contact account (280 pages); `sync` killed five times at random points, two of them
    /// at random times, three once a random number of pages was read (so that the listing is
    /// surely under way); every run after a kill goes on at the page the store says, in the same
    /// listing run, and the last run ends the listing (`"resumed": true`, none in progress).
    /// amoCRM changes between the runs; with the poll after the listing, the store equals it.
    @Test func killedSyncsResumeAndEndEqualToAmoCRM() async throws {
        try await EndToEnd.withDirectory { directory in
            let store = directory.appendingPathComponent("account.sqlite").path
            let standIn = AmoCRMStandIn(SyntheticAccount(seed: 13, contacts: 20_000), users: EndToEnd.users)
            try await standIn.run { standIn in
                var random = SystemRandomNumberGenerator()
                let totalPages = 280
                var pagesRead = 0
                var kills: [Kill] = []
                for round in 0..<5 {
                    let kill: Kill
                    if round % 2 == 0 && round < 4 {
                        kill = .after(.milliseconds(Int.random(in: 100...1_500, using: &random)))
                    } else {
                        // Leave pages for the rounds after, so that the last kill lands in the listing too.
                        let most = max(2, (totalPages - pagesRead) / (6 - round))
                        kill = .afterPages(Int.random(in: 1...most, using: &random))
                    }
                    kills.append(kill)
                    let before = try await Self.syncState(store)
                    let logStart = standIn.log.count
                    let child = try EndToEnd.startSync(store: store, standIn: standIn)
                    switch kill {
                    case .after(let delay):
                        try await Task.sleep(for: delay)
                    case .afterPages(let pages):
                        let reached = try await EndToEnd.eventually(seconds: 300) {
                            !child.process.isRunning
                                || Self.listingRequests(standIn.log.dropFirst(logStart)).count >= pages
                        }
                        #expect(reached, "round \(round): \(pages) pages were not read")
                    }
                    child.kill()
                    let status = try await child.exitStatus()
                    #expect(status != 0, "round \(round) (\(kill)): the sync ended before the kill: \(child.errors)")
                    let requests = Self.listingRequests(standIn.log.dropFirst(logStart))
                    pagesRead += requests.count

                    // The store opens and reads after every kill.
                    let state = try await Self.syncState(store)
                    if let run = before[SyncStateKey.listingRun], !run.isEmpty {
                        // It went on where the store said, in the same listing run.
                        let kind = try #require(before[SyncStateKey.listingKind].flatMap(Int.init))
                        let page = try #require(before[SyncStateKey.listingPage].flatMap(Int.init))
                        if let first = requests.first {
                            #expect(
                                first.path == Self.listPaths[kind] && Self.page(of: first) == page,
                                "round \(round) (\(kill)): resumed at \(first), not page \(page) of \(Self.listPaths[kind])"
                            )
                        }
                        #expect(state[SyncStateKey.listingRun] == run, "round \(round): another listing run began")
                    }
                    if case .afterPages = kill {
                        #expect(
                            !(state[SyncStateKey.listingRun] ?? "").isEmpty,
                            "round \(round) (\(kill)): killed in the listing, yet none is in progress")
                    }

                    // amoCRM goes on changing while the sync is down: on pages read and pages not
                    // yet read, and past the end.
                    let account = standIn.account
                    standIn.upsertContact(account.data.contacts[round * 4_000 + 123], name: "Изменён в раунде \(round)")
                    standIn.upsertContact(
                        Contact(
                            id: 29_000_000 + round, createdAt: Int(time(nil)),
                            phones: [PhoneValue("+7 999 800-00-0\(round)")]),
                        name: "Новый в раунде \(round)")
                    #expect(standIn.setLeadStatus(account.data.leads[round * 7_000 + 5].id, to: 143) != nil)
                }

                let last = try await EndToEnd.sync(store: store, standIn: standIn)
                try #require(last.status == 0, "the sync after the kills (\(kills)) failed: \(last.errors)")
                #expect(last.json["mode"] as? String == "full")
                #expect(last.json["resumed"] as? Bool == true, "the sync after \(kills) started over")
                let state = try await Self.syncState(store)
                #expect((state[SyncStateKey.listingRun] ?? "").isEmpty, "a listing is still in progress")
                #expect(state[SyncStateKey.pollFrom] != nil)
                // The changes made while it was down on pages read before them come with the next poll.
                let poll = try await EndToEnd.sync(store: store, standIn: standIn)
                try #require(poll.status == 0, "the sync after the listing failed: \(poll.errors)")
                #expect(poll.json["mode"] as? String == "incremental")
                try await EndToEnd.expectStoreEqualsStandIn(store, standIn, "after the kills \(kills)")
            }
        }
    }

    static func syncState(_ store: String) async throws -> [String: String] {
        guard FileManager.default.fileExists(atPath: store) else { return [:] }
        return try await SQLiteAccountStore(path: store).syncState(accountID: accountID)
    }

    /// `serve --amocrm` on an empty store reads the whole account before it serves; killed during
    /// that first listing, it finishes the listing at its next start before serving, rather than
    /// answering calls from a fraction of the account.
    @Test func serveKilledInItsFirstListingFinishesItBeforeServing() async throws {
        try await EndToEnd.withDirectory { directory in
            let store = directory.appendingPathComponent("account.sqlite").path
            let standIn = AmoCRMStandIn(SyntheticAccount(seed: 15, contacts: 2_000), users: EndToEnd.users)
            try await standIn.run { standIn in
                let arguments = [
                    "serve", "--store", store, "--amocrm", standIn.base, "--rate", "1000", "--port", "0",
                ]
                let first = try EndToEnd.Child(arguments, environment: EndToEnd.serveEnvironment(standIn))
                let pages = Int.random(in: 2...12)
                let reached = try await EndToEnd.eventually(seconds: 300) {
                    !first.process.isRunning || Self.listingRequests(standIn.log).count >= pages
                }
                first.kill()
                _ = try await first.exitStatus()
                try #require(reached, "the first listing did not start: \(first.errors)")
                try await #require(
                    !(try Self.syncState(store)[SyncStateKey.listingRun] ?? "").isEmpty, "no listing in progress")

                let second = try EndToEnd.Child(arguments, environment: EndToEnd.serveEnvironment(standIn))
                defer { second.kill() }
                _ = try await second.port(within: .seconds(300))
                // Listening: the whole account is in the store, and in what it serves.
                try await EndToEnd.expectStoreEqualsStandIn(store, standIn, "when the restarted server listens")
                #expect((try await Self.syncState(store)[SyncStateKey.listingRun] ?? "").isEmpty, "a listing is in progress")
                #expect(second.terminate() == 0, "\(second.errors)")
            }
        }
    }

    /// `serve` taking 300 webhooks at once, each a contact's new name and number, killed at a random
    /// point of the burst, three times: the store opens, holds every webhook answered 200, holds
    /// each of the others whole or not at all, and is what the server builds at its next start.
    @Test func killedServeKeepsEveryAcknowledgedWebhook() async throws {
        try await EndToEnd.withDirectory { directory in
            let store = directory.appendingPathComponent("account.sqlite").path
            let standIn = AmoCRMStandIn(SyntheticAccount(seed: 14, contacts: 400), users: EndToEnd.users)
            let (status, errors) = try await standIn.run { standIn in
                let synced = try await EndToEnd.sync(store: store, standIn: standIn)
                return (synced.status, synced.errors)
            }
            try #require(status == 0, "sync failed: \(errors)")
            // Webhooks only from here: serve without --amocrm.
            let initial = try await #require(try SQLiteAccountStore(path: store).loadAccount(Self.accountID))
            let contacts = Array(initial.data.contacts.filter { !$0.isDeleted }.map(\.id).prefix(300))
            try #require(contacts.count == 300)
            var random = SystemRandomNumberGenerator()

            for round in 0..<3 {
                let before = try await #require(try SQLiteAccountStore(path: store).loadAccount(Self.accountID))
                let server = try EndToEnd.Child(
                    ["serve", "--store", store, "--port", "0"], environment: EndToEnd.serveEnvironment(nil))
                defer { server.kill() }
                let http = EndToEnd.HTTP(port: try await server.port())
                let killAfter = Int.random(in: 1...200, using: &random)
                let lastModified = 1_900_000_000 + round
                func name(_ i: Int) -> String { "Раунд \(round), вебхук \(i)" }
                func number(_ i: Int) -> String { "+7985\(round)" + String(format: "%06d", i) }

                let acknowledged = Acknowledged()
                await withTaskGroup(of: Void.self) { group in
                    for (i, id) in contacts.enumerated() {
                        var form = WebhookForm()
                        form.contact(
                            id, action: "update", name: name(i), lastModified: lastModified, phones: [number(i)])
                        form.account(Self.accountID)
                        let webhook = form
                        group.addTask {
                            guard let answer = try? await http.webhook(webhook), answer.status == 200 else { return }
                            let count = acknowledged.indices.withLock { $0.insert(i).inserted ? $0.count : 0 }
                            if count == killAfter { server.kill() }
                        }
                    }
                }
                server.kill()
                _ = try await server.exitStatus()
                let acked = acknowledged.indices.withLock { $0 }
                #expect(acked.count >= killAfter, "round \(round): the server failed webhooks before the kill")
                #expect(acked.count < contacts.count, "round \(round): the kill came after the burst")

                let reopened = try SQLiteAccountStore(path: store)
                let after = try await #require(try reopened.loadAccount(Self.accountID), "round \(round): no account")
                var lost: [Int] = []
                var halves: [Int] = []
                var applied = 0
                for (i, id) in contacts.enumerated() {
                    let now = (
                        after.details(of: .contact(id))?.name,
                        after.data.contacts.first { $0.id == id }?.phones.map(\.value)
                    )
                    let old = (
                        before.details(of: .contact(id))?.name,
                        before.data.contacts.first { $0.id == id }?.phones.map(\.value)
                    )
                    let isNew = now.0 == name(i) && now.1 == [number(i)]
                    let isOld = now.0 == old.0 && now.1 == old.1
                    if isNew { applied += 1 }
                    if acked.contains(i) && !isNew { lost.append(id) }
                    if !isNew && !isOld { halves.append(id) }
                }
                #expect(lost.isEmpty, "round \(round): acknowledged webhooks lost: \(lost.prefix(10))")
                #expect(halves.isEmpty, "round \(round): webhooks half applied: \(halves.prefix(10))")
                #expect(applied >= acked.count)

                // What the server builds from the store at its next start is what the store holds.
                let live = try await LiveAccount.open(store: reopened)
                let built = AccountIndex(building: after.data).snapshot.dump()
                let equal = live.index.snapshot.dump() == built
                #expect(equal, "round \(round): \(EndToEnd.difference(live.index.snapshot.dump(), built))")
                let unresolved = acked.sorted().filter { i in
                    !live.index.resolve(callerNumber: number(i)).candidates.contains {
                        $0.entity == .contact(contacts[i])
                    }
                }
                #expect(
                    unresolved.isEmpty,
                    "round \(round): acknowledged numbers not found: \(unresolved.prefix(10).map(number))")
            }
        }
    }

    /// The webhooks answered 200, by index.
    final class Acknowledged: Sendable {
        let indices = Mutex<Set<Int>>([])
    }
}
