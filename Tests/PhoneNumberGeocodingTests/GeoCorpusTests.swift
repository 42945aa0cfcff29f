import Foundation
import PhoneNumberCarriers
import PhoneNumberGeocoding
import PhoneNumberTimeZones
import PhoneNumbers
import Testing

/// The geocoding golden corpus (docs/golden-corpus.md, "Geocoding corpus"), made from PyPI phonenumbers
/// by scripts/make-geo-corpus.py: every line must agree.
@Suite struct GeoCorpusTests {
    struct Line: CustomStringConvertible {
        let number: Int
        let kind: String
        let e164: String
        let language: String?
        let script: String?
        let region: String?
        let oracleType: String
        let expected: String

        var description: String {
            "line \(number): \(kind) \(e164) \(language ?? "-") \(script ?? "-") \(region ?? "-") (\(oracleType))"
        }
    }

    static func load() throws -> [Line] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent("geo-corpus.tsv")
        let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        var lines: [Line] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty || line.hasPrefix("#") { continue }
            let c = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard c.count == 7 else { throw CorpusError(line: index + 1) }
            func optional(_ s: String) -> String? { s == "-" ? nil : s }
            lines.append(
                Line(
                    number: index + 1, kind: c[0], e164: c[1], language: optional(c[2]), script: optional(c[3]),
                    region: optional(c[4]), oracleType: c[5], expected: unescape(c[6])))
        }
        return lines
    }

    struct CorpusError: Error { let line: Int }

    /// Undoes scripts/corpus_format.py's escape (\\, \t, \n, \r, \xHH).
    static func unescape(_ s: String) -> String {
        guard s.contains("\\") else { return s }
        var out = ""
        var iterator = s.unicodeScalars.makeIterator()
        while let c = iterator.next() {
            guard c == "\\", let e = iterator.next() else {
                out.unicodeScalars.append(c)
                continue
            }
            switch e {
            case "t": out += "\t"
            case "n": out += "\n"
            case "r": out += "\r"
            case "x":
                let hex = String([iterator.next()!, iterator.next()!].map(Character.init))
                out.unicodeScalars.append(Unicode.Scalar(UInt8(hex, radix: 16)!))
            default: out.unicodeScalars.append(e)
            }
        }
        return out
    }

    static func answer(_ line: Line, _ number: PhoneNumber) -> String {
        let language = line.language ?? "en"
        switch line.kind {
        case "geo":
            return PhoneNumberGeocoder.description(
                for: number, language: language, script: line.script, region: line.region) ?? ""
        case "carrier":
            return PhoneNumberCarrier.name(for: number, language: language, script: line.script, region: line.region)
                ?? ""
        case "safecarrier":
            return PhoneNumberCarrier.safeDisplayName(
                for: number, language: language, script: line.script, region: line.region) ?? ""
        default:
            return PhoneNumberTimeZones.timeZones(for: number).joined(separator: "&")
        }
    }

    @Test func everyLineAgrees() throws {
        let lines = try Self.load()
        #expect(lines.count > 7000)
        var disagreements: [String] = []
        var metadataDifferences: [String] = []
        var kinds: [String: Int] = [:]
        for line in lines {
            kinds[line.kind, default: 0] += 1
            let number = try PhoneNumber(parsing: line.e164)
            let got = Self.answer(line, number)
            guard got != line.expected else { continue }
            let report = "\(line): expected \"\(line.expected)\", got \"\(got)\""
            // The core's metadata may lag the oracle's (docs/phone-numbers.md): a different type is
            // a metadata difference, not the geocoder's.
            if number.type.rawValue != line.oracleType {
                metadataDifferences.append(report + " (core type \(number.type.rawValue))")
            } else {
                disagreements.append(report)
            }
        }
        print(
            "geo corpus: \(lines.count) lines \(kinds.sorted { $0.key < $1.key }), "
                + "\(disagreements.count) disagreements, \(metadataDifferences.count) metadata-version differences")
        for d in metadataDifferences { print("  metadata: \(d)") }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(40).joined(separator: "\n"))")
        #expect(metadataDifferences.count <= Self.knownMetadataDifferences)
    }

    /// Lines whose number the core types differently from the oracle: none since the core's metadata is
    /// compiled from the pinned package too. A pin moved without regenerating the core shows here.
    static let knownMetadataDifferences = 0
}
