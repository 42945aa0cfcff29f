import ScreenPopJSON

/// The answer to `POST /api/v2/events`: one item per event, in request order, as amoCRM gives it.
///
/// ```swift
/// let response = CallEventsResponse(items: [
///     .init(elementID: 1234565, elementType: 2, uid: uid, phoneNumber: "+79998885533"),
/// ])
/// String(decoding: response.halJSON(), as: UTF8.self)
/// // {"_links":{"self":{"href":"/api/v2/events","method":"post"}},"_embedded":{"items":[
/// //   {"element_id":1234565,"element_type":2,"uid":"0e3455ff-…","phone_number":"+79998885533"}]}}
/// ```
public struct CallEventsResponse: Hashable, Sendable {
    /// The media type of ``halJSON()``: `application/hal+json`.
    public static let contentType = "application/hal+json"
    /// The `_links.self.href` of the answer: `/api/v2/events`.
    public static let selfHref = "/api/v2/events"

    /// One notification sent.
    public struct Item: Hashable, Sendable {
        /// The id of the entity shown; nil when no entity has the number (the answer's `null`).
        public var elementID: Int?
        /// The entity's type: 1 contact, 2 lead, 3 company, 12 customer; nil when no entity has the number.
        public var elementType: Int?
        /// The notification's id.
        public var uid: EventUID
        /// The number as the request gave it.
        public var phoneNumber: String

        public init(elementID: Int?, elementType: Int?, uid: EventUID, phoneNumber: String) {
            self.elementID = elementID
            self.elementType = elementType
            self.uid = uid
            self.phoneNumber = phoneNumber
        }
    }

    public var items: [Item]

    public init(items: [Item]) {
        self.items = items
    }

    /// The answer's body: HAL+JSON in amoCRM's member order, compact.
    ///
    /// - Complexity: O(n) in the items; one allocation for a small answer.
    public func halJSON() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(96 + items.count * 140)
        bytes.append(
            contentsOf: #"{"_links":{"self":{"href":"/api/v2/events","method":"post"}},"_embedded":{"items":["#.utf8)
        for (position, item) in items.enumerated() {
            bytes.append(contentsOf: position == 0 ? #"{"element_id":"#.utf8 : #",{"element_id":"#.utf8)
            Self.append(item.elementID, to: &bytes)
            bytes.append(contentsOf: #","element_type":"#.utf8)
            Self.append(item.elementType, to: &bytes)
            bytes.append(contentsOf: #","uid":""#.utf8)
            item.uid.appendASCII(to: &bytes)
            bytes.append(contentsOf: #"","phone_number":"#.utf8)
            JSONWriter.appendQuoted(item.phoneNumber, to: &bytes)
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(contentsOf: "]}}".utf8)
        return bytes
    }

    /// An integer in decimal, or `null`.
    static func append(_ value: Int?, to bytes: inout [UInt8]) {
        guard let value else {
            bytes.append(contentsOf: "null".utf8)
            return
        }
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for 24 digits
        withUnsafeMutableBytes(of: &digits) { buffer in
            var start = buffer.count
            repeat {
                start -= 1
                buffer[start] = UInt8(truncatingIfNeeded: magnitude % 10) &+ UInt8(ascii: "0")
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: buffer[start...])
        }
    }
}

extension CallEventsError {
    /// The error as a JSON body:
    /// `{"error":{"code":"missing_field","message":"add[0].type is required","index":0,"field":"type","path":"add[0].type"}}`.
    ///
    /// `index`, `field` and `path` are `null` when the error is not about one event or member.
    public func jsonBody() -> [UInt8] {
        var writer = JSONWriter(capacity: 200)
        writer.beginObject()
        writer.key("error")
        writer.beginObject()
        writer.key("code")
        writer.string(code.rawValue)
        writer.key("message")
        writer.string(message)
        writer.key("index")
        writer.integer(orNull: index)
        writer.key("field")
        writer.string(orNull: field)
        writer.key("path")
        writer.string(orNull: path)
        writer.endObject()
        writer.endObject()
        return writer.bytes
    }
}
