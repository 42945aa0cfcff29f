import Testing

@testable import ScreenPopJSON

@Suite struct JSONErrorTests {
    struct Syntax: CustomTestStringConvertible, Sendable {
        let text: String
        let code: JSONError.Code
        let offset: Int
        let path: String
        let message: String
        var testDescription: String { text }
    }

    static let syntax: [Syntax] = [
        Syntax(
            text: #"{"a" 1}"#, code: .unexpectedCharacter, offset: 5, path: "$",
            message: "expected ':' after a key, found a number"),
        Syntax(
            text: #"{"a": 1 "b": 2}"#, code: .unexpectedCharacter, offset: 8, path: "$",
            message: "expected ',' or '}' after an object member, found a string"),
        Syntax(
            text: #"{"a": 1,}"#, code: .unexpectedCharacter, offset: 8, path: "$",
            message: "expected a string key after ',', found '}'"),
        Syntax(
            text: #"{a: 1}"#, code: .unexpectedCharacter, offset: 1, path: "$",
            message: "expected a string key or '}', found 'a'"),
        Syntax(
            text: #"{'a': 1}"#, code: .unexpectedCharacter, offset: 1, path: "$",
            message: "expected a string key or '}', found '''"),
        Syntax(
            text: #"[1 2]"#, code: .unexpectedCharacter, offset: 3, path: "$",
            message: "expected ',' or ']' after an array element, found a number"),
        Syntax(
            text: #"[1, 2,]"#, code: .unexpectedCharacter, offset: 6, path: "$[2]",
            message: "expected a value after ',', found ']'"),
        Syntax(
            text: #"[,1]"#, code: .unexpectedCharacter, offset: 1, path: "$[0]", message: "expected a value, found ','"),
        Syntax(
            text: #"{"a": [1}"#, code: .unexpectedCharacter, offset: 8, path: "$.a",
            message: "expected ',' or ']' after an array element, found '}'"),
        Syntax(
            text: #"{"a": 1]"#, code: .unexpectedCharacter, offset: 7, path: "$",
            message: "expected ',' or '}' after an object member, found ']'"),
        Syntax(
            text: #"{"a": nul}"#, code: .unexpectedCharacter, offset: 9, path: "$.a",
            message: "expected 'null', found '}'"),
        Syntax(
            text: #"{"a": undefined}"#, code: .unexpectedCharacter, offset: 6, path: "$.a",
            message: "expected a value, found 'u'"),
        Syntax(
            text: #"{"a": 1} x"#, code: .unexpectedCharacter, offset: 9, path: "$",
            message: "expected the end of input, found 'x'"),
        Syntax(
            text: #"{}{}"#, code: .unexpectedCharacter, offset: 2, path: "$",
            message: "expected the end of input, found an object"),
        Syntax(
            text: "", code: .unexpectedEndOfInput, offset: 0, path: "$",
            message: "expected a value, found the end of input"),
        Syntax(
            text: "  \n ", code: .unexpectedEndOfInput, offset: 4, path: "$",
            message: "expected a value, found the end of input"),
        Syntax(
            text: #"{"a": [1, {"b": "#, code: .unexpectedEndOfInput, offset: 16, path: "$.a[1].b",
            message: "expected a value, found the end of input"),
        Syntax(
            text: #"{"a": ["#, code: .unexpectedEndOfInput, offset: 7, path: "$.a[0]",
            message: "expected a value, found the end of input"),
        Syntax(
            text: #"{"a": [1"#, code: .unexpectedEndOfInput, offset: 8, path: "$.a",
            message: "expected ',' or ']', found the end of input"),
        Syntax(
            text: "{\"a\": \u{A0}1}", code: .unexpectedCharacter, offset: 6, path: "$.a",
            message: "expected a value, found '\u{A0}'"),
    ]

    @Test(arguments: syntax)
    func syntaxErrorsSayWhereAndWhat(case syntax: Syntax) {
        let error = failure(syntax.text) { (r: inout JSONReader) throws(JSONError) in try r.skipValue() }
        #expect(error?.code == syntax.code)
        #expect(error?.offset == syntax.offset)
        #expect(error?.path == syntax.path)
        #expect(error?.message == syntax.message)
        // The tree reader and the pull reader agree.
        let tree = failure(syntax.text) { (r: inout JSONReader) throws(JSONError) in try r.readValue() }
        #expect(tree?.code == syntax.code)
        #expect(tree?.offset == syntax.offset)
    }

    @Test func pathsNameKeysAndIndexes() {
        let text = """
            {"_embedded": {"contacts": [{"id": 1}, {"id": 2, "custom_fields_values": [
              {"values": [{"value": "a"}, {"value": 7}]}]}]},
             "a b": {"1x": [true, "y"]}, "é": 3}
            """
        func path(toValue target: String) -> String? {
            let offset = Array(text.utf8).firstRange(of: Array(target.utf8))!.lowerBound
            return failure(text) { (r: inout JSONReader) throws(JSONError) in
                try r.skipValue()
                throw r.error(.invalidValue, expected: "x", found: nil, at: offset)
            }?.path
        }
        #expect(path(toValue: "7}") == "$._embedded.contacts[1].custom_fields_values[0].values[1].value")
        #expect(path(toValue: "\"a\"") == "$._embedded.contacts[1].custom_fields_values[0].values[0].value")
        #expect(path(toValue: "2,") == "$._embedded.contacts[1].id")
        #expect(path(toValue: "\"y\"") == #"$["a b"]["1x"][1]"#)
        #expect(path(toValue: "3}") == #"$["é"]"#)
        #expect(path(toValue: "{\"id\": 1}") == "$._embedded.contacts[0]")
    }

    @Test func typeMismatchDeepInAPage() {
        let text = """
            {
              "_embedded": {
                "contacts": [
                  {"id": 1, "name": "Иван"},
                  {"id": "2", "name": "Пётр"}
                ]
              }
            }
            """
        let error = failure(text) { (r: inout JSONReader) throws(JSONError) in
            try r.beginObject()
            _ = try r.nextKey()
            try r.beginObject()
            _ = try r.nextKey()
            try r.beginArray()
            while try r.nextElement() {
                try r.beginObject()
                while let key = try r.nextKey() {
                    if key == "id" { _ = try r.readInt() } else { _ = try r.readString() }
                }
            }
            _ = try r.nextKey()
            _ = try r.nextKey()
        }
        #expect(error?.code == .typeMismatch)
        #expect(error?.line == 5)
        #expect(error?.column == 14)
        #expect(error?.path == "$._embedded.contacts[1].id")
        #expect(
            error?.description
                == "line 5, column 14 (byte 87), $._embedded.contacts[1].id: expected an integer, found a string")
    }

    @Test func columnsCountCharactersNotBytes() {
        let error = failure(#"["Иван", "Пётр", x]"#) { (r: inout JSONReader) throws(JSONError) in try r.skipValue() }
        #expect(error?.column == 18)
        #expect(error?.offset == 25)
        #expect(error?.path == "$[2]")
    }

    @Test func callersRaiseTheirOwnErrorsAtTheLastValue() {
        let error = failure(#"{"contacts": [{"id": -5}]}"#) { (r: inout JSONReader) throws(JSONError) in
            try r.beginObject()
            _ = try r.nextKey()
            try r.beginArray()
            _ = try r.nextElement()
            try r.beginObject()
            _ = try r.nextKey()
            let id = try r.readInt()
            if id <= 0 { throw r.error(.invalidValue, expected: "a positive id", found: "\(id)") }
        }
        #expect(error?.code == .invalidValue)
        #expect(error?.offset == 21)
        #expect(error?.path == "$.contacts[0].id")
        #expect(error?.message == "expected a positive id, found -5")
    }

    @Test func typeMismatchOnContainers() {
        let object = failure(#"{"a": [1]}"#) { (r: inout JSONReader) throws(JSONError) in
            try r.beginObject()
            _ = try r.nextKey()
            try r.beginObject()
        }
        #expect(object?.code == .typeMismatch)
        #expect(object?.message == "expected an object, found an array")
        #expect(object?.path == "$.a")
        let array = failure(#"null"#) { (r: inout JSONReader) throws(JSONError) in try r.beginArray() }
        #expect(array?.message == "expected an array, found null")
    }

    // MARK: Nesting

    @Test func deepNestingIsAnErrorNotAStackOverflow() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let skipped = failure(deep) { (r: inout JSONReader) throws(JSONError) in try r.skipValue() }
        #expect(skipped?.code == .nestingTooDeep)
        #expect(skipped?.offset == 512)
        #expect(skipped?.message == "expected at most 512 nested objects and arrays, found more")
        let tree = failure(deep) { (r: inout JSONReader) throws(JSONError) in try r.readValue() }
        #expect(tree?.code == .nestingTooDeep)
        let objects = String(repeating: #"{"a":"#, count: 600) + "1" + String(repeating: "}", count: 600)
        #expect(
            failure(objects) { (r: inout JSONReader) throws(JSONError) in try r.skipValue() }?.code == .nestingTooDeep)
    }

    @Test func nestingUpToTheLimitIsFine() throws {
        let text = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        try read(text) { (r: inout JSONReader) throws(JSONError) in try r.skipValue() }
        _ = try JSONValue(parsing: text)
        let small = failure("[[[1]]]", maxDepth: 2) { (r: inout JSONReader) throws(JSONError) in
            try r.beginArray()
            _ = try r.nextElement()
            try r.beginArray()
            _ = try r.nextElement()
            try r.beginArray()
        }
        #expect(small?.code == .nestingTooDeep)
        #expect(small?.offset == 2)
        #expect(small?.path == "$[0][0]")
    }

    @Test func deepSkipBeyond64LevelsChecksBrackets() {
        let text = String(repeating: "[{\"k\":", count: 100) + "1" + String(repeating: "}]", count: 99) + "]]"
        let error = failure(text) { (r: inout JSONReader) throws(JSONError) in try r.skipValue() }
        #expect(error?.code == .unexpectedCharacter)
        #expect(error?.message == "expected ',' or '}' after an object member, found ']'")
    }

    // MARK: Truncation

    @Test func everyTruncationIsAnEndOfInputError() {
        let document = #"{"a": [1, -2.5e3, true, false, null, "Иван \"😀\" \u0416"], "b": {"c": {}}, "d": []}"#
        let bytes = Array(document.utf8)
        #expect(failure(bytes: bytes) { (r: inout JSONReader) throws(JSONError) in try r.skipValue() } == nil)
        for length in 0..<bytes.count {
            let prefix = Array(bytes[..<length])
            let skipped = failure(bytes: prefix) { (r: inout JSONReader) throws(JSONError) in try r.skipValue() }
            #expect(skipped?.code == .unexpectedEndOfInput, "prefix of \(length) bytes: \(String(describing: skipped))")
            let tree = failure(bytes: prefix) { (r: inout JSONReader) throws(JSONError) in try r.readValue() }
            #expect(tree?.code == .unexpectedEndOfInput, "prefix of \(length) bytes: \(String(describing: tree))")
        }
    }

    // MARK: Byte order marks

    @Test func aUTF8ByteOrderMarkIsSkippedAndOffsetsCountIt() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(#"{"a": x}"#.utf8)
        let error = failure(bytes: bytes) { (r: inout JSONReader) throws(JSONError) in try r.skipValue() }
        #expect(error?.offset == 9)
        #expect(error?.column == 7)
        #expect(error?.path == "$.a")
        let value = try JSONValue(parsing: [0xEF, 0xBB, 0xBF] + Array("[1]".utf8))
        #expect(value == .array([.integer(1)]))
        #expect(
            failure(bytes: [0xEF, 0xBB, 0xBF]) { (r: inout JSONReader) throws(JSONError) in try r.skipValue() }?.code
                == .unexpectedEndOfInput)
    }

    @Test(arguments: [[0xFE, 0xFF, 0x00, 0x7B], [0xFF, 0xFE, 0x7B, 0x00], [0x00, 0x00, 0xFE, 0xFF]] as [[UInt8]])
    func utf16AndUTF32AreRefused(bytes: [UInt8]) {
        let error = failure(bytes: bytes) { (r: inout JSONReader) throws(JSONError) in try r.skipValue() }
        #expect(error?.code == .unsupportedEncoding)
        #expect(error?.offset == 0)
    }

    @Test func aByteOrderMarkInsideTheDocumentIsNotWhiteSpace() {
        let error = failure("[1,\u{FEFF}2]") { (r: inout JSONReader) throws(JSONError) in try r.skipValue() }
        #expect(error?.code == .unexpectedCharacter)
        #expect(error?.message == "expected a value, found '\u{FEFF}'")
    }

    @Test func everyCodeHasItsOwnSnakeCaseName() {
        let codes = JSONError.Code.allCodes
        #expect(codes.count == JSONError.Code.BackingCode.allCases.count)
        #expect(Set(codes.map(\.description)).count == codes.count)
        #expect(
            codes.map(\.description) == [
                "unexpected_end_of_input", "unexpected_character", "invalid_escape", "unpaired_surrogate",
                "invalid_utf8", "control_character_in_string", "invalid_number", "number_out_of_range",
                "type_mismatch", "nesting_too_deep", "unsupported_encoding", "invalid_value", "missing_key",
            ])
        #expect(MemoryLayout<JSONError.Code>.size == 1)
    }

    @Test func anErrorWithNeitherExpectedNorFoundSaysItsCode() {
        let error = JSONError(
            code: .numberOutOfRange, offset: 0, line: 1, column: 1, path: "$", expected: nil, found: nil)
        #expect(error.message == "number_out_of_range")
        #expect(error.description == "line 1, column 1 (byte 0), $: number_out_of_range")
    }
}
