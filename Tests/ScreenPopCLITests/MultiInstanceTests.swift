import AccountIndex
import AccountSynthesis
import AmoCRM
import AmoCRMStandIn
import Foundation
import Testing

/// Several real `screenpop serve` processes on one PostgreSQL store (docs/live-account.md,
/// "Several instances"): each other's webhooks, calls relayed to streams on another instance, an
/// instance killed, PostgreSQL restarted under load, accounts kept apart, one poller per account.
///
/// PostgreSQL: `SCREENPOP_TEST_POSTGRES_URL` when set, else a server started by
/// scripts/postgres.sh for this process (stopped when the suite ends); each test has its own
/// database, and the restart test its own server. Without PostgreSQL the tests fail, saying how to
/// install it.
@Suite(.serialized, .sharedPostgres) struct MultiInstanceTests {
    typealias Instance = MultiInstance.Instance
    typealias Target = MultiInstance.Target
    static let demoAccount = ServeCommandTests.demoAccount.path
    static let accountID = MultiInstance.demoAccountID

    /// A database holding the demo account, registered: `import`, then `accounts add --id`.
    static func withDemoStore<T>(
        _ label: String, on server: MultiInstance.PostgresServer? = nil,
        _ body: (String, MultiInstance.Registered) async throws -> T
    ) async throws -> T {
        let postgres = if let server { server } else { try await MultiInstance.SharedPostgres.shared.get() }
        return try await postgres.withDatabase(label) { store in
            let imported = try await MultiInstance.importAccount(store: store, directory: demoAccount)
            #expect(imported == accountID)
            let registered = try await MultiInstance.addAccount(
                store: store, subdomain: MultiInstance.demoSubdomain, id: accountID)
            return try await body(store, registered)
        }
    }

    /// A contact's update as amoCRM's webhook sends it: its numbers now `phones`.
    static func phoneWebhook(
        contact: Int, phones: [String], accountID: Int = accountID,
        subdomain: String = MultiInstance.demoSubdomain, name: String = "Из вебхука"
    ) -> WebhookForm {
        var form = WebhookForm()
        form.contact(contact, action: "update", name: name, lastModified: Int(time(nil)), phones: phones)
        form.account(accountID, subdomain: subdomain)
        return form
    }

    /// Whether `number` opens `expected` on `client` within 30 s (a bound against a hang).
    static func eventuallyOpens(_ client: MultiInstance.Client, _ number: String, _ expected: Target) async throws
        -> Bool
    {
        try await EndToEnd.eventually(seconds: 30) { try await client.call(number) == expected }
    }

    // MARK: 1

    /// A webhook taken by instance 1 is in instance 2's answers: 2 had the account loaded before
    /// (so it follows the store's change log, not a fresh load), and the other way round too.
    @Test func twoInstancesSeeEachOthersWebhooks() async throws {
        try await Self.withDemoStore("webhooks") { store, account in
            let first = try await Instance.start("instance 1", store: store)
            let second = try await Instance.start("instance 2", store: store)
            defer {
                first.child.kill()
                second.child.kill()
            }
            let one = first.client(account.apiToken)
            let two = second.client(account.apiToken)
            try await MultiInstance.showingLogs([first, second]) {
                // Сергей Морозов (21000005) and Татьяна Козлова (21000008): what their numbers open now.
                let (sergei, tatiana) = (21_000_005, 21_000_008)
                let sergeiOpens = try await one.call("8-915-444-55-66")
                let tatianaOpens = try await two.call("+7(999)101-20-30")
                #expect(sergeiOpens != .unknownCaller && tatianaOpens != .unknownCaller)
                let (newSergei, newTatiana) = ("+7 999 555-01-01", "+7 999 555-02-02")
                // Both loaded, neither knows the new numbers.
                for client in [one, two] {
                    #expect(try await client.call(newSergei) == .unknownCaller)
                    #expect(try await client.call(newTatiana) == .unknownCaller)
                }
                #expect(first.log.contains("account loaded") && first.log.contains("\(Self.accountID)"), "\(first.log)")
                #expect(
                    second.log.contains("account loaded") && second.log.contains("\(Self.accountID)"), "\(second.log)")

                let toFirst = try await one.webhook(
                    secret: account.webhookSecret,
                    Self.phoneWebhook(contact: sergei, phones: ["8-915-444-55-66", newSergei]))
                #expect(toFirst.status == 200, "\(toFirst.text)")
                #expect(try await one.call(newSergei) == sergeiOpens, "the instance that took the webhook")
                #expect(
                    try await Self.eventuallyOpens(two, newSergei, sergeiOpens),
                    "instance 2 never saw instance 1's webhook: \(second.log.suffix(3000))")

                let toSecond = try await two.webhook(
                    secret: account.webhookSecret,
                    Self.phoneWebhook(contact: tatiana, phones: ["+7(999)101-20-30", newTatiana]))
                #expect(toSecond.status == 200, "\(toSecond.text)")
                #expect(
                    try await Self.eventuallyOpens(one, newTatiana, tatianaOpens),
                    "instance 1 never saw instance 2's webhook: \(first.log.suffix(3000))")
                // The old numbers still open what they did.
                #expect(try await two.call("8-915-444-55-66") == sergeiOpens)
            }
            first.expectCleanExit()
            second.expectCleanExit()
        }
    }

    // MARK: 2

    /// A call posted to instance 1 reaches the user's stream on instance 2 with the id instance 1's
    /// own stream shows; a reconnect to instance 2 with `Last-Event-ID` replays what it missed with
    /// instance 1's ids.
    @Test func aCallReachesAStreamOnAnotherInstance() async throws {
        try await Self.withDemoStore("streams") { store, account in
            let first = try await Instance.start("instance 1", store: store)
            let second = try await Instance.start("instance 2", store: store)
            defer {
                first.child.kill()
                second.child.kill()
            }
            let user = MultiInstance.demoUsers[1]
            let onFirst = try MultiInstance.EventStream(port: first.port, user: "\(user)", token: account.apiToken)
            let onSecond = try MultiInstance.EventStream(port: second.port, user: "\(user)", token: account.apiToken)
            defer {
                onFirst.close()
                onSecond.close()
            }
            try await MultiInstance.showingLogs([first, second]) {
                try #require(try await onFirst.waitUntilConnected(), "stream on 1: \(onFirst.description) \(first.log)")
                try #require(
                    try await onSecond.waitUntilConnected(), "stream on 2: \(onSecond.description) \(second.log)")

                let one = first.client(account.apiToken)
                // A ticket minted on instance 1 opens the user's stream on instance 2: both sign
                // with the key kept in the store.
                let minted = try await one.request(
                    "POST", "/api/v2/events/stream-tickets", body: Data(#"{"user_id":\#(user)}"#.utf8),
                    contentType: "application/json")
                let ticket = try #require(minted.json["ticket"] as? String, "\(minted.text)")
                let byTicket = try MultiInstance.EventStream(port: second.port, query: "ticket=\(ticket)", token: nil)
                defer { byTicket.close() }
                try #require(try await byTicket.waitUntilConnected(), "ticket stream on 2: \(byTicket.description)")
                let posted = try await one.events(number: "+79161234567", users: [user])
                #expect(posted.status == 200, "\(posted.text)")
                let uid = (ServeCommandTests.item(posted.json)?["uid"] as? String)
                let here = try await onFirst.waitForEvents(1)
                let there = try await onSecond.waitForEvents(1)
                try #require(here.count == 1, "instance 1's own stream: \(onFirst.description)")
                try #require(
                    there.count == 1,
                    """
                    the call posted to instance 1 did not reach instance 2's stream: \(onSecond.description); \
                    log 1: \(first.log.suffix(2000)) log 2: \(second.log.suffix(2000))
                    """)
                #expect(here[0].id != nil && here[0].id == there[0].id, "ids: \(here[0]) / \(there[0])")
                let ticketed = try await byTicket.waitForEvents(1)
                #expect(ticketed.first?.json["uid"] as? String == uid, "\(byTicket.description)")
                #expect(here[0].json["uid"] as? String == uid && there[0].json["uid"] as? String == uid)
                #expect(there[0].json["e164"] as? String == "+79161234567")
                #expect((there[0].json["target"] as? [String: Any])?["element_id"] as? Int == 31_000_001, "\(there[0])")

                // Instance 2's stream goes; two more calls to instance 1; a reconnect to 2 replays both.
                onSecond.close()
                let last = try #require(there.last?.id)
                for number in ["+79852223344", "8 926 555-66-77"] {
                    let answer = try await one.events(number: number, users: [user])
                    #expect(answer.status == 200, "\(answer.text)")
                }
                let missed = try await onFirst.waitForEvents(3)
                try #require(missed.count == 3, "\(onFirst.description)")
                let replayed = try MultiInstance.EventStream(
                    port: second.port, user: "\(user)", token: account.apiToken, lastEventID: last)
                defer { replayed.close() }
                let again = try await replayed.waitForEvents(2)
                #expect(
                    again.map(\.id) == missed.dropFirst().map(\.id),
                    "replayed on 2: \(again) / on 1: \(missed)")
                #expect(again.map { $0.json["uid"] as? String } == missed.dropFirst().map { $0.json["uid"] as? String })
            }
            first.expectCleanExit()
            second.expectCleanExit()
        }
    }

    // MARK: 3

    /// Three instances; one killed with SIGKILL: the other two go on answering calls and taking
    /// webhooks, see each other's, and relay calls to each other's streams.
    @Test func threeInstancesOneKilled() async throws {
        try await Self.withDemoStore("killed") { store, account in
            var instances: [Instance] = []
            defer { for instance in instances { instance.child.kill() } }
            for i in 1...3 { instances.append(try await Instance.start("instance \(i)", store: store)) }
            let clients = instances.map { $0.client(account.apiToken) }
            try await MultiInstance.showingLogs(instances) {
                let lead = try await clients[0].call("+79161234567")
                for client in clients { #expect(try await client.call("+79161234567") == lead) }

                // A webhook to the third, then the third killed.
                let toThird = try await clients[2].webhook(
                    secret: account.webhookSecret, Self.phoneWebhook(contact: 21_000_005, phones: ["+7 999 555-03-03"]))
                #expect(toThird.status == 200, "\(toThird.text)")
                try await instances[2].killHard()
                #expect(!instances[2].isRunning)

                // The survivors: calls, the killed instance's webhook, webhooks both ways, a relayed call.
                for client in clients.prefix(2) {
                    #expect(try await client.call("+79161234567") == lead)
                    #expect(
                        try await EndToEnd.eventually(seconds: 30) {
                            try await client.call("+7 999 555-03-03") != .unknownCaller
                        }, "a survivor lacks the killed instance's webhook")
                }
                let toFirst = try await clients[0].webhook(
                    secret: account.webhookSecret, Self.phoneWebhook(contact: 21_000_008, phones: ["+7 999 555-04-04"]))
                #expect(toFirst.status == 200, "\(toFirst.text)")
                let toSecond = try await clients[1].webhook(
                    secret: account.webhookSecret, Self.phoneWebhook(contact: 21_000_007, phones: ["+7 999 555-05-05"]))
                #expect(toSecond.status == 200, "\(toSecond.text)")
                let tatiana = try await clients[0].call("+7 999 555-04-04")
                let andrei = try await clients[1].call("+7 999 555-05-05")
                #expect(tatiana != .unknownCaller && andrei != .unknownCaller)
                #expect(
                    try await Self.eventuallyOpens(clients[1], "+7 999 555-04-04", tatiana),
                    "\(instances[1].log.suffix(2000))")
                #expect(
                    try await Self.eventuallyOpens(clients[0], "+7 999 555-05-05", andrei),
                    "\(instances[0].log.suffix(2000))")

                let user = MultiInstance.demoUsers[0]
                let stream = try MultiInstance.EventStream(
                    port: instances[1].port, user: "\(user)", token: account.apiToken)
                defer { stream.close() }
                try #require(try await stream.waitUntilConnected(), "\(stream.description)")
                // (The calls above notified every user: their events may reach the stream too.)
                let posted = try await clients[0].events(number: "+7 999 555-04-04", users: [user])
                #expect(posted.status == 200, "\(posted.text)")
                let uid = try #require(ServeCommandTests.item(posted.json)?["uid"] as? String, "\(posted.text)")
                let event = try await stream.waitForEvent(uid: uid)
                #expect(event != nil, "the call to instance 1 did not reach instance 2's stream: \(stream.description)")
                #expect(
                    (event?.json["target"] as? [String: Any])?["element_id"] as? Int == tatiana.id,
                    "\(stream.description)")
            }
            instances[0].expectCleanExit()
            instances[1].expectCleanExit()
        }
    }

    // MARK: 4

    /// PostgreSQL (a server of this test's own) stopped under load: calls still answer from memory,
    /// webhooks get 503, `/ready` 503; started again on the same port: both 200 again. One
    /// instance goes to PostgreSQL through a proxy and stays cut off after the restart while the
    /// other takes a webhook; once its way is back it has that webhook (it caught up).
    @Test func postgresRestartedUnderLoad() async throws {
        let postgres = try await MultiInstance.PostgresServer.start("restart")
        do {
            try await Self.restartScenario(postgres)
        } catch {
            await postgres.destroy()
            throw error
        }
        await postgres.destroy()
    }

    static func restartScenario(_ postgres: MultiInstance.PostgresServer) async throws {
        try await withDemoStore("restart", on: postgres) { store, account in
            let port = try #require(URLComponents(string: store)?.port, "\(store)")
            let proxy = try TCPProxy(target: port)
            let proxied = store.replacingOccurrences(of: ":\(port)/", with: ":\(proxy.port)/")
            let first = try await Instance.start("instance 1 (through the proxy)", store: proxied)
            let second = try await Instance.start("instance 2", store: store)
            defer {
                first.child.kill()
                second.child.kill()
            }
            let one = first.client(account.apiToken)
            let two = second.client(account.apiToken)
            #expect(try await first.waitUntilReady(), "\(first.log)")
            try await MultiInstance.showingLogs([first, second]) {
                #expect(try await second.waitUntilReady(), "\(second.log)")
                let lead = try await one.call("+79161234567")
                #expect(lead == Target(type: 2, id: 31_000_001))
                #expect(try await two.call("+79161234567") == lead)

                // The load: calls to instance 1 all along, every answer kept.
                let stop = MultiInstance.StopFlag()
                let load = Task {
                    var statuses: [Int: Int] = [:]
                    while !stop.isSet {
                        let status =
                            (try? await one.events(number: "+79161234567", users: [MultiInstance.demoUsers[0]]).status)
                            ?? -1
                        statuses[status, default: 0] += 1
                        try? await Task.sleep(for: .milliseconds(50))
                    }
                    return statuses
                }
                defer { stop.set() }

                try await postgres.stop()
                // Cut off: calls from memory, webhooks refused for now, not ready.
                for _ in 0..<5 { #expect(try await one.call("+79161234567") == lead) }
                let refused = try await one.webhook(
                    secret: account.webhookSecret, Self.phoneWebhook(contact: 21_000_005, phones: ["+7 999 555-06-06"]))
                #expect(refused.status == 503, "a webhook while PostgreSQL is down: \(refused.status) \(refused.text)")
                let notReady = try await EndToEnd.eventually(seconds: 30) {
                    (try? await first.client(nil).get("/ready").status) == 503
                }
                let readyAnswer = try? await first.client(nil).get("/ready")
                #expect(
                    notReady, "/ready while PostgreSQL is down: \(readyAnswer?.status ?? 0) \(readyAnswer?.text ?? "")")
                #expect((readyAnswer?.json["status"] as? String) == "not_ready", "\(readyAnswer?.text ?? "")")

                // Instance 1 stays cut off (its proxy), PostgreSQL comes back on the same port.
                proxy.cut()
                let url = try await postgres.restart()
                #expect(url == postgres.url, "PostgreSQL came back elsewhere: \(url), was \(postgres.url)")
                #expect(
                    try await second.waitUntilReady(),
                    "instance 2 not ready after the restart: \(second.log.suffix(3000))")
                let whileCut = try await EndToEnd.eventually(seconds: 30) {
                    try await two.webhook(
                        secret: account.webhookSecret,
                        Self.phoneWebhook(contact: 21_000_008, phones: ["+7(999)101-20-30", "+7 999 555-07-07"])
                    ).status == 200
                }
                #expect(whileCut, "instance 2 takes no webhook after the restart: \(second.log.suffix(3000))")
                let tatiana = try await two.call("+7 999 555-07-07")
                #expect(tatiana != .unknownCaller)
                #expect(try await one.call("+7 999 555-07-07") == .unknownCaller, "instance 1 is cut off yet knows it")
                #expect((try await first.client(nil).get("/ready")).status == 503)

                // Instance 1's way back: ready, webhooks taken, and the change it missed is there.
                try proxy.restore()
                #expect(
                    try await first.waitUntilReady(),
                    "instance 1 not ready after reconnecting: \(first.log.suffix(3000))")
                #expect(
                    try await Self.eventuallyOpens(one, "+7 999 555-07-07", tatiana),
                    "instance 1 did not catch up with the webhook it missed: \(first.log.suffix(3000))")
                let accepted = try await EndToEnd.eventually(seconds: 30) {
                    try await one.webhook(
                        secret: account.webhookSecret,
                        Self.phoneWebhook(contact: 21_000_005, phones: ["+7 999 555-06-06"])
                    ).status == 200
                }
                #expect(accepted, "instance 1 takes no webhook after reconnecting: \(first.log.suffix(3000))")
                #expect(try await Self.eventuallyOpens(two, "+7 999 555-06-06", try await one.call("+7 999 555-06-06")))
                #expect(try await one.call("+7 999 555-06-06") != .unknownCaller)

                stop.set()
                let statuses = await load.value
                #expect(statuses.keys.sorted() == [200], "calls during the outage: \(statuses)")
                #expect((statuses[200] ?? 0) >= 5, "\(statuses)")
            }
            first.expectCleanExit()
            second.expectCleanExit()
        }
    }

    // MARK: 5

    /// Two accounts in one store: each token sees its own account only (numbers, users, streams),
    /// a webhook secret cannot change the other account, a token no account has gets 401, and a
    /// rotated token replaces the old one.
    @Test func accountsAreIsolated() async throws {
        let postgres = try await MultiInstance.SharedPostgres.shared.get()
        try await EndToEnd.withDirectory { directory in
            // Account B: a synthetic account's pages under an id and subdomain of its own.
            let secondID = 42_000_002
            let secondSubdomain = "second-account"
            let secondUser = 7_100_001
            let synthetic = SyntheticAccount(seed: 21, contacts: 200)
            let pages = directory.appendingPathComponent("second")
            try FileManager.default.createDirectory(at: pages, withIntermediateDirectories: true)
            let users = [AccountUser(id: secondUser, name: "Второй", email: "second@example.com")]
            for (name, bytes) in synthetic.amoCRMPages(users: users) where name != "account.json" {
                try Data(bytes).write(to: pages.appendingPathComponent(name))
            }
            let object =
                #"{"id": \#(secondID), "subdomain": "\#(secondSubdomain)", "country": "RU", "customers_mode": "periodicity"}"#
            try Data(object.utf8).write(to: pages.appendingPathComponent("account.json"))
            // A number of B's that A does not have, and what it opens in B.
            let demo = try await AccountDirectory.load(
                Self.demoAccount, options: AccountDirectory.Options(progress: .never))
            let demoIndex = AccountIndex(building: demo.data)
            let secondIndex = AccountIndex(building: synthetic.data)
            let picker = EntityPicker(synthetic.data, index: secondIndex)
            let picked = try #require(
                picker.contact { contact in
                    contact.phones.allSatisfy { demoIndex.resolve(callerNumber: $0.value).candidates.isEmpty }
                })
            let expected = secondIndex.resolve(callerNumber: picked.number).decision
            let opensInB = Target(type: expected.elementType, id: expected.elementID)

            try await postgres.withDatabase("isolated") { store in
                #expect(
                    try await MultiInstance.importAccount(store: store, directory: Self.demoAccount) == Self.accountID)
                #expect(try await MultiInstance.importAccount(store: store, directory: pages.path) == secondID)
                let a = try await MultiInstance.addAccount(
                    store: store, subdomain: MultiInstance.demoSubdomain, id: Self.accountID)
                let b = try await MultiInstance.addAccount(store: store, subdomain: secondSubdomain, id: secondID)
                #expect(a.apiToken != b.apiToken && a.webhookSecret != b.webhookSecret)
                let list = try await MultiInstance.screenpop(["accounts", "list", "--store", store])
                #expect(list.status == 0, "\(list.errors)")
                #expect(
                    Set(list.objects.compactMap { $0["account_id"] as? Int }) == [Self.accountID, secondID],
                    "\(list.output)")
                #expect(
                    !list.output.contains(a.apiToken) && !list.output.contains(b.webhookSecret), "credentials listed")

                let instance = try await Instance.start("instance", store: store)
                defer { instance.child.kill() }
                try await MultiInstance.showingLogs([instance]) {
                    let asA = instance.client(a.apiToken)
                    let asB = instance.client(b.apiToken)

                    // Numbers: B's number is an unknown caller for A, B's contact for B.
                    #expect(try await asA.call(picked.number) == .unknownCaller)
                    #expect(try await asB.call(picked.number) == opensInB)
                    #expect(try await asA.call("+79161234567") == Target(type: 2, id: 31_000_001))
                    let demoInB = secondIndex.resolve(callerNumber: "+79161234567").decision
                    #expect(
                        try await asB.call("+79161234567") == Target(type: demoInB.elementType, id: demoInB.elementID))
                    // Users: A cannot notify B's user.
                    let notify = try await asA.events(number: picked.number, users: [secondUser])
                    #expect(notify.status == 400, "\(notify.text)")

                    // Streams: B's user is not A's.
                    let refused = try MultiInstance.EventStream(
                        port: instance.port, user: "\(secondUser)", token: a.apiToken)
                    defer { refused.close() }
                    #expect(
                        try await refused.waitForStatus() == 400,
                        "A's token opened a stream of B's user: \(refused.description)")
                    #expect(refused.bodyText.contains("unknown_user"), "\(refused.description)")
                    let own = try MultiInstance.EventStream(
                        port: instance.port, user: "\(secondUser)", token: b.apiToken)
                    defer { own.close() }
                    #expect(try await own.waitUntilConnected(), "B's own user: \(own.description)")

                    // Webhooks: A's secret with B's account id is refused and changes nothing in B.
                    let foreign = Self.phoneWebhook(
                        contact: picked.contact.id, phones: [picked.number, "+7 999 555-08-08"], accountID: secondID,
                        subdomain: secondSubdomain)
                    let wrong = try await asA.webhook(secret: a.webhookSecret, foreign)
                    #expect(wrong.status == 403, "\(wrong.text)")
                    #expect(wrong.text.contains("wrong_account"), "\(wrong.text)")
                    #expect(try await asB.call("+7 999 555-08-08") == .unknownCaller)
                    #expect(try await asA.call("+7 999 555-08-08") == .unknownCaller)
                    #expect(try await asB.call(picked.number) == opensInB)
                    // B's own secret takes it.
                    let right = try await asB.webhook(secret: b.webhookSecret, foreign)
                    #expect(right.status == 200, "\(right.text)")
                    #expect(try await asB.call("+7 999 555-08-08") == opensInB)
                    #expect(try await asA.call("+7 999 555-08-08") == .unknownCaller)

                    // Tokens no account has.
                    for token in [nil, "sp_not-a-token", a.webhookSecret] {
                        let answer = try await instance.client(token).events(number: "+79161234567")
                        #expect(answer.status == 401, "\(token ?? "no token"): \(answer.status) \(answer.text)")
                    }
                    let unknownSecret = try await asA.webhook(secret: "wh_not-a-secret", foreign)
                    #expect(unknownSecret.status == 404, "\(unknownSecret.text)")

                    // A rotated token: the new one works, the old one stops (a running server rereads the
                    // credentials when a token is not found: within a bound, not at once).
                    let rotated = try await MultiInstance.screenpop([
                        "accounts", "rotate-token", "--store", store, "--id", "\(secondID)",
                    ])
                    #expect(rotated.status == 0, "\(rotated.errors)")
                    let newToken = try #require(rotated.json["api_token"] as? String, "\(rotated.output)")
                    #expect(newToken != b.apiToken)
                    let newWorks = try await EndToEnd.eventually(seconds: 30) {
                        try await instance.client(newToken).events(number: picked.number).status == 200
                    }
                    #expect(newWorks, "B's new token is refused")
                    #expect(try await instance.client(newToken).call(picked.number) == opensInB)
                    let oldRefused = try await EndToEnd.eventually(seconds: 30) {
                        try await asB.events(number: picked.number).status == 401
                    }
                    #expect(oldRefused, "B's old token still works after rotate-token")
                }
                instance.expectCleanExit()
            }
        }
    }

    // MARK: 6

    /// An account synced with amoCRM (the stand-in) served by two instances: only one polls (the
    /// stand-in sees each instance's own amoCRM token), and when it is killed the other takes over.
    @Test func racingForSync() async throws {
        let postgres = try await MultiInstance.SharedPostgres.shared.get()
        let standIn = AmoCRMStandIn(SyntheticAccount(seed: 31, contacts: 300), users: EndToEnd.users)
        try await standIn.run { standIn in
            try await postgres.withDatabase("racing") { store in
                let synced = try await MultiInstance.screenpop(
                    ["sync", "--store", store, "--amocrm", standIn.base, "--rate", "1000"],
                    environment: ["SCREENPOP_AMOCRM_TOKEN": standIn.token])
                try #require(synced.status == 0, "sync: \(synced.errors)")
                let accountID = try #require(synced.json["account_id"] as? Int, "\(synced.output)")
                let account = try await MultiInstance.addAccount(
                    store: store, subdomain: "standin", id: nil, ["--amocrm", standIn.base],
                    environment: ["SCREENPOP_AMOCRM_TOKEN": standIn.token])
                #expect(account.accountID == accountID)

                // Each instance shows amoCRM a token of its own: A the registration's, B an OAuth access token.
                let tokens = ["A": standIn.token, "B": standIn.tokens.accessToken]
                let a = try await Instance.start("A", store: store, ["--poll", "1"])
                let b = try await Instance.start(
                    "B", store: store, ["--poll", "1"], environment: ["SCREENPOP_AMOCRM_TOKEN": tokens["B"]!])
                var running = ["A": a, "B": b]
                defer { for instance in running.values { instance.child.kill() } }
                try await MultiInstance.showingLogs([a, b]) {
                    for instance in [a, b] {
                        let status = try await instance.client(account.apiToken).get("/api/v2/sync/status")
                        #expect(status.status == 200, "\(instance.name): \(status.text)")
                    }
                    let start = standIn.log.count
                    func polls(since: Int) -> [String: Int] {
                        var count: [String: Int] = [:]
                        for request in standIn.log.dropFirst(since)
                        where request.method == "GET" && request.path == "/api/v4/contacts"
                            && request.parameters.contains(where: { $0.key.hasPrefix("filter[updated_at]") })
                        {
                            let who = tokens.first { $0.value == request.bearer }?.key ?? "?"
                            count[who, default: 0] += 1
                        }
                        return count
                    }
                    let polled = try await EndToEnd.eventually(seconds: 60) {
                        polls(since: start).values.reduce(0, +) >= 6
                    }
                    try #require(
                        polled, "no polls: \(polls(since: start)); A: \(a.log.suffix(2000)) B: \(b.log.suffix(2000))")
                    let counts = polls(since: start)
                    #expect(counts.count == 1, "both instances poll: \(counts)")
                    let leader = try #require(counts.max { $0.value < $1.value }?.key)
                    let follower = leader == "A" ? "B" : "A"

                    // The poller killed: the other takes over.
                    let removed = running.removeValue(forKey: leader)
                    let killed = try #require(removed)
                    try await killed.killHard()
                    let afterKill = standIn.log.count
                    let tookOver = try await EndToEnd.eventually(seconds: 60) {
                        (polls(since: afterKill)[follower] ?? 0) >= 2
                    }
                    #expect(
                        tookOver,
                        """
                        \(follower) did not take over polling from \(leader): \(polls(since: afterKill)); \
                        \(running[follower]?.log.suffix(2000) ?? "")
                        """)
                    #expect(polls(since: afterKill)[leader] == nil)
                    let status = try await running[follower]!.client(account.apiToken).get("/api/v2/sync/status")
                    #expect(status.json["last_poll_at"] as? Int != nil, "\(status.text)")
                    running[follower]!.expectCleanExit()
                }
            }
        }
    }
}
