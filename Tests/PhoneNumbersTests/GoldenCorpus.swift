import Foundation

@testable import PhoneNumbers

/// The golden corpus format (docs/golden-corpus.md): 8 tab-separated columns a line.
struct GoldenCorpus {
    struct Case {
        let line: Int
        let region: String
        let rawInput: Substring
        let input: String
        let expected: Outcome
    }

    /// What the reference says about one input, in the corpus's column form.
    struct Outcome: Equatable, CustomStringConvertible {
        var result: String
        var possible = "-"
        var valid = "-"
        var type = "-"
        var region = "-"
        var ext = "-"

        var description: String { [result, possible, valid, type, region, ext].joined(separator: " ") }

        init(result: String, possible: String, valid: String, type: String, region: String, ext: String) {
            (self.result, self.possible, self.valid, self.type, self.region, self.ext) = (
                result, possible, valid, type, region, ext
            )
        }

        init(parsing input: String, region: String) {
            do {
                let number = try PhoneNumber(parsing: input, defaultRegion: region)
                result = number.e164
                possible = number.isPossible ? "1" : "0"
                valid = number.isValid ? "1" : "0"
                type = number.type.rawValue
                self.region = number.regionCode ?? "-"
                ext = number.extension ?? "-"
            } catch {
                result = error.code.name
            }
        }
    }

    /// Inputs where ScreenPop deliberately differs from the reference (see docs/phone-numbers.md).
    static let documentedDifferences: Set<String> = []

    let cases: [Case]

    static func fixtureURL(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
            .appendingPathComponent(name)
    }

    static func load(_ name: String) throws -> GoldenCorpus {
        let data = try Data(contentsOf: fixtureURL(name))
        let text = String(decoding: data, as: UTF8.self)
        var cases: [Case] = []
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.isEmpty || line.hasPrefix("#") { continue }
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard columns.count == 8 else {
                throw CorpusError(line: lineNumber, reason: "expected 8 columns, got \(columns.count)")
            }
            cases.append(
                Case(
                    line: lineNumber, region: String(columns[0]), rawInput: columns[1],
                    input: try unescape(columns[1], line: lineNumber),
                    expected: Outcome(
                        result: String(columns[2]), possible: String(columns[3]), valid: String(columns[4]),
                        type: String(columns[5]), region: String(columns[6]), ext: String(columns[7]))))
        }
        return GoldenCorpus(cases: cases)
    }

    struct CorpusError: Error, CustomStringConvertible {
        let line: Int
        let reason: String
        var description: String { "corpus line \(line): \(reason)" }
    }

    /// Undoes the corpus escapes: `\\`, `\t`, `\n`, `\r`, `\xHH`.
    static func unescape(_ text: Substring, line: Int) throws -> String {
        var out = String.UnicodeScalarView()
        var it = text.unicodeScalars.makeIterator()
        while let c = it.next() {
            guard c == "\\" else { out.append(c); continue }
            switch it.next() {
            case "\\": out.append("\\")
            case "t": out.append("\t")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "x":
                guard let h = it.next(), let l = it.next(),
                    let v = UInt32(String([Character(h), Character(l)]), radix: 16)
                else {
                    throw CorpusError(line: line, reason: "bad \\x escape")
                }
                out.append(Unicode.Scalar(v)!)
            default: throw CorpusError(line: line, reason: "bad escape")
            }
        }
        return String(out)
    }
}
