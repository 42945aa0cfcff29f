import Foundation
import Testing

@testable import PhoneNumbers

/// Checks every line of the matcher corpus made with the reference (`scripts/make-matcher-corpus.py`).
@Suite struct MatcherCorpusTests {
    @Test func everyLineAgreesWithTheReference() throws {
        let data = try Data(contentsOf: GoldenCorpus.fixtureURL("matcher-corpus.tsv"))
        var failures: [String] = []
        var checked = 0
        var lineNumber = 0
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.isEmpty || line.hasPrefix("#") { continue }
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            try #require(columns.count == 4, "line \(lineNumber)")
            let text = try GoldenCorpus.unescape(columns[2], line: lineNumber)
            let leniency: PhoneNumberLeniency = columns[1] == "VALID" ? .valid : .possible
            let got = PhoneNumberMatcher(text: text, defaultRegion: String(columns[0]), leniency: leniency)
                .map { "\($0.range.lowerBound),\($0.range.upperBound),\($0.number.e164),\($0.number.extension ?? "")" }
                .joined(separator: "|")
            if got != columns[3] {
                failures.append(
                    "line \(lineNumber): \(columns[0]) \(columns[1]) \(columns[2])\n  want \(columns[3])\n  got  \(got)"
                )
            }
            checked += 1
        }
        #expect(checked > 11_000)
        #expect(
            failures.isEmpty,
            "\(failures.count) of \(checked) lines differ:\n\(failures.prefix(30).joined(separator: "\n"))")
    }
}
