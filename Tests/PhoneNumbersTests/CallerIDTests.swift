import PhoneNumbers
import Testing

/// The caller-ID rules of docs/caller-id.md, one case a shape that telephony integrations send.
@Suite struct CallerIDTests {
    @Test(arguments: [
        ("+79998885533", "+79998885533", CallerID.Reading.parsed),
        ("89998885533", "+79998885533", .parsed),
        ("9998885533", "+79998885533", .parsed),
        ("79998885533", "+79998885533", .parsed),
        ("8 (999) 888-55-33", "+79998885533", .parsed),
        ("sip:+79998885533@pbx.example.com", "+79998885533", .parsed),
        ("sips:89998885533@10.0.0.1:5061;transport=tls", "+79998885533", .parsed),
        ("\"Иван\" <sip:89998885533;user=phone@pbx.example.com>", "+79998885533", .parsed),
        ("tel:+7-999-888-55-33", "+79998885533", .parsed),
        ("79998885533@c.us", "+79998885533", .parsed),
        ("79998885533@s.whatsapp.net", "+79998885533", .parsed),
        ("  +7 999 888 55 33  ", "+79998885533", .parsed),
        ("Иван +7 999 888 55 33", "+79998885533", .parsed),
        // 13 digits are too long for Russia, and +49 151 ... is a German mobile.
        ("4915112345678", "+4915112345678", .internationalWithoutPlus),
        ("16502530000", "+16502530000", .internationalWithoutPlus),
        // A national reading that is valid wins: 493 is Ivanovo's area code.
        ("4930123456", "+74930123456", .parsed),
        ("+7 999 888 55 33 Иван", "+79998885533", .foundInText),
        ("звонок от 8 916 123-45-67 (моб.)", "+79161234567", .foundInText),
        ("+7 999 888", "+7999888", .parsedButInvalid),
    ])
    func callerNumbersAreReadAsDocumented(input: String, e164: String, reading: CallerID.Reading) throws {
        let resolution = try CallerID.lookupNumber(input, defaultRegion: "RU")
        #expect(resolution.number.e164 == e164)
        #expect(resolution.reading == reading)
    }

    @Test func internationalPrefixOfTheRegionIsNotTakenForDigitsWithoutPlus() throws {
        // 810 is Russia's international prefix: "810 49 30 1234567" is a German number dialled from Russia.
        let resolution = try CallerID.lookupNumber("8104930123456", defaultRegion: "RU")
        #expect(resolution.number.e164 == "+4930123456")
    }

    @Test func emptyAndNumberlessTextsAreErrors() {
        #expect(throws: CallerID.Error.self) { try CallerID.lookupNumber("   ", defaultRegion: "RU") }
        do {
            _ = try CallerID.lookupNumber("anonymous", defaultRegion: "RU")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .noNumber)
            #expect(error.parseError == .notANumber)
        }
        do {
            _ = try CallerID.lookupNumber("", defaultRegion: "RU")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .empty)
        }
    }

    @Test func withoutARegionOnlyInternationalNumbersAreRead() throws {
        #expect(try CallerID.lookupNumber("+79998885533", defaultRegion: nil).number.e164 == "+79998885533")
        #expect(try CallerID.lookupNumber("79998885533", defaultRegion: nil).reading == .internationalWithoutPlus)
    }
}
