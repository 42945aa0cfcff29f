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
        var start = 0
        while start <= body.count {
            var end = start
            while end < body.count && body[end] != UInt8(ascii: "&") { end += 1 }
            defer { start = end + 1 }
            guard end > start else { continue }
            var equals = start
            while equals < end && body[equals] != UInt8(ascii: "=") { equals += 1 }
            let key = try decode(body[start..<equals], at: start)
            let value = equals < end ? try decode(body[(equals + 1)..<end], at: equals + 1) : ""
            let (name, parts) = try splitKey(key)
            guard name == "add" else { continue }
            sawAdd = true
            guard let indexPart = parts.first else {
                addIsScalar = quoted(value)
                continue
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

    /// Percent-decodes one key or value (`+` is a space) and checks it is UTF-8.
    private static func decode(_ bytes: ArraySlice<UInt8>, at offset: Int) throws(CallEventsError) -> String {
        if !bytes.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") || $0 >= 0x80 }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let byte = bytes[i]
            if byte == UInt8(ascii: "+") {
                decoded.append(UInt8(ascii: " "))
                i += 1
            } else if byte == UInt8(ascii: "%") {
                guard i + 2 < bytes.endIndex, let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2])
                else {
                    throw .malformed("a '%' at byte \(offset + i - bytes.startIndex) is not followed by two hex digits")
                }
                decoded.append(high << 4 | low)
                i += 3
            } else {
                decoded.append(byte)
                i += 1
            }
        }
        guard let text = String(validating: decoded, as: UTF8.self) else {
            throw .malformed("the pair at byte \(offset) is not UTF-8 once percent-decoded")
        }
        return text
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// `add[0][users][1]` → ("add", ["0", "users", "1"]). Text after the last `]` or an unclosed
    /// `[` make the key malformed.
    private static func splitKey(_ key: String) throws(CallEventsError) -> (String, [String]) {
        let utf8 = Array(key.utf8)
        guard let open = utf8.firstIndex(of: UInt8(ascii: "[")) else { return (key, []) }
        let name = String(decoding: utf8[..<open], as: UTF8.self)
        guard name == "add" else { return (name, []) }
        var parts: [String] = []
        var i = open
        while i < utf8.count {
            guard utf8[i] == UInt8(ascii: "["), let close = utf8[(i + 1)...].firstIndex(of: UInt8(ascii: "]")) else {
                throw .malformed("the key \(quoted(key)) is not of the form add[i][field]")
            }
            parts.append(String(decoding: utf8[(i + 1)..<close], as: UTF8.self))
            i = close + 1
        }
        return (name, parts)
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
