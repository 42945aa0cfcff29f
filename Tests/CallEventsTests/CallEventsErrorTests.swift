import CallEvents
import ScreenPopJSON
import Testing

@Suite("Every refusal, with its index and field")
struct CallEventsErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let contentType: String
        let body: String
        let code: CallEventsError.Code
        let index: Int?
        let field: String?
        let path: String?
        var testDescription: String { name }
    }

    static let json = "application/json"
    static let form = "application/x-www-form-urlencoded"

    static let cases: [Case] = [
        Case(
            name: "malformed JSON", contentType: json, body: #"{"add": ["#, code: .malformedBody, index: nil,
            field: nil, path: nil),
        Case(
            name: "JSON with trailing text", contentType: json, body: #"{"add": []} x"#, code: .malformedBody,
            index: nil, field: nil, path: nil),
        Case(
            name: "JSON not an object", contentType: json, body: "[1]", code: .invalidField, index: nil, field: nil,
            path: nil),
        Case(
            name: "empty JSON body", contentType: json, body: "", code: .malformedBody, index: nil, field: nil,
            path: nil),
        Case(
            name: "form with a bad escape", contentType: form, body: "add[0][type]=phone%zzcall", code: .malformedBody,
            index: nil, field: nil, path: nil),
        Case(
            name: "form with a cut escape", contentType: form, body: "add[0][type]=phone_call%2", code: .malformedBody,
            index: nil, field: nil, path: nil),
        Case(
            name: "form not UTF-8", contentType: form, body: "add[0][type]=%FF", code: .malformedBody, index: nil,
            field: nil, path: nil),
        Case(
            name: "form with an unclosed bracket", contentType: form, body: "add[0][type=phone_call",
            code: .malformedBody, index: nil, field: nil, path: nil),
        Case(
            name: "form with a named index", contentType: form, body: "add[x][type]=phone_call", code: .malformedBody,
            index: nil, field: nil, path: nil),
        Case(
            name: "JSON without add", contentType: json, body: #"{"events": []}"#, code: .missingField, index: nil,
            field: "add", path: "add"),
        Case(
            name: "JSON add null", contentType: json, body: #"{"add": null}"#, code: .missingField, index: nil,
            field: "add", path: "add"),
        Case(
            name: "form without add", contentType: form, body: "type=phone_call", code: .missingField, index: nil,
            field: "add", path: "add"),
        Case(
            name: "empty form", contentType: form, body: "", code: .missingField, index: nil, field: "add", path: "add"),
        Case(
            name: "JSON add not a list", contentType: json, body: #"{"add": {"type": "phone_call"}}"#,
            code: .invalidField, index: nil, field: "add", path: "add"),
        Case(
            name: "form add not a list", contentType: form, body: "add=1", code: .invalidField, index: nil,
            field: "add", path: "add"),
        Case(
            name: "JSON empty add", contentType: json, body: #"{"add": []}"#, code: .emptyBatch, index: nil,
            field: "add", path: "add"),
        Case(
            name: "JSON event not an object", contentType: json,
            body: #"{"add": [{"type":"phone_call","phone_number":"1"}, 5]}"#, code: .invalidField, index: 1, field: nil,
            path: "add[1]"),
        Case(
            name: "form event not an object", contentType: form, body: "add[0]=x", code: .invalidField, index: 0,
            field: nil, path: "add[0]"),
        Case(
            name: "JSON missing type", contentType: json, body: #"{"add": [{"phone_number": "1"}]}"#,
            code: .missingField, index: 0, field: "type", path: "add[0].type"),
        Case(
            name: "form missing type", contentType: form, body: "add[0][phone_number]=1", code: .missingField, index: 0,
            field: "type", path: "add[0].type"),
        Case(
            name: "JSON null type", contentType: json, body: #"{"add": [{"type": null, "phone_number": "1"}]}"#,
            code: .missingField, index: 0, field: "type", path: "add[0].type"),
        Case(
            name: "JSON wrong type", contentType: json, body: #"{"add": [{"type": "sms", "phone_number": "1"}]}"#,
            code: .unsupportedEventType, index: 0, field: "type", path: "add[0].type"),
        Case(
            name: "JSON type of another case", contentType: json,
            body: #"{"add": [{"type": "PHONE_CALL", "phone_number": "1"}]}"#, code: .unsupportedEventType, index: 0,
            field: "type", path: "add[0].type"),
        Case(
            name: "form wrong type in the third event", contentType: form,
            body:
                "add[0][type]=phone_call&add[0][phone_number]=1&add[1][type]=phone_call&add[1][phone_number]=1&add[2][type]=call&add[2][phone_number]=1",
            code: .unsupportedEventType, index: 2, field: "type", path: "add[2].type"),
        Case(
            name: "JSON type a number", contentType: json, body: #"{"add": [{"type": 1, "phone_number": "1"}]}"#,
            code: .invalidField, index: 0, field: "type", path: "add[0].type"),
        Case(
            name: "JSON missing phone_number", contentType: json, body: #"{"add": [{"type": "phone_call"}]}"#,
            code: .missingField, index: 0, field: "phone_number", path: "add[0].phone_number"),
        Case(
            name: "form missing phone_number", contentType: form, body: "add[0][type]=phone_call", code: .missingField,
            index: 0, field: "phone_number", path: "add[0].phone_number"),
        Case(
            name: "JSON phone_number a number", contentType: json,
            body: #"{"add": [{"type": "phone_call", "phone_number": 79998885533}]}"#, code: .invalidField, index: 0,
            field: "phone_number", path: "add[0].phone_number"),
        Case(
            name: "form phone_number a list", contentType: form,
            body: "add[0][type]=phone_call&add[0][phone_number][0]=1", code: .invalidField, index: 0,
            field: "phone_number", path: "add[0].phone_number"),
        Case(
            name: "JSON user not a number", contentType: json,
            body: #"{"add": [{"type": "phone_call", "phone_number": "1", "users": [88888, "abc"]}]}"#,
            code: .invalidUserID, index: 0, field: "users", path: "add[0].users[1]"),
        Case(
            name: "JSON user with a fraction", contentType: json,
            body: #"{"add": [{"type": "phone_call", "phone_number": "1", "users": [1.5]}]}"#, code: .invalidUserID,
            index: 0, field: "users", path: "add[0].users[0]"),
        Case(
            name: "JSON user negative", contentType: json,
            body: #"{"add": [{"type": "phone_call", "phone_number": "1", "users": [-1]}]}"#, code: .invalidUserID,
            index: 0, field: "users", path: "add[0].users[0]"),
        Case(
            name: "JSON user a boolean", contentType: json,
            body: #"{"add": [{"type": "phone_call", "phone_number": "1", "users": [true]}]}"#, code: .invalidUserID,
            index: 0, field: "users", path: "add[0].users[0]"),
        Case(
            name: "JSON users an object", contentType: json,
            body: #"{"add": [{"type": "phone_call", "phone_number": "1", "users": {"a": 1}}]}"#, code: .invalidUserID,
            index: 0, field: "users", path: "add[0].users"),
        Case(
            name: "JSON user id with spaces", contentType: json,
            body: #"{"add": [{"type": "phone_call", "phone_number": "1", "users": [" 5"]}]}"#, code: .invalidUserID,
            index: 0, field: "users", path: "add[0].users[0]"),
        Case(
            name: "form user not a number", contentType: form,
            body: "add[0][type]=phone_call&add[0][phone_number]=1&add[0][users][0]=1&add[0][users][1]=x1",
            code: .invalidUserID, index: 0, field: "users", path: "add[0].users[1]"),
        Case(
            name: "form user empty", contentType: form,
            body: "add[0][type]=phone_call&add[0][phone_number]=1&add[0][users][0]=", code: .invalidUserID, index: 0,
            field: "users", path: "add[0].users[0]"),
        Case(
            name: "JSON user id out of Double's range", contentType: json,
            body: #"{"add": [{"type": "phone_call", "phone_number": "1", "users": [1e400]}]}"#, code: .malformedBody,
            index: nil, field: nil, path: nil),
        Case(
            name: "JSON phone_number too long", contentType: json,
            body: #"{"add": [{"type": "phone_call", "phone_number": "\#(String(repeating: "1", count: 251))"}]}"#,
            code: .phoneNumberTooLong, index: 0, field: "phone_number", path: "add[0].phone_number"),
        Case(
            name: "form phone_number too long", contentType: form,
            body: "add[0][type]=phone_call&add[0][phone_number]=" + String(repeating: "1", count: 251),
            code: .phoneNumberTooLong, index: 0, field: "phone_number", path: "add[0].phone_number"),
        Case(
            name: "JSON too many users", contentType: json,
            body: #"{"add": [{"type": "phone_call", "phone_number": "1", "users": ["#
                + Array(repeating: "1", count: 10_001).joined(separator: ",") + "]}]}",
            code: .tooManyUsers, index: 0, field: "users", path: "add[0].users"),
        Case(
            name: "form too many users", contentType: form,
            body: "add[0][type]=phone_call&add[0][phone_number]=1"
                + String(repeating: "&add[0][users][]=1", count: 10_001),
            code: .tooManyUsers, index: 0, field: "users", path: "add[0].users"),
        Case(
            name: "form user with a sign", contentType: form,
            body: "add[0][type]=phone_call&add[0][phone_number]=1&add[0][users][0]=%2B8010001", code: .invalidUserID,
            index: 0, field: "users", path: "add[0].users[0]"),
        Case(
            name: "the first event's error comes first", contentType: json,
            body: #"{"add": [{"type": "x"}, {"phone_number": ""}]}"#, code: .unsupportedEventType, index: 0,
            field: "type", path: "add[0].type"),
        Case(
            name: "fields in order: type before phone_number", contentType: json,
            body: #"{"add": [{"phone_number": "", "users": ["x"]}]}"#, code: .missingField, index: 0, field: "type",
            path: "add[0].type"),
    ]

    @Test(arguments: cases)
    func refused(_ c: Case) throws {
        let error = #expect(throws: CallEventsError.self) {
            try CallEventsRequest(body: bytes(c.body), contentType: c.contentType)
        }
        guard let error else { return }
        #expect(error.code == c.code, "\(error)")
        #expect(error.index == c.index, "\(error)")
        #expect(error.field == c.field, "\(error)")
        #expect(error.path == c.path, "\(error)")
        #expect(!error.message.isEmpty)
    }

    /// A withheld caller id is not malformed: empty or blank, in either encoding, it is an event
    /// (the service notifies it as create-contact).
    @Test(arguments: [
        (json, #"{"add": [{"type": "phone_call", "phone_number": ""}]}"#, ""),
        (json, #"{"add": [{"type": "phone_call", "phone_number": " \t"}]}"#, " \t"),
        (form, "add[0][type]=phone_call&add[0][phone_number]=++", "  "),
        (form, "add[0][type]=phone_call&add[0][phone_number]=", ""),
        (form, "add[0][type]=phone_call&add[0][phone_number]=anonymous", "anonymous"),
    ])
    func aPhoneNumberWithNoNumberInItIsAnEvent(_ contentType: String, _ body: String, _ phoneNumber: String) throws {
        let request = try CallEventsRequest(body: bytes(body), contentType: contentType)
        #expect(request.events == [CallEvent(phoneNumber: phoneNumber)])
    }

    /// `curl -d '{"add": …}'` sends JSON as a form: the decoder's own error, with the fix.
    @Test(arguments: [
        (#"{"add":[{"type":"phone_call","phone_number":"+79998885533"}]}"#, CallEventsError.Code.missingField),
        ("  \n[1, 2]", .missingField),
        (#"{"add":[{"type":"phone_call","phone_number":"100%"}]}"#, .malformedBody),
    ])
    func jsonSentAsAFormSaysSo(_ body: String, _ code: CallEventsError.Code) throws {
        let error = try #require(
            #expect(throws: CallEventsError.self) {
                try CallEventsRequest(body: bytes(body), contentType: "application/x-www-form-urlencoded")
            })
        #expect(error.code == code)
        #expect(error.hint == CallEventsRequest.jsonSentAsFormHint)
        #expect(error.message.hasSuffix("; " + CallEventsRequest.jsonSentAsFormHint))
        #expect(error.message.contains("application/x-www-form-urlencoded (what curl -d sends)"))
        #expect(error.message.contains("-H 'Content-Type: application/json' or --json"))
        let json = try JSONValue(parsing: error.jsonBody())
        #expect(json["error"]?["code"]?.stringValue == code.rawValue)
        #expect(json["error"]?["message"]?.stringValue == error.message)
    }

    /// Only a body that looks like JSON gets the hint: a broken form is told as before.
    @Test func aFormThatIsNotJSONGetsNoHint() throws {
        let error = #expect(throws: CallEventsError.self) {
            try CallEventsRequest(body: bytes("type=phone_call"), contentType: "application/x-www-form-urlencoded")
        }
        #expect(error?.code == .missingField)
        #expect(error?.hint == nil)
        #expect(error?.message == "add is required")
        // The same JSON as JSON is fine.
        let request = try CallEventsRequest(
            body: bytes(#"{"add":[{"type":"phone_call","phone_number":"+79998885533"}]}"#),
            contentType: "application/json")
        #expect(request.events.count == 1)
    }

    @Test func notUTF8JSONBytes() {
        var body = bytes(#"{"add": [{"type": "phone_call", "phone_number": "X"}]}"#)
        body[body.firstIndex(of: UInt8(ascii: "X"))!] = 0xFF
        let error = #expect(throws: CallEventsError.self) { try CallEventsRequest(json: body) }
        #expect(error?.code == .malformedBody)
    }

    @Test(arguments: [
        ("application/json", true), ("application/json; charset=utf-8", true),
        ("Application/JSON;charset=\"UTF-8\"", true),
        ("application/x-www-form-urlencoded", true), ("application/x-www-form-urlencoded; charset=UTF-8", true),
        ("text/plain", false), ("application/xml", false), ("multipart/form-data; boundary=x", false),
        ("application/json; charset=windows-1251", false), ("", false),
    ])
    func contentTypes(_ contentType: String, _ accepted: Bool) {
        if accepted {
            #expect(throws: Never.self) { try CallEventsRequest.encoding(contentType: contentType) }
        } else {
            let error = #expect(throws: CallEventsError.self) {
                try CallEventsRequest.encoding(contentType: contentType)
            }
            #expect(error?.code == .unsupportedMediaType)
        }
    }

    @Test func noContentType() throws {
        let error = #expect(throws: CallEventsError.self) {
            try CallEventsRequest(body: bytes("{}"), contentType: nil)
        }
        #expect(error?.code == .unsupportedMediaType)
        #expect(error?.found == nil)
        #expect(
            error?.message
                == "the request has no Content-Type; send application/json or application/x-www-form-urlencoded")
        // An empty header says no more than an absent one.
        for empty in ["", "  "] {
            let blank = #expect(throws: CallEventsError.self) { try CallEventsRequest.encoding(contentType: empty) }
            #expect(blank?.message == error?.message)
        }
        let body = try JSONValue(parsing: try #require(error).jsonBody())
        #expect(
            body["error"]?["message"]?.stringValue
                == "the request has no Content-Type; send application/json or application/x-www-form-urlencoded")
        // Another type still names it.
        let other = #expect(throws: CallEventsError.self) {
            try CallEventsRequest.encoding(contentType: "text/plain")
        }
        #expect(
            other?.message
                == "the content type \"text/plain\" is not supported; "
                + "send application/json or application/x-www-form-urlencoded (UTF-8)")
    }

    @Test func bodyTooLarge() {
        let limits = CallEventsLimits(maxBodyBytes: 1 << 20)
        let body = [UInt8](repeating: UInt8(ascii: " "), count: (1 << 20) + 1)
        let error = #expect(throws: CallEventsError.self) {
            try CallEventsRequest(body: body, contentType: "application/json", limits: limits)
        }
        #expect(error?.code == .bodyTooLarge)
        #expect(error?.message == "the body is larger than 1 MiB")
        // The media type is checked first.
        let media = #expect(throws: CallEventsError.self) {
            try CallEventsRequest(body: body, contentType: "text/plain", limits: limits)
        }
        #expect(media?.code == .unsupportedMediaType)
    }

    @Test func jsonBody() throws {
        let error = #expect(throws: CallEventsError.self) {
            try CallEventsRequest(
                json: bytes(#"{"add": [{"type": "phone_call", "phone_number": "1", "users": ["a\"b"]}]}"#))
        }
        let body = try JSONValue(parsing: try #require(error).jsonBody())
        #expect(body["error"]?["code"]?.stringValue == "invalid_user_id")
        #expect(body["error"]?["index"]?.intValue == 0)
        #expect(body["error"]?["field"]?.stringValue == "users")
        #expect(body["error"]?["path"]?.stringValue == "add[0].users[0]")
        #expect(
            body["error"]?["message"]?.stringValue
                == #"add[0].users[0] must be a user id: a non-negative integer or a string of digits (found "a\"b")"#)
        let whole = CallEventsError(code: .unsupportedMediaType, found: "\"text/plain\"")
        let wholeBody = try JSONValue(parsing: whole.jsonBody())
        #expect(wholeBody["error"]?["index"] == .null)
        #expect(wholeBody["error"]?["field"] == .null)
    }
}
