import ScreenPopJSON
import Testing

@Suite struct JSONNumberTests {
    @Test(
        arguments: [
            ("0", 0), ("-0", 0), ("42", 42), ("-42", -42), ("1234567890123", 1_234_567_890_123),
            ("9223372036854775807", Int64.max), ("-9223372036854775808", Int64.min),
        ] as [(String, Int64)])
    func integers(text: String, value: Int64) throws {
        #expect(try read(text) { (r: inout JSONReader) throws(JSONError) in try r.readInt64() } == value)
        #expect(
            try read("[\(text)]") { (r: inout JSONReader) throws(JSONError) -> Int64 in
                try r.beginArray()
                _ = try r.nextElement()
                let value = try r.readInt64()
                _ = try r.nextElement()
                return value
            } == value)
    }

    @Test(
        arguments: [
            ("9223372036854775808", JSONError.Code.numberOutOfRange, 0),
            ("-9223372036854775809", .numberOutOfRange, 0),
            ("123456789012345678901234567890", .numberOutOfRange, 0),
            ("1.5", .typeMismatch, 0),
            ("1e3", .typeMismatch, 0),
            ("2E+2", .typeMismatch, 0),
            ("01", .invalidNumber, 1),
            ("-", .unexpectedEndOfInput, 1),
            ("-x", .invalidNumber, 1),
            ("\"12\"", .typeMismatch, 0),
            ("true", .typeMismatch, 0),
            ("+1", .unexpectedCharacter, 0),
            ("", .unexpectedEndOfInput, 0),
        ] as [(String, JSONError.Code, Int)])
    func integerErrors(text: String, code: JSONError.Code, offset: Int) {
        let error = failure(text) { (r: inout JSONReader) throws(JSONError) in try r.readInt64() }
        #expect(error?.code == code)
        #expect(error?.offset == offset)
        #expect(error?.path == "$")
    }

    @Test func outOfRangeAndFractionsSayWhatWasFound() {
        let big = failure(#"{"id": 99999999999999999999}"#) { (r: inout JSONReader) throws(JSONError) -> Int in
            try r.beginObject()
            _ = try r.nextKey()
            return try r.readInt()
        }
        #expect(
            big?.description
                == "line 1, column 8 (byte 7), $.id: expected an integer that fits Int64, found 99999999999999999999")
        let fraction = failure(#"[1, 2.50]"#) { (r: inout JSONReader) throws(JSONError) in
            try r.beginArray()
            while try r.nextElement() { _ = try r.readInt() }
        }
        #expect(fraction?.path == "$[1]")
        #expect(fraction?.message == "expected an integer, found the number 2.50")
    }

    @Test(arguments: [
        "0", "-0", "1", "0.1", "0.5", "3.14159", "-2.5e-3", "1e22", "1e23", "1E-7", "123456789012345678901234",
        "5e-324", "1.7976931348623157e308", "2.2250738585072014e-308", "0.30000000000000004",
        "9007199254740993", "1.00000000000000011102230246251565404236316680908203125", "4.9406564584124654e-324",
        "12345678901234567890", "1e-400", "-1e-400", "0.000001", "100000000000000000000000e-5",
        "1" + String(repeating: "0", count: 308), "0." + String(repeating: "0", count: 400) + "1e400",
        "1e0000000000000000000000000000308", "0e99999999999999999999", "2.4703282292062328e-324",
    ])
    func doublesAreCorrectlyRounded(text: String) throws {
        let value = try read(text) { (r: inout JSONReader) throws(JSONError) in try r.readDouble() }
        let expected = Double(text)!
        #expect(value.bitPattern == expected.bitPattern, "\(text): \(value) vs \(expected)")
    }

    @Test(
        arguments: [
            ("1.", 2, JSONError.Code.unexpectedEndOfInput), ("1.x", 2, .invalidNumber), (".5", 0, .unexpectedCharacter),
            ("1e", 2, .unexpectedEndOfInput), ("1e+", 3, .unexpectedEndOfInput), ("00.5", 1, .invalidNumber),
            ("-.5", 1, .invalidNumber), ("\"1.0\"", 0, .typeMismatch),
        ] as [(String, Int, JSONError.Code)])
    func doubleErrors(text: String, offset: Int, code: JSONError.Code) {
        let error = failure(text) { (r: inout JSONReader) throws(JSONError) in try r.readDouble() }
        #expect(error?.code == code)
        #expect(error?.offset == offset)
    }

    /// Numbers past `Double`'s range would read as infinity, which JSON cannot write back: they are
    /// refused wherever they are, read or skipped. Underflow is not an error: `1e-400` reads as 0.
    @Test(arguments: [
        "1e400", "-1e400", "1.8e308", "1e309", "2" + String(repeating: "0", count: 308),
        "-" + String(repeating: "9", count: 400), "0." + String(repeating: "0", count: 10) + "1e320",
        "123456789012345678901234567890e280", "1E+00000000000000000000000309",
    ])
    func numbersPastDoubleRangeAreRefused(text: String) {
        let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
        let message = "expected a number within Double's range, found \(shown)"
        let read = failure("[\(text)]") { (r: inout JSONReader) throws(JSONError) -> Double in
            try r.beginArray()
            _ = try r.nextElement()
            return try r.readDouble()
        }
        #expect(read?.code == .numberOutOfRange)
        #expect(read?.offset == 1)
        #expect(read?.path == "$[0]")
        #expect(read?.message == message)
        let skipped = failure(#"{"a": [0, \#(text)]}"#) { (r: inout JSONReader) throws(JSONError) in try r.skipValue() }
        #expect(skipped?.code == .numberOutOfRange)
        #expect(skipped?.offset == 10)
        #expect(skipped?.path == "$.a[1]")
        #expect(skipped?.description == "line 1, column 11 (byte 10), $.a[1]: \(message)")
        let tree = #expect(throws: JSONError.self) { try JSONValue(parsing: "[1,\n \(text)]") }
        #expect(tree?.code == .numberOutOfRange)
        #expect(tree?.line == 2)
        #expect(tree?.column == 2)
        #expect(tree?.path == "$[1]")
        // Asked for an integer, it is still not one (or past Int64's range).
        let integer = failure(text) { (r: inout JSONReader) throws(JSONError) in try r.readInt64() }
        #expect(integer?.code == .typeMismatch || integer?.code == .numberOutOfRange)
    }

    @Test func readingAHugeNumberAsAnIntegerSaysWhatItFound() {
        let error = failure("[1e400]") { (r: inout JSONReader) throws(JSONError) -> Int in
            try r.beginArray()
            _ = try r.nextElement()
            return try r.readInt()
        }
        #expect(error?.code == .typeMismatch)
        #expect(error?.message == "expected an integer, found the number 1e400")
    }

    @Test func theLargestAndSmallestDoublesStillRead() throws {
        let value = try JSONValue(parsing: "[1.7976931348623157e308, -1.7976931348623157e308, 1e-400, -1e-400, 5e-324]")
        #expect(value[0]?.doubleValue == .greatestFiniteMagnitude)
        #expect(value[1]?.doubleValue == -.greatestFiniteMagnitude)
        #expect(value[2]?.doubleValue == 0)
        #expect(value[3]?.doubleValue?.bitPattern == (-0.0 as Double).bitPattern)
        #expect(value[4]?.doubleValue == .leastNonzeroMagnitude)
        // And write back as numbers that read the same.
        #expect(!value.jsonText.contains("null"))
        #expect(try JSONValue(parsing: value.jsonText) == value)
    }

    @Test func numbersFollowedByJunkAreSyntaxErrors() {
        let error = failure("[12a]") { (r: inout JSONReader) throws(JSONError) in try r.skipValue() }
        #expect(error?.code == .unexpectedCharacter)
        #expect(error?.offset == 3)
        #expect(error?.message == "expected ',' or ']' after an array element, found 'a'")
    }

    @Test func booleansAndNull() throws {
        #expect(
            try read("[true, false]") { (r: inout JSONReader) throws(JSONError) -> [Bool] in
                try r.beginArray()
                var values: [Bool] = []
                while try r.nextElement() { values.append(try r.readBool()) }
                return values
            } == [true, false])
        let typo = failure("[tru]") { (r: inout JSONReader) throws(JSONError) in try r.skipValue() }
        #expect(typo?.code == .unexpectedCharacter)
        #expect(typo?.offset == 4)
        #expect(typo?.message == "expected 'true', found ']'")
        let mismatch = failure(#"{"is_deleted": "no"}"#) { (r: inout JSONReader) throws(JSONError) in
            try r.beginObject()
            _ = try r.nextKey()
            _ = try r.readBool()
        }
        #expect(mismatch?.code == .typeMismatch)
        #expect(mismatch?.path == "$.is_deleted")
        #expect(mismatch?.message == "expected a boolean, found a string")
    }
}
