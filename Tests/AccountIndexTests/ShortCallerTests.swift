import PhoneNumbers
import Testing

@testable import AccountIndex

/// A caller's number that is a short number never takes part in the last-digits fallback, and the
/// resolution says so.
@Suite struct ShortCallerTests {
    static func settings(_ region: String, digits: Int = 6, fallback: Bool = true) -> AccountSettings {
        AccountSettings(defaultRegion: region, suffixFallback: SuffixFallback(isEnabled: fallback, digits: digits))
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let region: String
        let caller: String
        /// A stored number that ends in the caller's last digits.
        let stored: String
        var testDescription: String { "\(caller) in \(region)" }
    }

    static let cases: [Case] = [
        // Long enough for a 6-digit fallback: these matched on their last digits before.
        Case(region: "DE", caller: "116111", stored: "+7 999 811-61-11"),
        Case(region: "US", caller: "22395", stored: "+7 999 812-23-95"),
        Case(region: "RU", caller: "+49 116111", stored: "+7 999 811-61-11"),
        // Shorter than any suffix: never matched on last digits, and now the resolution says why.
        Case(region: "RU", caller: "112", stored: "+7 999 123-01-12"),
        Case(region: "RU", caller: "900", stored: "+7 999 123-09-00"),
        Case(region: "RU", caller: "01", stored: "+7 999 123-45-01"),
    ]

    @Test(arguments: cases) func shortCallerSkipsTheFallback(_ c: Case) {
        let index = build(
            AccountData(settings: Self.settings(c.region), contacts: [contact(1, c.stored)], leads: [], links: []))
        let resolution = index.resolve(callerNumber: c.caller)
        #expect(resolution.matchLevel == .none)
        #expect(resolution.candidates.isEmpty)
        #expect(resolution.suffixFallbackSkipped == .shortNumber)
        #expect(resolution.decision.reason.rule == .noMatch)
        #expect(resolution.explanation.contains("short number"))
        #expect(resolution.decision.description.contains("no last-digits match: short number"))
    }

    @Test func aStoredShortNumberStillMatchesExactly() {
        let index = build(
            AccountData(settings: Self.settings("RU"), contacts: [contact(1, "112")], leads: [], links: []))
        let resolution = index.resolve(callerNumber: "112")
        #expect(resolution.matchLevel == .exact)
        #expect(resolution.target == .contactCard(id: 1))
        #expect(resolution.suffixFallbackSkipped == nil)
    }

    @Test func nothingIsRecordedWhenTheFallbackIsOff() {
        let index = build(
            AccountData(
                settings: Self.settings("DE", fallback: false), contacts: [contact(1, "+7 999 811-61-11")], leads: [],
                links: []))
        #expect(index.resolve(callerNumber: "116111").suffixFallbackSkipped == nil)
        let on = index.resolve(callerNumber: "116111", options: ResolveOptions(suffixFallback: true))
        #expect(on.suffixFallbackSkipped == .shortNumber)
        #expect(on.candidates.isEmpty)
    }

    @Test func ordinaryNumbersKeepTheFallback() {
        let index = build(
            AccountData(settings: Self.settings("RU"), contacts: [contact(1, "+49 30 12116111")], leads: [], links: []))
        let resolution = index.resolve(callerNumber: "+7 999 811-61-11")
        #expect(resolution.matchLevel == .suffix(digits: 6))
        #expect(resolution.suffixFallbackSkipped == nil)
        #expect(!resolution.explanation.contains("short number"))
    }

    @Test func shortCallerRule() throws {
        func short(_ text: String, _ region: String?) throws -> Bool {
            SuffixFallback.isShortCaller(try PhoneNumber(parsing: text, defaultRegion: region ?? "ZZ"), region: region)
        }
        #expect(try short("112", "RU"))
        #expect(try short("900", "RU"))  // not in the metadata's short codes, but no Russian number is this short
        #expect(try short("911", "US"))
        #expect(try short("+1 911", nil))
        #expect(try !short("+7 999 888-55-33", "RU"))
        #expect(try !short("+49 30 123456", "DE"))  // a possible German number, not a short code
        #expect(try !short("8 800 555-35-35", "RU"))
    }
}
