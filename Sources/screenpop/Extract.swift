import ArgumentParser
import PhoneNumbers
import ScreenPopJSON

/// `screenpop extract`: every phone number in each TEXT argument, or else in each line of
/// standard input (docs/cli.md).
struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find the phone numbers in free text.",
        discussion: """
            Texts come from the arguments, or else from standard input, one a line (streamed). \
            Each gives one JSON object: {"input": ..., "numbers": [{"raw", "start", "end", "e164", "extension"}]}, \
            with start and end in Unicode scalars.
            """
    )

    enum Leniency: String, ExpressibleByArgument, CaseIterable {
        case valid, possible
        var value: PhoneNumberLeniency { self == .valid ? .valid : .possible }
    }

    @Option(help: RegionOption.help)
    var region = "ZZ"

    @Option(help: "valid: only valid numbers (the default); possible: every number of a possible length.")
    var leniency: Leniency = .valid

    @Argument(help: "Texts to search. Without any, standard input is read, one a line.")
    var texts: [String] = []

    func validate() throws {
        try RegionOption.validate(region)
    }

    func run() throws {
        var output = OutputBuffer()
        if !texts.isEmpty {
            for text in texts { write(text, to: &output) }
            output.flush()
            return
        }
        var reader = LineReader(fileDescriptor: 0)
        while let line = reader.next(beforeBlocking: { output.flush() }) {
            guard let text = line.text else {
                output.beginObject()
                output.field("input", line.lossyText)
                output.field("numbers") { json in
                    json.beginArray()
                    json.endArray()
                }
                output.field("error", "INVALID_UTF8")
                output.endRecord()
                continue
            }
            write(text, to: &output)
        }
        output.flush()
        if let failure = reader.failure { throw failure }
    }

    /// One text's JSON object.
    private func write(_ text: String, to output: inout OutputBuffer) {
        output.beginObject()
        output.field("input", text)
        output.field("numbers") { json in
            json.beginArray()
            for match in PhoneNumberMatcher(text: text, defaultRegion: region, leniency: leniency.value) {
                json.beginObject()
                json.key("raw")
                json.string(match.rawString)
                json.key("start")
                json.integer(match.range.lowerBound)
                json.key("end")
                json.integer(match.range.upperBound)
                json.key("e164")
                json.string(match.number.e164)
                json.key("extension")
                if let ext = match.number.extension { json.string(ext) } else { json.null() }
                json.endObject()
            }
            json.endArray()
        }
        output.endRecord()
        output.flushIfLarge()
    }
}
