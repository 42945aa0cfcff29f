/// Why a request to the call-notification API was refused: what is wrong, and where.
///
/// Every error has a ``code``; errors about one event of the batch also name its ``index`` (0-based,
/// in request order) and its ``field`` (`type`, `phone_number`, `users`), and ``path`` says exactly
/// where (`add[0].users[1]`). The text of ``message`` is built only when asked for.
///
/// ```swift
/// do {
///     _ = try CallEventsRequest(form: Array("add[0][type]=phone_call".utf8))
/// } catch {
///     error.code      // .missingField
///     error.index     // 0
///     error.field     // "phone_number"
///     error.message   // "add[0].phone_number is required"
/// }
/// ```
///
/// A batch is validated whole before anything is delivered, so an error means that nothing was
/// delivered. When a batch has several problems, the error is the first one found in this order:
/// the body (size, media type, syntax), the batch (`add` missing, empty, too long), the fields of
/// each event in index order (`type`, `phone_number`, `users`; a list of too many users is read to
/// its end first, so a later syntax error still comes first), then the account check of each
/// event in index order (users not in the account).
///
/// A `phone_number` string with no number in it (`"anonymous"`, `""`) is not an error: it is a
/// withheld caller id, and its notification offers to create a contact.
public struct CallEventsError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of error, as a stable snake_case name (the `code` of the JSON error body).
    /// New codes may be added.
    public struct Code: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
        public let rawValue: String

        public init(rawValue: String) { self.rawValue = rawValue }

        /// The body is not valid JSON, or not a valid `application/x-www-form-urlencoded` body.
        public static let malformedBody = Code(rawValue: "malformed_body")
        /// The body is larger than the limit (1 MiB by default). HTTP 413.
        public static let bodyTooLarge = Code(rawValue: "body_too_large")
        /// The body is neither `application/json` nor `application/x-www-form-urlencoded` (UTF-8). HTTP 415.
        public static let unsupportedMediaType = Code(rawValue: "unsupported_media_type")
        /// A required member is absent or null: `add`, an event's `type` or `phone_number`.
        public static let missingField = Code(rawValue: "missing_field")
        /// A member has the wrong shape: `add` not a list, an event not an object, `type` or
        /// `phone_number` not a string.
        public static let invalidField = Code(rawValue: "invalid_field")
        /// `type` is a string other than `phone_call`.
        public static let unsupportedEventType = Code(rawValue: "unsupported_event_type")
        /// `phone_number` is empty or only white space. No longer thrown: an empty `phone_number` is
        /// a withheld caller id, notified as create-contact; kept for code that names it.
        public static let emptyPhoneNumber = Code(rawValue: "empty_phone_number")
        /// No phone number can be read from `phone_number`. No longer thrown by
        /// ``CallEventsService``: such text (`"anonymous"`) is a withheld caller id, notified as
        /// create-contact; kept for code that names it.
        public static let unreadablePhoneNumber = Code(rawValue: "unreadable_phone_number")
        /// A user id that is not a non-negative integer or a string of digits.
        public static let invalidUserID = Code(rawValue: "invalid_user_id")
        /// A user id that is not one of the account's users.
        public static let unknownUser = Code(rawValue: "unknown_user")
        /// `add` is an empty list.
        public static let emptyBatch = Code(rawValue: "empty_batch")
        /// `add` has more events than the limit (500 by default).
        public static let tooManyEvents = Code(rawValue: "too_many_events")
        /// An event's `users` names more users than the limit (10,000 by default).
        public static let tooManyUsers = Code(rawValue: "too_many_users")
        /// `phone_number` is longer than 250 characters (Unicode scalars): libphonenumber's limit.
        public static let phoneNumberTooLong = Code(rawValue: "phone_number_too_long")

        public var description: String { rawValue }
    }

    public let code: Code
    /// The event's position in the batch (0-based, request order), for errors about one event.
    public let index: Int?
    /// The event's member at fault (`type`, `phone_number`, `users`), or `add` for errors about
    /// the batch; nil for errors about the whole body.
    public let field: String?
    /// Where exactly: `add`, `add[2].type`, `add[0].users[1]`; nil for errors about the whole body.
    public let path: String?
    /// What was found, quoted or described (`"call"`, `a number`), when it helps.
    public let found: String?
    /// More about a body error: the JSON reader's or the form parser's own message.
    public let detail: String?
    /// What the sender probably did wrong and how to fix it, appended to ``message``: set when a
    /// form body looks like JSON (``CallEventsRequest/jsonSentAsFormHint``). The code stays the
    /// decoder's, so clients that branch on it do not break.
    public var hint: String?

    /// An error; prefer the factories, which fill in the fields consistently.
    public init(
        code: Code, index: Int? = nil, field: String? = nil, path: String? = nil, found: String? = nil,
        detail: String? = nil, hint: String? = nil
    ) {
        self.hint = hint
        self.code = code
        self.index = index
        self.field = field
        self.path = path
        self.found = found
        self.detail = detail
    }

    /// One sentence for a person: what is wrong and where, then the ``hint`` if any.
    public var message: String {
        guard let hint else { return problem }
        return problem + "; " + hint
    }

    /// What is wrong and where.
    private var problem: String {
        let place = path ?? "the body"
        let what: String
        switch code {
        case .malformedBody: what = "the body cannot be read" + (detail.map { ": \($0)" } ?? "")
        case .bodyTooLarge: what = "the body is larger than " + (detail ?? "the limit")
        case .unsupportedMediaType:
            guard let found else {
                return "the request has no Content-Type; send application/json or application/x-www-form-urlencoded"
            }
            what =
                "the content type \(found) is not supported; "
                + "send application/json or application/x-www-form-urlencoded (UTF-8)"
        case .missingField: what = "\(place) is required"
        case .invalidField: what = "\(place) must be \(detail ?? "of another type")"
        case .unsupportedEventType: what = "\(place) must be \"phone_call\""
        case .emptyPhoneNumber: what = "\(place) is empty"
        case .unreadablePhoneNumber: what = "no phone number can be read from \(place)"
        case .invalidUserID: what = "\(place) must be a user id: a non-negative integer or a string of digits"
        case .unknownUser: what = "\(place) is not a user of the account"
        case .emptyBatch: what = "\(place) has no events"
        case .tooManyEvents: what = "\(place) has more than \(detail ?? "the limit of") events"
        case .tooManyUsers: what = "\(place) has more than \(detail ?? "the limit of") users"
        case .phoneNumberTooLong: what = "\(place) is longer than \(CallEvent.maxPhoneNumberLength) characters"
        default: what = (path.map { "\($0): " } ?? "") + (detail ?? code.rawValue.replacingUnderscores)
        }
        guard let found, code != .unsupportedMediaType else { return what }
        return what + " (found \(found))"
    }

    public var description: String { "\(code): \(message)" }
}

extension String {
    fileprivate var replacingUnderscores: String {
        String(unicodeScalars.map { $0 == "_" ? " " : Character($0) })
    }
}

// MARK: - Factories

extension CallEventsError {
    @inline(never)
    static func malformed(_ detail: String) -> CallEventsError {
        CallEventsError(code: .malformedBody, detail: detail)
    }

    @inline(never)
    static func missing(_ field: String, at index: Int) -> CallEventsError {
        CallEventsError(code: .missingField, index: index, field: field, path: "add[\(index)].\(field)")
    }

    @inline(never)
    static func invalid(_ field: String, at index: Int, mustBe: String, found: String) -> CallEventsError {
        CallEventsError(
            code: .invalidField, index: index, field: field, path: "add[\(index)].\(field)", found: found,
            detail: mustBe)
    }

    @inline(never)
    static func event(_ code: Code, _ field: String, at index: Int, found: String? = nil) -> CallEventsError {
        CallEventsError(code: code, index: index, field: field, path: "add[\(index)].\(field)", found: found)
    }

    @inline(never)
    static func user(_ code: Code, at index: Int, user position: Int?, found: String) -> CallEventsError {
        let path = "add[\(index)].users" + (position.map { "[\($0)]" } ?? "")
        return CallEventsError(code: code, index: index, field: "users", path: path, found: found)
    }

    @inline(never)
    static func batch(_ code: Code, found: String? = nil, detail: String? = nil) -> CallEventsError {
        CallEventsError(code: code, field: "add", path: "add", found: found, detail: detail)
    }
}
