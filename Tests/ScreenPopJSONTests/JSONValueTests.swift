import ScreenPopJSON
import Testing

@Suite struct JSONValueTests {
    @Test func parsesATree() throws {
        let value = try JSONValue(
            parsing: #"{"phone_number": "+79998885533", "ids": [1, 2.5, -3e2], "ok": true, "none": null}"#)
        #expect(value["phone_number"]?.stringValue == "+79998885533")
        #expect(value["ids"]?[0] == .integer(1))
        #expect(value["ids"]?[1] == .double(2.5))
        #expect(value["ids"]?[2]?.intValue == -300)
        #expect(value["ok"]?.boolValue == true)
        #expect(value["none"]?.isNull == true)
        #expect(value["missing"] == nil)
        #expect(value.kind == .object)
    }

    @Test func bigIntegersBecomeDoubles() throws {
        let value = try JSONValue(
            parsing: "[123456789012345678, 9223372036854775807, 9223372036854775808, -9223372036854775808]")
        #expect(value[0] == .integer(123_456_789_012_345_678))
        #expect(value[1] == .integer(.max))
        #expect(value[2] == .double(9_223_372_036_854_775_808))
        #expect(value[3] == .integer(.min))
    }

    @Test func duplicateKeysAreKeptInOrderAndTheLastWins() throws {
        let value = try JSONValue(parsing: #"{"a": 1, "a": 2}"#)
        guard case .object(let object) = value else { Issue.record("not an object"); return }
        #expect(object.map(\.key) == ["a", "a"])
        #expect(value["a"] == .integer(2))
    }

    @Test(arguments: [
        #"{"a":[1,2,{"b":null}],"c":"Иван \"😀\"","d":-0.5,"e":true}"#,
        #"[]"#, #"{}"#, #""\u0000\u001f\\\"\n\r\t\u007f""#, "1e+300",
    ])
    func roundTrips(text: String) throws {
        let value = try JSONValue(parsing: text)
        #expect(try JSONValue(parsing: value.jsonText) == value)
    }

    @Test func writerEscapesAndSeparates() {
        var writer = JSONWriter(separators: .spaced)
        writer.beginObject()
        writer.key("phone_number")
        writer.string("tel:\"+7\u{1}\\")
        writer.key("element_id")
        writer.integer(42)
        writer.key("entity")
        writer.null()
        writer.key("candidates")
        writer.beginArray()
        for id in [1, 2] {
            writer.beginObject()
            writer.key("type")
            writer.integer(1)
            writer.key("id")
            writer.integer(id)
            writer.endObject()
        }
        writer.endArray()
        writer.key("x")
        writer.double(.infinity)
        writer.key("y")
        writer.double(0.1)
        writer.key("z")
        writer.bool(false)
        writer.endObject()
        #expect(
            writer.text
                == #"{"phone_number": "tel:\"+7\u0001\\", "element_id": 42, "entity": null, "candidates": [{"type": 1, "id": 1}, {"type": 1, "id": 2}], "x": null, "y": 0.1, "z": false}"#
        )
        #expect(JSONWriter.quoted("a\u{7F}\tb") == #""a\u007f\tb""#)
        #expect(JSONValue.object(["k": .array([.integer(1), .string("v")])]).jsonText == #"{"k":[1,"v"]}"#)
    }

    /// JSON Lines: after `newline()` the next value is a new document, without a comma.
    @Test func writerWritesJSONLines() {
        var writer = JSONWriter(separators: .spaced)
        for id in [1, 2] {
            writer.beginObject()
            writer.key("id")
            writer.integer(id)
            writer.endObject()
            writer.newline()
        }
        #expect(writer.text == "{\"id\": 1}\n{\"id\": 2}\n")
    }
}
