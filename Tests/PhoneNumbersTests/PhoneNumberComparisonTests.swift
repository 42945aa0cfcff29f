import Foundation
import Testing

@testable import PhoneNumbers

/// Number comparison (`PhoneNumber.match`) against the reference's `is_number_match`.
@Suite struct PhoneNumberComparisonTests {
    /// Every line of `numbermatch-corpus.tsv` (made by `scripts/make-numbermatch-corpus.py`).
    @Test func everyCorpusLineAgreesWithTheReference() throws {
        let data = try Data(contentsOf: GoldenCorpus.fixtureURL("numbermatch-corpus.tsv"))
        var failures: [String] = []
        var checked: [Substring: Int] = [:]
        var lineNumber = 0
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.isEmpty || line.hasPrefix("#") { continue }
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            try #require(columns.count == 6, "line \(lineNumber)")
            let (form, region1, region2, want) = (columns[0], String(columns[1]), String(columns[3]), columns[5])
            let first = try GoldenCorpus.unescape(columns[2], line: lineNumber)
            let second = try GoldenCorpus.unescape(columns[4], line: lineNumber)
            let got: String
            do {
                switch form {
                case "SS":
                    got = PhoneNumber.match(first, second).name
                case "OS":
                    got = try PhoneNumber(parsing: first, defaultRegion: region1).match(second).name
                case "OO":
                    let a = try PhoneNumber(parsing: first, defaultRegion: region1)
                    let b = try PhoneNumber(parsing: second, defaultRegion: region2)
                    got = a.match(b).name
                    // The comparison of parsed numbers is symmetric.
                    if b.match(a).name != got { failures.append("line \(lineNumber): not symmetric") }
                default:
                    throw GoldenCorpus.CorpusError(line: lineNumber, reason: "unknown form \(form)")
                }
            } catch let error as PhoneNumberParseError {
                got = "parse failed: \(error)"
            }
            if got != want {
                failures.append(
                    "line \(lineNumber): \(form) \(region1) \(columns[2]) | \(region2) \(columns[4])\n  want \(want)\n  got  \(got)"
                )
            }
            checked[form, default: 0] += 1
        }
        #expect(checked["SS", default: 0] > 3000 && checked["OS", default: 0] > 1000 && checked["OO", default: 0] > 500)
        #expect(
            failures.isEmpty,
            "\(failures.count) of \(checked.values.reduce(0, +)) lines differ:\n\(failures.prefix(30).joined(separator: "\n"))"
        )
    }

    /// The examples of the documentation, checked with the reference when they were written.
    @Test(arguments: [
        ("+7 999 888 55 33", "8 (999) 888-55-33", PhoneNumberMatchType.nationalSignificantNumber),
        ("+7 999 888 55 33", "+79998885533", .exact),
        ("999 888 55 33", "9998885533", .nationalSignificantNumber),
        ("+7 999 888 55 33", "+375 29 888 55 33", .noMatch),
        ("8 999 888-55-33", "999 888-55-33", .shortNationalSignificantNumber),
        ("+1 345 657 1234", "657 1234", .shortNationalSignificantNumber),
        ("+800 1234 5678", "12345678", .notANumber),
        ("+7 999 888 55 33", "call me", .notANumber),
    ])
    func strings(first: String, second: String, expected: PhoneNumberMatchType) {
        #expect(PhoneNumber.match(first, second) == expected)
    }

    @Test(arguments: [
        ("+7 (999) 888-55-33", PhoneNumberMatchType.exact),
        ("8 (999) 888-55-33", .nationalSignificantNumber),
        ("888-55-33", .shortNationalSignificantNumber),
        ("call me", .notANumber),
        ("+7 999 888 55 33 доб. 12", .shortNationalSignificantNumber),
    ])
    func parsedAndString(text: String, expected: PhoneNumberMatchType) throws {
        let number = try PhoneNumber(parsing: "+7 999 888 55 33")
        #expect(number.match(text) == expected)
    }

    /// Italian leading zeros count for an exact match, but not for a short one (the reference
    /// compares the national numbers as integers there).
    @Test func italianLeadingZero() throws {
        let withZero = try PhoneNumber(parsing: "+39 06 1234 5678")
        let withoutZero = try PhoneNumber(parsing: "+39 6 1234 5678")
        #expect(withZero.match(withZero) == .exact)
        #expect(withZero.match(withoutZero) == .shortNationalSignificantNumber)
    }

    /// Different extensions never match; an extension on one side only is a short match.
    @Test func extensions() throws {
        let twelve = try PhoneNumber(parsing: "+44 20 7946 0958 ext. 12")
        #expect(twelve.match(try PhoneNumber(parsing: "+44 20 7946 0958 x12")) == .exact)
        #expect(twelve.match(try PhoneNumber(parsing: "+44 20 7946 0958 x13")) == .noMatch)
        #expect(twelve.match(try PhoneNumber(parsing: "+44 20 7946 0958")) == .shortNationalSignificantNumber)
    }

    @Test func namesAndOrder() {
        #expect(
            PhoneNumberMatchType.allCases.map(\.name) == [
                "NOT_A_NUMBER", "NO_MATCH", "SHORT_NSN_MATCH", "NSN_MATCH", "EXACT_MATCH",
            ])
        #expect(PhoneNumberMatchType.allCases == PhoneNumberMatchType.allCases.sorted())
    }

    /// The suffix check on national numbers read as integers, at the edges (0 and 17 digits).
    @Test(arguments: [
        (UInt64(0), UInt64(0), true), (10, 0, true), (5, 0, false), (12345, 345, true), (12345, 2345, true),
        (345, 12345, true), (12345, 1345, false), (99_999_999_999_999_999, 9, true),
        (10_000_000_000_000_000, 0, true), (10_000_000_000_000_000, 10, false),
    ])
    func suffix(a: UInt64, b: UInt64, expected: Bool) {
        #expect(PhoneNumber.isSuffixOfTheOther(a, b) == expected)
    }
}
