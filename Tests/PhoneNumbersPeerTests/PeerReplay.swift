import Foundation
import Testing

// One file, two targets (docs/peer-tests.md): PhoneNumbersPeerTests compiles it against the test
// metadata, and PhoneNumbersTests, through a symbolic link, against the real one. The define is
// set by the test target in Package.swift: no library build sees it.
#if PEER_TEST_METADATA
    @testable import PhoneNumbersWithTestMetadata
#else
    @testable import PhoneNumbers
#endif

/// Replays the test suite of PyPI `phonenumbers` (its sdist's `tests/`), recorded as data by
/// `scripts/make-peer-corpus.py`: each call a test made, rebuilt and asked of ScreenPop.
///
/// A case of a function ScreenPop answers passes or differs; a differing case fails the suite
/// unless ``PeerReplay/documentedDifferences`` (docs/peer-tests.md) holds it with its reason.
/// Cases of functions ScreenPop lacks, or of arguments it cannot take, are counted, not failed.
@Suite struct PeerReplayTests {
    @Test func everyCaseAgreesOrIsDocumented() throws {
        let cases = try PeerReplay.load()
        #expect(cases.count > PeerReplay.minimumCases, "the corpus is missing or cut short")
        var tally = PeerReplay.Tally()
        var failures: [String] = []
        var documentedSeen: Set<String> = []
        // PEER_REPLAY_LIST=1 prints the cases of implemented functions that were not run, for the
        // list in docs/peer-tests.md.
        let listing = ProcessInfo.processInfo.environment["PEER_REPLAY_LIST"] == "1"
        for peerCase in cases {
            let outcome = PeerReplay.replay(peerCase)
            tally.add(peerCase.function, outcome)
            if listing, PeerReplay.functions[peerCase.function] != nil, case .notImplemented(let reason) = outcome {
                print("not run\t\(peerCase.test)\t\(reason)\t\(peerCase.key)")
            }
            guard case .differs(let got) = outcome else { continue }
            if PeerReplay.documentedDifferences[peerCase.key] != nil {
                documentedSeen.insert(peerCase.key)
            } else {
                failures.append(
                    "line \(peerCase.line) \(peerCase.test): \(peerCase.key)\n  want \(peerCase.result)\n  got  \(got)")
            }
        }
        print(tally.report(title: PeerReplay.corpusName))
        let shown = failures.prefix(40).joined(separator: "\n")
        #expect(failures.isEmpty, "\(failures.count) cases differ from the peer's answers:\n\(shown)")
        let stale = PeerReplay.documentedDifferences.keys.filter { !documentedSeen.contains($0) }
            .filter { key in cases.contains { $0.key == key } }
        #expect(stale.isEmpty, "documented differences that now agree (remove them from the list and docs): \(stale)")
    }
}

/// A recorded call: the function's name in the peer (Python's), its answer, its arguments.
struct PeerCase {
    let line: Int
    let test: String
    let function: String
    let result: String
    let arguments: [String]

    /// The case's identity in ``PeerReplay/documentedDifferences``: the function and its
    /// arguments as the corpus writes them, tab-separated.
    var key: String { ([function] + arguments).joined(separator: "\t") }
}

enum PeerOutcome: Equatable {
    case passed
    case differs(got: String)
    /// ScreenPop has no such function, or cannot take these arguments; the reason says which.
    case notImplemented(String)
}

enum PeerReplay {
    #if PEER_TEST_METADATA
        static let corpusName = "peer cases, test metadata (PhoneNumbersWithTestMetadata)"
        static let fixturePath = "PhoneNumbersPeerTests/Fixtures/peer-cases.tsv"
        static let minimumCases = 3_000
    #else
        static let corpusName = "peer cases, real metadata (PhoneNumbers)"
        static let fixturePath = "PhoneNumbersTests/Fixtures/peer-cases-real-metadata.tsv"
        static let minimumCases = 6_000
    #endif

    /// Cases of implemented functions where ScreenPop's answer differs, by ``PeerCase/key``, with
    /// the reason; docs/peer-tests.md lists the same cases.
    static let documentedDifferences: [String: String] = [:]

    /// The functions ScreenPop answers, by the peer's name. Wiring a new one is an entry here: take
    /// the arguments (`try number(...)`, `text(...)`...) and return the answer in the corpus's form.
    static let functions: [String: @Sendable (PeerCase) throws -> String] = [
        "parse": { c in
            let (input, region) = (try text(c, 0), try optionalText(c, 1))
            if try flag(c, 2) { throw Unsupported("keep_raw_input: PhoneNumber keeps no raw input") }
            if !(try flag(c, 4)) { throw Unsupported("_check_region=False (internal)") }
            do throws(PhoneNumberParseError) {
                return encode(try PhoneNumber(parsing: input, defaultRegion: region))
            } catch {
                return "E:" + error.code.name
            }
        },
        "is_possible_number": { c in encode(try number(c, 0).isPossible) },
        "is_valid_number": { c in encode(try number(c, 0).isValid) },
        "number_type": { c in "t:" + (try number(c, 0).type.rawValue) },
        "region_code_for_number": { c in (try number(c, 0).regionCode).map { "s:" + $0 } ?? "-" },
        "national_significant_number": { c in "s:" + (try number(c, 0).nationalSignificantNumber) },
        "format_number": { c in
            let format: PhoneNumberFormat
            switch try enumeration(c, 1, "f") {
            case "E164": format = .e164
            case "INTERNATIONAL": format = .international
            case "NATIONAL": format = .national
            case "RFC3966": format = .rfc3966
            case let other: throw Unsupported("format \(other)")
            }
            // libphonenumber writes the raw input of an all-zero number that keeps one, whatever the format.
            if try argument(c, 0).hasPrefix("N:"), try number(c, 0).nationalNumber == 0 {
                throw Unsupported("an all-zero number formatted from its raw input, which PhoneNumber does not keep")
            }
            return "s:" + (try number(c, 0).formatted(format))
        },
        "format_out_of_country_calling_number": { c in
            "s:" + (try number(c, 0).formatted(forCallingFrom: try text(c, 1)))
        },
        "format_national_number_with_carrier_code": { c in
            "s:" + (try number(c, 0).formattedNational(carrierCode: try text(c, 1)))
        },
        "find_numbers": { c in
            let (input, region, leniency) = (try text(c, 0), try optionalText(c, 1), try matcherLeniency(c, 2))
            guard try integer(c, 4) == 1 else { throw Unsupported("min_candidate_length (Python only)") }
            let matcher = PhoneNumberMatcher(
                text: input, defaultRegion: region, leniency: leniency, maxTries: try integer(c, 3))
            let found = matcher.map { "\($0.range.lowerBound),\($0.range.upperBound),\(encode($0.number))" }
            try endsOnEverySuffix(input, region, leniency)
            return "L:" + found.joined(separator: listSeparator)
        },
        "ensure_termination": { c in
            try endsOnEverySuffix(try text(c, 0), try optionalText(c, 1), try matcherLeniency(c, 2))
            return "-"
        },
    ]

    static func replay(_ c: PeerCase) -> PeerOutcome {
        guard let function = functions[c.function] else { return .notImplemented("no such function in ScreenPop") }
        do {
            let got = try function(c)
            return got == c.result ? .passed : .differs(got: got)
        } catch let error as Unsupported {
            return .notImplemented(error.reason)
        } catch {
            return .notImplemented("\(error)")
        }
    }

    // MARK: Arguments

    struct Unsupported: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    static let listSeparator = "\u{1F}"

    static func argument(_ c: PeerCase, _ index: Int) throws(Unsupported) -> String {
        guard index < c.arguments.count else { throw Unsupported("argument \(index) missing") }
        return c.arguments[index]
    }

    static func text(_ c: PeerCase, _ index: Int) throws(Unsupported) -> String {
        let value = try argument(c, index)
        guard value.hasPrefix("s:") else {
            throw Unsupported("a non-string (\(value.prefix(2))) where Swift takes a String")
        }
        return String(value.dropFirst(2))
    }

    static func optionalText(_ c: PeerCase, _ index: Int) throws(Unsupported) -> String? {
        try argument(c, index) == "-" ? nil : try text(c, index)
    }

    static func flag(_ c: PeerCase, _ index: Int) throws(Unsupported) -> Bool {
        switch try argument(c, index) {
        case "b:1": true
        case "b:0": false
        case let other: throw Unsupported("not a flag: \(other)")
        }
    }

    static func integer(_ c: PeerCase, _ index: Int) throws(Unsupported) -> Int {
        let value = try argument(c, index)
        guard value.hasPrefix("i:"), let n = Int(value.dropFirst(2)) else {
            throw Unsupported("not an integer: \(value)")
        }
        return n
    }

    static func enumeration(_ c: PeerCase, _ index: Int, _ kind: String) throws(Unsupported) -> String {
        let value = try argument(c, index)
        guard value.hasPrefix(kind + ":") else { throw Unsupported("not a \(kind) value: \(value)") }
        return String(value.dropFirst(kind.count + 1))
    }

    static func matcherLeniency(_ c: PeerCase, _ index: Int) throws(Unsupported) -> PhoneNumberLeniency {
        switch try enumeration(c, index, "l") {
        case "POSSIBLE": .possible
        case "VALID": .valid
        case let other: throw Unsupported("leniency \(other)")
        }
    }

    /// A number from its fields, `n:cc|national|ext|leading zeros` (`N:` when the peer's number also
    /// held raw input, a country-code source or a carrier code, which these functions do not read).
    static func number(_ c: PeerCase, _ index: Int) throws(Unsupported) -> PhoneNumber {
        let value = try argument(c, index)
        guard value.hasPrefix("n:") || value.hasPrefix("N:") else { throw Unsupported("not a number: \(value)") }
        let fields = value.dropFirst(2).split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false)
        guard fields.count == 4, let cc = Int(fields[0]), let zeros = Int(fields[3]) else {
            throw Unsupported("malformed number \(value)")
        }
        // The peer's leading-zero count is a field a test can set to anything; PhoneNumber has digits.
        guard zeros >= 0 else { throw Unsupported("a negative number_of_leading_zeros") }
        // The parser makes at most 17 digits; withNationalDigits has room for 24.
        guard cc >= 0, cc <= Int(UInt16.max), let national = UInt64(fields[1]), fields[1].count + zeros <= 24
        else { throw Unsupported("a number PhoneNumber cannot hold (\(fields[0]) \(fields[1]), \(zeros) zeros)") }
        return PhoneNumber(
            countryCode: cc, nationalNumber: national, nationalNumberLength: String(national).count + zeros,
            extension: fields[2] == "~" ? nil : String(fields[2]))
    }

    static func encode(_ value: Bool) -> String { value ? "b:1" : "b:0" }

    static func encode(_ number: PhoneNumber) -> String {
        let national = number.nationalSignificantNumber
        let value = UInt64(national) ?? 0
        let zeros = national.count - String(value).count
        return "n:\(number.countryCode)|\(value)|\(number.extension ?? "~")|\(zeros)"
    }

    /// What the peer's `ensureTermination` checks: the matcher ends on every suffix of the text.
    static func endsOnEverySuffix(_ text: String, _ region: String?, _ leniency: PhoneNumberLeniency)
        throws(Unsupported)
    {
        var scalars = Substring(text).unicodeScalars[...]
        while true {
            for _ in PhoneNumberMatcher(text: String(scalars), defaultRegion: region, leniency: leniency) {}
            guard !scalars.isEmpty else { return }
            scalars = scalars.dropFirst()
        }
    }

    // MARK: Loading and counting

    static func load() throws -> [PeerCase] {
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let data = try Data(contentsOf: tests.appendingPathComponent(fixturePath))
        var cases: [PeerCase] = []
        var test = "?"
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
            if line.hasPrefix("#") { continue }
            let columns = try line.split(separator: "\t", omittingEmptySubsequences: false).map {
                try unescape($0, line: index + 1)
            }
            if columns[0] == "@" {
                test = columns[1]
                continue
            }
            try #require(columns.count >= 2, "line \(index + 1): \(columns.count) columns")
            cases.append(
                PeerCase(
                    line: index + 1, test: test, function: columns[0], result: columns[1],
                    arguments: Array(columns[2...])))
        }
        return cases
    }

    /// Undoes scripts/corpus_format.py's escaping (`\\`, `\t`, `\n`, `\r`, `\xHH`).
    static func unescape(_ s: Substring, line: Int) throws -> String {
        guard s.contains("\\") else { return String(s) }
        var out = String.UnicodeScalarView()
        var it = s.unicodeScalars.makeIterator()
        while let c = it.next() {
            guard c == "\\" else {
                out.append(c)
                continue
            }
            switch it.next() {
            case "\\": out.append("\\")
            case "t": out.append("\t")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "x":
                guard let a = it.next(), let b = it.next(),
                    let v = UInt32(String([Character(a), Character(b)]), radix: 16),
                    let scalar = Unicode.Scalar(v)
                else { throw PeerCorpusError(line: line) }
                out.append(scalar)
            default: throw PeerCorpusError(line: line)
            }
        }
        return String(out)
    }

    struct PeerCorpusError: Error, CustomStringConvertible {
        let line: Int
        var description: String { "line \(line): bad escape" }
    }

    /// Passed, differing and not-implemented cases per function, and why cases were not run.
    struct Tally {
        var counts: [String: (passed: Int, differs: Int, notImplemented: Int)] = [:]
        var reasons: [String: Int] = [:]

        mutating func add(_ function: String, _ outcome: PeerOutcome) {
            var entry = counts[function, default: (0, 0, 0)]
            switch outcome {
            case .passed: entry.passed += 1
            case .differs: entry.differs += 1
            case .notImplemented(let reason):
                entry.notImplemented += 1
                reasons["\(function): \(reason)", default: 0] += 1
            }
            counts[function] = entry
        }

        func report(title: String) -> String {
            var lines = ["\(title): function | passed | differing | not implemented"]
            var total = (0, 0, 0)
            for function in counts.keys.sorted() {
                let e = counts[function]!
                lines.append("| \(function) | \(e.passed) | \(e.differs) | \(e.notImplemented) |")
                total = (total.0 + e.passed, total.1 + e.differs, total.2 + e.notImplemented)
            }
            lines.append("| total | \(total.0) | \(total.1) | \(total.2) |")
            for reason in reasons.keys.sorted() where !reason.contains("no such function") {
                lines.append("not run: \(reason) (\(reasons[reason]!))")
            }
            return lines.joined(separator: "\n")
        }
    }
}
