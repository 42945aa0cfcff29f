import Foundation
import Testing

@testable import PhoneNumbers

/// Checks every line of the short-number corpus that `scripts/make-shortnumber-corpus.py` made
/// with the pinned PyPI `phonenumbers` (column meanings in the script's header).
@Suite struct ShortNumberCorpusTests {
    struct Line {
        let number: Int
        let region: String
        let asked: String
        let text: String
        let expected: [Substring]
    }

    static func load() throws -> [Line] {
        let data = try Data(contentsOf: GoldenCorpus.fixtureURL("shortnumber-corpus.tsv"))
        var lines: [Line] = []
        for (i, raw) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
            let columns = raw.split(separator: "\t", omittingEmptySubsequences: false)
            guard columns.count == 15 else { throw CorpusError(line: i + 1, columns: columns.count) }
            lines.append(
                Line(
                    number: i + 1, region: String(columns[0]), asked: String(columns[1]),
                    text: try GoldenCorpus.unescape(columns[2], line: i + 1), expected: Array(columns[3...])))
        }
        return lines
    }

    struct CorpusError: Error {
        let line: Int
        let columns: Int
    }

    /// Columns 4-15 for one line, computed by ShortNumbers.
    static func answers(_ line: Line) -> [String] {
        func b(_ v: Bool) -> String { v ? "1" : "0" }
        var out: [String]
        if let number = try? PhoneNumber(parsing: line.text, defaultRegion: line.region) {
            out = [
                "\(number.countryCode) \(number.nationalSignificantNumber)",
                b(ShortNumbers.isPossibleShortNumber(number, forRegion: line.asked)),
                b(ShortNumbers.isPossibleShortNumber(number)),
                b(ShortNumbers.isValidShortNumber(number, forRegion: line.asked)),
                b(ShortNumbers.isValidShortNumber(number)),
                ShortNumbers.expectedCost(number, forRegion: line.asked).rawValue,
                ShortNumbers.expectedCost(number).rawValue,
                b(ShortNumbers.isCarrierSpecific(number, forRegion: line.asked)),
                b(ShortNumbers.isCarrierSpecific(number)),
                b(ShortNumbers.isSMSService(number, forRegion: line.asked)),
            ]
        } else {
            out = Array(repeating: "-", count: 10)
        }
        out.append(b(ShortNumbers.isEmergencyNumber(line.text, region: line.asked)))
        out.append(b(ShortNumbers.connectsToEmergencyNumber(line.text, region: line.asked)))
        return out
    }

    @Test func everyLineAgreesWithTheReference() throws {
        let lines = try Self.load()
        #expect(lines.count > 4000)
        var failures: [String] = []
        for line in lines {
            let got = Self.answers(line)
            if got != line.expected.map { String($0) } {
                failures.append(
                    "line \(line.number): \(line.region)\t\(line.asked)\t\(line.text)\n"
                        + "  want \(line.expected.joined(separator: " "))\n  got  \(got.joined(separator: " "))")
            }
        }
        let shown = failures.prefix(40).joined(separator: "\n")
        #expect(failures.isEmpty, "\(failures.count) of \(lines.count) lines differ:\n\(shown)")
    }
}
