extension JSONReader {
    /// Reads past the next value, whatever its type, checking it as fully as the `read` methods do
    /// (grammar, strings, escapes, UTF-8, numbers, depth).
    ///
    /// Nested values are walked with a loop and a bit stack, not recursion.
    ///
    /// - Throws: ``JSONError`` for anything malformed in the value.
    /// - Complexity: O(n) in the value's size; no allocation unless it nests more than 64 deep.
    public mutating func skipValue() throws(JSONError) {
        var stack = BitStack()
        value: while true {
            // A value starts here.
            skipWhitespace()
            if stack.count == 0 { lastValueStart = position }
            guard position < bytes.count else { throw endOfInput(expected: "a value") }
            switch bytes[position] {
            case UInt8(ascii: "{"):
                guard depth < maxDepth else { throw tooDeep() }
                depth &+= 1
                position &+= 1
                skipWhitespace()
                if position < bytes.count && bytes[position] == UInt8(ascii: "}") {
                    position &+= 1
                    depth &-= 1
                } else {
                    stack.push(true)
                    try skipKey(afterComma: false)
                    continue value
                }
            case UInt8(ascii: "["):
                guard depth < maxDepth else { throw tooDeep() }
                depth &+= 1
                position &+= 1
                skipWhitespace()
                if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
                    position &+= 1
                    depth &-= 1
                } else {
                    stack.push(false)
                    continue value
                }
            case UInt8(ascii: "\""):
                position = try scanString(from: position).end
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                position = try scanNumber(from: position)
            case UInt8(ascii: "t"):
                try readLiteral("true")
            case UInt8(ascii: "f"):
                try readLiteral("false")
            case UInt8(ascii: "n"):
                try readLiteral("null")
            default:
                throw unexpected(expected: "a value")
            }
            // A value ended: close containers, or go on to the next member.
            while true {
                guard let isObject = stack.top else {
                    afterValue = true
                    return
                }
                skipWhitespace()
                guard position < bytes.count else {
                    throw endOfInput(expected: isObject ? "',' or '}'" : "',' or ']'")
                }
                let byte = bytes[position]
                if byte == UInt8(ascii: ",") {
                    position &+= 1
                    if isObject {
                        skipWhitespace()
                        try skipKey(afterComma: true)
                    } else {
                        skipWhitespace()
                        if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
                            throw unexpected(expected: "a value after ','")
                        }
                    }
                    continue value
                }
                if byte == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    position &+= 1
                    depth &-= 1
                    stack.pop()
                    continue
                }
                throw unexpected(
                    expected: isObject ? "',' or '}' after an object member" : "',' or ']' after an array element")
            }
        }
    }

    /// Reads a key and its colon, at `position`.
    mutating func skipKey(afterComma: Bool) throws(JSONError) {
        guard position < bytes.count else { throw endOfInput(expected: "a string key") }
        guard bytes[position] == UInt8(ascii: "\"") else {
            throw unexpected(expected: afterComma ? "a string key after ','" : "a string key or '}'")
        }
        position = try scanString(from: position).end
        skipWhitespace()
        guard position < bytes.count else { throw endOfInput(expected: "':'") }
        guard bytes[position] == UInt8(ascii: ":") else { throw unexpected(expected: "':' after a key") }
        position &+= 1
    }
}

/// A stack of bits (object or array) that allocates only past 64 levels.
struct BitStack {
    private var low: UInt64 = 0
    private var high: [Bool] = []
    private(set) var count = 0

    var top: Bool? {
        guard count > 0 else { return nil }
        return count <= 64 ? (low >> UInt64(count - 1)) & 1 == 1 : high[count - 65]
    }

    mutating func push(_ bit: Bool) {
        if count < 64 {
            if bit { low |= 1 << UInt64(count) } else { low &= ~(1 << UInt64(count)) }
        } else {
            high.append(bit)
        }
        count += 1
    }

    mutating func pop() {
        count -= 1
        if count >= 64 { high.removeLast() }
    }
}
