import CallEvents
import EventsFuzzSupport
import FuzzSupport
import ScreenPopJSON

/// `CallEventsRequest(json:limits:)` on any bytes, with the default limits and small ones. Beside
/// the promises of every decoded request and every refusal (EventsFuzzSupport), the decoder agrees
/// with a second reading of the body: the JSON tree (`JSONValue`, the decoder's depth of 64) and
/// the rules of docs/events-api.md applied to it. An accepted request written again in either
/// encoding reads back the same.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEventsJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    for limits in fuzzLimits {
        let expected = eventsFromTree(bytes, limits)
        do {
            let request = try CallEventsRequest(json: bytes, limits: limits)
            checkAccepted(request, limits, bytes)
            require(
                expected.map { identical($0, request) } ?? false,
                "decoded \(request), the tree gives \(expected.map { "\($0)" } ?? "a refusal")")
            checkRoundTrips(request, limits)
        } catch {
            checkRefused(error, bytes)
            require(expected == nil, "refused (\(error)), the tree gives \(expected!)")
        }
    }
    return 0
}

/// The request the body holds by the documented rules, read from its tree; nil when it is refused.
func eventsFromTree(_ bytes: [UInt8], _ limits: CallEventsLimits) -> CallEventsRequest? {
    guard let tree = try? JSONValue(parsing: bytes, maxDepth: 64), case .object(let top) = tree,
        case .array(let list)? = top["add"], !list.isEmpty, list.count <= limits.maxEvents
    else { return nil }
    var events: [CallEvent] = []
    for element in list {
        guard case .object(let event) = element, event["type"] == .string("phone_call"),
            case .string(let phone)? = event["phone_number"],
            phone.unicodeScalars.count <= CallEvent.maxPhoneNumberLength
        else { return nil }
        var users: [Int]?
        switch event["users"] {
        case nil, .null?: users = nil
        case .array(let ids)?:
            guard ids.count <= limits.maxUsersPerEvent else { return nil }
            var read: [Int] = []
            for id in ids {
                guard let value = userID(id) else { return nil }
                read.append(value)
            }
            users = read.isEmpty ? nil : read
        case let single?:
            guard let value = userID(single) else { return nil }
            users = [value]
        }
        events.append(CallEvent(phoneNumber: phone, users: users))
    }
    return CallEventsRequest(events: events)
}

/// A user id: a non-negative integer that fits `Int`, or a string of digits.
func userID(_ value: JSONValue) -> Int? {
    switch value {
    case .integer(let number): return number >= 0 ? Int(exactly: number) : nil
    case .string(let text):
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int(text)
    default: return nil
    }
}
