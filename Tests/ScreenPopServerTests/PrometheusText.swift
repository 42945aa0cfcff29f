import Foundation

/// Prometheus' text exposition format (0.0.4), read strictly, for the tests of `GET /metrics`: a
/// scraper would take what this accepts, and anything odd is an error naming the line.
///
/// - Every line is a `# HELP name text` or `# TYPE name type` line, another `#` comment, or a
///   sample `name{label="value",...} value [timestamp]`; the text ends with a line feed.
/// - Every sample belongs to a family that has one `# TYPE` line before its samples (a histogram's
///   `_bucket`, `_sum` and `_count` belong to the histogram), and a family's lines are one group.
/// - Names and label names are valid, label values escape only `\\`, `\"` and `\n`, no label
///   appears twice in a sample, and no series (name and labels) appears twice.
/// - Counters are not negative. Every histogram series has increasing `le` bounds, cumulative
///   counts that never decrease, a `+Inf` bucket equal to its `_count`, and a `_sum`.
struct PrometheusText {
    struct Sample: Hashable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Failure: Error, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { line > 0 ? "line \(line): \(message)" : message }
    }

    /// The type of each family, by its name.
    private(set) var types: [String: String] = [:]
    private(set) var help: [String: String] = [:]
    private(set) var samples: [Sample] = []

    init(parsing text: String) throws {
        guard text.isEmpty || text.hasSuffix("\n") else { throw Failure(line: 0, message: "no line feed at the end") }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast()
        var finished: Set<String> = []
        var current: String?
        var series: Set<String> = []
        func enter(_ family: String, line: Int) throws {
            guard family != current else { return }
            guard !finished.contains(family) else {
                throw Failure(line: line, message: "the lines of \(family) are not one group")
            }
            if let current { finished.insert(current) }
            current = family
        }
        for (offset, line) in lines.enumerated() {
            let number = offset + 1
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let words = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
                guard words.count >= 3, words[0] == "#", words[1] == "HELP" || words[1] == "TYPE" else { continue }
                let name = String(words[2])
                guard Self.isMetricName(name) else { throw Failure(line: number, message: "bad name \(name)") }
                try enter(name, line: number)
                let rest = words.count > 3 ? String(words[3]) : ""
                if words[1] == "TYPE" {
                    guard ["counter", "gauge", "histogram", "summary", "untyped"].contains(rest) else {
                        throw Failure(line: number, message: "bad type \(rest) of \(name)")
                    }
                    guard types[name] == nil else { throw Failure(line: number, message: "a second TYPE of \(name)") }
                    guard !samples.contains(where: { Self.family(of: $0.name, types: types) == name }) else {
                        throw Failure(line: number, message: "the TYPE of \(name) after its samples")
                    }
                    types[name] = rest
                } else {
                    guard help[name] == nil else { throw Failure(line: number, message: "a second HELP of \(name)") }
                    help[name] = rest
                }
                continue
            }
            let sample = try Self.sample(Substring(line), line: number)
            guard let family = Self.family(of: sample.name, types: types) else {
                throw Failure(line: number, message: "no TYPE line for \(sample.name)")
            }
            try enter(family, line: number)
            let key =
                sample.name + "{"
                + sample.labels.sorted { $0.key < $1.key }.map { "\($0)=\($1)" }.joined(separator: ",")
            guard series.insert(key).inserted else { throw Failure(line: number, message: "the series \(key) twice") }
            if types[family] == "counter", !(sample.value >= 0) {
                throw Failure(line: number, message: "the counter \(sample.name) is \(sample.value)")
            }
            samples.append(sample)
        }
        try checkHistograms()
    }

    /// The family a sample's name belongs to: its own, or a histogram's (or summary's) for the
    /// suffixed names; nil when no TYPE line names it.
    static func family(of name: String, types: [String: String]) -> String? {
        if types[name] != nil { return name }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if types[base] == "histogram" || (types[base] == "summary" && suffix != "_bucket") { return base }
        }
        return nil
    }

    private func checkHistograms() throws {
        for (family, type) in types where type == "histogram" {
            var buckets: [[String: String]: [(le: Double, count: Double)]] = [:]
            for sample in samples where sample.name == family + "_bucket" {
                var labels = sample.labels
                guard let text = labels.removeValue(forKey: "le"), let le = Self.number(text) else {
                    throw Failure(line: 0, message: "a bucket of \(family) without a numeric le")
                }
                buckets[labels, default: []].append((le, sample.value))
            }
            guard !buckets.isEmpty else { throw Failure(line: 0, message: "the histogram \(family) has no buckets") }
            for (labels, list) in buckets {
                for (earlier, later) in zip(list, list.dropFirst()) {
                    guard earlier.le < later.le else {
                        throw Failure(line: 0, message: "the buckets of \(family) \(labels) are not in increasing le")
                    }
                    guard earlier.count <= later.count else {
                        throw Failure(line: 0, message: "the buckets of \(family) \(labels) are not cumulative")
                    }
                }
                guard let last = list.last, last.le == .infinity else {
                    throw Failure(line: 0, message: "the histogram \(family) \(labels) has no +Inf bucket")
                }
                guard value(family + "_count", labels) == last.count else {
                    throw Failure(line: 0, message: "the _count of \(family) \(labels) is not its +Inf bucket")
                }
                guard value(family + "_sum", labels) != nil else {
                    throw Failure(line: 0, message: "the histogram \(family) \(labels) has no _sum")
                }
            }
        }
    }

    // MARK: Reading samples

    static func sample(_ line: Substring, line number: Int) throws -> Sample {
        var rest = line[...]
        let name = String(rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") })
        guard isMetricName(name) else { throw Failure(line: number, message: "bad metric name in \(line)") }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let labelName = String(rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
                guard isLabelName(labelName) else { throw Failure(line: number, message: "bad label name in \(line)") }
                rest = rest.dropFirst(labelName.count)
                guard rest.hasPrefix("=\"") else { throw Failure(line: number, message: "no =\" after \(labelName)") }
                rest = rest.dropFirst(2)
                var value = ""
                while true {
                    guard let character = rest.first else {
                        throw Failure(line: number, message: "an unterminated label value in \(line)")
                    }
                    rest = rest.dropFirst()
                    if character == "\"" { break }
                    if character == "\\" {
                        switch rest.first {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw Failure(line: number, message: "a bad escape in \(line)")
                        }
                        rest = rest.dropFirst()
                    } else {
                        value.append(character)
                    }
                }
                guard labels.updateValue(value, forKey: labelName) == nil else {
                    throw Failure(line: number, message: "the label \(labelName) twice in \(line)")
                }
                if rest.first == "," {
                    rest = rest.dropFirst()
                } else if rest.first != "}" {
                    throw Failure(line: number, message: "no , or } after a label in \(line)")
                }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw Failure(line: number, message: "no space before the value in \(line)") }
        let fields = rest.split(separator: " ")
        guard (1...2).contains(fields.count), let value = Self.number(String(fields[0])) else {
            throw Failure(line: number, message: "a bad value in \(line)")
        }
        if fields.count == 2, Int64(fields[1]) == nil {
            throw Failure(line: number, message: "a bad timestamp in \(line)")
        }
        return Sample(name: name, labels: labels, value: value)
    }

    /// A value as Prometheus writes them: a decimal or exponent float, `+Inf`, `-Inf`, `NaN`.
    static func number(_ text: String) -> Double? {
        switch text {
        case "+Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default:
            guard text.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }) else { return nil }
            return Double(text)
        }
    }

    static func isMetricName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" || first == ":" else {
            return false
        }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }

    static func isLabelName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }

    // MARK: Queries

    /// The value of the sample with exactly these labels; nil when there is none.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// The value of the sample with exactly these labels, 0 when there is none (a counter not yet
    /// made has counted nothing).
    func count(_ name: String, _ labels: [String: String] = [:]) -> Double { value(name, labels) ?? 0 }

    /// Every label value of every sample.
    var labelValues: [String] { samples.flatMap { $0.labels.values } }
}
