import CallEvents
import Foundation
import ScreenPopServer
import Testing

private let uuidPattern = try! NSRegularExpression(
    pattern: "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")

private func isUUIDv4(_ text: Any?) -> Bool {
    guard let text = text as? String else { return false }
    return uuidPattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
}

@Suite("POST /api/v2/events against a live server", .serialized)
struct EventsAPITests {
    /// The seed's JSON request example (as `JSON.stringify` sends it), answered as the seed's response example.
    @Test func seedJSONExample() async throws {
        try await LiveServer.with { server in
            for path in ["/api/v2/events", "/api/v2/events/"] {
                let reply = try await server.post(
                    #"{"add":[{"type":"phone_call","phone_number":"+79998885533","users":[88888,99999]}]}"#,
                    contentType: "application/json; charset=utf-8", path: path)
                #expect(reply.status == 200, "\(reply.body)")
                #expect(reply.header("Content-Type") == "application/hal+json")
                let links = reply.json?["_links"] as? [String: Any]
                let selfLink = links?["self"] as? [String: Any]
                #expect(selfLink?["href"] as? String == "/api/v2/events")
                #expect(selfLink?["method"] as? String == "post")
                #expect(reply.items.count == 1)
                #expect(reply.items.first?["element_id"] as? Int == 1_234_565)
                #expect(reply.items.first?["element_type"] as? Int == 2)
                #expect(reply.items.first?["phone_number"] as? String == "+79998885533")
                #expect(isUUIDv4(reply.items.first?["uid"]))
                // Member order as in the seed.
                #expect(
                    reply.body.hasPrefix(
                        #"{"_links":{"self":{"href":"/api/v2/events","method":"post"}},"_embedded":{"items":[{"element_id":1234565,"element_type":2,"uid":""#
                    ))
            }
            #expect(server.recorder.notifications.map(\.users) == [[88888, 99999], [88888, 99999]])
        }
    }

    /// The PHP example's body, exactly; and what `http_build_query` writes (brackets encoded).
    @Test func phpFormExample() async throws {
        try await LiveServer.with { server in
            let exact = "add[0][phone_number]=%2B79998885533&add[0][users][0]=88888&add[0][type]=phone_call"
            let reply = try await server.post(exact, contentType: "application/x-www-form-urlencoded")
            #expect(reply.status == 200, "\(reply.body)")
            #expect(reply.header("Content-Type") == "application/hal+json")
            #expect(reply.items.first?["element_id"] as? Int == 1_234_565)
            #expect(reply.items.first?["element_type"] as? Int == 2)
            #expect(reply.items.first?["phone_number"] as? String == "+79998885533")
            let built =
                "add%5B0%5D%5Bphone_number%5D=%2B79998885533&add%5B0%5D%5Busers%5D%5B0%5D=88888"
                + "&add%5B0%5D%5Busers%5D%5B1%5D=99999&add%5B0%5D%5Btype%5D=phone_call"
            let second = try await server.post(built, contentType: "application/x-www-form-urlencoded")
            #expect(second.status == 200, "\(second.body)")
            #expect(server.recorder.notifications.map(\.users) == [[88888], [88888, 99999]])
            #expect(
                server.recorder.notifications.map(\.uid.description)
                    == [reply, second].map { $0.items.first?["uid"] as? String })
        }
    }

    @Test func everyKindOfAnswerAndUsersAbsentMeansEveryone() async throws {
        try await LiveServer.with { server in
            let numbers = [
                ServerTestAccount.leadNumber, ServerTestAccount.customerNumber, ServerTestAccount.contactNumber,
                ServerTestAccount.companyNumber, ServerTestAccount.unknownNumber,
            ]
            let events = numbers.map { #"{"type":"phone_call","phone_number":"\#($0)"}"# }.joined(separator: ",")
            let reply = try await server.post(#"{"add":[\#(events)]}"#)
            #expect(reply.status == 200, "\(reply.body)")
            #expect(reply.items.map { $0["element_type"] as? Int } == [2, 12, 1, 3, nil])
            #expect(reply.items.map { $0["element_id"] as? Int } == [1_234_565, 55, 3, 4, nil])
            #expect(reply.items.map { $0["phone_number"] as? String } == numbers)
            #expect(reply.body.contains(#""element_id":null,"element_type":null"#))
            let notifications = server.recorder.notifications
            #expect(
                notifications.map(\.action) == [
                    .openLead, .openCustomer, .openContact, .openCompany, .createContact,
                ])
            #expect(notifications.allSatisfy { $0.users == [77777, 88888, 99999] })
            #expect(Set(reply.items.compactMap { $0["uid"] as? String }).count == 5)
        }
    }

    @Test func oneUserAndStringIDs() async throws {
        try await LiveServer.with { server in
            let one = try await server.post(
                #"{"add":[{"type":"phone_call","phone_number":"89998885533","users":[99999]}]}"#)
            #expect(one.status == 200)
            let strings = try await server.post(
                #"{"add":[{"type":"phone_call","phone_number":"89998885533","users":["88888","77777"]}]}"#)
            #expect(strings.status == 200)
            let form = try await server.post(
                "add[0][type]=phone_call&add[0][phone_number]=8+999+888-55-33&add[0][users]=77777",
                contentType: "application/x-www-form-urlencoded")
            #expect(form.status == 200)
            #expect(form.items.first?["phone_number"] as? String == "8 999 888-55-33")
            #expect(server.recorder.notifications.map(\.users) == [[99999], [88888, 77777], [77777]])
        }
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        let name: String
        let body: String
        let contentType: String?
        let status: Int
        let code: String
        let index: Int?
        let field: String?
        var testDescription: String { name }
    }

    static let json = "application/json"
    static let form = "application/x-www-form-urlencoded"
    static func one(_ members: String) -> String { #"{"add":[{\#(members)}]}"# }

    static let refusals: [Refusal] = [
        Refusal(
            name: "malformed JSON", body: #"{"add":[{"type":"phone_call""#, contentType: json, status: 400,
            code: "malformed_body", index: nil, field: nil),
        Refusal(
            name: "malformed form", body: "add[0][type]=%zz", contentType: form, status: 400, code: "malformed_body",
            index: nil, field: nil),
        Refusal(
            name: "missing type", body: one(#""phone_number":"+79998885533""#), contentType: json, status: 400,
            code: "missing_field", index: 0, field: "type"),
        Refusal(
            name: "wrong type", body: one(#""type":"sms","phone_number":"+79998885533""#), contentType: json,
            status: 400, code: "unsupported_event_type", index: 0, field: "type"),
        Refusal(
            name: "wrong type in a form", body: "add[0][type]=call&add[0][phone_number]=1", contentType: form,
            status: 400, code: "unsupported_event_type", index: 0, field: "type"),
        Refusal(
            name: "missing phone_number", body: one(#""type":"phone_call""#), contentType: json, status: 400,
            code: "missing_field", index: 0, field: "phone_number"),
        Refusal(
            name: "phone_number a number", body: one(#""type":"phone_call","phone_number":79998885533"#),
            contentType: json, status: 400, code: "invalid_field", index: 0, field: "phone_number"),
        Refusal(
            name: "phone_number over 250 characters",
            body: one(#""type":"phone_call","phone_number":"\#(String(repeating: "anonymous ", count: 26))""#),
            contentType: json, status: 400, code: "phone_number_too_long", index: 0, field: "phone_number"),
        Refusal(
            name: "withheld caller for an unknown user",
            body: one(#""type":"phone_call","phone_number":"anonymous","users":[5]"#), contentType: json,
            status: 400, code: "unknown_user", index: 0, field: "users"),
        Refusal(
            name: "user not a number", body: one(#""type":"phone_call","phone_number":"+79998885533","users":["x"]"#),
            contentType: json, status: 400, code: "invalid_user_id", index: 0, field: "users"),
        Refusal(
            name: "user not in the account",
            body: one(#""type":"phone_call","phone_number":"+79998885533","users":[88888,12345]"#), contentType: json,
            status: 400, code: "unknown_user", index: 0, field: "users"),
        Refusal(
            name: "user not in the account, form",
            body: "add[0][type]=phone_call&add[0][phone_number]=%2B79998885533&add[0][users][0]=5", contentType: form,
            status: 400, code: "unknown_user", index: 0, field: "users"),
        Refusal(
            name: "empty add", body: #"{"add":[]}"#, contentType: json, status: 400, code: "empty_batch", index: nil,
            field: "add"),
        Refusal(
            name: "no add", body: #"{}"#, contentType: json, status: 400, code: "missing_field", index: nil,
            field: "add"),
        Refusal(
            name: "501 events",
            body: #"{"add":["#
                + Array(repeating: #"{"type":"phone_call","phone_number":"+79998885533"}"#, count: 501).joined(
                    separator: ",") + "]}", contentType: json, status: 400, code: "too_many_events", index: nil,
            field: "add"),
        Refusal(
            name: "text/plain", body: "{}", contentType: "text/plain", status: 415, code: "unsupported_media_type",
            index: nil, field: nil),
        Refusal(
            name: "no content type", body: "{}", contentType: nil, status: 415, code: "unsupported_media_type",
            index: nil, field: nil),
        Refusal(
            name: "another charset", body: "{}", contentType: "application/json; charset=koi8-r", status: 415,
            code: "unsupported_media_type", index: nil, field: nil),
    ]

    @Test(arguments: refusals)
    func refused(_ refusal: Refusal) async throws {
        try await RouterTest.with { server in
            let reply = try await server.request(.post, "/api/v2/events", body: refusal.body, contentType: refusal.contentType)
            #expect(reply.status == refusal.status, "\(reply.body)")
            #expect(reply.header("Content-Type") == "application/json")
            let error = try #require(reply.error)
            #expect(error["code"] as? String == refusal.code)
            #expect(error["index"] as? Int == refusal.index)
            #expect(error["field"] as? String == refusal.field)
            #expect((error["message"] as? String)?.isEmpty == false)
            #expect(server.recorder.batchCount == 0)
            #expect(server.server.hub.deliveredCount == 0)
        }
    }

    /// PBXs send a withheld caller id every day: each is notified as create-contact (no number),
    /// with the rest of the batch, and its answer item has nulls as an unknown number's.
    @Test func withheldCallerIDsAreNotifiedNotRefused() async throws {
        try await LiveServer.with { server in
            let stream = try await server.stream(user: 88888)
            let numbers = ["Unknown", "anonymous", "", "private", ServerTestAccount.leadNumber]
            let events = numbers.map { #"{"type":"phone_call","phone_number":"\#($0)"}"# }.joined(separator: ",")
            let reply = try await server.post(#"{"add":[\#(events)]}"#)
            #expect(reply.status == 200, "\(reply.body)")
            #expect(reply.items.map { $0["phone_number"] as? String } == numbers)
            #expect(reply.items.map { $0["element_id"] as? Int } == [nil, nil, nil, nil, 1_234_565])
            #expect(reply.items.map { $0["element_type"] as? Int } == [nil, nil, nil, nil, 2])
            #expect(reply.items.prefix(4).allSatisfy { $0["element_id"] is NSNull && $0["element_type"] is NSNull })
            let notifications = server.recorder.notifications
            #expect(notifications.map(\.action) == Array(repeating: .createContact, count: 4) + [.openLead])
            #expect(notifications.map(\.e164) == [nil, nil, nil, nil, "+79998885533"])
            #expect(notifications.allSatisfy { $0.users == [77777, 88888, 99999] })
            // The stream carries them, e164 null.
            let received = try await stream.waitForEvents(5)
            let objects = received.compactMap { message in
                message.data.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            }
            try #require(objects.count == 5)
            #expect(objects.map { $0["phone_number"] as? String } == numbers)
            #expect(objects.prefix(4).allSatisfy { $0["e164"] is NSNull })
            #expect(objects.map { $0["action"] as? String }.prefix(4).allSatisfy { $0 == "create_contact" })
            #expect(
                objects.map { $0["display_number"] as? String }.prefix(4) == ["Unknown", "anonymous", "", "private"])
            #expect(objects.prefix(4).allSatisfy { ($0["target"] as? [String: Any])?["element_id"] is NSNull })
            #expect(objects[4]["e164"] as? String == "+79998885533")
            stream.close()
            // A form body with an empty phone_number, as a PBX's PHP would send it.
            let form = try await server.post(
                "add[0][type]=phone_call&add[0][phone_number]=&add[0][users][0]=99999",
                contentType: "application/x-www-form-urlencoded")
            #expect(form.status == 200, "\(form.body)")
            #expect(form.items.first?["element_id"] is NSNull)
            #expect(server.recorder.notifications.last?.users == [99999])
        }
    }

    /// `curl -d '{"add": …}'` sends the form content type: the answer says so, with the fix.
    @Test func jsonSentAsAFormIsToldSo() async throws {
        try await RouterTest.with { server in
            let reply = try await server.request(
                .post, "/api/v2/events", body: #"{"add":[{"type":"phone_call","phone_number":"+79998885533"}]}"#,
                contentType: "application/x-www-form-urlencoded")
            #expect(reply.status == 400)
            #expect(reply.error?["code"] as? String == "missing_field")
            #expect(
                reply.error?["message"] as? String
                    == "add is required; the body looks like JSON but was sent as application/x-www-form-urlencoded "
                    + "(what curl -d sends): send Content-Type: application/json "
                    + "(curl: -H 'Content-Type: application/json' or --json)")
            #expect(server.recorder.batchCount == 0)
        }
    }

    @Test func fiveHundredEventsAreFine() async throws {
        try await LiveServer.with { server in
            let events = Array(
                repeating: #"{"type":"phone_call","phone_number":"+79998885533","users":[88888]}"#, count: 500)
            let reply = try await server.post(#"{"add":[\#(events.joined(separator: ","))]}"#)
            #expect(reply.status == 200)
            #expect(reply.items.count == 500)
            #expect(server.recorder.notifications.count == 500)
        }
    }

    @Test func bodyOverOneMiBIs413() async throws {
        try await LiveServer.with { server in
            // A valid JSON document just over 1 MiB: white space after the object.
            var body = Array(#"{"add":[{"type":"phone_call","phone_number":"+79998885533"}]}"#.utf8)
            body += Array(repeating: UInt8(ascii: " "), count: (1 << 20) + 1 - body.count)
            let reply = try await server.post(bytes: body)
            #expect(reply.status == 413)
            #expect(reply.error?["code"] as? String == "body_too_large")
            // Exactly 1 MiB is accepted.
            let fits = try await server.post(bytes: Array(body.dropLast()))
            #expect(fits.status == 200, "\(fits.body)")
            #expect(server.recorder.batchCount == 1)
            // Chunked, without Content-Length: refused while reading.
            let chunked = try await server.postChunked(body, chunk: 64 * 1024)
            #expect(chunked.status == 413)
            #expect(chunked.error?["code"] as? String == "body_too_large")
            let chunkedFits = try await server.postChunked(Array(body.dropLast()), chunk: 64 * 1024)
            #expect(chunkedFits.status == 200)
            #expect(server.recorder.batchCount == 2)
        }
    }

    @Test func responsesCarryARequestID() async throws {
        try await LiveServer.with { server in
            let reply = try await server.post(#"{"add":[{"type":"phone_call","phone_number":"+79998885533"}]}"#)
            let refused = try await server.post("{}", contentType: "text/plain")
            #expect(reply.header("X-Request-Id")?.isEmpty == false)
            #expect(refused.header("X-Request-Id")?.isEmpty == false)
            #expect(reply.header("X-Request-Id") != refused.header("X-Request-Id"))
            let health = try await server.get("/health", authorization: nil)
            #expect(health.status == 200)
            #expect(health.body == #"{"status":"ok"}"#)
        }
    }
}

@Suite("Authorization", .serialized)
struct AuthorizationTests {
    @Test(arguments: [
        nil, "", "Bearer", "Bearer ", "Bearer wrong", "Bearer \(ServerTestAccount.token)x",
        "Bearer \(ServerTestAccount.token.dropLast())", "Basic \(ServerTestAccount.token)", ServerTestAccount.token,
    ])
    func refusedWithoutTheToken(_ authorization: String?) async throws {
        try await RouterTest.with { server in
            let body = #"{"add":[{"type":"phone_call","phone_number":"+79998885533"}]}"#
            let post = try await server.request(.post, "/api/v2/events", body: body, authorization: authorization)
            #expect(post.status == 401)
            #expect(post.error?["code"] as? String == "unauthorized")
            #expect(
                post.error?["message"] as? String == "send the header Authorization: Bearer <the account's API token>")
            #expect(post.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
            let stream = try await server.request(
                .get, "/api/v2/events/stream?user_id=88888", authorization: authorization)
            #expect(stream.status == 401)
            #expect(server.recorder.batchCount == 0)
            #expect(server.server.hub.subscriberCount() == 0)
        }
    }

    @Test func schemeIsCaseInsensitive() async throws {
        try await LiveServer.with { server in
            let body = #"{"add":[{"type":"phone_call","phone_number":"+79998885533"}]}"#
            let reply = try await server.post(body, authorization: "bearer  \(ServerTestAccount.token)")
            #expect(reply.status == 200)
        }
    }

    @Test func tokenLoading() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("screenpop-token-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Neither: refused.
        #expect(throws: APIToken.LoadError.self) {
            try APIToken.load(environment: [:], accountDirectory: directory.path)
        }
        // The file, trimmed.
        try "  file-token\n".write(to: directory.appendingPathComponent("api-token"), atomically: true, encoding: .utf8)
        let fromFile = try APIToken.load(environment: ["SCREENPOP_API_TOKEN": "  "], accountDirectory: directory.path)
        #expect(fromFile.matches(Array("file-token".utf8)))
        #expect(fromFile.source == .file(directory.path + "/api-token"))
        // The environment first.
        let fromEnvironment = try APIToken.load(
            environment: ["SCREENPOP_API_TOKEN": "env-token"], accountDirectory: directory.path)
        #expect(fromEnvironment.matches(Array("env-token".utf8)))
        #expect(!fromEnvironment.matches(Array("file-token".utf8)))
        // Never shown.
        #expect(!"\(fromEnvironment)".contains("env-token"))
        #expect(!String(reflecting: fromEnvironment).contains("env-token"))
        var dumped = ""
        dump(fromEnvironment, to: &dumped)
        #expect(!dumped.contains("env-token") && !dumped.contains("101"))
        // An empty file is refused.
        try "\n".write(to: directory.appendingPathComponent("api-token"), atomically: true, encoding: .utf8)
        #expect(throws: APIToken.LoadError.self) {
            try APIToken.load(environment: [:], accountDirectory: directory.path)
        }
    }
}
