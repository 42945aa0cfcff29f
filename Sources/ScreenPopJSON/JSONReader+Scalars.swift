extension JSONReader {
    // MARK: Integers

    /// Reads an integer: a JSON number without fraction or exponent that fits `Int64`.
    ///
    /// - Throws: ``JSONError/Code/typeMismatch`` for another type of value or a number with a
    ///   fraction or exponent (`1.5`, `1e3`); ``JSONError/Code/numberOutOfRange`` past `Int64`'s
    ///   range; ``JSONError/Code/invalidNumber`` for `-`, `01`.
    /// - Complexity: O(digits), no allocation.
    @inlinable
    public mutating func readInt64() throws(JSONError) -> Int64 {
        skipWhitespace()
        lastValueStart = position
        let count = bytes.count
        var index = position
        guard index < count else { throw endOfInput(expected: "an integer") }
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index &+= 1 }
        guard index < count, bytes[index] &- 48 < 10 else {
            if negative { throw badNumber(at: index) }
            throw mismatch(expected: "an integer")
        }
        var magnitude = UInt64(bytes[index] &- 48)
        index &+= 1
        if magnitude == 0 {
            if index < count && bytes[index] &- 48 < 10 { throw badNumber(at: index) }
        } else {
            while index < count {
                let digit = bytes[index] &- 48
                guard digit < 10 else { break }
                let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
                if overflow1 || overflow2 { throw outOfRange(from: lastValueStart, type: "Int64") }
                magnitude = sum
                index &+= 1
            }
        }
        if index < count {
            let next = bytes[index]
            if next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
                throw notAnInteger(from: lastValueStart)
            }
        }
        let value: Int64
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw outOfRange(from: lastValueStart, type: "Int64") }
            value = Int64(truncatingIfNeeded: 0 &- magnitude)
        } else {
            guard magnitude <= UInt64(Int64.max) else { throw outOfRange(from: lastValueStart, type: "Int64") }
            value = Int64(magnitude)
        }
        position = index
        afterValue = true
        return value
    }

    /// Reads an integer that fits `Int` (see ``readInt64()``).
    @inlinable
    public mutating func readInt() throws(JSONError) -> Int {
        let value = try readInt64()
        guard let result = Int(exactly: value) else { throw outOfRange(from: lastValueStart, type: "Int") }
        return result
    }

    /// Reads an integer or `null` (nil).
    @inlinable
    public mutating func readIntOrNull() throws(JSONError) -> Int? {
        if try readNull() { return nil }
        return try readInt()
    }

    // MARK: Floating point

    /// Reads any JSON number as the nearest `Double` (correctly rounded); never infinite or NaN.
    ///
    /// - Throws: ``JSONError/Code/typeMismatch`` for another type of value,
    ///   ``JSONError/Code/invalidNumber`` for a number JSON does not allow (`01`, `1.`, `.5`, `1e`),
    ///   ``JSONError/Code/numberOutOfRange`` for a number past `Double`'s range (`1e400`, `-1e400`:
    ///   they would read as infinities, which JSON cannot write back). Numbers too small for
    ///   `Double` (`1e-400`) read as 0, as everywhere.
    /// - Complexity: O(digits); no allocation for numbers of up to 19 significant digits and
    ///   exponents up to 22, one small string otherwise.
    public mutating func readDouble() throws(JSONError) -> Double {
        skipWhitespace()
        lastValueStart = position
        guard position < bytes.count else { throw endOfInput(expected: "a number") }
        let first = bytes[position]
        guard first == UInt8(ascii: "-") || first &- 48 < 10 else { throw mismatch(expected: "a number") }
        let start = position
        let end = try scanNumber(from: start)
        position = end
        afterValue = true
        return Self.double(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
    }

    /// The value of a number already checked by ``scanNumber(from:)``.
    static func double(_ text: UnsafeRawBufferPointer) -> Double {
        // Clinger's fast path: a mantissa of at most 2^53 scaled by an exact power of ten is exact.
        var index = 0
        let negative = text[0] == UInt8(ascii: "-")
        if negative { index = 1 }
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        var inFraction = false
        var exact = true
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: ".") {
                inFraction = true
            } else if byte &- 48 < 10 {
                if mantissa != 0 || byte != UInt8(ascii: "0") { significant &+= 1 }
                if significant > 19 { exact = false; break }
                mantissa = mantissa &* 10 &+ UInt64(byte &- 48)
                if inFraction { exponent &-= 1 }
            } else {
                break  // e or E
            }
            index &+= 1
        }
        if exact && index < text.count {
            // The exponent: anything large leaves the fast path.
            index &+= 1
            var exponentNegative = false
            if text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+") {
                exponentNegative = text[index] == UInt8(ascii: "-")
                index &+= 1
            }
            var value = 0
            while index < text.count {
                value = value &* 10 &+ Int(text[index] &- 48)
                if value > 1000 { exact = false; break }
                index &+= 1
            }
            exponent &+= exponentNegative ? -value : value
        }
        if exact && mantissa <= 1 << 53 && (-22...22).contains(exponent) {
            var value = Double(mantissa)
            value = exponent < 0 ? value / powersOfTen[-exponent] : value * powersOfTen[exponent]
            return negative ? -value : value
        }
        // Swift's own conversion is locale-independent and correctly rounded.
        return Double(String(decoding: text, as: UTF8.self)) ?? .nan
    }

    static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
        1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Checks the number at `start` against JSON's grammar and `Double`'s range; returns the offset
    /// after it.
    @usableFromInline
    func scanNumber(from start: Int) throws(JSONError) -> Int {
        let (end, mayOverflow) = try scanNumberSyntax(from: start)
        if mayOverflow && !Self.double(UnsafeRawBufferPointer(rebasing: bytes[start..<end])).isFinite {
            throw pastDoubleRange(from: start, to: end)
        }
        return end
    }

    /// Checks the number at `start` against JSON's grammar; returns the offset after it, and whether
    /// it may be past `Double`'s range (about 1.8e308). Only numbers of more than 308 integer digits,
    /// or more than 200 with an exponent, or with an exponent of three digits or more, may be: only
    /// they are converted to find out.
    func scanNumberSyntax(from start: Int) throws(JSONError) -> (end: Int, mayOverflow: Bool) {
        let count = bytes.count
        var index = start
        func digit(_ at: Int) -> Bool { at < count && bytes[at] &- 48 < 10 }
        if bytes[index] == UInt8(ascii: "-") { index &+= 1 }
        guard digit(index) else { throw badNumber(at: index) }
        let integerStart = index
        if bytes[index] == UInt8(ascii: "0") {
            index &+= 1
            if digit(index) { throw badNumber(at: index) }
        } else {
            while digit(index) { index &+= 1 }
        }
        let integerDigits = index &- integerStart
        if index < count && bytes[index] == UInt8(ascii: ".") {
            index &+= 1
            guard digit(index) else { throw badNumber(at: index) }
            while digit(index) { index &+= 1 }
        }
        var exponentDigits = 0
        if index < count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            index &+= 1
            if index < count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
                index &+= 1
            }
            guard digit(index) else { throw badNumber(at: index) }
            let exponentStart = index
            while digit(index) { index &+= 1 }
            exponentDigits = index &- exponentStart
        }
        // Below 10^308 (< Double.greatestFiniteMagnitude) whatever the digits: at most 308 integer
        // digits, or at most 200 with an exponent of at most 99.
        let mayOverflow = exponentDigits > 2 || integerDigits > (exponentDigits == 0 ? 308 : 200)
        return (index, mayOverflow)
    }

    // MARK: Booleans and null

    /// Reads `true` or `false`.
    ///
    /// - Throws: ``JSONError/Code/typeMismatch`` for another type of value.
    @inlinable
    public mutating func readBool() throws(JSONError) -> Bool {
        skipWhitespace()
        lastValueStart = position
        guard position < bytes.count else { throw endOfInput(expected: "a boolean") }
        switch bytes[position] {
        case UInt8(ascii: "t"):
            try readLiteral("true")
            return true
        case UInt8(ascii: "f"):
            try readLiteral("false")
            return false
        default:
            throw mismatch(expected: "a boolean")
        }
    }

    /// Reads a boolean or `null` (nil).
    @inlinable
    public mutating func readBoolOrNull() throws(JSONError) -> Bool? {
        if try readNull() { return nil }
        return try readBool()
    }

    /// Reads `literal` (`true`, `false` or `null`) at the current position.
    @usableFromInline
    mutating func readLiteral(_ literal: StaticString) throws(JSONError) {
        let length = literal.utf8CodeUnitCount
        for index in 0..<length {
            let at = position &+ index
            guard at < bytes.count else {
                throw error(.unexpectedEndOfInput, expected: "'\(literal)'", found: "the end of input", at: at)
            }
            guard bytes[at] == literal.utf8Start[index] else {
                throw error(
                    .unexpectedCharacter, expected: "'\(literal)'", found: Self.describeByte(bytes[at]), at: at)
            }
        }
        position &+= length
        afterValue = true
    }
}
