import PhoneNumbers

/// One corpus line: the default region and the unescaped input.
struct CorpusInput {
    let region: String
    let text: String
}

/// The data lines of a corpus file in the golden corpus's format (docs/golden-corpus.md), in file order.
func loadCorpus(_ path: String) -> [CorpusInput] {
    var inputs: [CorpusInput] = []
    for line in readLines(path) where !line.hasPrefix("#") && !line.isEmpty {
        let columns = line.utf8.split(separator: UInt8(ascii: "\t"), maxSplits: 2, omittingEmptySubsequences: false)
        guard columns.count >= 2 else { fail("bad corpus line: \(line)") }
        inputs.append(CorpusInput(region: String(Substring(columns[0])), text: unescape(Substring(columns[1]))))
    }
    return inputs
}

/// Undoes the corpus escapes: `\\`, `\t`, `\n`, `\r`, `\xHH`.
func unescape(_ text: Substring) -> String {
    guard text.utf8.contains(UInt8(ascii: "\\")) else { return String(text) }
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
            guard let h = it.next(), let l = it.next(), let v = UInt8(String([Character(h), Character(l)]), radix: 16)
            else { fail("bad \\x escape in \(text)") }
            out.append(Unicode.Scalar(v))
        default: fail("bad escape in \(text)")
        }
    }
    return String(out)
}

@inline(__always)
func parseToE164(_ input: CorpusInput) -> String? {
    guard let number = try? PhoneNumber(parsing: input.text, defaultRegion: input.region) else { return nil }
    return number.e164
}

/// `parse <corpus.tsv> <results.txt> [repeats] [formats.txt]`: parse and E.164 of every line. Writes one
/// line per input (the E.164 form or `ERROR`) and prints the timings as one JSON line. The per-number
/// figure is the median over the inputs of each input's mean over `repeats` parses, as in the C++ and
/// Python peers. With `formats.txt`, also formats every number that parsed (see `formatNumbers`).
func runParse(_ args: [String]) {
    guard args.count >= 2 else { fail("usage: parse <corpus.tsv> <results.txt> [repeats] [formats.txt]") }
    let repeats = args.count > 2 ? Int(args[2]) ?? 5 : 5
    let inputs = loadCorpus(args[0])
    guard !inputs.isEmpty else { fail("no inputs in \(args[0])") }

    // Start-up: the first parse of the process decodes the metadata.
    let t0 = nowNs()
    blackHole(parseToE164(inputs[0]))
    let firstParseNs = nowNs() - t0

    // A pass that writes the results (and warms up).
    let out = OutputFile(args[1])
    for input in inputs { out.line(parseToE164(input) ?? "ERROR") }
    out.close()

    // A pass timed as a whole: the mean.
    let p0 = nowNs()
    for input in inputs { blackHole(parseToE164(input)) }
    let passNs = nowNs() - p0

    // Each input timed over `repeats` parses: the median.
    var perInput: [UInt64] = []
    perInput.reserveCapacity(inputs.count)
    for input in inputs {
        let s = nowNs()
        for _ in 0..<repeats { blackHole(parseToE164(input)) }
        perInput.append((nowNs() - s) / UInt64(repeats))
    }
    perInput.sort()

    var json = JSONLine()
    json.add("peer", "screenpop")
    json.add("count", inputs.count)
    json.add("repeats", repeats)
    json.add("median_ns", percentile(perInput, 0.5))
    json.add("p99_ns", percentile(perInput, 0.99))
    json.add("mean_ns", Double(passNs) / Double(inputs.count))
    json.add("total_ms", Double(passNs) / 1e6)
    json.add("startup_ms", Double(firstParseNs) / 1e6)
    if args.count > 3 { formatNumbers(inputs, to: args[3], repeats: repeats, into: &json) }
    json.add("peak_rss_kib", peakRSSKiB())
    json.print()
}

/// The formats every peer writes, in the order of the lines of `formats.txt` and of the JSON keys.
let comparedFormats: [(key: String, format: PhoneNumberFormat)] = [
    ("national", .national), ("international", .international), ("rfc3966", .rfc3966),
]

/// Formats every number that parsed NATIONAL, INTERNATIONAL and RFC3966. Writes one line per input
/// (the three TAB-separated, or `ERROR`) and adds, per format, the median over the numbers of each
/// number's mean over `repeats` formats and the mean of a pass timed as a whole. Parsing is not timed.
func formatNumbers(_ inputs: [CorpusInput], to path: String, repeats: Int, into json: inout JSONLine) {
    let out = OutputFile(path)
    var numbers: [PhoneNumber] = []
    for input in inputs {
        guard let number = try? PhoneNumber(parsing: input.text, defaultRegion: input.region) else {
            out.line("ERROR")
            continue
        }
        numbers.append(number)
        out.line(comparedFormats.map { number.formatted($0.format) }.joined(separator: "\t"))
    }
    out.close()
    json.add("formatted_count", numbers.count)
    for (key, format) in comparedFormats {
        let p0 = nowNs()
        for number in numbers { blackHole(number.formatted(format)) }
        let passNs = nowNs() - p0
        var perNumber: [UInt64] = []
        perNumber.reserveCapacity(numbers.count)
        for number in numbers {
            let s = nowNs()
            for _ in 0..<repeats { blackHole(number.formatted(format)) }
            perNumber.append((nowNs() - s) / UInt64(repeats))
        }
        perNumber.sort()
        json.add("format_\(key)_median_ns", percentile(perNumber, 0.5))
        json.add("format_\(key)_mean_ns", Double(passNs) / Double(numbers.count))
    }
}
