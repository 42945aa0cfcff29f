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
            // The line is written from literal parts and formatted bytes, without a string per
            // member: the same text as the JSON writer's members, at a fraction of the cost
            // (docs/performance.md, "screenpop normalize").
            let classification = number.classification
            output.literal(#"{"input": "#)
            output.quoted(input)
            output.literal(#", "e164": "#)
            number.withFormatted(.e164) { output.quoted(utf8: $0) }
            output.literal(#", "error": null, "valid": "#)
            if classification.isValid { output.literal("true") } else { output.literal("false") }
            output.literal(#", "type": "#)
            output.quoted(classification.type.rawValue)
            output.literal(#", "region": "#)
            output.quoted(classification.regionCode)
            output.literal(#", "extension": "#)
            output.quoted(number.extension)
            number.withFormattedForPeople { national, international, rfc3966 in
                output.literal(#", "national": "#)
                output.quoted(utf8: national)
                output.literal(#", "international": "#)
                output.quoted(utf8: international)
                output.literal(#", "rfc3966": "#)
                output.quoted(utf8: rfc3966)
            }
            output.literal("}\n")
        } catch {
            writeError(input: input, error: error.code.name, to: &output)
        }
        output.flushIfLarge()
    }

    private func writeError(input: String, error: String, to output: inout OutputBuffer) {
        output.literal(#"{"input": "#)
        output.quoted(input)
        output.literal(#", "e164": null, "error": "#)
        output.quoted(error)
        output.literal(
            #", "valid": null, "type": null, "region": null, "extension": null, "national": null, "international": null, "rfc3966": null}\#n"#
        )
        output.flushIfLarge()
    }
}
