import AccountIndex
import CallEvents
import ScreenPopJSON
import Testing

@Suite("Encoding the answer and notifications")
struct CallEventsResponseTests {
    /// The seed's response example, member for member.
    @Test func seedResponseExample() throws {
        let uid = try #require(EventUID("0e3455ff-67aa-4779-bebe-66ddc038a4ee"))
        let response = CallEventsResponse(items: [
            .init(elementID: 1_234_565, elementType: 2, uid: uid, phoneNumber: "+79998885533")
        ])
        #expect(
            response.halJSON().text
                == #"{"_links":{"self":{"href":"/api/v2/events","method":"post"}},"_embedded":{"items":["#
                + #"{"element_id":1234565,"element_type":2,"uid":"0e3455ff-67aa-4779-bebe-66ddc038a4ee","phone_number":"+79998885533"}]}}"#
        )
        #expect(CallEventsResponse.contentType == "application/hal+json")
    }

    @Test func nullsForNoEntityAndEscapedNumbers() throws {
        let uid = EventUID(high: 0, low: 0)
        let response = CallEventsResponse(items: [
            .init(elementID: nil, elementType: nil, uid: uid, phoneNumber: "8 \"999\"\n"),
            .init(elementID: 3, elementType: 12, uid: uid, phoneNumber: "доб"),
        ])
        let value = try JSONValue(parsing: response.halJSON())
        let items = value["_embedded"]?["items"]
        #expect(items?[0]?["element_id"] == .null)
        #expect(items?[0]?["element_type"] == .null)
        #expect(items?[0]?["phone_number"]?.stringValue == "8 \"999\"\n")
        #expect(items?[1]?["element_type"]?.intValue == 12)
        #expect(items?[1]?["phone_number"]?.stringValue == "доб")
    }

    @Test func notificationJSON() async throws {
        let sink = RecordingSink()
        let service = CallEventsService(
            index: TestAccount.index, configuration: TestAccount.configuration(), sink: sink)
        let request = CallEventsRequest(events: [CallEvent(phoneNumber: "8 (999) 888-55-33", users: [88888])])
        let notification = try #require(try service.notifications(for: request).first)
        let value = try JSONValue(parsing: notification.json())
        #expect(value["uid"]?.stringValue == notification.uid.description)
        #expect(value["phone_number"]?.stringValue == "8 (999) 888-55-33")
        #expect(value["e164"]?.stringValue == "+79998885533")
        #expect(value["action"]?.stringValue == "open_lead")
        #expect(value["target"]?["element_type"]?.intValue == 2)
        #expect(value["target"]?["element_id"]?.intValue == 1_234_565)
        #expect(value["target"]?["name"]?.stringValue == "Website order")
        #expect(value["reason"]?.stringValue == "One active lead: contact 1 has 1 active lead and 0 open customers.")
        #expect(value["rule"]?.stringValue == "single_active_lead")
        #expect(value["match"]?.stringValue == "exact")
        #expect(value["match_digits"] == .null)
        #expect(value["users"] == .array([.integer(88888)]))
        #expect(value["time"]?.stringValue == "2025-11-25T00:00:00.123Z")
        #expect(value["event_index"]?.intValue == 0)
        #expect(value["display_number"]?.stringValue == "8 (999) 888-55-33")
        #expect(value["caller"] == .null)  // a known caller needs no description
    }

    /// A withheld caller id's notification: `e164` null, create-contact, the text as the display number.
    @Test func notificationJSONOfAWithheldCallerID() throws {
        var configuration = TestAccount.configuration()
        configuration.describeCaller = { _ in CallerDescription(location: "nowhere", carrier: nil, timeZones: []) }
        let service = CallEventsService(index: TestAccount.index, configuration: configuration, sink: RecordingSink())
        let request = CallEventsRequest(events: [CallEvent(phoneNumber: "anonymous", users: [88888])])
        let notification = try #require(try service.notifications(for: request).first)
        let value = try JSONValue(parsing: notification.json())
        #expect(value["phone_number"]?.stringValue == "anonymous")
        #expect(value["e164"] == .null)
        #expect(value["action"]?.stringValue == "create_contact")
        #expect(value["target"]?["element_type"] == .null)
        #expect(value["target"]?["element_id"] == .null)
        #expect(value["target"]?["name"] == .null)
        #expect(value["rule"]?.stringValue == "unreadable_number")
        #expect(value["match"]?.stringValue == "none")
        #expect(value["display_number"]?.stringValue == "anonymous")
        #expect(value["caller"] == .null)  // no number to describe
        #expect(value["users"] == .array([.integer(88888)]))
    }

    @Test func anUnknownCallerIsDescribedForTheOfferToCreateAContact() async throws {
        var configuration = TestAccount.configuration()
        configuration.describeCaller = { number in
            CallerDescription(
                location: number.countryCode == 7 ? "Россия" : nil, carrier: nil, timeZones: ["Europe/Moscow"])
        }
        let service = CallEventsService(index: TestAccount.index, configuration: configuration, sink: RecordingSink())
        let request = CallEventsRequest(events: [
            CallEvent(phoneNumber: TestAccount.unknownNumber), CallEvent(phoneNumber: "+49 30 1234567"),
        ])
        let notifications = try service.notifications(for: request)
        let unknown = try JSONValue(parsing: notifications[0].json())
        #expect(unknown["action"]?.stringValue == "create_contact")
        #expect(unknown["display_number"]?.stringValue == "8 (999) 111-22-33")  // the account is Russian
        #expect(unknown["caller"]?["location"]?.stringValue == "Россия")
        #expect(unknown["caller"]?["carrier"] == .null)
        #expect(unknown["caller"]?["time_zones"] == .array([.string("Europe/Moscow")]))
        let foreign = try JSONValue(parsing: notifications[1].json())
        #expect(foreign["display_number"]?.stringValue == "+49 30 1234567")
        #expect(foreign["caller"]?["location"] == .null)
    }
}

@Suite("Notification ids and times")
struct EventUIDTests {
    @Test func randomUIDsAreVersion4AndDistinct() {
        var seen = Set<EventUID>()
        for _ in 0..<1000 {
            let uid = EventUID.random()
            #expect(uid.version == 4)
            let text = uid.description
            #expect(text.count == 36)
            let bytes = Array(text.utf8)
            #expect(bytes[8] == UInt8(ascii: "-") && bytes[13] == UInt8(ascii: "-"))
            #expect(bytes[14] == UInt8(ascii: "4"))
            #expect([UInt8(ascii: "8"), UInt8(ascii: "9"), UInt8(ascii: "a"), UInt8(ascii: "b")].contains(bytes[19]))
            #expect(text == text.lowercased())
            #expect(EventUID(text) == uid)
            seen.insert(uid)
        }
        #expect(seen.count == 1000)
    }

    @Test(arguments: [
        "", "0e3455ff67aa4779bebe66ddc038a4ee", "0e3455ff-67aa-4779-bebe-66ddc038a4eg",
        "0e3455ff-67aa-4779-bebe-66ddc038a4ee0",
    ])
    func invalidUIDText(_ text: String) {
        #expect(EventUID(text) == nil)
    }

    @Test func uidRoundTripsInEitherCase() throws {
        let uid = try #require(EventUID("0E3455FF-67AA-4779-BEBE-66DDC038A4EE"))
        #expect(uid.description == "0e3455ff-67aa-4779-bebe-66ddc038a4ee")
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (Int64(1_764_028_800_123), "2025-11-25T00:00:00.123Z"),
        (Int64(951_782_400_000), "2000-02-29T00:00:00.000Z"),
        (Int64(-1), "1969-12-31T23:59:59.999Z"),
        (Int64(4_107_542_399_999), "2100-02-28T23:59:59.999Z"),
    ])
    func isoTimes(_ milliseconds: Int64, _ text: String) {
        #expect(NotificationTime(millisecondsSince1970: milliseconds).description == text)
    }

    @Test func nowIsRecent() {
        #expect(NotificationTime.now().millisecondsSince1970 > 1_700_000_000_000)
    }
}
