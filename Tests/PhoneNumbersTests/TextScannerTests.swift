import Testing

@testable import PhoneNumbers

/// The hand-written scanners that replace libphonenumber's built-in regular expressions.
@Suite struct TextScannerTests {
    func scalars<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt32>) -> R) -> R {
        s.unicodeScalars.map(\.value).withUnsafeBufferPointer(body)
    }

    func viable(_ s: String) -> Bool {
        scalars(s) { TextChecks.isViablePhoneNumber($0.baseAddress ?? UnsafePointer(bitPattern: 8)!, $0.count) }
    }

    @Test(arguments: ["12", "+7 999", "(999) 888", "1-800-FLOWERS", "999 ext. 12", "*123", "++7999", "999 доб 5"])
    func viableNumbers(_ s: String) { #expect(viable(s)) }

    @Test(arguments: ["1", "", "ab123", "+ +7999", "99", "12 ext=3", "999\n8", "9a9", "1\u{0}23"])
    func notViable(_ s: String) {
        // "99" alone is viable (two digits); everything else here is not.
        #expect(viable(s) == (s == "99"))
    }

    @Test func extensionScannerFindsTheLeftmostStartOfTheTrailingExtension() throws {
        let match = try #require(scalars("+7 999 888 55 33 доб. 45") { ExtensionScanner($0, count: $0.count).scan() })
        #expect(match.starts.first == 16)
        #expect(match.digits == 22..<24)
        #expect(scalars("+79998885533") { ExtensionScanner($0, count: $0.count).scan() } == nil)
        // Ambiguous labels take at most 9 digits, American style needs the closing '#'.
        #expect(scalars("1 x1234567890") { ExtensionScanner($0, count: $0.count).scan() } == nil)
        #expect(scalars("555 - 503#") { ExtensionScanner($0, count: $0.count).scan()?.starts.first } == 3)
    }

    @Test func possibleNumberSkipsLeadingTextAndTrailingPunctuation() {
        #expect(scalars("Tel: +7 999 (office)") { TextChecks.possibleNumberRange($0) } == 5..<19)
        #expect(scalars("call 555-1234 / x12") { TextChecks.possibleNumberRange($0) } == 5..<14)
        #expect(scalars("no number") { TextChecks.possibleNumberRange($0) } == nil)
    }

    @Test(arguments: [
        ("+1-650", true), ("+(1)", true), ("+", false), ("example.com", true), ("a.b-c.d.", true),
        ("-a.com", false), ("a..b", false), ("1.2", false), ("a_b", false),
    ])
    func phoneContextSyntax(_ text: String, _ valid: Bool) {
        #expect(scalars(text) { TextChecks.isValidPhoneContext($0) } == valid)
    }
}
