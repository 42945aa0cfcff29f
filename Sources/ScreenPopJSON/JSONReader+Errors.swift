extension JSONReader {
    /// An error about the value at `offset` (by default the value last read): for callers whose
    /// checks go beyond JSON's, such as a negative id or an unknown enumeration value. The error
    /// gets the line, column and JSON path of that offset.
    ///
    /// ```swift
    /// let id = try r.readInt()
    /// guard id > 0 else { throw r.error(.invalidValue, expected: "a positive id", found: "\(id)") }
    /// ```
    ///
    /// - Complexity: O(offset): the document is read again up to `offset` to find the path.
    @inline(never)
    public func error(_ code: JSONError.Code, expected: String?, found: String?, at offset: Int? = nil) -> JSONError {
        let at = min(max(offset ?? lastValueStart, 0), bytes.count)
        let location = JSONLocator(bytes: bytes, bodyStart: bodyStart).locate(at)
        return JSONError(
            code: code, offset: at, line: location.line, column: location.column, path: location.path,
            expected: expected, found: found)
    }

    /// What is at `position`, for messages.
    func describeCurrent() -> String {
        guard position < bytes.count else { return "the end of input" }
        if let kind = JSONKind(firstByte: bytes[position]) { return kind.description }
        let byte = bytes[position]
        if byte >= 0x80 && Self.utf8SequenceLength(bytes, at: position) > 0 {
            let length = Self.utf8SequenceLength(bytes, at: position)
            let character = String(
                decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<(position + length)]), as: UTF8.self)
            return "'\(character)'"
        }
        return Self.describeByte(byte)
    }

    @usableFromInline @inline(never)
    func endOfInput(expected: String) -> JSONError {
        error(.unexpectedEndOfInput, expected: expected, found: "the end of input", at: position)
    }

    @usableFromInline @inline(never)
    func unexpected(expected: String) -> JSONError {
        guard position < bytes.count else { return endOfInput(expected: expected) }
        return error(.unexpectedCharacter, expected: expected, found: describeCurrent(), at: position)
    }

    @usableFromInline @inline(never)
    func mismatch(expected: JSONKind) -> JSONError {
        mismatch(expected: expected.description)
    }

    @usableFromInline @inline(never)
    func mismatch(expected: String) -> JSONError {
        guard position < bytes.count else { return endOfInput(expected: expected) }
        guard JSONKind(firstByte: bytes[position]) != nil else { return unexpected(expected: expected) }
        return error(.typeMismatch, expected: expected, found: describeCurrent(), at: position)
    }

    @usableFromInline @inline(never)
    func badNumber(at index: Int) -> JSONError {
        let found = index < bytes.count ? Self.describeByte(bytes[index]) : "the end of input"
        let expected: String
        if index > 0 && bytes[index - 1] == UInt8(ascii: "0") && index < bytes.count && bytes[index] &- 48 < 10 {
            expected = "no digit after a leading 0"
        } else {
            expected = "a digit"
        }
        return error(
            index < bytes.count ? .invalidNumber : .unexpectedEndOfInput, expected: expected, found: found,
            at: index)
    }

    @usableFromInline @inline(never)
    func outOfRange(from start: Int, type: String) -> JSONError {
        var end = start
        while end < bytes.count, bytes[end] == UInt8(ascii: "-") || bytes[end] &- 48 < 10 { end += 1 }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        return error(.numberOutOfRange, expected: "an integer that fits \(type)", found: text, at: start)
    }

    /// A number past `Double`'s range, shown with at most 40 characters.
    @inline(never)
    func pastDoubleRange(from start: Int, to end: Int) -> JSONError {
        let shown = min(end, start + 40)
        var text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<shown]), as: UTF8.self)
        if shown < end { text += "…" }
        return error(.numberOutOfRange, expected: "a number within Double's range", found: text, at: start)
    }

    @usableFromInline @inline(never)
    func notAnInteger(from start: Int) -> JSONError {
        let end = (try? scanNumberSyntax(from: start))?.end ?? start
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        return error(.typeMismatch, expected: "an integer", found: "the number \(text)", at: start)
    }

    @usableFromInline @inline(never)
    func tooDeep() -> JSONError {
        error(
            .nestingTooDeep, expected: "at most \(maxDepth) nested objects and arrays",
            found: "more", at: position)
    }
}

/// Finds the line, column and JSON path of a byte offset by reading the document up to it.
///
/// Everything before the offset is known to be well-formed (the reader got there), so this is a
/// plain scan; it stops early on anything unexpected and reports where it got to.
struct JSONLocator {
    let bytes: UnsafeRawBufferPointer
    let bodyStart: Int

    struct Frame {
        var isArray: Bool
        var index: Int
        var key: Range<Int>?
        /// Whether the path goes into the current member (a value is expected or being read).
        var active: Bool
    }

    func locate(_ target: Int) -> (line: Int, column: Int, path: String) {
        var line = 1
        var lineStart = 0
        for index in 0..<target where bytes[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        // Columns count Unicode scalars: every byte but UTF-8 continuation bytes; not the byte order mark.
        var column = 1
        for index in max(lineStart, bodyStart)..<target where bytes[index] & 0xC0 != 0x80 { column += 1 }
        return (line, column, path(to: target))
    }

    func path(to target: Int) -> String {
        var frames: [Frame] = []
        var position = bodyStart
        func skipWhitespace() {
            while position < bytes.count {
                let byte = bytes[position]
                guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
                position += 1
            }
        }
        /// The end of the string at `position` (after its closing quote).
        func stringEnd(_ start: Int) -> Int? {
            var index = start + 1
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""): return index + 1
                case UInt8(ascii: "\\"): index += 2
                default: index += 1
                }
            }
            return nil
        }
        /// Reads a key at `position` into the top frame; false when the target is in or before it.
        func readKey() -> Bool {
            skipWhitespace()
            guard position < target, position < bytes.count, bytes[position] == UInt8(ascii: "\""),
                let end = stringEnd(position), end <= target
            else { return false }
            frames[frames.count - 1].key = (position + 1)..<(end - 1)
            position = end
            skipWhitespace()
            guard position < target, position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                return false
            }
            position += 1
            frames[frames.count - 1].active = true
            return true
        }

        scan: while true {
            // A value is expected at `position`.
            skipWhitespace()
            guard position < target, position < bytes.count else { break scan }
            var end: Int
            switch bytes[position] {
            case UInt8(ascii: "{"):
                frames.append(Frame(isArray: false, index: 0, key: nil, active: false))
                position += 1
                skipWhitespace()
                if position < bytes.count && bytes[position] == UInt8(ascii: "}") && position < target {
                    frames.removeLast()
                    end = position + 1
                } else {
                    guard readKey() else { break scan }
                    continue scan
                }
            case UInt8(ascii: "["):
                frames.append(Frame(isArray: true, index: 0, key: nil, active: true))
                position += 1
                skipWhitespace()
                if position < bytes.count && bytes[position] == UInt8(ascii: "]") && position < target {
                    frames.removeLast()
                    end = position + 1
                } else {
                    continue scan
                }
            case UInt8(ascii: "\""):
                guard let stringEnd = stringEnd(position) else { break scan }
                end = stringEnd
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                // A literal; a broken one holds the target.
                let literal: [UInt8] = Array(
                    (bytes[position] == UInt8(ascii: "t")
                        ? "true" : bytes[position] == UInt8(ascii: "f") ? "false" : "null").utf8)
                guard position + literal.count <= bytes.count,
                    bytes[position..<(position + literal.count)].elementsEqual(literal)
                else { break scan }
                end = position + literal.count
            default:
                // A number: up to the next delimiter.
                end = position
                while end < bytes.count {
                    let byte = bytes[end]
                    if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]")
                        || byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
                    {
                        break
                    }
                    end += 1
                }
            }
            // The target is inside this value: the path is the value's.
            guard end <= target else { break scan }
            position = end
            // After a value: close containers or move to the next member.
            while true {
                guard !frames.isEmpty else { break scan }
                frames[frames.count - 1].active = false
                skipWhitespace()
                guard position < target, position < bytes.count else { break scan }
                let byte = bytes[position]
                let top = frames[frames.count - 1]
                if byte == UInt8(ascii: ",") {
                    position += 1
                    if top.isArray {
                        frames[frames.count - 1].index += 1
                        frames[frames.count - 1].active = true
                        continue scan
                    }
                    guard readKey() else { break scan }
                    continue scan
                }
                guard byte == (top.isArray ? UInt8(ascii: "]") : UInt8(ascii: "}")) else { break scan }
                frames.removeLast()
                position += 1
            }
        }
        return render(frames)
    }

    func render(_ frames: [Frame]) -> String {
        var path = "$"
        for (level, frame) in frames.enumerated() where frame.active || level < frames.count - 1 {
            if frame.isArray {
                path += "[\(frame.index)]"
            } else if let key = frame.key {
                let raw = UnsafeRawBufferPointer(rebasing: bytes[key])
                let name =
                    raw.contains(UInt8(ascii: "\\"))
                    ? JSONReader.decodeEscaped(raw) : String(decoding: raw, as: UTF8.self)
                path += Self.isIdentifier(name) ? ".\(name)" : "[\(JSONWriter.quoted(name))]"
            }
        }
        return path
    }

    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, first < 0x30 || first > 0x39 else { return false }
        return name.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$")
        }
    }
}
