import ScreenPopSupport

/// Reading `application/x-www-form-urlencoded` bodies in the shape of PHP's `http_build_query`.
///
/// PHP's amoCRM example posts `http_build_query($calls_event)`, which gives
/// `add%5B0%5D%5Bphone_number%5D=%2B79998885533&add%5B0%5D%5Busers%5D%5B0%5D=88888&...`
/// (PHP encodes the brackets; hand-written bodies often do not — both read the same).
///
/// The rules, PHP's `parse_str` where it matters:
/// - Pairs are separated by `&`; empty pairs are skipped; a pair without `=` has the empty value.
/// - Keys and values are percent-decoded (either case of hex) and `+` is a space. A `%` not
///   followed by two hex digits, or bytes that are not UTF-8 after decoding, make the body malformed.
/// - A key is a name and bracketed parts: `add[0][users][1]`. Only `add` is read; pairs with any
///   other name are ignored, as are event members other than `type`, `phone_number` and `users`.
/// - The event index is a decimal number or empty (`add[][type]`: the next index, as in PHP).
///   Events are taken in ascending index order; gaps are closed, so `add[3]` and `add[7]` are
///   the events 0 and 1 of the batch (and of the answer and of error messages). `http_build_query`
///   always writes 0, 1, 2…, where the two agree.
/// - `users[k]` are ordered by `k` the same way; `users` without brackets is one id. Ids are read
///   by ``CallEventsRequest/parseUserID(_:)``.
/// - When the same key comes twice, the later value wins (PHP).
/// - An event whose `users` name more than ``CallEventsLimits/maxUsersPerEvent`` positions is
///   refused (`too_many_users`) once the whole body is read; the ids past the limit are not kept.
extension CallEventsRequest {
    /// Decodes and validates a PHP-style form body.
    ///
    /// - Parameters:
    ///   - form: The body's bytes.
    ///   - limits: The most events and users per event; the body size is the caller's to check (see
    ///     ``init(body:contentType:limits:)``).
    /// - Throws: ``CallEventsError``: `malformed_body`, `missing_field` (`add`), `invalid_field`,
    ///   `empty_batch`, `too_many_events`, or an event's error.
    /// - Complexity: O(n log n) in the body's length (the sort of indices and user positions).
    public init(form: some Collection<UInt8>, limits: CallEventsLimits = CallEventsLimits()) throws(CallEventsError) {
        let raw = try FormEventsReader.read(Array(form), limits: limits)
        try self.init(raw: raw, limits: limits)
    }
}

enum FormEventsReader {
    /// The events of the body, ordered by index.
    static func read(_ body: [UInt8], limits: CallEventsLimits) throws(CallEventsError) -> [RawCallEvent] {
        var events: [Int: FormEvent] = [:]
        var nextIndex = 0
        var sawAdd = false
        var addIsScalar: String?
        try FormURLEncoded.forEachPair(in: body) { (pair) throws(CallEventsError) in
            let key = try decode(body[pair.key])
            let value = try decode(body[pair.value])
            guard FormURLEncoded.name(ofKey: key) == "add" else { return }
            guard let parts = FormURLEncoded.splitKey(key)?.parts else {
                throw .malformed("the key \(quoted(key)) is not of the form add[i][field]")
            }
            sawAdd = true
            guard let indexPart = parts.first else {
                addIsScalar = quoted(value)
                return
            }
            addIsScalar = nil
            let index: Int
            if indexPart.isEmpty {
                index = nextIndex
            } else if let number = parseDigits(indexPart), number < Int(Int32.max) {
                index = number
            } else {
                throw .malformed("the event index in \(quoted(key)) is not a number")
            }
            nextIndex = max(nextIndex, index + 1)
            if events[index] == nil {
                guard events.count < limits.maxEvents else { throw .tooManyEvents(limits) }
                events[index] = FormEvent()
            }
            events[index]!.set(parts.dropFirst(), value: value, maxUsers: limits.maxUsersPerEvent)
        }
        if let addIsScalar {
            throw CallEventsError(
                code: .invalidField, field: "add", path: "add", found: addIsScalar, detail: "a list of events")
        }
        guard sawAdd else { throw CallEventsError(code: .missingField, field: "add", path: "add") }
        return events.sorted { $0.key < $1.key }.map { $0.value.finished() }
    }

    /// Percent-decodes one key or value (``FormURLEncoded/decode(_:)``), failures as `malformed_body`.
    private static func decode(_ bytes: ArraySlice<UInt8>) throws(CallEventsError) -> String {
        do {
            return try FormURLEncoded.decode(bytes)
        } catch {
            switch error {
            case .badEscape(let offset):
                throw .malformed("a '%' at byte \(offset) is not followed by two hex digits")
            case .notUTF8(let offset):
                throw .malformed("the pair at byte \(offset) is not UTF-8 once percent-decoded")
            }
        }
    }
}

/// One event of a form body while its pairs are read.
private struct FormEvent {
    var raw = RawCallEvent()
    /// `users[k]` values by `k`, and the next index for `users[]`. Changed in place: it is the only
    /// reference to its storage, where a copy per pair made 58,000 ids (1 MiB) take 17 s.
    var users: [Int: RawScalar]?
    var nextUser = 0
    /// Set when `users` named more positions than the limit; the event is refused, nothing more is kept.
    var tooManyUsers = false

    /// Applies `add[i]<parts>=value`.
    mutating func set(_ parts: ArraySlice<String>, value: String, maxUsers: Int) {
        guard let member = parts.first else {
            raw.notAnObject = quoted(value)
            return
        }
        raw.notAnObject = nil
        switch member {
        case "type":
            raw.type = parts.count == 1 ? .value(.string(value)) : .value(.other("a list"))
        case "phone_number":
            raw.phoneNumber = parts.count == 1 ? .value(.string(value)) : .value(.other("a list"))
        case "users":
            if parts.count == 1 {
                users = nil
                nextUser = 0
                tooManyUsers = false
                raw.users = .single(.string(value))
                return
            }
            guard !tooManyUsers else { return }
            if users == nil { users = [:] }
            let key = parts[parts.startIndex + 1]
            let position: Int
            if key.isEmpty {
                position = nextUser
            } else if let number = parseDigits(key), number < Int(Int32.max) {
                position = number
            } else {
                // `users[x]`: PHP makes an associative array; its values still count, after the numbered ones.
                position = Int(Int32.max) + users!.count
            }
            nextUser = max(nextUser, position + 1)
            if users!.count >= maxUsers && users![position] == nil {
                tooManyUsers = true
                users = nil
                return
            }
            users![position] = parts.count == 2 ? .string(value) : .other("a list")
        default:
            break
        }
    }

    /// The event, with `users[k]` in the order of `k`.
    func finished() -> RawCallEvent {
        var raw = raw
        if tooManyUsers {
            raw.users = .tooMany
        } else if let users {
            raw.users = .list(users.sorted { $0.key < $1.key }.map(\.value))
        }
        return raw
    }
}
