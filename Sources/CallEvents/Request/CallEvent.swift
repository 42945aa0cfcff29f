/// One event of a `POST /api/v2/events` request, validated: a call is coming in from this number.
///
/// ```swift
/// let event = CallEvent(phoneNumber: "+79998885533", users: [88888, 99999])
/// event.type          // .phoneCall
/// ```
public struct CallEvent: Hashable, Sendable {
    /// The event's type. amoCRM defines one, `phone_call`; new ones may be added.
    public struct EventType: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// An incoming call: `phone_call`.
        public static let phoneCall = EventType(rawValue: "phone_call")

        public var description: String { rawValue }
    }

    /// The longest `phone_number` accepted, in Unicode scalars (libphonenumber refuses longer input;
    /// it counts UTF-16 units, the same for any number short of emoji).
    public static let maxPhoneNumberLength = 250

    public var type: EventType
    /// The caller's number exactly as the request gave it, in any format; may hold no number at
    /// all (`"anonymous"`, `""`: a withheld caller id).
    public var phoneNumber: String
    /// The users to notify, in request order as given (repeats included); nil for every user of the account.
    public var users: [Int]?

    public init(type: EventType = .phoneCall, phoneNumber: String, users: [Int]? = nil) {
        self.type = type
        self.phoneNumber = phoneNumber
        self.users = users
    }
}

/// A whole `POST /api/v2/events` request, validated: its events in request order.
///
/// Build one from a body with ``init(body:contentType:limits:)`` (either encoding, by its content
/// type), ``init(json:limits:)`` or ``init(form:limits:)``; each checks everything that can be
/// checked without the account (see ``CallEventsError`` for the order). The account check (the
/// users exist) is ``CallEventsService``'s.
///
/// ```swift
/// let request = try CallEventsRequest(
///     form: Array("add[0][phone_number]=%2B79998885533&add[0][users][0]=88888&add[0][type]=phone_call".utf8))
/// request.events   // [CallEvent(type: .phoneCall, phoneNumber: "+79998885533", users: [88888])]
/// ```
public struct CallEventsRequest: Hashable, Sendable {
    /// The events, in request order; never empty, at most ``CallEventsLimits/maxEvents``.
    public var events: [CallEvent]

    /// A request of already validated events (for embedding code that has its own decoder).
    public init(events: [CallEvent]) {
        self.events = events
    }
}

extension CallEventsRequest {
    /// A user id written as text: one or more ASCII digits whose value fits `Int`, with nothing
    /// else (no sign, space, fraction or exponent); nil otherwise. `"8010001"` and `"007"` are ids,
    /// `"+8010001"`, `"-1"`, `" 5"` and `""` are not.
    ///
    /// The rule of string ids in both encodings (`"users": ["88888"]`, `add[0][users][0]=88888`),
    /// for any other place an id comes as text, such as a stream's `?user_id=`. A JSON number id
    /// is the same set: a non-negative integer that fits `Int`.
    ///
    /// ```swift
    /// CallEventsRequest.parseUserID("8010001")    // 8010001
    /// CallEventsRequest.parseUserID("+8010001")   // nil
    /// ```
    ///
    /// - Complexity: O(n), no allocation.
    public static func parseUserID(_ text: some StringProtocol) -> Int? {
        var value = 0
        var sawDigit = false
        for byte in text.utf8 {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(digit))
            guard !overflow1 && !overflow2 else { return nil }
            value = sum
            sawDigit = true
        }
        return sawDigit ? value : nil
    }
}

/// The limits a request must keep.
public struct CallEventsLimits: Hashable, Sendable {
    /// The most events one request may carry (amoCRM: 500).
    public var maxEvents: Int
    /// The largest body accepted, in bytes (1 MiB).
    public var maxBodyBytes: Int
    /// The most users one event's `users` may name (10,000): an amoCRM account has at most a few
    /// thousand users, and the cap keeps what one event holds, and fans out to, small.
    public var maxUsersPerEvent: Int

    public init(maxEvents: Int = 500, maxBodyBytes: Int = 1 << 20, maxUsersPerEvent: Int = 10_000) {
        self.maxEvents = maxEvents
        self.maxBodyBytes = maxBodyBytes
        self.maxUsersPerEvent = maxUsersPerEvent
    }
}
