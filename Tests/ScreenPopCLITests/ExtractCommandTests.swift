import Foundation
import Testing

/// The `screenpop extract` contract, checked on the real executable.
@Suite struct ExtractCommandTests {
    @Test func specExamplesGiveTheirNumbersWithScalarOffsets() throws {
        let input = """
            +7(495)1234567 (офис)
            +7 999 888 55 33, +7 999 111 22 33
            8 999 888 55 33 / 8 495 123 45 67
            +7-999-888-55-33 Иван
            79998885533@c.us
            sip:+79998885533@pbx.example.com
            Звонить после 18:00 на 8 916 123-45-67 или 8 (495) 123-45-67 доб. 12

            """
        let result = try CLI.run(["extract", "--region", "RU"], input: Data(input.utf8))
        #expect(result.status == 0)
        let numbers = result.objects.map { ($0["numbers"] as? [[String: Any]] ?? []).map { $0["e164"] as? String } }
        #expect(
            numbers == [
                ["+74951234567"], ["+79998885533", "+79991112233"], ["+79998885533", "+74951234567"],
                ["+79998885533"], ["+79998885533"], ["+79998885533"], ["+79161234567", "+74951234567"],
            ])
        #expect(
            result.lines.last
                == #"{"input": "Звонить после 18:00 на 8 916 123-45-67 или 8 (495) 123-45-67 доб. 12", "numbers": [{"raw": "8 916 123-45-67", "start": 23, "end": 38, "e164": "+79161234567", "extension": null}, {"raw": "8 (495) 123-45-67 доб. 12", "start": 43, "end": 68, "e164": "+74951234567", "extension": "12"}]}"#
        )
    }

    @Test func offsetsCountUnicodeScalarsNotUTF16() throws {
        let objects = try CLI.run(["extract", "--region", "RU"], input: Data("😀😀 8 916 123-45-67\n".utf8)).objects
        let match = try #require((objects.first?["numbers"] as? [[String: Any]])?.first)
        #expect(match["start"] as? Int == 3)
        #expect(match["end"] as? Int == 18)
    }

    @Test func leniencyPossibleAlsoFindsNumbersThatAreNotValid() throws {
        let input = Data("позвонить 123-45-67\n".utf8)
        let valid = try CLI.run(["extract", "--region", "RU"], input: input).objects
        let possible = try CLI.run(["extract", "--region", "RU", "--leniency", "possible"], input: input).objects
        #expect((valid.first?["numbers"] as? [Any])?.isEmpty == true)
        #expect(((possible.first?["numbers"] as? [[String: Any]])?.first?["e164"] as? String) == "+71234567")
    }

    /// Texts as arguments, as `normalize` and `resolve` take numbers: one object each, standard input not read.
    @Test func argumentsAreTextsToSearch() throws {
        let result = try CLI.run(
            ["extract", "--region", "RU", "звонить на 8 916 123-45-67", "нет номера"],
            input: Data("+7 999 888 55 33\n".utf8))
        #expect(result.status == 0)
        #expect(result.objects.map { $0["input"] as? String } == ["звонить на 8 916 123-45-67", "нет номера"])
        let numbers = result.objects.map { ($0["numbers"] as? [[String: Any]] ?? []).map { $0["e164"] as? String } }
        #expect(numbers == [["+79161234567"], []])
        #expect(
            result.lines.first
                == #"{"input": "звонить на 8 916 123-45-67", "numbers": [{"raw": "8 916 123-45-67", "start": 11, "end": 26, "e164": "+79161234567", "extension": null}]}"#
        )
    }

    @Test func invalidUTF8LinesAreReportedAndTheStreamGoesOn() throws {
        var input = Data([0xC3, 0x28, 0x0A])
        input.append(Data("+44 20 7031 3000\n".utf8))
        let objects = try CLI.run(["extract"], input: input).objects
        #expect(objects.count == 2)
        #expect(objects[0]["error"] as? String == "INVALID_UTF8")
        #expect(objects[1]["error"] == nil)
        #expect(((objects[1]["numbers"] as? [[String: Any]])?.first?["e164"] as? String) == "+442070313000")
    }
}
