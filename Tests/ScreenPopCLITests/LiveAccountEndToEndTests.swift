import AccountIndex
import AccountSync
import AccountSynthesis
import AmoCRM
import AmoCRMStandIn
import Foundation
import ScreenPopStore
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The live account end to end: the real `screenpop` binary as a child process against amoCRM's
/// stand-in running in the test process (`AmoCRMStandIn.run`). `screenpop sync` fills a store and
/// follows amoCRM's changes; `screenpop serve --amocrm` takes webhooks and polls.
/// LiveAccountCrashTests kills both with SIGKILL.
@Suite(.serialized) struct LiveAccountEndToEndTests {
    /// The account of the synthetic accounts' pages.
    static let accountID = SyntheticAccount.amoCRMAccountObject.id!

    // MARK: sync

    /// A full sync equals amoCRM; a rename, a new number, a won lead, a deletion and a new user made
    /// in amoCRM reach the store with `sync --reconcile 0`; a later change reaches it with a poll
    /// alone, which moves its cursor on: the run after it, with nothing new, reads nothing.
    @Test func syncReadsTheAccountAndThenItsChanges() async throws {
        try await EndToEnd.withDirectory { directory in
            let store = directory.appendingPathComponent("account.sqlite").path
            let standIn = AmoCRMStandIn(SyntheticAccount(seed: 11, contacts: 1_000), users: EndToEnd.users)
            try await standIn.run { standIn in
                let first = try await EndToEnd.sync(store: store, standIn: standIn)
                try #require(first.status == 0, "sync failed: \(first.errors)")
                #expect(first.json["mode"] as? String == "full")
                #expect(first.json["resumed"] as? Bool == false)
                #expect(first.json["account_id"] as? Int == Self.accountID)
                // The counts leave out what is in amoCRM's trash.
                let live = EndToEnd.withoutDeleted(standIn.account.data)
                #expect(first.json["contacts"] as? Int == live.contacts.count)
                #expect(first.json["companies"] as? Int == live.companies.count)
                #expect(first.json["leads"] as? Int == live.leads.count)
                #expect(first.json["customers"] as? Int == live.customers.count)
                try await EndToEnd.expectStoreEqualsStandIn(store, standIn, "after the full sync")

                // What amoCRM changes: chosen where the change shows in a call's answer.
                let before = AccountIndex(building: standIn.account.data)
                let pick = EntityPicker(standIn.account.data, index: before)
                // A contact whose calls open its one active lead: won, the lead is no longer shown.
                let (winner, lead) = try #require(pick.contactWithOneActiveLead())
                var taken: Set<Int> = [winner.contact.id]
                func another() throws -> EntityPicker.Picked {
                    let picked = try #require(pick.contact(where: { !taken.contains($0.id) }))
                    taken.insert(picked.contact.id)
                    return picked
                }
                let renamed = try another()
                let rephoned = try another()
                let deleted = try another()
                let newNumber = "+7 999 700-00-01"
                #expect(before.resolve(callerNumber: newNumber).candidates.isEmpty)
                let newUser = AccountUser(id: 7_000_099, name: "Новый пользователь", email: "new@example.com")

                // Stamped at the poll cursor the first sync left (the start of its listing less the
                // overlap): the next poll reads them, and a poll after the next one no longer does.
                let state = try await SQLiteAccountStore(path: store).syncState(accountID: Self.accountID)
                let pollFrom = try #require(state[SyncStateKey.pollFrom].flatMap(Int.init))
                standIn.setClock(to: pollFrom)
                standIn.upsertContact(renamed.contact, name: "Переименованный контакт")
                var newPhones = rephoned.contact
                newPhones.phones = [PhoneValue(newNumber, kind: .mobile)]
                standIn.upsertContact(newPhones)
                #expect(standIn.setLeadStatus(lead, to: 142) != nil)
                #expect(standIn.delete(.contact(deleted.contact.id)))
                standIn.addUser(newUser)
                // A new price on another lead, and the pipelines renamed: the next sync reads both.
                let repriced = try #require(standIn.account.data.leads.first { !$0.isDeleted && $0.id != lead })
                standIn.upsertLead(repriced, price: 777_000)
                var pipelines = SyntheticAccount.amoCRMPipelines
                pipelines[0].name = "Переименованная воронка"
                pipelines[1].statuses[0].name = "Новый этап"
                standIn.setPipelines(Array(pipelines.prefix(2)))
                standIn.setClock(to: nil)
                // The next listing must start after the first one's second, so that its cursor is past the changes.
                try await EndToEnd.waitForTheSecondAfter(state[SyncStateKey.lastListingAt])

                let second = try await EndToEnd.sync(store: store, standIn: standIn, ["--reconcile", "0"])
                try #require(second.status == 0, "sync failed: \(second.errors)")
                #expect(second.json["mode"] as? String == "incremental+reconcile")
                #expect(second.json["deleted"] as? Int == 1)
                #expect(second.json["resumed"] as? Bool == false)
                try await EndToEnd.expectStoreEqualsStandIn(store, standIn, "after the incremental sync")

                let stored = try await #require(try SQLiteAccountStore(path: store).loadAccount(Self.accountID))
                #expect(stored.details(of: .contact(renamed.contact.id))?.name == "Переименованный контакт")
                #expect(stored.data.contacts.first { $0.id == deleted.contact.id }?.isDeleted == true)
                #expect(stored.data.leads.first { $0.id == lead }?.statusID == 142)
                #expect(stored.users.contains(newUser))
                #expect(stored.details(of: .lead(repriced.id))?.price == 777_000)
                #expect(stored.pipelines == Array(pipelines.prefix(2)))

                // What `resolve --store` answers is what amoCRM's account now gives, number by number.
                let after = AccountIndex(building: standIn.account.data)
                let numbers = [deleted.number, rephoned.number, newNumber, winner.number, renamed.number]
                let resolved = try CLI.run(["resolve", "--store", store] + numbers)
                try #require(resolved.status == 0 && resolved.objects.count == numbers.count, "\(resolved.output)")
                for (number, object) in zip(numbers, resolved.objects) {
                    let expected = after.resolve(callerNumber: number)
                    #expect(object["element_type"] as? Int == expected.decision.elementType, "\(number): \(object)")
                    #expect(object["element_id"] as? Int == expected.decision.elementID, "\(number): \(object)")
                    #expect(EndToEnd.candidates(object) == expected.candidates.map(\.entity), "\(number)")
                }
                let gone = try #require(resolved.objects.first)
                #expect(!EndToEnd.candidates(gone).contains(.contact(deleted.contact.id)), "the deleted contact")
                #expect(EndToEnd.candidates(resolved.objects[1]).isEmpty, "the old number of a renumbered contact")
                #expect(EndToEnd.candidates(resolved.objects[2]) == [.contact(rephoned.contact.id)])
                #expect(resolved.objects[3]["element_type"] as? Int != 2, "a won lead is not shown")

                // One more change, at the cursor the reconciliation left: a poll alone reads it, once.
                let reconciled = try await SQLiteAccountStore(path: store).syncState(accountID: Self.accountID)
                let later = try another()
                let cursor = try #require(reconciled[SyncStateKey.pollFrom].flatMap(Int.init))
                standIn.upsertContact(later.contact, name: "Ещё одно имя", at: cursor)
                try await EndToEnd.waitForTheSecondAfter(reconciled[SyncStateKey.lastListingAt])
                let third = try await EndToEnd.sync(store: store, standIn: standIn)
                try #require(third.status == 0, "sync failed: \(third.errors)")
                #expect(third.json["mode"] as? String == "incremental")
                #expect(third.json["entities_read"] as? Int == 1, "\(third.json)")
                try await EndToEnd.expectStoreEqualsStandIn(store, standIn, "after a poll")

                // Nothing changed since: the poll reads nothing.
                let polled = try await SQLiteAccountStore(path: store).syncState(accountID: Self.accountID)
                try await EndToEnd.waitForTheSecondAfter(polled[SyncStateKey.lastPollAt])
                let fourth = try await EndToEnd.sync(store: store, standIn: standIn)
                try #require(fourth.status == 0, "sync failed: \(fourth.errors)")
                #expect(fourth.json["mode"] as? String == "incremental")
                #expect(fourth.json["entities_read"] as? Int == 0, "\(fourth.json)")
                #expect(fourth.json["deleted"] as? Int == 0)
                try await EndToEnd.expectStoreEqualsStandIn(store, standIn, "after a sync with nothing new")
            }
        }
    }

    // MARK: serve, live

    /// `serve --amocrm --poll 1`: webhooks apply at once and in `updated_at` order, another
    /// account's are refused, what changes only in amoCRM arrives with the next poll, and the status
    /// says so.
    @Test func serveAppliesWebhooksAndPolls() async throws {
        try await EndToEnd.withDirectory { directory in
            let store = directory.appendingPathComponent("account.sqlite").path
            let standIn = AmoCRMStandIn(SyntheticAccount(seed: 12, contacts: 300), users: EndToEnd.users)
            try await standIn.run { standIn in
                // An empty store: serve reads the whole account first.
                let server = try EndToEnd.Child(
                    [
                        "serve", "--store", store, "--amocrm", standIn.base, "--rate", "1000", "--poll", "1",
                        "--port", "0",
                    ], environment: EndToEnd.serveEnvironment(standIn))
                defer { server.kill() }
                let port = try await server.port()
                let http = EndToEnd.HTTP(port: port)
                try await EndToEnd.expectStoreEqualsStandIn(store, standIn, "after serve's first listing")

                // Contacts without links, so that a call shows the contact itself. The stand-in keeps
                // their older state: what these webhooks did cannot be undone or masked by a re-read
                // or a poll (an older read never overwrites a newer webhook).
                let pick = EntityPicker(standIn.account.data, index: AccountIndex(building: standIn.account.data))
                let unlinked = pick.unlinkedContacts()
                try #require(unlinked.count >= 4)
                let now = Int(time(nil))

                // A contact's new number, known at once.
                let first = unlinked[0]
                var webhook = WebhookForm()
                webhook.contact(
                    first, action: "update", name: "Имя из вебхука", lastModified: now, phones: ["+7 999 711-11-11"])
                webhook.account(Self.accountID)
                let applied = try await http.webhook(webhook)
                #expect(applied.status == 200, "\(applied.text)")
                #expect(try await http.call("+7 999 711-11-11") == .contact(first))

                // Repeated, then an older one: the newer state stays.
                let second = unlinked[1]
                var newer = WebhookForm()
                newer.contact(
                    second, action: "update", name: "Новее", lastModified: now + 10, phones: ["+7 999 722-22-22"])
                newer.account(Self.accountID)
                var older = WebhookForm()
                older.contact(
                    second, action: "update", name: "Старее", lastModified: now + 5, phones: ["+7 999 733-33-33"])
                older.account(Self.accountID)
                for form in [newer, newer, older] {
                    let answer = try await http.webhook(form)
                    #expect(answer.status == 200, "\(answer.text)")
                }
                let olderAnswer = try await http.webhook(older)
                #expect(olderAnswer.json["stale"] as? Int == 1, "\(olderAnswer.text)")
                #expect(try await http.call("+7 999 722-22-22") == .contact(second))
                #expect(try await http.call("+7 999 733-33-33") == nil)

                // Another account's webhook: refused, nothing applied.
                let third = unlinked[2]
                var foreign = WebhookForm()
                foreign.contact(
                    third, action: "update", name: "Чужой", lastModified: now + 20, phones: ["+7 999 744-44-44"])
                foreign.account(Self.accountID + 1)
                let refused = try await http.webhook(foreign)
                #expect((400..<500).contains(refused.status), "\(refused.text)")
                #expect(try await http.call("+7 999 744-44-44") == nil)

                // The webhooks' contacts are read back from amoCRM (older there): that changes nothing.
                let reRead = try await EndToEnd.eventually {
                    let status = try await http.request("GET", "/api/v2/sync/status").json
                    return status["re_reads_pending"] as? Int == 0 && (status["re_reads"] as? Int ?? 0) >= 2
                }
                #expect(reRead, "the webhooks' contacts were not read back")
                #expect(try await http.call("+7 999 711-11-11") == .contact(first))
                #expect(try await http.call("+7 999 722-22-22") == .contact(second))
                let stored = try await #require(try SQLiteAccountStore(path: store).loadAccount(Self.accountID))
                #expect(stored.details(of: .contact(first))?.name == "Имя из вебхука")
                #expect(stored.details(of: .contact(second))?.name == "Новее")
                #expect(stored.data.contacts.first { $0.id == second }?.phones.map(\.value) == ["+7 999 722-22-22"])
                #expect(stored.details(of: .contact(third)) == standIn.account.details(of: .contact(third)))

                // Changed in amoCRM only: the next poll brings it.
                let fourth = unlinked[3]
                var renumbered = try #require(standIn.account.data.contacts.first { $0.id == fourth })
                renumbered.phones = [PhoneValue("+7 999 755-55-55", kind: .mobile)]
                standIn.upsertContact(renumbered)
                let polled = try await EndToEnd.eventually {
                    try await http.call("+7 999 755-55-55") == .contact(fourth)
                }
                #expect(polled, "the change made in amoCRM did not arrive by polling")

                // A user added in amoCRM may be named once a poll has read the users again.
                let newUser = AccountUser(id: 7_000_077, name: "Оператор")
                let unknown = try await http.events(number: "+7 999 711-11-11", users: [newUser.id])
                #expect(unknown.status == 400, "\(unknown.text)")
                standIn.addUser(newUser)
                let named = try await EndToEnd.eventually {
                    try await http.events(number: "+7 999 711-11-11", users: [newUser.id]).status == 200
                }
                #expect(named, "the new user was not taken")

                let status = try await http.request("GET", "/api/v2/sync/status")
                #expect(status.status == 200, "\(status.text)")
                #expect(status.json["account_id"] as? Int == Self.accountID)
                #expect(status.json["webhooks"] as? Int == 5, "\(status.text)")
                #expect(status.json["webhooks_refused"] as? Int == 1, "\(status.text)")
                #expect(status.json["last_poll_at"] as? Int != nil, "\(status.text)")
                #expect(status.json["error_count"] as? Int == 0, "\(status.text)")
                #expect((status.json["errors"] as? [Any])?.isEmpty == true, "\(status.text)")
                #expect(status.json["listing_in_progress"] as? Bool == false, "\(status.text)")
                #expect(server.terminate() == 0, "\(server.errors)")
            }
        }
    }
}

// MARK: - Helpers

/// What the end-to-end tests share: children, HTTP, the store against the stand-in.
enum EndToEnd {
    static let users = [
        AccountUser(id: 7_000_001, name: "Анна", email: "anna@example.com"),
        AccountUser(id: 7_000_002, name: "Борис", email: "boris@example.com"),
    ]
    static let apiToken = "e2e-api-token-5f1c"
    static let webhookSecret = "e2e-webhook-secret-9a3"

    /// A fresh directory, removed afterwards.
    static func withDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("screenpop-e2e-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(directory)
    }

    /// This process's environment without ScreenPop's variables, and `extra`.
    static func environment(_ extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SCREENPOP_") }
        environment.merge(extra) { $1 }
        return environment
    }

    static func serveEnvironment(_ standIn: AmoCRMStandIn?) -> [String: String] {
        var extra = ["SCREENPOP_API_TOKEN": apiToken, "SCREENPOP_WEBHOOK_SECRET": webhookSecret]
        if let standIn { extra["SCREENPOP_AMOCRM_TOKEN"] = standIn.token }
        return environment(extra)
    }

    /// `screenpop sync --store STORE --amocrm <stand-in> --rate 1000 EXTRA`.
    static func startSync(store: String, standIn: AmoCRMStandIn, _ extra: [String] = []) throws -> Child {
        try Child(
            ["sync", "--store", store, "--amocrm", standIn.base, "--rate", "1000"] + extra,
            environment: environment(["SCREENPOP_AMOCRM_TOKEN": standIn.token]))
    }

    struct Finished {
        var status: Int32
        /// The last line of standard output as JSON.
        var json: [String: Any]
        var errors: String
    }

    static func sync(store: String, standIn: AmoCRMStandIn, _ extra: [String] = []) async throws -> Finished {
        let child = try startSync(store: store, standIn: standIn, extra)
        // A bound against a hang only: a 20,000-contact debug sync takes over a minute, more under load.
        let status = try await child.exitStatus(within: .seconds(600))
        let line = child.output.split(separator: "\n").last.map(String.init) ?? ""
        let json = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
        return Finished(status: status, json: json, errors: child.errors)
    }

    /// Checks `condition` every 100 ms for up to `seconds` (a bound against a hang, not a timing
    /// requirement); whether it came true.
    static func eventually(seconds: Double = 30, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }

    /// Sleeps until the wall clock is past the second `unixSeconds` (a sync's start, kept in
    /// `sync_state`): a sync started then has a later cursor.
    static func waitForTheSecondAfter(_ unixSeconds: String?) async throws {
        let second = try #require(unixSeconds.flatMap(Int.init), "no time in sync_state")
        while Int(time(nil)) <= second { try await Task.sleep(for: .milliseconds(50)) }
    }

    // MARK: The store against amoCRM

    /// `data` as amoCRM's lists show it: without the entities in the trash (the store keeps
    /// deleted ones as tombstones; amoCRM lists some with `is_deleted`, drops others).
    static func withoutDeleted(_ data: AccountData) -> AccountData {
        var data = data
        data.contacts.removeAll(where: \.isDeleted)
        data.companies.removeAll(where: \.isDeleted)
        data.leads.removeAll(where: \.isDeleted)
        data.customers.removeAll(where: \.isDeleted)
        return data
    }

    /// The index of what the stand-in serves now, with the settings its account object and
    /// statuses make (as the store derives them).
    static func standInDump(_ standIn: AmoCRMStandIn) -> AccountIndexDump {
        let account = standIn.account
        var data = withoutDeleted(account.data)
        data.settings = account.account.settings(customerStatuses: account.customerStatuses)
        return AccountIndex(building: data).snapshot.dump()
    }

    static func storeDump(_ store: String, accountID: Int = LiveAccountEndToEndTests.accountID) async throws
        -> AccountIndexDump
    {
        let stored = try await #require(try SQLiteAccountStore(path: store).loadAccount(accountID))
        return AccountIndex(building: withoutDeleted(stored.data)).snapshot.dump()
    }

    /// The store's index equals the stand-in's, its names and users too; a difference is shown as
    /// the first lines that differ, not two whole dumps.
    static func expectStoreEqualsStandIn(
        _ store: String, _ standIn: AmoCRMStandIn, _ when: String, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let stored = try await storeDump(store)
        let expected = standInDump(standIn)
        // A Bool: the expectation would print both dumps whole.
        let equal = stored == expected
        #expect(equal, "\(when): \(difference(stored, expected))", sourceLocation: sourceLocation)
        let loaded = try #require(
            try await SQLiteAccountStore(path: store).loadAccount(LiveAccountEndToEndTests.accountID))
        let account = standIn.account
        #expect(loaded.users == account.users, "\(when): users", sourceLocation: sourceLocation)
        #expect(loaded.pipelines == account.pipelines, "\(when): pipelines", sourceLocation: sourceLocation)
        // The card's facts of every lead amoCRM has: stage, price, manager.
        var storedLeads: [Int: (Int, EntityDetails)] = [:]
        for (lead, details) in zip(loaded.data.leads, loaded.details.leads) {
            storedLeads[lead.id] = (lead.statusID, details)
        }
        let wrongLeads = zip(account.data.leads, account.details.leads).filter { lead, details in
            guard !lead.isDeleted else { return false }
            guard let (status, kept) = storedLeads[lead.id] else { return true }
            return status != lead.statusID || kept.price != details.price || kept.pipelineID != details.pipelineID
                || kept.responsibleUserID != details.responsibleUserID
        }
        #expect(
            wrongLeads.isEmpty, "\(when): leads differ: \(wrongLeads.prefix(3).map(\.0.id))",
            sourceLocation: sourceLocation)
        let names = Dictionary(loaded.entityNames, uniquingKeysWith: { $1 })
        let expectedNames = Dictionary(
            withoutDeletedNames(account), uniquingKeysWith: { $1 })
        let wrong = expectedNames.filter { names[$0.key] != $0.value }
        #expect(
            wrong.isEmpty,
            "\(when): names differ: \(wrong.count), such as \(wrong.prefix(5).map { "\($0.key): \($0.value)" })",
            sourceLocation: sourceLocation)
    }

    static func withoutDeletedNames(_ account: StandInAccount) -> [(EntityRef, String)] {
        let data = withoutDeleted(account.data)
        let live = Set(
            data.contacts.map(\.ref) + data.companies.map(\.ref) + data.leads.map { .lead($0.id) }
                + data.customers.map { .customer($0.id) })
        return account.details.names(of: account.data).filter { live.contains($0.0) }
    }

    /// The lines of two dumps that are in one and not the other, a few of each.
    static func difference(_ a: AccountIndexDump, _ b: AccountIndexDump) -> String {
        let left = a.description.split(separator: "\n")
        let right = b.description.split(separator: "\n")
        let onlyLeft = Set(left).subtracting(right)
        let onlyRight = Set(right).subtracting(left)
        return "only in the store: \(left.filter(onlyLeft.contains).prefix(8)); "
            + "only in amoCRM: \(right.filter(onlyRight.contains).prefix(8))"
    }

    /// The candidates of a `resolve` line.
    static func candidates(_ object: [String: Any]) -> [EntityRef] {
        ((object["candidates"] as? [[String: Any]]) ?? []).compactMap { candidate in
            guard let type = candidate["type"] as? Int, let id = candidate["id"] as? Int,
                let kind = EntityKind(rawValue: type)
            else { return nil }
            return EntityRef(kind: kind, id: id)
        }
    }

    // MARK: A child process

    /// A running `screenpop` whose standard output and error go to files: waiting for it or for
    /// its port sleeps a task, never blocks a thread (the stand-in answers on the same threads).
    final class Child: @unchecked Sendable {
        let process: Process
        let outputFile: URL
        let errorFile: URL

        init(_ arguments: [String], environment: [String: String]) throws {
            let directory = FileManager.default.temporaryDirectory
            let name = "screenpop-e2e-child-\(UUID())"
            outputFile = directory.appendingPathComponent(name + ".out")
            errorFile = directory.appendingPathComponent(name + ".err")
            _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
            _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
            let process = Process()
            process.executableURL = try CLI.executable()
            process.arguments = arguments
            process.environment = environment
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = try FileHandle(forWritingTo: outputFile)
            process.standardError = try FileHandle(forWritingTo: errorFile)
            try process.run()
            self.process = process
        }

        deinit {
            if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
            try? FileManager.default.removeItem(at: outputFile)
            try? FileManager.default.removeItem(at: errorFile)
        }

        var pid: Int32 { process.processIdentifier }
        var output: String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }
        var errors: String { (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "" }

        /// SIGKILL (when still running).
        func kill() {
            if process.isRunning { Foundation.kill(pid, SIGKILL) }
        }

        /// Waits for the exit (SIGKILL after `limit`, and an error).
        func exitStatus(within limit: Duration = .seconds(60)) async throws -> Int32 {
            let deadline = ContinuousClock.now + limit
            while process.isRunning {
                guard ContinuousClock.now < deadline else {
                    kill()
                    throw CLI.CLIError(
                        description: "\(process.arguments ?? []) still running after \(limit): \(errors)")
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            return process.terminationStatus
        }

        /// SIGTERM, then the exit status; nil if it did not exit within 20 s.
        func terminate() -> Int32? {
            process.terminate()
            let deadline = Date().addingTimeInterval(20)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            return process.isRunning ? nil : process.terminationStatus
        }

        /// The port of serve's `listening` line.
        func port(within limit: Duration = .seconds(60)) async throws -> Int {
            let deadline = ContinuousClock.now + limit
            while ContinuousClock.now < deadline {
                if let port = ServeCommandTests.Server.port(in: errors) { return port }
                guard process.isRunning else { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            throw CLI.CLIError(description: "no listening line: \(errors)")
        }
    }

    // MARK: HTTP

    struct Answer {
        var status: Int
        var data: Data
        var text: String { String(decoding: data, as: UTF8.self) }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:] }
    }

    /// Requests to a `screenpop serve` on 127.0.0.1.
    struct HTTP: Sendable {
        let port: Int
        let session: URLSession

        init(port: Int) {
            self.port = port
            let configuration = URLSessionConfiguration.ephemeral
            configuration.httpMaximumConnectionsPerHost = 16
            session = URLSession(configuration: configuration)
        }

        func request(
            _ method: String, _ path: String, body: Data? = nil, contentType: String? = nil, token: Bool = true
        ) async throws -> Answer {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            request.httpMethod = method
            if token { request.setValue("Bearer \(EndToEnd.apiToken)", forHTTPHeaderField: "Authorization") }
            if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
            request.httpBody = body
            request.timeoutInterval = 30
            let (data, response) = try await session.data(for: request)
            return Answer(status: (response as? HTTPURLResponse)?.statusCode ?? 0, data: data)
        }

        func webhook(_ form: WebhookForm) async throws -> Answer {
            try await request(
                "POST", "/amocrm/webhooks/\(EndToEnd.webhookSecret)", body: form.body,
                contentType: "application/x-www-form-urlencoded", token: false)
        }

        /// `POST /api/v2/events` for one call.
        func events(number: String, users: [Int]? = nil) async throws -> Answer {
            var event: [String: Any] = ["type": "phone_call", "phone_number": number]
            if let users { event["users"] = users }
            let body = try JSONSerialization.data(withJSONObject: ["add": [event]])
            return try await request("POST", "/api/v2/events", body: body, contentType: "application/json")
        }

        /// The entity a call from `number` shows; nil when none (create a contact).
        func call(_ number: String) async throws -> EntityRef? {
            let answer = try await events(number: number)
            guard answer.status == 200 else {
                throw CLI.CLIError(description: "POST /api/v2/events: \(answer.status) \(answer.text)")
            }
            let items = (answer.json["_embedded"] as? [String: Any])?["items"] as? [[String: Any]]
            guard let item = items?.first, let type = item["element_type"] as? Int, let id = item["element_id"] as? Int,
                let kind = EntityKind(rawValue: type)
            else { return nil }
            return EntityRef(kind: kind, id: id)
        }
    }
}

/// An amoCRM webhook body as amoCRM writes it: form-encoded, PHP's brackets percent-encoded, API
/// v2's field names (docs/amocrm.md, "Webhooks").
struct WebhookForm: Sendable {
    var pairs: [(String, String)] = []
    private var elements: [String: Int] = [:]

    /// `contacts[ACTION][i][...]`: the id, name, `last_modified`, the `PHONE` field's values, `type`.
    mutating func contact(_ id: Int, action: String, name: String, lastModified: Int, phones: [String]) {
        let i = elements["contacts[\(action)]", default: 0]
        elements["contacts[\(action)]"] = i + 1
        let element = "contacts[\(action)][\(i)]"
        pairs += [
            ("\(element)[id]", "\(id)"), ("\(element)[name]", name),
            ("\(element)[responsible_user_id]", "7000001"), ("\(element)[last_modified]", "\(lastModified)"),
            ("\(element)[custom_fields][0][id]", "54667"), ("\(element)[custom_fields][0][name]", "Телефон"),
        ]
        for (k, phone) in phones.enumerated() {
            pairs += [
                ("\(element)[custom_fields][0][values][\(k)][value]", phone),
                ("\(element)[custom_fields][0][values][\(k)][enum]", "114611"),
            ]
        }
        pairs += [("\(element)[custom_fields][0][code]", "PHONE"), ("\(element)[type]", "contact")]
    }

    mutating func account(_ id: Int) {
        pairs += [("account[id]", "\(id)"), ("account[subdomain]", "e2e")]
    }

    var body: Data {
        Data(pairs.map { Self.encode($0.0) + "=" + Self.encode($0.1) }.joined(separator: "&").utf8)
    }

    /// As PHP's `urlencode`: unreserved bytes as they are, a space as `+`, the rest `%XX`.
    static func encode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "): result += "+"
            default: result += String(format: "%%%02X", byte)
            }
        }
        return result
    }
}

/// Entities of an account chosen for what a call from their number shows.
struct EntityPicker {
    struct Picked {
        var contact: Contact
        /// A number of the contact that finds it alone, exactly.
        var number: String
    }

    let data: AccountData
    let index: AccountIndex
    let linked: Set<EntityRef>

    init(_ data: AccountData, index: AccountIndex) {
        self.data = data
        self.index = index
        var linked: Set<EntityRef> = []
        for link in data.links {
            let (a, b) = link.ends
            linked.insert(a)
            linked.insert(b)
        }
        self.linked = linked
    }

    /// The contact's first number when it finds the contact alone, exactly.
    func ownNumber(_ contact: Contact) -> String? {
        guard !contact.isDeleted, let value = contact.phones.first?.value else { return nil }
        let resolution = index.resolve(callerNumber: value)
        guard resolution.matchLevel == .exact, resolution.candidates.map(\.entity) == [contact.ref] else { return nil }
        return value
    }

    func contact(where condition: (Contact) -> Bool) -> Picked? {
        for contact in data.contacts where condition(contact) {
            if let number = ownNumber(contact) { return Picked(contact: contact, number: number) }
        }
        return nil
    }

    /// A contact whose calls open a lead, and the lead.
    func contactWithOneActiveLead() -> (Picked, Int)? {
        for contact in data.contacts {
            guard let number = ownNumber(contact), case .lead(let lead) = index.resolve(callerNumber: number).target
            else { continue }
            return (Picked(contact: contact, number: number), lead)
        }
        return nil
    }

    /// Contacts (ids) linked to nothing and not deleted.
    func unlinkedContacts() -> [Int] {
        data.contacts.filter { !$0.isDeleted && !linked.contains($0.ref) }.map(\.id)
    }
}

extension StoredAccount {
    /// The details of `entity`.
    func details(of entity: EntityRef) -> EntityDetails? {
        switch entity.kind {
        case .contact: data.contacts.firstIndex { $0.id == entity.id }.map { details.contacts[$0] }
        case .company: data.companies.firstIndex { $0.id == entity.id }.map { details.companies[$0] }
        case .lead: data.leads.firstIndex { $0.id == entity.id }.map { details.leads[$0] }
        case .customer: data.customers.firstIndex { $0.id == entity.id }.map { details.customers[$0] }
        }
    }
}

extension StandInAccount {
    /// The details of `entity`.
    func details(of entity: EntityRef) -> EntityDetails? {
        StoredAccount(account: account, data: data, details: details, users: users, customerStatuses: customerStatuses)
            .details(of: entity)
    }
}

extension SQLiteAccountStore {
    /// The account with the instance's default suffix fallback.
    func loadAccount(_ id: Int) async throws -> StoredAccount? {
        try await load(accountID: id, suffixFallback: SuffixFallback())
    }
}
