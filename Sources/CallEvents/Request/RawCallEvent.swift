import ScreenPopSupport

/// A scalar as a body gave it, before validation.
enum RawScalar: Hashable, Sendable {
    case string(String)
    /// A JSON integer that fits an `Int`.
    case integer(Int)
    /// Anything else, described for the error (`a number with a fraction`, `an object`, `true`).
    case other(String)

    var described: String {
        switch self {
        case .string(let text): quoted(text)
        case .integer(let value): "the number \(value)"
        case .other(let kind): kind
        }
    }
}

/// A member of an event as a body gave it: absent, null, or a value.
enum RawField: Hashable, Sendable {
    case absent
    case null
    case value(RawScalar)
}

/// An event's `users` as a body gave it.
enum RawUsers: Hashable, Sendable {
    case absent
    case null
    /// One id, not in a list.
    case single(RawScalar)
    case list([RawScalar])
    /// More ids than ``CallEventsLimits/maxUsersPerEvent``: read to the end (the body must still be
    /// valid), not kept.
    case tooMany
}

/// An event as either decoder reads it: every member kept as given, checked by ``validated(index:limits:)``.
struct RawCallEvent: Hashable, Sendable {
    var type: RawField = .absent
    var phoneNumber: RawField = .absent
    var users: RawUsers = .absent
    /// Set when the event itself is not an object (`"add": [5]`, `add[0]=x`): described.
    var notAnObject: String?

    /// Checks the members in order (`type`, `phone_number`, `users`).
    func validated(index: Int, limits: CallEventsLimits) throws(CallEventsError) -> CallEvent {
        if let notAnObject {
            throw CallEventsError(
                code: .invalidField, index: index, path: "add[\(index)]", found: notAnObject,
                detail: "an event object")
        }
        switch type {
        case .absent, .null: throw .missing("type", at: index)
        case .value(.string(let text)):
            guard text == CallEvent.EventType.phoneCall.rawValue else {
                throw .event(.unsupportedEventType, "type", at: index, found: quoted(text))
            }
        case .value(let other):
            throw .invalid("type", at: index, mustBe: "the string \"phone_call\"", found: other.described)
        }
        let phone: String
        switch phoneNumber {
        case .absent, .null: throw .missing("phone_number", at: index)
        case .value(.string(let text)):
            // An empty one is a withheld caller id, as `"anonymous"` is: notified, not refused.
            // Scalars never outnumber UTF-8 bytes: only long texts are counted.
            if text.utf8.count > CallEvent.maxPhoneNumberLength {
                let length = text.unicodeScalars.count
                guard length <= CallEvent.maxPhoneNumberLength else {
                    throw .event(.phoneNumberTooLong, "phone_number", at: index, found: String(length))
                }
            }
            phone = text
        case .value(let other):
            throw .invalid("phone_number", at: index, mustBe: "a string", found: other.described)
        }
        let userIDs: [Int]?
        switch users {
        case .absent, .null: userIDs = nil
        case .tooMany: throw .tooManyUsers(at: index, limits)
        case .single(let scalar): userIDs = [try userID(scalar, index: index, position: nil)]
        case .list(let scalars):
            if scalars.isEmpty {
                userIDs = nil
            } else {
                var ids: [Int] = []
                ids.reserveCapacity(scalars.count)
                for (position, scalar) in scalars.enumerated() {
                    ids.append(try userID(scalar, index: index, position: position))
                }
                userIDs = ids
            }
        }
        return CallEvent(type: .phoneCall, phoneNumber: phone, users: userIDs)
    }

    private func userID(_ scalar: RawScalar, index: Int, position: Int?) throws(CallEventsError) -> Int {
        switch scalar {
        case .integer(let value) where value >= 0: return value
        case .string(let text):
            if let value = CallEventsRequest.parseUserID(text) { return value }
        default: break
        }
        throw .user(.invalidUserID, at: index, user: position, found: scalar.described)
    }
}

extension CallEventsRequest {
    /// Validates the events a decoder read, in index order.
    init(raw: [RawCallEvent], limits: CallEventsLimits) throws(CallEventsError) {
        guard !raw.isEmpty else { throw .batch(.emptyBatch) }
        guard raw.count <= limits.maxEvents else { throw .tooManyEvents(limits) }
        var events: [CallEvent] = []
        events.reserveCapacity(raw.count)
        for (index, event) in raw.enumerated() {
            events.append(try event.validated(index: index, limits: limits))
        }
        self.init(events: events)
    }
}

extension CallEventsError {
    @inline(never)
    static func tooManyEvents(_ limits: CallEventsLimits) -> CallEventsError {
        .batch(.tooManyEvents, detail: "\(limits.maxEvents)")
    }

    @inline(never)
    static func tooManyUsers(at index: Int, _ limits: CallEventsLimits) -> CallEventsError {
        CallEventsError(
            code: .tooManyUsers, index: index, field: "users", path: "add[\(index)].users",
            detail: "\(limits.maxUsersPerEvent)")
    }
}

/// A string of 1 to 18 ASCII digits as an `Int`, nil otherwise (no sign, no spaces): form indices.
func parseDigits(_ text: String) -> Int? {
    var value = 0
    var count = 0
    for byte in text.utf8 {
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), count < 18 else { return nil }
        value = value * 10 + Int(byte &- UInt8(ascii: "0"))
        count += 1
    }
    return count == 0 ? nil : value
}


/// `"text"`, shortened to 60 characters, for error messages.
func quoted(_ text: String) -> String {
    var shown =
        text.unicodeScalars.count > 60 ? String(String.UnicodeScalarView(text.unicodeScalars.prefix(60))) + "…" : text
    shown = shown.replacingAll("\"", with: "\\\"")
    return "\"" + shown + "\""
}

extension String {
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
