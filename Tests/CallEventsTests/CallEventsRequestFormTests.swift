import CallEvents
import Testing

@Suite("Decoding PHP form bodies")
struct CallEventsRequestFormTests {
    /// The PHP example's body, byte for byte as the issue gives it (brackets not encoded).
    @Test func phpExampleBody() throws {
        let body = "add[0][phone_number]=%2B79998885533&add[0][users][0]=88888&add[0][type]=phone_call"
        let request = try CallEventsRequest(body: bytes(body), contentType: "application/x-www-form-urlencoded")
        #expect(request.events == [CallEvent(phoneNumber: "+79998885533", users: [88888])])
    }

    /// What PHP's `http_build_query` really writes for the example's array: brackets encoded too.
    @Test func httpBuildQueryOutput() throws {
        let body =
            "add%5B0%5D%5Bphone_number%5D=%2B79998885533&add%5B0%5D%5Busers%5D%5B0%5D=88888"
            + "&add%5B0%5D%5Busers%5D%5B1%5D=99999&add%5B0%5D%5Btype%5D=phone_call"
        let request = try CallEventsRequest(form: bytes(body))
        #expect(request.events == [CallEvent(phoneNumber: "+79998885533", users: [88888, 99999])])
    }

    @Test func plusIsASpaceAndPercentEscapesDecode() throws {
        let body = "add[0][type]=phone_call&add[0][phone_number]=8+(999)+888-55-33%20%D0%B4%D0%BE%D0%B1+12"
        #expect(try CallEventsRequest(form: bytes(body)).events[0].phoneNumber == "8 (999) 888-55-33 доб 12")
    }

    @Test func usersAbsentMeansEveryone() throws {
        let body = "add[0][type]=phone_call&add[0][phone_number]=1"
        #expect(try CallEventsRequest(form: bytes(body)).events[0].users == nil)
    }

    @Test func indicesOutOfOrderAndSparseAreOrderedAndCompacted() throws {
        let body =
            "add[7][type]=phone_call&add[7][phone_number]=seven&add[3][phone_number]=three"
            + "&add[3][type]=phone_call&add[10][type]=phone_call&add[10][phone_number]=ten"
        #expect(try CallEventsRequest(form: bytes(body)).events.map(\.phoneNumber) == ["three", "seven", "ten"])
    }

    @Test func emptyBracketsAppendAsInPHP() throws {
        let body =
            "add[0][type]=phone_call&add[0][phone_number]=a&add[0][users][]=5&add[0][users][]=6"
            + "&add[0][users][9]=9&add[0][users][1]=1"
        // users: [] → 0, [] → 1, [9], then [1] replaces the second.
        #expect(try CallEventsRequest(form: bytes(body)).events[0].users == [5, 1, 9])
    }

    @Test func usersWithoutBracketsIsOneID() throws {
        let body = "add[0][type]=phone_call&add[0][phone_number]=a&add[0][users]=88888"
        #expect(try CallEventsRequest(form: bytes(body)).events[0].users == [88888])
    }

    @Test func otherNamesAndMembersAreIgnoredAndLaterPairsWin() throws {
        let body = "token=x&&add[0][type]=phone_call&add[0][phone_number]=a&add[0][note]=hi&add[0][phone_number]=b&flag"
        #expect(try CallEventsRequest(form: bytes(body)).events == [CallEvent(phoneNumber: "b")])
    }

    @Test func fiveHundredEventsPassAndFiveHundredAndOneDoNot() throws {
        func body(_ count: Int) -> [UInt8] {
            bytes((0..<count).map { "add[\($0)][type]=phone_call&add[\($0)][phone_number]=1" }.joined(separator: "&"))
        }
        #expect(try CallEventsRequest(form: body(500)).events.count == 500)
        let error = #expect(throws: CallEventsError.self) { try CallEventsRequest(form: body(501)) }
        #expect(error?.code == .tooManyEvents)
    }
}
