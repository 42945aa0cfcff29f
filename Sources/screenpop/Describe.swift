import ArgumentParser
import PhoneNumberCarriers
import PhoneNumberGeocoding
import PhoneNumberTimeZones
import PhoneNumbers

/// `screenpop describe`: where numbers are from, one JSON object a line (docs/cli.md).
struct Describe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Say where phone numbers are from: place, carrier, time zones, short and emergency numbers.",
        discussion: """
            Numbers come from the arguments, or else from standard input, one a line (streamed). \
            Each gives one JSON object a line: input, e164, error, location, carrier, time_zones, \
            short_number, emergency, as libphonenumber's geocoder, carrier and time-zone mappers and \
            ShortNumberInfo answer.
            """
    )

    @OptionGroup var inputs: NumberInputOptions

    @Option(name: .customLong("lang"), help: "The language of places and carriers (en, ru, de, zh_Hant...).")
    var language = "en"

    func run() throws {
        var output = OutputBuffer()
        try forEachNumberInput(inputs, output: &output) { input, region, output in
            write(input: input, region: region, to: &output)
        } lineError: { input, error, output in
            writeError(input: input, error: error, to: &output)
        }
    }

    private func write(input: String, region: String, to output: inout OutputBuffer) {
        do throws(PhoneNumberParseError) {
            let number = try PhoneNumber(parsing: input, defaultRegion: region)
            output.beginObject()
            output.field("input", input)
            output.field("e164", number.e164)
            output.null("error")
            output.field("location", PhoneNumberGeocoder.description(for: number, language: language))
            output.field("carrier", PhoneNumberCarrier.name(for: number, language: language))
            output.field("time_zones") { json in
                json.beginArray()
                for zone in PhoneNumberTimeZones.timeZones(for: number) { json.string(zone) }
                json.endArray()
            }
            output.field("short_number", ShortNumbers.isValidShortNumber(number))
            output.field("emergency", ShortNumbers.isEmergencyNumber(input, region: region))
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
        output.null("location")
        output.null("carrier")
        output.null("time_zones")
        output.field("short_number", false)
        output.field("emergency", false)
        output.endRecord()
        output.flushIfLarge()
    }
}
