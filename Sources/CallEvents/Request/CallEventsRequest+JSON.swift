import ScreenPopJSON

/// Reading `application/json` bodies: `{"add": [{"type": "phone_call", "phone_number": "...", "users": [...]}]}`.
///
/// - The body is one JSON object (RFC 8259, UTF-8); members other than `add`, and event members
///   other than `type`, `phone_number` and `users`, are skipped (but must be valid JSON).
/// - When a key comes twice, the later value wins (as in JavaScript's `JSON.parse`).
/// - `users` is a list of ids, each a non-negative integer or a string of digits (`Object.keys`
///   gives strings, read by ``CallEventsRequest/parseUserID(_:)``); one id not in a list is accepted
///   as a list of one; `[]` and `null` mean every user. A list longer than
///   ``CallEventsLimits/maxUsersPerEvent`` is read to its end and refused (`too_many_users`).
extension CallEventsRequest {
    /// Decodes and validates a JSON body.
    ///
    /// - Parameters:
    ///   - json: The body's bytes.
    ///   - limits: The most events and users per event; the body size is the caller's to check (see
    ///     ``init(body:contentType:limits:)``).
    /// - Throws: ``CallEventsError``: `malformed_body` (with the JSON reader's line, column and path;
    ///   also a number past `Double`'s range), `missing_field` (`add`), `invalid_field`, `empty_batch`,
    ///   `too_many_events`, or an event's error.
    /// - Complexity: O(n) in the body's length.
    public init(json: some Collection<UInt8>, limits: CallEventsLimits = CallEventsLimits()) throws(CallEventsError) {
        var result = json.withContiguousStorageIfAvailable { buffer in
            Result { () throws(CallEventsError) in
                try JSONEventsReader.read(UnsafeRawBufferPointer(buffer), limits: limits)
            }
        }
        if result == nil {
            result = Array(json).withUnsafeBytes { buffer in
                Result { () throws(CallEventsError) in try JSONEventsReader.read(buffer, limits: limits) }
            }
        }
        try self.init(raw: try result!.get(), limits: limits)
    }
}

enum JSONEventsReader {
    static func read(_ bytes: UnsafeRawBufferPointer, limits: CallEventsLimits) throws(CallEventsError)
        -> [RawCallEvent]
    {
        var context = Context(bytes: bytes, limits: limits)
        var topLevel = JSONKind.object
        do throws(JSONError) {
            var reader = try JSONReader(bytes, maxDepth: 64)
            topLevel = try reader.peek()
            if topLevel == .object {
                try reader.beginObject()
                while let key = try reader.nextKey() {
                    if key == "add" {
                        try context.readAdd(&reader)
                    } else {
                        try reader.skipValue()
                    }
                }
            } else {
                try reader.skipValue()
            }
            try reader.finish()
        } catch {
            throw .malformed(error.description)
        }
        guard topLevel == .object else {
            throw CallEventsError(code: .invalidField, found: topLevel.description, detail: "a JSON object")
        }
        return try context.result()
    }

    /// What `add` held, as far as it was read.
    enum Add {
        case absent, null
        case notAList(String)
        case list([RawCallEvent], count: Int)
    }

    struct Context {
        let bytes: UnsafeRawBufferPointer
        let limits: CallEventsLimits
        var add = Add.absent

        func result() throws(CallEventsError) -> [RawCallEvent] {
            switch add {
            case .absent, .null: throw CallEventsError(code: .missingField, field: "add", path: "add")
            case .notAList(let found):
                throw CallEventsError(
                    code: .invalidField, field: "add", path: "add", found: found, detail: "a list of events")
            case .list(let events, let count):
                guard count <= limits.maxEvents else { throw .tooManyEvents(limits) }
                return events
            }
        }

        mutating func readAdd(_ reader: inout JSONReader) throws(JSONError) {
            let kind = try reader.peek()
            switch kind {
            case .null:
                _ = try reader.readNull()
                add = .null
            case .array:
                var events: [RawCallEvent] = []
                var count = 0
                try reader.beginArray()
                while try reader.nextElement() {
                    count += 1
                    guard count <= limits.maxEvents else {
                        try reader.skipValue()  // counted, not kept: the error is too_many_events
                        continue
                    }
                    events.append(try readEvent(&reader))
                }
                add = .list(events, count: count)
            default:
                add = .notAList(try describeAndSkip(&reader))
            }
        }

        func readEvent(_ reader: inout JSONReader) throws(JSONError) -> RawCallEvent {
            var event = RawCallEvent()
            guard try reader.peek() == .object else {
                event.notAnObject = try describeAndSkip(&reader)
                return event
            }
            try reader.beginObject()
            while let key = try reader.nextKey() {
                if key == "type" {
                    event.type = try readField(&reader)
                } else if key == "phone_number" {
                    event.phoneNumber = try readField(&reader)
                } else if key == "users" {
                    event.users = try readUsers(&reader)
                } else {
                    try reader.skipValue()
                }
            }
            return event
        }

        func readField(_ reader: inout JSONReader) throws(JSONError) -> RawField {
            if try reader.readNull() { return .null }
            return .value(try readScalar(&reader))
        }

        func readUsers(_ reader: inout JSONReader) throws(JSONError) -> RawUsers {
            switch try reader.peek() {
            case .null:
                _ = try reader.readNull()
                return .null
            case .array:
                var users: [RawScalar] = []
                var count = 0
                try reader.beginArray()
                while try reader.nextElement() {
                    count += 1
                    guard count <= limits.maxUsersPerEvent else {
                        try reader.skipValue()  // counted, not kept: the error is too_many_users
                        continue
                    }
                    users.append(try readScalar(&reader))
                }
                return count > limits.maxUsersPerEvent ? .tooMany : .list(users)
            default:
                return .single(try readScalar(&reader))
            }
        }

        /// A string, an integer, or a description of anything else (which is skipped).
        func readScalar(_ reader: inout JSONReader) throws(JSONError) -> RawScalar {
            switch try reader.peek() {
            case .string:
                return .string(try reader.readString())
            case .number:
                let start = reader.lastValueOffset
                _ = try reader.readDouble()
                let text = UnsafeRawBufferPointer(rebasing: bytes[start..<reader.offset])
                if let value = integer(text) { return .integer(value) }
                return .other("the number \(String(decoding: text, as: UTF8.self))")
            default:
                return .other(try describeAndSkip(&reader))
            }
        }

        /// `-`? digits that fit an `Int`, or nil.
        func integer(_ text: UnsafeRawBufferPointer) -> Int? {
            var negative = false
            var value = 0
            for (i, byte) in text.enumerated() {
                if i == 0 && byte == UInt8(ascii: "-") {
                    negative = true
                    continue
                }
                guard byte &- 48 < 10 else { return nil }
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(Int(byte &- 48))
                if o1 || o2 { return nil }
                value = sum
            }
            return negative ? -value : value
        }

        func describeAndSkip(_ reader: inout JSONReader) throws(JSONError) -> String {
            let kind = try reader.peek()
            let start = reader.lastValueOffset
            try reader.skipValue()
            switch kind {
            case .bool, .number:
                return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<reader.offset]), as: UTF8.self)
            case .string:
                return "a string"
            default:
                return kind.description
            }
        }
    }
}
