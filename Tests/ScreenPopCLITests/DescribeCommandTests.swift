import Foundation
import Testing

/// The `screenpop describe` contract, on the real executable, against the oracle's answers
/// (`scripts/make-describe-corpus.py`: the geocoder, carrier and time-zone mappers and
/// ShortNumberInfo of PyPI `phonenumbers` at the pin).
@Suite struct DescribeCommandTests {
    struct Case {
        let line: Int
        let region: String
        let input: String
        let expected: String
    }

    static func corpus() throws -> [String: [Case]] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/describe-corpus.tsv")
        var byLanguage: [String: [Case]] = [:]
        for (number, line) in try String(contentsOf: url, encoding: .utf8).split(separator: "\n").enumerated()
        where !line.hasPrefix("#") {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            byLanguage[columns[0], default: []].append(
                Case(line: number + 1, region: columns[1], input: columns[2], expected: columns[3]))
        }
        return byLanguage
    }

    @Test func everyLineIsWhatTheOracleSays() throws {
        let corpus = try Self.corpus()
        #expect(corpus.values.map(\.count).reduce(0, +) > 150)
        for (language, cases) in corpus.sorted(by: { $0.key < $1.key }) {
            let input = cases.map { "\($0.region)\t\($0.input)\n" }.joined()
            let result = try CLI.run(["describe", "--tsv", "--lang", language], input: Data(input.utf8))
            #expect(result.status == 0)
            try #require(result.lines.count == cases.count, "\(language): \(result.lines.count) lines")
            for (entry, got) in zip(cases, result.lines) where got != entry.expected {
                Issue.record("line \(entry.line) (\(language), \(entry.region)):\n  want \(entry.expected)\n  got  \(got)")
            }
        }
    }

    @Test func argumentsAndTheDefaultLanguage() throws {
        let result = try CLI.run(["describe", "--region", "DE", "030 123456", "112"])
        #expect(result.status == 0)
        #expect(
            result.lines == [
                #"{"input": "030 123456", "e164": "+4930123456", "error": null, "location": "Berlin", "carrier": null, "time_zones": ["Europe/Berlin"], "short_number": false, "emergency": false}"#,
                #"{"input": "112", "e164": "+49112", "error": null, "location": null, "carrier": null, "time_zones": ["Etc/Unknown"], "short_number": true, "emergency": true}"#,
            ])
    }
}
