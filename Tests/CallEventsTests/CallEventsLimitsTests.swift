import CallEvents
import Testing

/// Issue 10: bodies that the size limit admits but that cost too much, or that the parser refuses.
@Suite("Limits: users per event, phone number length, user ids")
struct CallEventsLimitsTests {
    static let form = "application/x-www-form-urlencoded"
    static let json = "application/json"

    /// `add[0][users][]=<ids[0]>&add[0][users][]=<ids[1]>…` after a valid type and number.
    static func formBody(users ids: some Sequence<String>) -> [UInt8] {
        var text = "add[0][type]=phone_call&add[0][phone_number]=1"
        for id in ids { text += "&add[0][users][]=" + id }
        return bytes(text)
    }

    static func jsonBody(users ids: some Sequence<String>) -> [UInt8] {
        bytes(#"{"add":[{"type":"phone_call","phone_number":"1","users":["# + ids.joined(separator: ",") + "]}]}")
    }

    // MARK: Users per event

    /// The body of the issue: 58,000 `add[0][users][]=1` in 1 MiB took 17 s of CPU (the accumulator
    /// copied the whole dictionary for every pair). It is read whole, then refused.
    @Test func fiftyEightThousandFormUsersAreRefused() throws {
        let body = Self.formBody(users: repeatElement("1", count: 58_000))
        #expect(body.count <= 1 << 20)
        let error = #expect(throws: CallEventsError.self) {
            try CallEventsRequest(body: body, contentType: Self.form)
        }
        #expect(error?.code == .tooManyUsers)
        #expect(error?.index == 0)
        #expect(error?.field == "users")
        #expect(error?.path == "add[0].users")
        #expect(error?.message == "add[0].users has more than 10000 users")
    }

    /// With the limit raised, the same 1 MiB body decodes whole: every user, in order.
    @Test func fiftyEightThousandFormUsersDecodeWithARaisedLimit() throws {
        let ids = (0..<58_000).map { String($0 % 10) }
        let limits = CallEventsLimits(maxUsersPerEvent: 100_000)
        let request = try CallEventsRequest(body: Self.formBody(users: ids), contentType: Self.form, limits: limits)
        #expect(request.events[0].users == ids.map { Int($0)! })
    }

    @Test func formUsersUpToTheLimitDecodeInOrder() throws {
        let ids = (0..<10_000).map { 8_000_000 + $0 }
        let request = try CallEventsRequest(form: Self.formBody(users: ids.map(String.init)))
        #expect(request.events[0].users == ids)
        // Numbered positions given backwards are still ordered by position.
        var text = "add[0][type]=phone_call&add[0][phone_number]=1"
        for k in (0..<10_000).reversed() { text += "&add[0][users][\(k)]=\(ids[k])" }
        #expect(try CallEventsRequest(form: bytes(text)).events[0].users == ids)
        let error = #expect(throws: CallEventsError.self) {
            try CallEventsRequest(form: Self.formBody(users: (0...10_000).map(String.init)))
        }
        #expect(error?.code == .tooManyUsers)
    }

    /// The limit counts users, not pairs: a repeated key replaces its value (PHP), and `users`
    /// without brackets starts over.
    @Test func formLimitCountsUsersNotPairs() throws {
        var text = "add[0][type]=phone_call&add[0][phone_number]=1"
        for id in 0..<20_000 { text += "&add[0][users][0]=\(id)" }
        #expect(try CallEventsRequest(form: bytes(text)).events[0].users == [19_999])
        let reset = Self.formBody(users: (0...10_000).map(String.init)) + bytes("&add[0][users]=5")
        #expect(try CallEventsRequest(form: reset).events[0].users == [5])
    }

    @Test func jsonUsersUpToTheLimitDecodeAndOneMoreIsRefused() throws {
        let ids = (0..<10_000).map { 8_000_000 + $0 }
        #expect(try CallEventsRequest(json: Self.jsonBody(users: ids.map(String.init))).events[0].users == ids)
        let body = Self.jsonBody(users: (0...10_000).map(String.init))
        let error = #expect(throws: CallEventsError.self) { try CallEventsRequest(body: body, contentType: Self.json) }
        #expect(error?.code == .tooManyUsers)
        #expect(error?.index == 0)
        #expect(error?.field == "users")
        #expect(error?.path == "add[0].users")
        #expect(error?.message == "add[0].users has more than 10000 users")
        // A configured limit.
        let two = CallEventsLimits(maxUsersPerEvent: 2)
        let limited = #expect(throws: CallEventsError.self) {
            try CallEventsRequest(json: Self.jsonBody(users: ["1", "2", "3"]), limits: two)
        }
        #expect(limited?.message == "add[0].users has more than 2 users")
        #expect(try CallEventsRequest(json: Self.jsonBody(users: ["1", "2"]), limits: two).events[0].users == [1, 2])
    }

    /// The list is read to its end: an error in the body after it still comes first, and the
    /// event's `type` and `phone_number` are checked before its `users`.
    @Test func tooManyUsersComesInTheDocumentedOrder() throws {
        let many = Array(repeating: "1", count: 10_001).joined(separator: ",")
        let malformed = #expect(throws: CallEventsError.self) {
            try CallEventsRequest(
                json: bytes(#"{"add":[{"type":"phone_call","phone_number":"1","users":["# + many + "]}]"))
        }
        #expect(malformed?.code == .malformedBody)
        let badItem = #expect(throws: CallEventsError.self) {
            try CallEventsRequest(
                json: bytes(#"{"add":[{"type":"phone_call","phone_number":"1","users":["# + many + ",x]}]}"))
        }
        #expect(badItem?.code == .malformedBody)
        let missingType = #expect(throws: CallEventsError.self) {
            try CallEventsRequest(json: bytes(#"{"add":[{"phone_number":"1","users":["# + many + "]}]}"))
        }
        #expect(missingType?.code == .missingField)
        let formMissingType = #expect(throws: CallEventsError.self) {
            try CallEventsRequest(
                form: bytes("add[0][phone_number]=1" + String(repeating: "&add[0][users][]=1", count: 10_001)))
        }
        #expect(formMissingType?.code == .missingField)
        let formMalformed = #expect(throws: CallEventsError.self) {
            try CallEventsRequest(
                form: Self.formBody(users: repeatElement("1", count: 10_001)) + bytes("&add[0][x]=%zz"))
        }
        #expect(formMalformed?.code == .malformedBody)
    }

    // MARK: Phone number length

    @Test(arguments: [("7", "7"), ("д", "%D0%B4"), ("👍", "%F0%9F%91%8D")])
    func phoneNumbersOfUpTo250ScalarsAreAccepted(character: String, formEncoded: String) throws {
        for (length, accepted) in [(250, true), (251, false)] {
            let number = String(repeating: character, count: length)
            let json = bytes(#"{"add":[{"type":"phone_call","phone_number":""# + number + #""}]}"#)
            let form = bytes(
                "add[0][type]=phone_call&add[0][phone_number]=" + String(repeating: formEncoded, count: length))
            for (body, contentType) in [(json, Self.json), (form, Self.form)] {
                if accepted {
                    let request = try CallEventsRequest(body: body, contentType: contentType)
                    #expect(request.events[0].phoneNumber == number)
                } else {
                    let error = #expect(throws: CallEventsError.self) {
                        try CallEventsRequest(body: body, contentType: contentType)
                    }
                    #expect(error?.code == .phoneNumberTooLong, "\(contentType)")
                    #expect(error?.index == 0)
                    #expect(error?.field == "phone_number")
                    #expect(error?.path == "add[0].phone_number")
                    #expect(error?.message == "add[0].phone_number is longer than 250 characters (found 251)")
                }
            }
        }
    }

    @Test func phoneNumberLengthIsCheckedAfterTypeAndBeforeUsers() throws {
        let long = String(repeating: "7", count: 300)
        let noType = #expect(throws: CallEventsError.self) {
            try CallEventsRequest(json: bytes(#"{"add":[{"phone_number":""# + long + #""}]}"#))
        }
        #expect(noType?.code == .missingField)
        let badUser = #expect(throws: CallEventsError.self) {
            try CallEventsRequest(
                json: bytes(#"{"add":[{"type":"phone_call","phone_number":""# + long + #"","users":["x"]}]}"#))
        }
        #expect(badUser?.code == .phoneNumberTooLong)
    }

    // MARK: User ids

    @Test(
        arguments: [
            ("8010001", 8_010_001), ("0", 0), ("007", 7), ("9223372036854775807", Int.max),
            ("+8010001", nil), ("-1", nil), ("", nil), (" 5", nil), ("5 ", nil), ("1.0", nil), ("1e3", nil),
            ("0x10", nil), ("1_000", nil), ("٣", nil), ("９", nil), ("9223372036854775808", nil),
            ("99999999999999999999999", nil),
        ] as [(String, Int?)])
    func parseUserID(text: String, id: Int?) {
        #expect(CallEventsRequest.parseUserID(text) == id)
        // A slice of a longer text reads the same (a server's query parameters are Substrings).
        #expect(CallEventsRequest.parseUserID(("x" + text + "y").dropFirst().dropLast()) == id)
    }

    /// The decoders read string ids with `parseUserID`: a sign is refused, and a string id has the
    /// range of a JSON integer id.
    @Test func decodersUseParseUserID() throws {
        let form = bytes("add[0][type]=phone_call&add[0][phone_number]=1&add[0][users][]=%2B8010001")
        let formError = #expect(throws: CallEventsError.self) { try CallEventsRequest(form: form) }
        #expect(formError?.code == .invalidUserID)
        #expect(formError?.path == "add[0].users[0]")
        let json = Self.jsonBody(users: [#""+8010001""#])
        let jsonError = #expect(throws: CallEventsError.self) { try CallEventsRequest(json: json) }
        #expect(jsonError?.code == .invalidUserID)
        let big = Self.jsonBody(users: [#""9223372036854775807""#, "9223372036854775807"])
        #expect(try CallEventsRequest(json: big).events[0].users == [Int.max, Int.max])
        let formBig = Self.formBody(users: ["9223372036854775807"])
        #expect(try CallEventsRequest(form: formBig).events[0].users == [Int.max])
    }
}
