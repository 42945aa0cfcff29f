import ScreenPopJSON
import Testing

@Suite struct JSONStringTests {
    @Test(
        arguments: [
            (#""plain""#, "plain"),
            (#""""#, ""),
            (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{8}\u{C}\n\r\t"),
            (#""\u0041\u00e9\u0416\u20AC""#, "AéЖ€"),
            (#""\ud83d\ude00 \uD83D\uDE00""#, "😀 😀"),
            (#""Иван Петров, ООО «Ромашка» ☎ 😀""#, "Иван Петров, ООО «Ромашка» ☎ 😀"),
            (
                #""a long ASCII string that crosses several eight-byte words, with a \"quote\" at the end\"""#,
                "a long ASCII string that crosses several eight-byte words, with a \"quote\" at the end\""
            ),
            (#""\u0000 nul""#, "\u{0} nul"),
            (#""x\u007Fy""#, "x\u{7F}y"),
        ] as [(String, String)])
    func decodes(json: String, expected: String) throws {
        #expect(try read(json) { (r: inout JSONReader) throws(JSONError) in try r.readString() } == expected)
    }

    @Test func everyLengthAroundTheWordSizeFindsTheClosingQuote() throws {
        for length in 0..<40 {
            for special in ["", "\\n", "é", "😀"] {
                let body = String(repeating: "a", count: length) + special + "z"
                let expected = String(repeating: "a", count: length) + (special == "\\n" ? "\n" : special) + "z"
                #expect(
                    try read("\"\(body)\"") { (r: inout JSONReader) throws(JSONError) in try r.readString() }
                        == expected)
            }
        }
    }

    struct Bad: CustomTestStringConvertible, Sendable {
        let bytes: [UInt8]
        let code: JSONError.Code
        let offset: Int
        var testDescription: String { String(decoding: bytes, as: UTF8.self) + " → \(code) at \(offset)" }
        init(_ text: String, _ code: JSONError.Code, at offset: Int) {
            self.init(Array(text.utf8), code, at: offset)
        }
        init(_ bytes: [UInt8], _ code: JSONError.Code, at offset: Int) {
            self.bytes = bytes
            self.code = code
            self.offset = offset
        }
    }

    static let bad: [Bad] = [
        Bad(#"{"k": "a\x"}"#, .invalidEscape, at: 8),
        Bad(#"{"k": "\u12G4"}"#, .invalidEscape, at: 7),
        Bad(#"{"k": "\'"}"#, .invalidEscape, at: 7),
        Bad(#"{"k": "\ud83d"}"#, .unpairedSurrogate, at: 13),
        Bad(#"{"k": "\ud83dx"}"#, .unpairedSurrogate, at: 13),
        Bad(#"{"k": "\ud83d\u0041"}"#, .unpairedSurrogate, at: 13),
        Bad(#"{"k": "\ude00"}"#, .unpairedSurrogate, at: 7),
        Bad([0x7B, 0x22, 0x6B, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D], .invalidUTF8, at: 6),
        Bad([0x7B, 0x22, 0x6B, 0x22, 0x3A, 0x22, 0xC0, 0x80, 0x22, 0x7D], .invalidUTF8, at: 6),  // overlong NUL
        Bad([0x7B, 0x22, 0x6B, 0x22, 0x3A, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x7D], .invalidUTF8, at: 6),  // surrogate
        // Past U+10FFFF.
        Bad([0x7B, 0x22, 0x6B, 0x22, 0x3A, 0x22, 0xF4, 0x90, 0x80, 0x80, 0x22, 0x7D], .invalidUTF8, at: 6),
        Bad([0x7B, 0x22, 0x6B, 0x22, 0x3A, 0x22, 0xD0, 0x41, 0x22, 0x7D], .invalidUTF8, at: 6),  // missing continuation
        Bad([0x7B, 0x22, 0x6B, 0x22, 0x3A, 0x22, 0x80, 0x22, 0x7D], .invalidUTF8, at: 6),  // lone continuation
        Bad("{\"k\": \"tab\there\"}", .controlCharacterInString, at: 10),
        Bad("{\"k\": \"line\nbreak\"}", .controlCharacterInString, at: 11),
        Bad(#"{"k": "unterminated"#, .unexpectedEndOfInput, at: 19),
        Bad([0x7B, 0x22, 0x6B, 0x22, 0x3A, 0x22, 0xD0], .unexpectedEndOfInput, at: 7),  // cut inside a character
    ]

    @Test(arguments: bad)
    func rejectsBrokenStringsWithTheOffendingOffsetAndPath(bad: Bad) {
        let read = failure(bytes: bad.bytes) { (r: inout JSONReader) throws(JSONError) in
            try r.beginObject()
            _ = try r.nextKey()
            _ = try r.readString()
            _ = try r.nextKey()
        }
        #expect(read?.code == bad.code)
        #expect(read?.offset == bad.offset)
        #expect(read?.path == "$.k")
        // Skipping checks strings just as reading does.
        let skipped = failure(bytes: bad.bytes) { (r: inout JSONReader) throws(JSONError) in try r.skipValue() }
        #expect(skipped?.code == bad.code)
        #expect(skipped?.offset == bad.offset)
    }

    @Test func invalidKeysAreCaughtToo() {
        let error = failure(bytes: [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]) {
            (r: inout JSONReader) throws(JSONError) in
            try r.skipValue()
        }
        #expect(error?.code == .invalidUTF8)
        #expect(error?.offset == 2)
        #expect(error?.path == "$")
    }

    @Test func messagesSayWhatWasExpected() {
        let error = failure(#"{"k": "\ud83d"}"#) { (r: inout JSONReader) throws(JSONError) in try r.skipValue() }
        #expect(error?.message == #"expected a low surrogate escape after \uD83D, found '"'"#)
        let control = failure("\"a\u{1}\"") { (r: inout JSONReader) throws(JSONError) in try r.readString() }
        #expect(control?.message == "expected an escaped control character, found the control character U+0001")
    }
}
