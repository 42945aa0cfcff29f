import ArgumentParser
import PhoneNumbers

/// `screenpop extract`: every phone number in each line of standard input (docs/cli.md).
struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find the phone numbers in free text, one field a line on standard input.",
        discussion: """
            Each line gives one JSON object: {"input": ..., "numbers": [{"raw", "start", "end", "e164", "extension"}]}, \
            with start and end in Unicode scalars.
            """
    )

    enum Leniency: String, ExpressibleByArgument, CaseIterable {
        case valid, possible
        var value: PhoneNumberLeniency { self == .valid ? .valid : .possible }
    }

    @Option(help: "The default region (ISO 3166 code) for numbers written without a country code; ZZ for none.")
    var region = "ZZ"

    @Option(help: "valid: only valid numbers (the default); possible: every number of a possible length.")
    var leniency: Leniency = .valid

    func run() throws {
        var output = OutputBuffer()
        var reader = LineReader(fileDescriptor: 0)
        while let line = reader.next(beforeBlocking: { output.flush() }) {
            output.beginObject()
            guard let text = line.text else {
                output.field("input", line.lossyText)
                output.key("numbers")
                output.bytes.append(contentsOf: "[]".utf8)
                output.field("error", "INVALID_UTF8")
                output.endObject()
                continue
            }
            output.field("input", text)
            output.key("numbers")
            output.bytes.append(UInt8(ascii: "["))
            var first = true
            for match in PhoneNumberMatcher(text: text, defaultRegion: region, leniency: leniency.value) {
                if !first { output.bytes.append(contentsOf: ", ".utf8) }
                first = false
                output.beginObject()
                output.field("raw", match.rawString)
                output.field("start", match.range.lowerBound)
                output.field("end", match.range.upperBound)
                output.field("e164", match.number.e164)
                output.field("extension", match.number.extension)
                output.bytes.append(UInt8(ascii: "}"))
            }
            output.bytes.append(UInt8(ascii: "]"))
            output.endObject()
            output.flushIfLarge()
        }
        output.flush()
        if let failure = reader.failure { throw failure }
    }
}
