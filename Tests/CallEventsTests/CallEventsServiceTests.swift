import AccountIndex
import AccountSynthesis
import CallEvents
import Testing

@Suite("The service: resolve, check the account, fan out")
struct CallEventsServiceTests {
    struct Answer: Sendable, CustomTestStringConvertible {
        let number: String
        let elementType: Int?
        let elementID: Int?
        let action: CallAction
        let name: String?
        var testDescription: String { "\(number) → \(action)" }
    }

    static let answers: [Answer] = [
        Answer(
            number: TestAccount.leadNumber, elementType: 2, elementID: 1_234_565, action: .openLead,
            name: "Website order"),
        Answer(
            number: "8 (999) 888-55-33", elementType: 2, elementID: 1_234_565, action: .openLead, name: "Website order"),
        Answer(
            number: TestAccount.customerNumber, elementType: 12, elementID: 55, action: .openCustomer,
            name: "Monthly delivery"),
        Answer(number: TestAccount.contactNumber, elementType: 1, elementID: 3, action: .openContact, name: "Anna"),
        Answer(
            number: TestAccount.companyNumber, elementType: 3, elementID: 4, action: .openCompany,
            name: "Horns & Hooves"),
        Answer(number: TestAccount.unknownNumber, elementType: nil, elementID: nil, action: .createContact, name: nil),
    ]

    @Test(arguments: answers)
    func eachKindOfAnswer(_ answer: Answer) async throws {
        let sink = RecordingSink()
        let service = CallEventsService(
            index: TestAccount.index, configuration: TestAccount.configuration(), sink: sink)
        let response = try await service.post(CallEventsRequest(events: [CallEvent(phoneNumber: answer.number)]))
        #expect(response.items.count == 1)
        #expect(response.items[0].elementType == answer.elementType)
        #expect(response.items[0].elementID == answer.elementID)
        #expect(response.items[0].phoneNumber == answer.number)
        let delivered = sink.delivered
        #expect(delivered.count == 1)
        let notification = try #require(delivered.first?.first)
        #expect(notification.uid == response.items[0].uid)
        #expect(notification.action == answer.action)
        #expect(notification.target.name == answer.name)
        #expect(notification.target.elementID == answer.elementID)
        #expect(notification.phoneNumber == answer.number)
        #expect(notification.e164?.hasPrefix("+7") == true)
        // No users named: every user of the account, ascending.
        #expect(notification.users == [77777, 88888, 99999])
    }

    @Test func oneUserAndStringIDsAndRepeats() async throws {
        let sink = RecordingSink()
        let service = CallEventsService(
            index: TestAccount.index, configuration: TestAccount.configuration(), sink: sink)
        let body =
            #"{"add":[{"type":"phone_call","phone_number":"+79998885533","users":["99999"]},"#
            + #"{"type":"phone_call","phone_number":"+79990001122","users":[88888,"77777",88888]}]}"#
        let response = try await service.post(body: bytes(body), contentType: "application/json")
        #expect(response.items.map(\.elementType) == [2, 12])
        let notifications = try #require(sink.delivered.first)
        #expect(notifications.map(\.users) == [[99999], [88888, 77777]])
        #expect(notifications.map(\.eventIndex) == [0, 1])
        #expect(Set(notifications.map(\.uid)).count == 2)
    }

    @Test func theSeedJSONAndPHPExamplesThroughTheService() async throws {
        let sink = RecordingSink()
        let configuration = CallEventsConfiguration(users: [88888, 99999], names: EntityNames(SampleAccount.names))
        let service = CallEventsService(index: TestAccount.index, configuration: configuration, sink: sink)
        let json = #"{"add":[{"type":"phone_call","phone_number":"+79998885533","users":[88888,99999]}]}"#
        let a = try await service.post(body: bytes(json), contentType: "application/json")
        let form = "add[0][phone_number]=%2B79998885533&add[0][users][0]=88888&add[0][type]=phone_call"
        let b = try await service.post(body: bytes(form), contentType: "application/x-www-form-urlencoded")
        #expect(a.items[0].elementID == 1_234_565 && a.items[0].elementType == 2)
        #expect(b.items[0].elementID == 1_234_565 && b.items[0].elementType == 2)
        #expect(sink.delivered.map { $0[0].users } == [[88888, 99999], [88888]])
    }

    @Test func unknownUserRefusesTheWholeBatch() async throws {
        let sink = RecordingSink()
        let service = CallEventsService(
            index: TestAccount.index, configuration: TestAccount.configuration(), sink: sink)
        let request = CallEventsRequest(events: [
            CallEvent(phoneNumber: TestAccount.leadNumber, users: [88888]),
            CallEvent(phoneNumber: TestAccount.leadNumber, users: [99999, 12345]),
        ])
        let error = await #expect(throws: CallEventsError.self) { try await service.post(request) }
        #expect(error?.code == .unknownUser)
        #expect(error?.index == 1)
        #expect(error?.field == "users")
        #expect(error?.path == "add[1].users[1]")
        #expect(sink.delivered.isEmpty)
    }

    /// What PBXs send for a withheld caller id: notified as create-contact with no number, as
    /// `screenpop resolve` answers; the rest of the batch as usual.
    @Test(arguments: ["Unknown", "anonymous", "private", "", "  ", "not a number", "abc", "+", "---"])
    func aPhoneNumberWithNoNumberInItIsNotifiedAsCreateContact(_ number: String) async throws {
        let sink = RecordingSink()
        let service = CallEventsService(
            index: TestAccount.index, configuration: TestAccount.configuration(), sink: sink)
        let request = CallEventsRequest(events: [
            CallEvent(phoneNumber: TestAccount.leadNumber), CallEvent(phoneNumber: number, users: [88888]),
        ])
        let response = try await service.post(request)
        #expect(response.items.map(\.elementID) == [1_234_565, nil])
        #expect(response.items.map(\.elementType) == [2, nil])
        #expect(response.items.map(\.phoneNumber) == [TestAccount.leadNumber, number])
        let notifications = sink.delivered.flatMap { $0 }
        #expect(sink.delivered.count == 1 && notifications.count == 2)
        let withheld = try #require(notifications.last)
        #expect(withheld.e164 == nil)
        #expect(withheld.action == .createContact)
        #expect(withheld.decision.reason.rule == .unreadableNumber)
        #expect(withheld.target.entity == nil)
        #expect(withheld.displayNumber == number)
        #expect(withheld.users == [88888])
        #expect(withheld.eventIndex == 1)
        #expect(withheld.reason.hasPrefix("Unreadable number: no phone number could be read"))
        #expect(withheld.description.hasSuffix(": \"\(number)\" → create_contact none for [88888]"))
    }

    /// The users of a withheld caller's event are still checked.
    @Test func aWithheldCallerForAnUnknownUserIsStillRefused() async throws {
        let sink = RecordingSink()
        let service = CallEventsService(
            index: TestAccount.index, configuration: TestAccount.configuration(), sink: sink)
        let request = CallEventsRequest(events: [CallEvent(phoneNumber: "anonymous", users: [12345])])
        let error = await #expect(throws: CallEventsError.self) { try await service.post(request) }
        #expect(error?.code == .unknownUser)
        #expect(sink.delivered.isEmpty)
    }

    @Test func syntaxErrorsComeBeforeAccountErrors() async throws {
        let sink = RecordingSink()
        let service = CallEventsService(
            index: TestAccount.index, configuration: TestAccount.configuration(), sink: sink)
        let body = #"{"add":[{"type":"phone_call","phone_number":"abc"},{"type":"phone_call"}]}"#
        let error = await #expect(throws: CallEventsError.self) {
            try await service.post(body: bytes(body), contentType: "application/json")
        }
        #expect(error?.code == .missingField)
        #expect(error?.index == 1)
        #expect(sink.delivered.isEmpty)
    }

    @Test func aBatchIsOneDeliveryInRequestOrder() async throws {
        let sink = RecordingSink()
        let service = CallEventsService(
            index: TestAccount.index, configuration: TestAccount.configuration(), sink: sink)
        let numbers = [
            TestAccount.unknownNumber, TestAccount.companyNumber, TestAccount.leadNumber, TestAccount.contactNumber,
        ]
        let response = try await service.post(CallEventsRequest(events: numbers.map { CallEvent(phoneNumber: $0) }))
        #expect(response.items.map(\.elementType) == [nil, 3, 2, 1])
        #expect(response.items.map(\.phoneNumber) == numbers)
        #expect(sink.delivered.count == 1)
        #expect(sink.delivered[0].map(\.uid) == response.items.map(\.uid))
    }

    @Test func namesComeFromTheDirectory() {
        var names = EntityNames(SampleAccount.names)
        #expect(names[.lead(1_234_565)] == "Website order")
        #expect(names[.lead(20)] == nil)  // empty names are not kept
        names[.lead(20)] = "Named"
        #expect(names[.lead(20)] == "Named")
        #expect(EntityNames()[.contact(1)] == nil)
    }

    @Test func configuredUIDsAndClock() async throws {
        let sink = RecordingSink()
        let configuration = CallEventsConfiguration(
            users: [1], clock: { NotificationTime(millisecondsSince1970: 42) },
            makeUID: { EventUID(high: 1, low: 2) })
        let service = CallEventsService(index: TestAccount.index, configuration: configuration, sink: sink)
        let response = try await service.post(
            CallEventsRequest(events: [CallEvent(phoneNumber: TestAccount.leadNumber)]))
        #expect(response.items[0].uid == EventUID(high: 1, low: 2))
        #expect(sink.delivered[0][0].time == NotificationTime(millisecondsSince1970: 42))
        #expect(sink.delivered[0][0].users == [1])
        #expect(sink.delivered[0][0].target.name == nil)  // no names configured
    }

    /// Repeats are notified once, in the order of first mention, for short lists and long ones.
    @Test(arguments: [3, 33, 10_000])
    func repeatedUsersAreNotifiedOnceInOrder(distinct: Int) throws {
        let configuration = CallEventsConfiguration(users: 0..<distinct)
        let service = CallEventsService(index: TestAccount.index, configuration: configuration, sink: RecordingSink())
        let firsts = Array((0..<distinct).reversed())
        let named = firsts + firsts.shuffled() + [firsts[0]]
        let request = CallEventsRequest(events: [CallEvent(phoneNumber: TestAccount.leadNumber, users: named)])
        #expect(try service.notifications(for: request)[0].users == firsts)
        let unknown = CallEventsRequest(
            events: [CallEvent(phoneNumber: TestAccount.leadNumber, users: named + [distinct])])
        let error = #expect(throws: CallEventsError.self) { try service.notifications(for: unknown) }
        #expect(error?.code == .unknownUser)
        #expect(error?.path == "add[0].users[\(named.count)]")
    }
}
