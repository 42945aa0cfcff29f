import ScreenPopJSON

/// Carries the notifications one server instance made to the other instances of the same accounts
/// (the embedding code implements it, over PostgreSQL `NOTIFY` for one), so that a user whose
/// stream is open on another instance gets them too.
///
/// After an account's hub delivered a batch, the server calls ``publish(accountID:payload:)`` with
/// the batch as a ``RelayPayload``; the other instances hand the payload to
/// ``ScreenPopServer/receiveRelayed(accountID:payload:)``. It is called on the request's task, so
/// the post's answer waits for it: enqueue and return.
public protocol CallRelay: Sendable {
    func publish(accountID: Int, payload: [UInt8]) async
}

/// One notification as a hub sent it: its event id, its users and its JSON.
public struct RelayedEvent: Sendable, Hashable {
    /// The SSE `id` the hub of the instance that made it gave it; the others keep it.
    public var id: UInt64
    /// The users to notify.
    public var users: [Int]
    /// ``CallEvents/CallNotification/json()``: a JSON object.
    public var json: [UInt8]

    public init(id: UInt64, users: [Int], json: [UInt8]) {
        self.id = id
        self.users = users
        self.json = json
    }
}

/// A batch of relayed notifications and the instance they come from, as UTF-8 JSON text (no NUL,
/// so it fits a PostgreSQL `NOTIFY` payload as it is):
///
/// ```json
/// {"v":1,"origin":"9f0c…","events":[{"id":1764971000000001,"users":[88888],"data":{…the notification…}}]}
/// ```
///
/// The notification's JSON is embedded as it is, not as a string: no escaping, and the payload
/// is readable in `psql`. A payload is as large as its notifications (about 500 bytes each);
/// PostgreSQL's `NOTIFY` takes up to 8,000 bytes, so a relay over it splits or stores larger ones.
public struct RelayPayload: Sendable, Hashable {
    /// Why a payload could not be read.
    public struct DecodingError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// The format's version.
    public static let version = 1

    /// The instance that made the events (``ServedAccounts/instanceID``): an instance that gets its
    /// own payload back ignores it.
    public var origin: UInt64
    public var events: [RelayedEvent]

    public init(origin: UInt64, events: [RelayedEvent]) {
        self.origin = origin
        self.events = events
    }

    /// The payload's bytes.
    public func encoded() -> [UInt8] {
        var out = Array(#"{"v":1,"origin":""#.utf8)
        out.reserveCapacity(64 + events.reduce(0) { $0 + $1.json.count + 32 + 8 * $1.users.count })
        let hex = Array("0123456789abcdef".utf8)
        for shift in stride(from: 60, through: 0, by: -4) { out.append(hex[Int(origin >> UInt64(shift) & 15)]) }
        out += Array(#"","events":["#.utf8)
        for (position, event) in events.enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            out += Array(#"{"id":"#.utf8)
            out += Array(String(event.id).utf8)
            out += Array(#","users":["#.utf8)
            for (index, user) in event.users.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out += Array(String(user).utf8)
            }
            out += Array(#"],"data":"#.utf8)
            out += event.json
            out.append(UInt8(ascii: "}"))
        }
        out += Array("]}".utf8)
        return out
    }

    /// Reads a payload made by ``encoded()``.
    ///
    /// - Throws: ``DecodingError`` for anything else: malformed JSON, another version, a missing
    ///   field, an event whose `data` is not an object.
    public init(decoding bytes: [UInt8]) throws(DecodingError) {
        do {
            self = try JSONReader.withReader(bytes) { (reader: inout JSONReader) throws(JSONError) -> RelayPayload in
                var version: Int?
                var origin: UInt64?
                var events: [RelayedEvent]?
                try reader.beginObject()
                while let key = try reader.nextKey() {
                    if key == "v" {
                        version = try reader.readInt()
                    } else if key == "origin" {
                        let text = try reader.readString()
                        guard let value = UInt64(text, radix: 16) else {
                            throw reader.error(.invalidValue, expected: "16 hex digits", found: text)
                        }
                        origin = value
                    } else if key == "events" {
                        events = try Self.readEvents(&reader, bytes: bytes)
                    } else {
                        try reader.skipValue()
                    }
                }
                guard version == Self.version else {
                    throw reader.error(.invalidValue, expected: "v \(Self.version)", found: version.map(String.init))
                }
                guard let origin, let events else {
                    throw reader.error(.missingKey, expected: "origin and events", found: nil)
                }
                return RelayPayload(origin: origin, events: events)
            }
        } catch {
            throw DecodingError(description: "a relayed payload cannot be read: \(error)")
        }
    }

    private static func readEvents(_ reader: inout JSONReader, bytes: [UInt8]) throws(JSONError) -> [RelayedEvent] {
        var events: [RelayedEvent] = []
        try reader.beginArray()
        while try reader.nextElement() {
            var id: Int64?
            var users: [Int]?
            var json: [UInt8]?
            try reader.beginObject()
            while let key = try reader.nextKey() {
                if key == "id" {
                    id = try reader.readInt64()
                } else if key == "users" {
                    var list: [Int] = []
                    try reader.beginArray()
                    while try reader.nextElement() { list.append(try reader.readInt()) }
                    users = list
                } else if key == "data" {
                    guard try reader.peek() == .object else {
                        throw reader.error(.typeMismatch, expected: "an object", found: nil)
                    }
                    try reader.skipValue()
                    json = Array(bytes[reader.lastValueOffset..<reader.offset])
                } else {
                    try reader.skipValue()
                }
            }
            guard let id, id >= 0, let users, let json else {
                throw reader.error(.missingKey, expected: "id, users and data", found: nil)
            }
            events.append(RelayedEvent(id: UInt64(id), users: users, json: json))
        }
        return events
    }
}
