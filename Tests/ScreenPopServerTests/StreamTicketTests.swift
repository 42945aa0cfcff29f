import AccountSynthesis
import Foundation
import ScreenPopServer
import Testing

/// Mints a ticket for `user` with the integration's token; the reply's `ticket`.
private func mint(_ server: LiveServer, user: Int, expiresIn: Int? = nil, token: String = ServerTestAccount.token)
    async throws -> String
{
    let lifetime = expiresIn.map { #","expires_in":\#($0)"# } ?? ""
    let reply = try await server.post(
        #"{"user_id":\#(user)\#(lifetime)}"#, path: "/api/v2/events/stream-tickets", authorization: bearer(token))
    #expect(reply.status == 200, "\(reply.body)")
    return try #require(reply.json?["ticket"] as? String)
}

/// The ticket with one character changed: what a forger would try.
private func altered(_ ticket: String, at position: Int) -> String {
    var characters = Array(ticket)
    characters[position] = characters[position] == "A" ? "B" : "A"
    return String(characters)
}

@Suite("Stream tickets: the signer")
struct StreamTicketSignerTests {
    let signer = StreamTicketSigner(key: Array(repeating: 7, count: 32))

    @Test func aMintedTicketVerifiesToItsClaims() throws {
        let claims = StreamTicket(accountID: 31_337, userID: 88888, expiresAt: 2_000_000_000)
        let text = signer.mint(claims)
        #expect(try signer.verify(text, now: 1_999_999_999) == claims)
        #expect(text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }, "URL-safe: \(text)")
    }

    @Test func itExpiresAtItsExpiry() throws {
        let text = signer.mint(StreamTicket(accountID: 1, userID: 2, expiresAt: 1_000))
        #expect(throws: StreamTicketError.expired(at: 1_000)) { try signer.verify(text, now: 1_000) }
        #expect(throws: StreamTicketError.expired(at: 1_000)) { try signer.verify(text, now: 5_000) }
    }

    @Test func everyAlteredCharacterAndAnotherKeyAreRefused() throws {
        let text = signer.mint(StreamTicket(accountID: 1, userID: 88888, expiresAt: 2_000_000_000))
        for position in text.indices.map({ text.distance(from: text.startIndex, to: $0) }) {
            #expect(throws: StreamTicketError.invalid) { try signer.verify(altered(text, at: position), now: 0) }
        }
        let other = StreamTicketSigner(key: Array(repeating: 8, count: 32))
        #expect(throws: StreamTicketError.invalid) { try other.verify(text, now: 0) }
        for junk in ["", "x", String(repeating: "A", count: 76), String(repeating: "A", count: 5000), text + "A", "%%%"] {
            #expect(throws: StreamTicketError.invalid) { try signer.verify(junk, now: 0) }
        }
    }

    @Test func randomKeysDiffer() {
        #expect(StreamTicketSigner.randomKey().count == 32)
        #expect(StreamTicketSigner.randomKey() != StreamTicketSigner.randomKey())
    }
}

@Suite("Stream tickets over HTTP")
struct StreamTicketTests {
    @Test func aTicketStreamsItsUsersNotificationsAndNoOneElses() async throws {
        try await LiveServer.with { server in
            let ticket = try await mint(server, user: 88888)
            let stream = try await server.stream(query: "ticket=\(ticket)")
            #expect(stream.status == 200)
            try await waitUntil("the greeting") { !stream.messages.isEmpty }
            let other = try await server.post(call(ServerTestAccount.leadNumber, users: [99999]))
            let own = try await server.post(call(ServerTestAccount.contactNumber, users: [88888, 77777]))
            #expect(other.status == 200 && own.status == 200)
            let everyone = try await server.post(call(ServerTestAccount.unknownNumber))
            let events = try await stream.waitForEvents(2)
            try await Task.sleep(for: .milliseconds(300))
            #expect(stream.uids == [own.items[0]["uid"] as? String, everyone.items[0]["uid"] as? String])
            #expect(!stream.uids.contains(other.items[0]["uid"] as? String ?? "?"))
            #expect(events.count == 2)
            stream.close()
        }
    }

    @Test func theTicketDecidesTheUser() async throws {
        try await LiveServer.with { server in
            let ticket = try await mint(server, user: 88888)
            let same = try await server.stream(query: "ticket=\(ticket)&user_id=88888")
            #expect(same.status == 200)
            same.close()
            let another = try await server.stream(query: "ticket=\(ticket)&user_id=99999")
            #expect(another.status == 403)
            try await another.waitForEnd()
            #expect(another.errorBody.contains("wrong_user"))
            // A token with another user's ticket: the ticket still decides (and refuses the mismatch).
            let both = try await server.stream(
                query: "ticket=\(ticket)&user_id=99999", authorization: bearer(ServerTestAccount.token))
            #expect(both.status == 403)
            both.close()
        }
    }

    @Test func forgedExpiredAndMissingCredentialsAre401() async throws {
        try await LiveServer.with(heartbeat: .milliseconds(200)) { server in
            let ticket = try await mint(server, user: 88888)
            for forged in [altered(ticket, at: 3), altered(ticket, at: ticket.count - 2), "nonsense", ""] {
                let reply = try await server.get("/api/v2/events/stream?ticket=\(forged)", authorization: nil)
                #expect(reply.status == 401, "\(forged)")
                #expect(reply.error?["code"] as? String == "invalid_ticket")
            }
            let noCredential = try await server.get("/api/v2/events/stream?user_id=88888", authorization: nil)
            #expect(noCredential.status == 401)
            #expect(noCredential.error?["code"] as? String == "unauthorized")
            // A ticket of another server (another key) is forged here.
            let foreign = StreamTicketSigner(key: StreamTicketSigner.randomKey()).mint(
                StreamTicket(accountID: 0, userID: 88888, expiresAt: Int(Date().timeIntervalSince1970) + 600))
            let refused = try await server.get("/api/v2/events/stream?ticket=\(foreign)", authorization: nil)
            #expect(refused.status == 401)
            // A short ticket: its open stream ends with `ticket-expired`, and then it is refused.
            let short = try await mint(server, user: 88888, expiresIn: 1)
            let stream = try await server.stream(query: "ticket=\(short)")
            #expect(stream.status == 200)
            try await stream.waitForEnd(seconds: 10)
            #expect(stream.messages.last?.event == "ticket-expired")
            let expired = try await server.get("/api/v2/events/stream?ticket=\(short)", authorization: nil)
            #expect(expired.status == 401)
            #expect(expired.error?["code"] as? String == "expired_ticket")
            let described = try await server.get("/api/v2/events/ticket?ticket=\(short)", authorization: nil)
            #expect(described.error?["code"] as? String == "expired_ticket")
        }
    }

    @Test func mintingNeedsTheTokenAndAUserOfTheAccount() async throws {
        try await LiveServer.with { server in
            let path = "/api/v2/events/stream-tickets"
            let noToken = try await server.post(#"{"user_id":88888}"#, path: path, authorization: nil)
            #expect(noToken.status == 401)
            let ticket = try await mint(server, user: 88888)
            // A ticket does not stand for the token anywhere but the browser's routes.
            let byTicket = try await server.post(
                #"{"user_id":88888}"#, path: path + "?ticket=\(ticket)", authorization: nil)
            #expect(byTicket.status == 401)
            let post = try await server.post(call(ServerTestAccount.leadNumber), path: "/api/v2/events?ticket=\(ticket)", authorization: nil)
            #expect(post.status == 401)
            let cases: [(String, String, String?)] = [
                (#"{"user_id":12345}"#, "unknown_user", "12345"),
                (#"{}"#, "missing_field", nil),
                (#"{"user_id":"abc"}"#, "invalid_user_id", nil),
                (#"{"user_id":88888,"expires_in":0}"#, "invalid_field", nil),
                (#"{"user_id":88888,"expires_in":86401}"#, "invalid_field", nil),
                (#"[1]"#, "malformed_body", nil),
                (#"{"user_id":"#, "malformed_body", nil),
            ]
            for (body, code, named) in cases {
                let reply = try await server.post(body, path: path)
                #expect(reply.status == 400, "\(body)")
                #expect(reply.error?["code"] as? String == code, "\(body): \(reply.body)")
                if let named { #expect((reply.error?["message"] as? String)?.contains(named) == true) }
            }
            // `curl -d` sends JSON as a form: the route reads JSON whatever the content type.
            let asForm = try await server.post(
                #"{"user_id":"88888","expires_in":60}"#, contentType: "application/x-www-form-urlencoded", path: path)
            #expect(asForm.status == 200)
            #expect(asForm.json?["expires_in"] as? Int == 60)
            #expect(asForm.json?["user_id"] as? Int == 88888)
            #expect((asForm.json?["page_url"] as? String)?.hasPrefix("/?ticket=") == true)
            let standard = try await server.post(#"{"user_id":88888}"#, path: path)
            #expect(standard.json?["expires_in"] as? Int == 43_200)
        }
    }

    @Test func theTicketDescribesItself() async throws {
        try await LiveServer.with { server in
            let ticket = try await mint(server, user: 77777, expiresIn: 600)
            let reply = try await server.get("/api/v2/events/ticket?ticket=\(ticket)", authorization: nil)
            #expect(reply.status == 200)
            #expect(reply.json?["user_id"] as? Int == 77777)
            let left = try #require(reply.json?["expires_in"] as? Int)
            #expect(left > 590 && left <= 601)
            let withoutTicket = try await server.get("/api/v2/events/ticket")
            #expect(withoutTicket.status == 400)
        }
    }

    @Test func aTicketNeverReachesALog() async throws {
        let store = CapturingLogHandler.Store()
        try await LiveServer.with(heartbeat: .milliseconds(100), logger: CapturingLogHandler.logger(store)) { server in
            let ticket = try await mint(server, user: 88888)
            let stream = try await server.stream(query: "ticket=\(ticket)")
            _ = try await server.post(call(ServerTestAccount.leadNumber))
            try await stream.waitForEvents(1)
            stream.close()
            _ = try await server.get("/api/v2/events/stream?ticket=\(altered(ticket, at: 5))", authorization: nil)
            _ = try await server.get("/api/v2/events/ticket?ticket=\(ticket)", authorization: nil)
            _ = try await server.get("/nowhere?ticket=\(ticket)", authorization: nil)
            try await Task.sleep(for: .milliseconds(200))
            let entries = store.entries
            #expect(entries.contains { $0.message.contains("stream ticket minted") })
            for entry in entries {
                #expect(!entry.text.contains(String(ticket.prefix(40))), "\(entry)")
                #expect(!entry.text.contains(String(ticket.suffix(30))), "\(entry)")
            }
        }
    }
}

@Suite("Stream tickets in a server of many accounts")
struct ManyAccountsTicketTests {
    @Test func aTicketReachesOnlyItsAccount() async throws {
        let provider = TestProvider([TestAccounts.a: .sample(), TestAccounts.b: .b()])
        try await LiveServer.many(provider) { server in
            let ticket = try await mint(server, user: 88888, token: TestAccounts.tokenA)
            // B has no user 88888: B's token cannot mint it.
            let fromB = try await server.post(
                #"{"user_id":88888}"#, path: "/api/v2/events/stream-tickets", authorization: bearer(TestAccounts.tokenB))
            #expect(fromB.status == 400)
            let described = try await server.get("/api/v2/events/ticket?ticket=\(ticket)", authorization: nil)
            #expect(described.json?["account_id"] as? Int == TestAccounts.a)
            let stream = try await server.stream(query: "ticket=\(ticket)")
            #expect(stream.status == 200)
            try await waitUntil("the greeting") { !stream.messages.isEmpty }
            let inB = try await server.post(call(TestAccounts.numberB), authorization: bearer(TestAccounts.tokenB))
            let inA = try await server.post(call(ServerTestAccount.leadNumber), authorization: bearer(TestAccounts.tokenA))
            #expect(inA.status == 200 && inB.status == 200)
            try await stream.waitForEvents(1)
            try await Task.sleep(for: .milliseconds(300))
            #expect(stream.uids == [inA.items[0]["uid"] as? String])
            stream.close()
            // The same claims for account B (a user of B's): signed by A's ticket's MAC, they are forged.
            let claims = try #require(Data(base64URL: ticket))
            var forB = [UInt8](claims)
            forB[8] = UInt8(TestAccounts.b)
            let forged = Data(forB).base64URLEncodedString()
            let refused = try await server.get("/api/v2/events/stream?ticket=\(forged)", authorization: nil)
            #expect(refused.status == 401)
            // A ticket for an account the provider no longer has is refused, not loaded.
            let signer = server.server.tickets
            let gone = signer.mint(
                StreamTicket(accountID: 77, userID: 88888, expiresAt: Int(Date().timeIntervalSince1970) + 600))
            let goneReply = try await server.get("/api/v2/events/stream?ticket=\(gone)", authorization: nil)
            #expect(goneReply.status == 401)
            #expect(provider.loads(of: 77) == 0)
        }
    }
}

extension Data {
    init?(base64URL text: String) {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.count % 4 != 0 { standard += "=" }
        self.init(base64Encoded: standard)
    }

    func base64URLEncodedString() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
