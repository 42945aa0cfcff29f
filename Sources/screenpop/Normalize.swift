import ArgumentParser
import PhoneNumbers

/// `screenpop normalize`: phone numbers in, one JSON object a line out (docs/cli.md).
struct Normalize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parse phone numbers written in any format to E.164.",
        discussion: """
            Numbers come from the arguments, or else from standard input, one a line (streamed). \
            Each gives one JSON object a line: input, e164, error, valid, type, region, extension, \
            national, international, rfc3966.
            """
    )

    @OptionGroup var inputs: NumberInputOptions

    func run() throws {
        var output = OutputBuffer()
        try forEachNumberInput(inputs, output: &output) { input, region, output in
            writeResult(input: input, region: region, to: &output)
        } lineError: { input, error, output in
            writeError(input: input, error: error, to: &output)
        }
    }

    private func writeResult(input: String, region: String, to output: inout OutputBuffer) {
        do throws(PhoneNumberParseError) {
            let number = try PhoneNumber(parsing: input, defaultRegion: region)
            output.beginObject()
            output.field("input", input)
            output.field("e164", number.e164)
            output.null("error")
            output.field("valid", number.isValid)
            output.field("type", number.type.rawValue)
            output.field("region", number.regionCode)
            output.field("extension", number.extension)
            output.field("national", number.formatted(.national))
            output.field("international", number.formatted(.international))
            output.field("rfc3966", number.formatted(.rfc3966))
            output.endRecord()
        } catch {
            writeError(input: input, error: error.code.name, to: &output)
        }
        output.flushIfLarge()
    }

    private func writeError(input: String, error: String, to output: inout OutputBuffer) {
        output.beginObject()
        output.field("input", input)
        output.null("e164")
        output.field("error", error)
        output.null("valid")
        output.null("type")
        output.null("region")
        output.null("extension")
        output.null("national")
        output.null("international")
        output.null("rfc3966")
        output.endRecord()
        output.flushIfLarge()
    }
}
