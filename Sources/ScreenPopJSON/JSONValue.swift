/// A JSON value as a tree: for small documents such as request bodies, and for tests.
///
/// Numbers without fraction or exponent that fit `Int64` are ``integer(_:)``; all others are
/// ``double(_:)``, always finite (a number past `Double`'s range is an error when parsing). Objects keep their members in document order, duplicates included.
///
/// ```swift
/// let value = try JSONValue(parsing: #"{"phone_number": "+79998885533", "ids": [1, 2]}"#)
/// value["phone_number"]?.stringValue   // "+79998885533"
/// value["ids"]?[1]?.intValue            // 2
/// value.jsonText                        // {"phone_number":"+79998885533","ids":[1,2]}
/// ```
public enum JSONValue: Hashable, Sendable, CustomStringConvertible {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// Parses a whole document.
    ///
    /// - Throws: ``JSONError`` for anything that is not exactly one JSON value (white space around it aside).
    /// - Complexity: O(n); allocates the tree.
    public init(parsing text: String, maxDepth: Int = JSONReader.defaultMaxDepth) throws(JSONError) {
        self = try JSONReader.withReader(text, maxDepth: maxDepth) { (reader: inout JSONReader) throws(JSONError) in
            let value = try reader.readValue()
            try reader.finish()
            return value
        }
    }

    /// Parses a whole document from UTF-8 bytes.
    public init(parsing bytes: [UInt8], maxDepth: Int = JSONReader.defaultMaxDepth) throws(JSONError) {
        self = try JSONReader.withReader(bytes, maxDepth: maxDepth) { (reader: inout JSONReader) throws(JSONError) in
            let value = try reader.readValue()
            try reader.finish()
            return value
        }
    }

    /// The member `key` of an object (the last one, if the key repeats); nil for other values.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let object) = self else { return nil }
        return object[key]
    }

    /// The element at `index` of an array; nil for other values or out of range.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let array) = self, array.indices.contains(index) else { return nil }
        return array[index]
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer, or a double that is a whole number in `Int`'s range.
    public var intValue: Int? {
        switch self {
        case .integer(let value): Int(exactly: value)
        case .double(let value): Int(exactly: value)
        default: nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// The kind of value.
    public var kind: JSONKind {
        switch self {
        case .null: .null
        case .bool: .bool
        case .integer, .double: .number
        case .string: .string
        case .array: .array
        case .object: .object
        }
    }

    /// Compact JSON text.
    public var jsonText: String {
        var writer = JSONWriter()
        writer.value(self)
        return writer.text
    }

    public var description: String { jsonText }
}

/// A JSON object's members in document order.
public struct JSONObject: Hashable, Sendable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    public private(set) var members: [Member]

    public struct Member: Hashable, Sendable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    public init(_ members: [Member] = []) { self.members = members }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        members = elements.map { Member(key: $0.0, value: $0.1) }
    }

    public var startIndex: Int { members.startIndex }
    public var endIndex: Int { members.endIndex }
    public subscript(position: Int) -> Member { members[position] }

    /// The value of the last member named `key`.
    public subscript(key: String) -> JSONValue? {
        members.last(where: { $0.key == key })?.value
    }

    public mutating func append(key: String, value: JSONValue) {
        members.append(Member(key: key, value: value))
    }
}

extension JSONReader {
    /// Reads the next value as a tree.
    ///
    /// - Throws: ``JSONError`` as the other `read` methods; nesting is limited by ``maxDepth``, so
    ///   the recursion is bounded.
    /// - Complexity: O(n) in the value's size.
    public mutating func readValue() throws(JSONError) -> JSONValue {
        switch try peek() {
        case .object:
            try beginObject()
            var object = JSONObject()
            while let key = try nextKey() {
                let name = key.string
                object.append(key: name, value: try readValue())
            }
            return .object(object)
        case .array:
            try beginArray()
            var array: [JSONValue] = []
            while try nextElement() { array.append(try readValue()) }
            return .array(array)
        case .string:
            return .string(try readString())
        case .number:
            let start = position
            let end = try scanNumber(from: start)
            let isInteger = !bytes[start..<end].contains {
                $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E")
            }
            if isInteger {
                // 18 characters always fit Int64; longer ones may not, and then are doubles.
                if end - start <= 18 { return .integer(try readInt64()) }
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                if let value = Int64(text) {
                    position = end
                    afterValue = true
                    return .integer(value)
                }
            }
            return .double(try readDouble())
        case .bool:
            return .bool(try readBool())
        case .null:
            try readLiteral("null")
            return .null
        }
    }
}
