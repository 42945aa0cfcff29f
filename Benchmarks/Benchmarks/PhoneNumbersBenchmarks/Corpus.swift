import Foundation
import PhoneNumbers

/// The inputs of the benchmarks, built once when the benchmarks are registered, outside any
/// measurement.
struct Corpus: Sendable {
    struct Input: Sendable {
        let region: String
        let text: String
    }

    /// Every line of the golden corpus (docs/golden-corpus.md), failures included, in a fixed
    /// shuffled order: the corpus is grouped by region, and a real stream of numbers is not.
    let all: [Input]
    /// The inputs of `all` that are all ASCII, at most 32 characters, and parse to a number
    /// without an extension.
    let asciiShort: [Input]
    /// The numbers of the inputs of `all` that parse.
    let parsed: [PhoneNumber]

    /// The golden corpus, located from this file: `Benchmarks/Benchmarks/<Target>/` is three levels
    /// below the root of the repository.
    static let golden: Corpus = {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let url = root.appendingPathComponent("Tests/PhoneNumbersTests/Fixtures/parse-corpus.tsv")
        do {
            return try Corpus(tsv: String(decoding: Data(contentsOf: url), as: UTF8.self))
        } catch {
            fatalError("cannot load \(url.path): \(error)")
        }
    }()

    /// Realistic inputs of a Russian CRM, parsed with region RU.
    static let russianCRM: [Input] = [
        "8 (999) 888-55-33",
        "+7 (495) 123-45-67 доб 4567",
        "8 10 49 30 1234567",
        "8-800-CALL-NOW",
        "＋７ ９９９ ８８８ ５５ ３３",
        "+79998885533",
        "89998885533",
        "9998885533",
        "+7 999 888-55-33",
        "8(495)123-45-67",
        "8 495 123 45 67",
        "+7 (812) 555-12-34 доб. 12",
        "8 (800) 555-35-35",
        "7 999 888 55 33",
        "8 10 7 727 258 1234",
        "+7 727 258 1234",
        "тел. 8 (999) 888-55-33",
        "8-495-123-45-67 ext. 89",
        "+44 20 7946 0958",
        "810 380 44 123 4567",
    ].map { Input(region: "RU", text: $0) }

    /// CRM phone fields of about 100 characters with two numbers each, as people type them.
    static let hundredCharacterFields: [String] = [
        "Звонить после 18:00 на 8 916 123-45-67 или 8 (495) 123-45-67 доб. 12, спросить Ивана Петровича",
        "Office: +7 (495) 123-45-67, mobile +7 999 888 55 33 (Ivan), call after 6pm please, thanks a lot!!",
        "Контакт: Иванов Иван, тел. 8 999 888 55 33, раб. +7 495 123 45 67; email ivan@example.com ok",
        "моб. +7 (926) 555-12-34 / раб. 8 (812) 333-22-11 — секретарь Анна, спрашивать отдел закупок",
        "Директор: 89161234567, бухгалтерия: 8-495-765-43-21 (с 10 до 18, кроме пятницы), Ольга Сергеевна",
        "WhatsApp 79998885533@c.us, резервный +7 903 111-22-33; заказ №48151623 от 12.03.2024 оплачен",
        "Клиент просил перезвонить на +7 (985) 700-00-01 или на домашний 8 (495) 600-12-34 вечером",
        "Tel. +44 20 7946 0958 (London office), +7 495 987 65 43 (Moscow office), ask for Mr. Smith",
    ]

    init(tsv: String) throws {
        // Split on the bytes, not on Characters: a TAB followed by a combining mark is one Character.
        var lines: [(region: Substring, input: Substring)] = []
        for line in tsv.utf8.split(separator: UInt8(ascii: "\n")) where line.first != UInt8(ascii: "#") {
            let columns = line.split(separator: UInt8(ascii: "\t"), maxSplits: 2, omittingEmptySubsequences: false)
            guard columns.count == 3 else { throw CorpusError("expected TAB-separated columns: \(Substring(line))") }
            lines.append((Substring(columns[0]), Substring(columns[1])))
        }
        // Shuffle before the strings are made, so that their heap storage lies in the order in
        // which the benchmark reads them.
        var random = SplitMix64(seed: 0x5C2E_E2F0_9B0B_1E55)
        lines.shuffle(using: &random)
        var all: [Input] = []
        all.reserveCapacity(lines.count)
        for (region, input) in lines {
            all.append(Input(region: String(region), text: try Self.unescape(input)))
        }
        self.all = all

        var asciiShort: [Input] = []
        var parsed: [PhoneNumber] = []
        for input in all {
            guard let number = try? PhoneNumber(parsing: input.text, defaultRegion: input.region) else { continue }
            parsed.append(number)
            if number.extension == nil && input.text.utf8.count <= 32 && input.text.utf8.allSatisfy({ $0 < 0x80 }) {
                asciiShort.append(input)
            }
        }
        self.asciiShort = asciiShort
        self.parsed = parsed
    }

    struct CorpusError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// Undoes the corpus escapes: `\\`, `\t`, `\n`, `\r`, `\xHH`.
    static func unescape(_ text: Substring) throws -> String {
        var out = String.UnicodeScalarView()
        var it = text.unicodeScalars.makeIterator()
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
                guard let h = it.next(), let l = it.next(),
                    let v = UInt8(String([Character(h), Character(l)]), radix: 16)
                else { throw CorpusError("bad \\x escape in \(text)") }
                out.append(Unicode.Scalar(v))
            default: throw CorpusError("bad escape in \(text)")
            }
        }
        return String(out)
    }
}

/// A small seeded generator (SplitMix64), so that the shuffled order is the same in every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
