import CallEvents
import Testing

@Suite("Decoding JSON bodies")
struct CallEventsRequestJSONTests {
    /// The seed's request example, as `JSON.stringify` sends it.
    @Test func seedExample() throws {
        let body = #"{"add":[{"type":"phone_call","phone_number":"+79998885533","users":[88888,99999]}]}"#
        let request = try CallEventsRequest(json: bytes(body))
        #expect(request.events == [CallEvent(type: .phoneCall, phoneNumber: "+79998885533", users: [88888, 99999])])
    }

    /// The seed's JavaScript example: `Object.keys(...)` gives the ids as strings; any member order.
    @Test func javaScriptExampleWithStringIDs() throws {
        let body = #"{"add":[{"type":"phone_call","phone_number":"+78005553535","users":["88888"]}]}"#
        let request = try CallEventsRequest(body: bytes(body), contentType: "application/json; charset=utf-8")
        #expect(request.events == [CallEvent(phoneNumber: "+78005553535", users: [88888])])
    }

    @Test func usersAbsentNullOrEmptyMeanEveryone() throws {
        for users in ["", #","users":null"#, #","users":[]"#] {
            let body = #"{"add":[{"type":"phone_call","phone_number":"8 999 888-55-33""# + users + "}]}"
            #expect(try CallEventsRequest(json: bytes(body)).events[0].users == nil, "\(users)")
        }
    }

    @Test func singleUserNotInAList() throws {
        let body = #"{"add":[{"type":"phone_call","phone_number":"1","users":88888}]}"#
        #expect(try CallEventsRequest(json: bytes(body)).events[0].users == [88888])
        let text = #"{"add":[{"type":"phone_call","phone_number":"1","users":"99999"}]}"#
        #expect(try CallEventsRequest(json: bytes(text)).events[0].users == [99999])
    }

    @Test func unknownMembersAreSkippedAndLaterKeysWin() throws {
        let body = #"""
            {"x": {"deep": [1, {"a": null}]}, "add": [{"type": "phone_call", "extra": [true, 1.5],
              "phone_number": "first", "phone_number": "+7 (999) 888-55-33", "users": [1, "2", 1]}],
             "y": "z"}
            """#
        let request = try CallEventsRequest(json: bytes(body))
        #expect(request.events == [CallEvent(phoneNumber: "+7 (999) 888-55-33", users: [1, 2, 1])])
    }

    @Test func manyEventsInOrder() throws {
        let items = (0..<3).map { #"{"type":"phone_call","phone_number":"n\#($0)"}"# }.joined(separator: ",")
        let request = try CallEventsRequest(json: bytes(#"{"add":[\#(items)]}"#))
        #expect(request.events.map(\.phoneNumber) == ["n0", "n1", "n2"])
    }

    @Test func escapesAndUnicodeInTheNumber() throws {
        let body = #"{"add":[{"type":"phone\u005fcall","phone_number":"\uff0b\u0037 999 \"888\" 55 33"}]}"#
        let request = try CallEventsRequest(json: bytes(body))
        #expect(request.events[0].phoneNumber == "＋7 999 \"888\" 55 33")
    }

    @Test func fiveHundredEventsPassAndFiveHundredAndOneDoNot() throws {
        func body(_ count: Int) -> [UInt8] {
            bytes(
                #"{"add":["#
                    + Array(repeating: #"{"type":"phone_call","phone_number":"1"}"#, count: count)
                    .joined(separator: ",") + "]}")
        }
        #expect(try CallEventsRequest(json: body(500)).events.count == 500)
        let error = #expect(throws: CallEventsError.self) { try CallEventsRequest(json: body(501)) }
        #expect(error?.code == .tooManyEvents)
        #expect(error?.field == "add")
        // A smaller configured limit.
        let limited = #expect(throws: CallEventsError.self) {
            try CallEventsRequest(json: body(3), limits: CallEventsLimits(maxEvents: 2))
        }
        #expect(limited?.code == .tooManyEvents)
    }

    @Test func malformedJSONNamesWhere() throws {
        let error = #expect(throws: CallEventsError.self) {
            try CallEventsRequest(json: bytes(#"{"add":[{"type":"phone_call","phone_number":}]}"#))
        }
        #expect(error?.code == .malformedBody)
        #expect(error?.index == nil)
        #expect(error?.message.contains("line 1") == true)
        #expect(error?.message.contains("$.add[0].phone_number") == true)
    }
}
