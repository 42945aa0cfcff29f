/// Why a webhook body could not be decoded: what is wrong, and where.
///
/// ``key`` is the form key as amoCRM sent it, percent-decoded (`leads[status][0][status_id]`), or the
/// element (`contacts[update][2]`) for a problem of a whole element; ``message`` says what is wrong;
/// ``code`` is a stable snake_case name for programs. The text is built only when asked for.
///
/// ```
/// leads[status][0][status_id]: not an integer: "abc"
/// contacts[update][2]: the element has no id
/// ```
///
/// A body with several problems reports the first in body order; the checks of whole elements (a
/// missing `id`, an unknown `type`) come after the whole body is read, in element order.
public struct AmoCRMWebhookError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of error, as a stable snake_case name. New codes may be added.
    public struct Code: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
        public let rawValue: String

        public init(rawValue: String) { self.rawValue = rawValue }

        /// A `%` not followed by two hex digits, or a key or value that is not UTF-8 once decoded.
        public static let malformedBody = Code(rawValue: "malformed_body")
        /// A key that is read but not of the expected shape: an unclosed `[`, text after a `]`, an
        /// element index that is not a number, a field that takes one value given as a list.
        public static let invalidKey = Code(rawValue: "invalid_key")
        /// A value that is read but not what amoCRM writes there: not an integer, out of range, an id
        /// that is not positive, an unknown entity `type`.
        public static let invalidValue = Code(rawValue: "invalid_value")
        /// An element (`leads[update][0][…]`) without its `id`.
        public static let missingID = Code(rawValue: "missing_id")
        /// More elements than ``AmoCRMWebhook/maxElements``.
        public static let tooManyElements = Code(rawValue: "too_many_elements")

        public var description: String { rawValue }
    }

    /// What is wrong, kept as data until the text is asked for.
    enum Problem: Hashable, Sendable {
        case badEscape(offset: Int)
        case notUTF8
        case malformedKey
        case notAnElementField(section: String)
        case badElementIndex
        case notASingleValue
        case notALinkedLeadsEntry
        case notAnInteger(String)
        case outOfRange(String)
        case notAPositiveID(String)
        case negative(String)
        case unknownType(String, expected: String)
        case missingID
        case tooManyElements(Int)
    }

    let problem: Problem
    /// The form key, percent-decoded, or the element for problems of a whole element; nil when the
    /// key itself cannot be decoded.
    public let key: String?
    /// The byte offset in the body of the pair concerned, when there is one.
    public let offset: Int?

    init(_ problem: Problem, key: String?, offset: Int?) {
        self.problem = problem
        self.key = key
        self.offset = offset
    }

    public var code: Code {
        switch problem {
        case .badEscape, .notUTF8: .malformedBody
        case .malformedKey, .notAnElementField, .badElementIndex, .notASingleValue, .notALinkedLeadsEntry: .invalidKey
        case .notAnInteger, .outOfRange, .notAPositiveID, .negative, .unknownType: .invalidValue
        case .missingID: .missingID
        case .tooManyElements: .tooManyElements
        }
    }

    /// What is wrong: `not an integer: "abc"`.
    public var message: String {
        switch problem {
        case .badEscape(let offset): "the '%' at byte \(offset) is not followed by two hex digits"
        case .notUTF8:
            key == nil ? "the key is not UTF-8 once percent-decoded" : "the value is not UTF-8 once percent-decoded"
        case .malformedKey: "the key is not of the form name[a][b]"
        case .notAnElementField(let section): "expected \(section)[action][index][field]"
        case .badElementIndex: "the element index is not a number"
        case .notASingleValue: "the field takes one value, not a list"
        case .notALinkedLeadsEntry: "expected linked_leads_id[id][ID]"
        case .notAnInteger(let found): "not an integer: \(Self.quoted(found))"
        case .outOfRange(let found): "out of range: \(Self.quoted(found))"
        case .notAPositiveID(let found): "not a positive id: \(Self.quoted(found))"
        case .negative(let found): "negative: \(Self.quoted(found))"
        case .unknownType(let found, let expected): "unknown type \(Self.quoted(found)), expected \(expected)"
        case .missingID: "the element has no id"
        case .tooManyElements(let limit): "more than \(limit) elements in one webhook"
        }
    }

    /// `key: message`, or the message alone (with the byte offset) when the key is unknown.
    public var description: String {
        if let key { return "\(key): \(message)" }
        if let offset, case .notUTF8 = problem { return "the pair at byte \(offset): \(message)" }
        return message
    }

    /// `"text"`, shortened to 60 characters, quotes inside escaped.
    static func quoted(_ text: String) -> String {
        var shown = ""
        for (count, character) in text.enumerated() {
            if count == 60 {
                shown += "…"
                break
            }
            if character == "\"" || character == "\\" { shown.append("\\") }
            shown.append(character)
        }
        return "\"" + shown + "\""
    }
}

extension AmoCRMWebhookError {
    @inline(never)
    static func at(_ key: String, offset: Int, _ problem: Problem) -> AmoCRMWebhookError {
        AmoCRMWebhookError(problem, key: key, offset: offset)
    }
}
