import AccountIndex
import CallEvents
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ScreenPopServer
import Testing

private let formType = "application/x-www-form-urlencoded"
private let webhookBody = Array("leads%5Bstatus%5D%5B0%5D%5Bid%5D=1".utf8)

@Suite("Many accounts: routing by credential", .serialized)
struct ManyAccountsIsolationTests {
    @Test func eachTokenReachesItsOwnAccountOnly() async throws {
        let store = CapturingLogHandler.Store()
        let provider = TestProvider([TestAccounts.a: .sample(), TestAccounts.b: .b()])
        try await LiveServer.many(provider, logger: CapturingLogHandler.logger(store)) { server in
            // A's index answers A's token: A's lead is A's, B's number is unknown there.
            let aLead = try await server.post(
                call(ServerTestAccount.leadNumber), authorization: bearer(TestAccounts.tokenA))
            #expect(aLead.status == 200)
            #expect(aLead.items.first?["element_id"] as? Int == 1_234_565)
            let aOnB = try await server.post(call(TestAccounts.numberB), authorization: bearer(TestAccounts.tokenA))
            #expect(aOnB.status == 200)
            #expect(aOnB.items.first?["element_id"] is NSNull, "\(aOnB.body)")
            // B's index answers B's token.
            let bOnB = try await server.post(call(TestAccounts.numberB), authorization: bearer(TestAccounts.tokenB))
            #expect(bOnB.items.first?["element_id"] as? Int == 901)
            let bOnA = try await server.post(
                call(ServerTestAccount.leadNumber), authorization: bearer(TestAccounts.tokenB))
            #expect(bOnA.items.first?["element_id"] is NSNull)
            // A's token cannot notify B's users.
            let toB = try await server.post(
                call(ServerTestAccount.leadNumber, users: [55555]), authorization: bearer(TestAccounts.tokenA))
            #expect(toB.status == 400)
            #expect(toB.error?["code"] as? String == "unknown_user")
            #expect(provider.loads(of: TestAccounts.a) == 1 && provider.loads(of: TestAccounts.b) == 1)
            #expect(server.server.accounts.loadedAccountIDs == [TestAccounts.a, TestAccounts.b])
        }
        let lines = store.entries
        let loaded = lines.filter { $0.message == "account loaded" }
        #expect(loaded.map { $0.metadata["account_id"] }.sorted { ($0 ?? "") < ($1 ?? "") } == ["1", "2"])
        #expect(loaded.allSatisfy { $0.metadata["seconds"] != nil && $0.metadata["users"] != nil })
        // A request's lines name its account.
        let refused = lines.filter { $0.message == "refused: unknown_user" }
        #expect(refused.count == 1 && refused.first?.metadata["account_id"] == "1", "\(refused)")
        for line in lines {
            for secret in [TestAccounts.tokenA, TestAccounts.tokenB] {
                #expect(!line.text.contains(secret.dropFirst(3).prefix(12)), "a token is in a log line: \(line)")
            }
        }
    }

    @Test func aTokenOpensOnlyItsOwnUsersStreams() async throws {
        let provider = TestProvider([TestAccounts.a: .sample(), TestAccounts.b: .b()])
        try await LiveServer.many(provider) { server in
            // 55555 is B's: A's token gets A's refusal of a user it does not have.
            let crossing = try await server.stream(user: 55555, authorization: bearer(TestAccounts.tokenA))
            let unknown = try await server.stream(user: 12345, authorization: bearer(TestAccounts.tokenA))
            try await crossing.waitForEnd()
            try await unknown.waitForEnd()
            #expect(crossing.status == 400)
            let crossingError = try JSONSerialization.jsonObject(with: Data(crossing.errorBody.utf8)) as? [String: Any]
            let unknownError = try JSONSerialization.jsonObject(with: Data(unknown.errorBody.utf8)) as? [String: Any]
            #expect((crossingError?["error"] as? [String: Any])?["code"] as? String == "unknown_user")
            #expect(
                (crossingError?["error"] as? [String: Any])?["message"] as? String
                    == ((unknownError?["error"] as? [String: Any])?["message"] as? String)?
                    .replacingOccurrences(of: "12345", with: "55555"))
            // B's token opens it, and it gets B's calls, never A's.
            let stream = try await server.stream(user: 55555, authorization: bearer(TestAccounts.tokenB))
            #expect(stream.status == 200)
            let a = try await server.post(
                call(ServerTestAccount.leadNumber), authorization: bearer(TestAccounts.tokenA))
            #expect(a.status == 200)
            let b = try await server.post(call(TestAccounts.numberB), authorization: bearer(TestAccounts.tokenB))
            let uidB = try #require(b.items.first?["uid"] as? String)
            try await stream.waitForEvents(1)
            try await Task.sleep(for: .milliseconds(100))
            #expect(stream.uids == [uidB])
            // A user added to B by the embedding code may open a stream at once; A still refuses them.
            #expect(server.server.accounts.setUsers(TestAccounts.usersB + [44444], accountID: TestAccounts.b))
            let added = try await server.stream(user: 44444, authorization: bearer(TestAccounts.tokenB))
            #expect(added.status == 200)
            let stillRefused = try await server.stream(user: 44444, authorization: bearer(TestAccounts.tokenA))
            #expect(stillRefused.status == 400)
            stream.close()
            added.close()
        }
    }

    @Test func aWebhookSecretReachesItsOwnAccountsFeedOnly() async throws {
        let store = CapturingLogHandler.Store()
        let feedA = FakeFeed(statusAnswer: FeedAnswer(status: 200, json: Array(#"{"account":"a"}"#.utf8)))
        let feedB = FakeFeed(statusAnswer: FeedAnswer(status: 200, json: Array(#"{"account":"b"}"#.utf8)))
        let provider = TestProvider([
            TestAccounts.a: .sample(secret: TestAccounts.secretA, feed: feedA), TestAccounts.b: .b(feed: feedB),
        ])
        try await LiveServer.many(provider, logger: CapturingLogHandler.logger(store)) { server in
            let toA = try await server.post(
                bytes: webhookBody, contentType: formType, path: "/amocrm/webhooks/\(TestAccounts.secretA)",
                authorization: nil)
            #expect(toA.status == 200)
            #expect(feedA.webhooks.map(\.body) == [webhookBody])
            #expect(feedB.webhooks.isEmpty)
            let toB = try await server.post(
                bytes: webhookBody, contentType: formType, path: "/amocrm/webhooks/\(TestAccounts.secretB)",
                authorization: nil)
            #expect(toB.status == 200)
            #expect(feedA.webhooks.count == 1 && feedB.webhooks.count == 1)
            // An unknown secret: the 404 of an unknown path, the secret tried not shown; no feed sees it.
            let wrong = try await server.post(
                bytes: webhookBody, contentType: formType, path: "/amocrm/webhooks/wh_nobody-has-this-one",
                authorization: nil)
            let unknownPath = try await server.post(
                bytes: webhookBody, contentType: formType, path: "/amocrm/hooks/wh_nobody-has-this-one",
                authorization: nil)
            #expect(wrong.status == 404 && wrong.body == notFoundBody("POST", "/amocrm/webhooks/<redacted>"))
            #expect(unknownPath.status == 404 && unknownPath.error?["code"] as? String == "not_found")
            #expect(feedA.webhooks.count == 1 && feedB.webhooks.count == 1)
            // A token is no webhook secret, nor the other way round.
            let tokenAsSecret = try await server.post(
                bytes: webhookBody, contentType: formType, path: "/amocrm/webhooks/\(TestAccounts.tokenA)",
                authorization: nil)
            #expect(tokenAsSecret.status == 404)
            let secretAsToken = try await server.get("/api/v2/sync/status", authorization: bearer(TestAccounts.secretA))
            #expect(secretAsToken.status == 401)
            // The sync status is the token's account's.
            let statusA = try await server.get("/api/v2/sync/status", authorization: bearer(TestAccounts.tokenA))
            #expect(statusA.body == #"{"account":"a"}"#)
            #expect(feedA.statusCalls == 1 && feedB.statusCalls == 0)
        }
        let refusals = store.entries.filter { $0.message == "refused: wrong webhook secret" }
        #expect(refusals.count == 2)
        for line in store.entries {
            for secret in [TestAccounts.secretA, TestAccounts.secretB, "wh_nobody-has-this-one", TestAccounts.tokenA] {
                #expect(!line.text.contains(secret.dropFirst(3).prefix(12)), "a secret is in a log line: \(line)")
            }
        }
    }

    @Test func anUnknownTokenGetsTheSame401AsNone() async throws {
        let provider = TestProvider([TestAccounts.a: .sample()])
        try await LiveServer.many(provider) { server in
            let none = try await server.post(call(ServerTestAccount.leadNumber), authorization: nil)
            let wrong = try await server.post(call(ServerTestAccount.leadNumber), authorization: bearer("sp_nobody"))
            #expect(none.status == 401 && wrong.status == 401)
            #expect(none.body == wrong.body)
            #expect(wrong.header("WWW-Authenticate") == #"Bearer realm="screenpop""#)
            #expect(provider.loadsStarted == 0)
            #expect(server.server.accounts.loadedAccountIDs.isEmpty)
        }
    }
}

@Suite("Many accounts: loading and eviction", .serialized)
struct ManyAccountsLoadingTests {
    @Test func theFirstRequestsShareOneLoad() async throws {
        let provider = TestProvider([TestAccounts.a: .sample()])
        provider.hold()
        try await LiveServer.many(provider) { server in
            #expect(server.server.accounts.loadedAccountIDs.isEmpty)
            #expect(server.server.accounts.account(TestAccounts.a) == nil)
            let replies = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await server.post(
                            call(ServerTestAccount.leadNumber), authorization: bearer(TestAccounts.tokenA)
                        )
                        .status
                    }
                }
                // Every request waits on the one load, held until all have come.
                try await waitUntil("the load to start") { provider.loadsStarted == 1 }
                try await Task.sleep(for: .milliseconds(200))
                provider.release()
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies == Array(repeating: 200, count: 8))
            #expect(provider.loadsStarted == 1)
            #expect(provider.loads(of: TestAccounts.a) == 1)
            #expect(server.server.accounts.loadedAccountIDs == [TestAccounts.a])
            #expect(server.server.accounts.account(TestAccounts.a)?.hub.deliveredCount == 8 * 3)
        }
    }

    @Test func aFailedLoadIs503AndTheNextRequestTriesAgain() async throws {
        let provider = TestProvider([TestAccounts.a: .sample()])
        provider.failNextLoads(of: TestAccounts.a, count: 1)
        try await LiveServer.many(provider) { server in
            let failed = try await server.post(
                call(ServerTestAccount.leadNumber), authorization: bearer(TestAccounts.tokenA))
            #expect(failed.status == 503)
            #expect(failed.header("Content-Type") == "application/json")
            #expect(failed.header("Retry-After") == "5")
            #expect(failed.error?["code"] as? String == "account_unavailable")
            #expect(failed.error?["message"] as? String != nil)
            #expect(server.server.accounts.loadedAccountIDs.isEmpty)
            let retried = try await server.post(
                call(ServerTestAccount.leadNumber), authorization: bearer(TestAccounts.tokenA))
            #expect(retried.status == 200)
            #expect(provider.loads(of: TestAccounts.a) == 2)
            #expect(server.server.accounts.loadedAccountIDs == [TestAccounts.a])
        }
    }

    @Test func evictionTakesTheLeastRecentlyUsedAccountWithoutStreams() async throws {
        let store = CapturingLogHandler.Store()
        var specs: [Int: TestAccountSpec] = [:]
        for id in 1...4 { specs[id] = .sample(token: TestAccounts.token(id), memoryBytes: 100) }
        let provider = TestProvider(specs)
        try await LiveServer.many(provider, maxMemoryBytes: 250, logger: CapturingLogHandler.logger(store)) { server in
            let accounts = server.server.accounts
            @Sendable func use(_ id: Int) async throws {
                let reply = try await server.post(
                    call(ServerTestAccount.leadNumber), authorization: bearer(TestAccounts.token(id)))
                #expect(reply.status == 200, "account \(id): \(reply.body)")
            }
            try await use(1)
            try await use(2)
            #expect(accounts.loadedAccountIDs == [1, 2])
            #expect(accounts.memoryBytes == 200)
            // 1 has a stream open, so 3's load evicts 2 although 1 was used before it.
            let stream = try await server.stream(user: 88888, authorization: bearer(TestAccounts.token(1)))
            #expect(stream.status == 200)
            try await use(2)
            try await use(3)
            #expect(accounts.loadedAccountIDs == [1, 3])
            #expect(provider.unloads == [2])
            #expect(accounts.memoryBytes == 200)
            // The stream goes on.
            try await use(1)
            try await stream.waitForEvents(1)
            stream.close()
            try await waitUntil("the stream to close") { accounts.account(1)?.hub.subscriberCount() == 0 }
            // Now 3 is the least recently used: 4's load evicts it, not 1.
            try await use(1)
            try await use(4)
            #expect(accounts.loadedAccountIDs == [1, 4])
            #expect(provider.unloads == [2, 3])
            // An evicted account loads again on its next request.
            try await use(2)
            #expect(provider.loads(of: 2) == 2)
            #expect(accounts.loadedAccountIDs == [2, 4])
            #expect(provider.unloads == [2, 3, 1])
        }
        let evicted = store.entries.filter { $0.message == "account evicted" }
        #expect(evicted.map { $0.metadata["account_id"] } == ["2", "3", "1"])
        #expect(evicted.allSatisfy { $0.metadata["bytes"] == "100" })
    }
}

@Suite("Many accounts: relay between instances", .serialized)
struct RelayTests {
    @Test func aCallPostedToOneInstanceReachesAStreamOnAnotherWithTheSameID() async throws {
        let relay = InMemoryRelay()
        let provider = TestProvider([TestAccounts.a: .sample()])
        let first = ScreenPopServer(
            accounts: provider, configuration: ServerConfiguration(port: 0), relay: relay, logger: LiveServer.logger())
        let second = ScreenPopServer(
            accounts: provider, configuration: ServerConfiguration(port: 0), relay: relay, logger: LiveServer.logger())
        relay.register(first)
        relay.register(second)
        let token = bearer(TestAccounts.tokenA)
        try await LiveServer.serving(first) { one in
            try await LiveServer.serving(second) { two in
                let onOne = try await one.stream(user: 88888, authorization: token)
                let onTwo = try await two.stream(user: 88888, authorization: token)
                #expect(onOne.status == 200 && onTwo.status == 200)
                var uids: [String] = []
                for _ in 0..<2 {
                    let reply = try await one.post(
                        call(ServerTestAccount.leadNumber, users: [88888]), authorization: token)
                    uids += reply.items.compactMap { $0["uid"] as? String }
                }
                try await onOne.waitForEvents(2)
                try await onTwo.waitForEvents(2)
                #expect(onOne.uids == uids && onTwo.uids == uids)
                let ids = onOne.events.map(\.id)
                #expect(onTwo.events.map(\.id) == ids)
                let lastID = try #require(ids.last ?? nil)
                // Away from instance two while a third call is made on instance one.
                onTwo.close()
                try await waitUntil("the stream on two to close") {
                    second.accounts.account(TestAccounts.a)?.hub.subscriberCount() == 0
                }
                let third = try await one.post(call(ServerTestAccount.leadNumber, users: [88888]), authorization: token)
                let thirdUID = try #require(third.items.first?["uid"] as? String)
                try await onOne.waitForEvents(3)
                // Back on two with Last-Event-ID: the third only, with one's id.
                let back = try await two.stream(user: 88888, lastEventID: lastID, authorization: token)
                try await back.waitForEvents(1)
                try await Task.sleep(for: .milliseconds(100))
                #expect(back.uids == [thirdUID])
                #expect(back.events.map(\.id) == [onOne.events[2].id])
                // A call made on two gets an id above every id two has seen, and reaches one once.
                let fourth = try await two.post(
                    call(ServerTestAccount.leadNumber, users: [88888]), authorization: token)
                let fourthUID = try #require(fourth.items.first?["uid"] as? String)
                try await back.waitForEvents(2)
                try await onOne.waitForEvents(4)
                try await Task.sleep(for: .milliseconds(100))
                #expect(back.uids == [thirdUID, fourthUID])
                #expect(onOne.uids == uids + [thirdUID, fourthUID])
                let fourthID = try #require(back.events[1].id.flatMap(UInt64.init))
                #expect(fourthID > UInt64(try #require(onOne.events[2].id.flatMap(UInt64.init))))
                #expect(onOne.events[3].id == back.events[1].id)
                #expect(relay.publishedCount == 4)
                onOne.close()
                back.close()
            }
        }
    }

    @Test func thePayloadRoundTrips() throws {
        let json = Array(#"{"uid":"x","users":[1,2],"name":"Пётр \"Q\""}"#.utf8)
        let payload = RelayPayload(
            origin: 0xFEDC_BA98_7654_3210,
            events: [
                RelayedEvent(id: 1_764_971_000_000_001, users: [88888, 99999], json: json),
                RelayedEvent(id: 7, users: [], json: Array("{}".utf8)),
            ])
        let bytes = payload.encoded()
        #expect(!bytes.contains(0))
        #expect(try RelayPayload(decoding: bytes) == payload)
        #expect(throws: RelayPayload.DecodingError.self) { try RelayPayload(decoding: Array("{}".utf8)) }
        #expect(throws: RelayPayload.DecodingError.self) {
            try RelayPayload(decoding: Array(#"{"v":1,"origin":"00","events":[{"id":1,"users":[],"data":"x"}]}"#.utf8))
        }
        #expect(throws: RelayPayload.DecodingError.self) { try RelayPayload(decoding: Array(bytes.dropLast())) }
    }

    @Test func relayedEventsKeepTheReplayBufferInIDOrder() async throws {
        let hub = NotificationHub(users: [1, 2], firstEventID: 100)
        // To a user this hub does not have: an id is used all the same.
        await hub.deliver(try await NotificationHubTests.notifications(count: 1, users: [88888]))
        hub.deliver(encoded: [RelayedEvent(id: 500, users: [1], json: Array(#"{"n":500}"#.utf8))])
        #expect(hub.nextEventID == 501)
        hub.deliver(encoded: [RelayedEvent(id: 300, users: [1, 2, 3], json: Array(#"{"n":300}"#.utf8))])
        #expect(hub.nextEventID == 501)
        let replay = try hub.subscribe(user: 1, lastEventID: 0).replay
        #expect(replay.map(\.id) == [300, 500])
        #expect(replay.map { String(buffer: $0.data) } == [#"{"n":300}"#, #"{"n":500}"#])
        #expect(try hub.subscribe(user: 1, lastEventID: 300).replay.map(\.id) == [500])
        #expect(hub.replayUsage(user: 2).count == 1)
    }
}

@Suite("Readiness and credentials")
struct ReadinessTests {
    @Test func readyAndNotReadyWithoutAToken() async throws {
        let reason = NIOLockedValueBox<String?>(nil)
        let provider = TestProvider([TestAccounts.a: .sample()])
        try await LiveServer.many(
            provider, readiness: { reason.withLockedValue { $0 }.map { Readiness.notReady($0) } ?? Readiness.ready }
        ) { server in
            let ready = try await server.get("/ready", authorization: nil)
            #expect(ready.status == 200)
            #expect(ready.body == #"{"status":"ready"}"#)
            #expect(ready.header("Content-Type") == "application/json")
            reason.withLockedValue { $0 = "PostgreSQL unreachable" }
            let notReady = try await server.get("/ready", authorization: nil)
            #expect(notReady.status == 503)
            #expect(notReady.body == #"{"status":"not_ready","reason":"PostgreSQL unreachable"}"#)
            let health = try await server.get("/health", authorization: nil)
            #expect(health.status == 200)
        }
        // A server of one account is ready.
        try await LiveServer.with { server in
            let ready = try await server.get("/ready", authorization: nil)
            #expect(ready.status == 200)
        }
    }

    @Test func mintedSecretsAndTheirHashes() {
        let token = AccountSecret.generate(prefix: AccountSecret.apiTokenPrefix)
        let secret = AccountSecret.generate(prefix: AccountSecret.webhookSecretPrefix)
        #expect(token.hasPrefix("sp_") && token.count == 3 + 43)
        #expect(secret.hasPrefix("wh_") && secret.count == 3 + 43)
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        #expect(token.dropFirst(3).allSatisfy { allowed.contains($0) })
        #expect(token != AccountSecret.generate(prefix: AccountSecret.apiTokenPrefix))
        // FIPS 180-2's example.
        let abc = AccountSecret.sha256("abc").map { String(format: "%02x", $0) }.joined()
        #expect(abc == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(AccountSecret.hashesEqual(AccountSecret.sha256(token), AccountSecret.sha256(token)))
        #expect(!AccountSecret.hashesEqual(AccountSecret.sha256(token), AccountSecret.sha256(secret)))
        #expect(!AccountSecret.hashesEqual([1, 2], [1, 2, 3]))
        #expect(APIToken(token)!.sha256 == AccountSecret.sha256(token))
    }
}
