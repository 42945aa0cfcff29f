import Testing

@testable import PhoneNumbers

/// Checks every line of the golden corpus made with the reference implementation (PyPI
/// `phonenumbers` at the pinned version, scripts/phonenumbers.version) by `scripts/make-parse-corpus.py`.
@Suite struct GoldenCorpusTests {
    @Test func everyLineAgreesWithTheReference() throws {
        let corpus = try GoldenCorpus.load("parse-corpus.tsv")
        #expect(corpus.cases.count > 35_000)
        var failures: [String] = []
        for entry in corpus.cases {
            let got = GoldenCorpus.Outcome(parsing: entry.input, region: entry.region)
            if got != entry.expected && !GoldenCorpus.documentedDifferences.contains(entry.input) {
                failures.append(
                    "line \(entry.line): \(entry.region)\t\(entry.rawInput)\n  want \(entry.expected)\n  got  \(got)")
            }
        }
        let shown = failures.prefix(40).joined(separator: "\n")
        #expect(failures.isEmpty, "\(failures.count) of \(corpus.cases.count) lines differ:\n\(shown)")
    }
}
