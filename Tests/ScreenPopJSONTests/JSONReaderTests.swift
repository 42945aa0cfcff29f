import ScreenPopJSON
import Testing

/// Reads `text` with `body`, requiring the whole document to be consumed.
func read<T>(_ text: String, maxDepth: Int = 512, _ body: (inout JSONReader) throws(JSONError) -> T) throws(JSONError)
    -> T
{
    try JSONReader.withReader(text, maxDepth: maxDepth) { (r: inout JSONReader) throws(JSONError) -> T in
        let value = try body(&r)
        try r.finish()
        return value
    }
}

func read<T>(bytes: [UInt8], _ body: (inout JSONReader) throws(JSONError) -> T) throws(JSONError) -> T {
    try JSONReader.withReader(bytes) { (r: inout JSONReader) throws(JSONError) -> T in
        let value = try body(&r)
        try r.finish()
        return value
    }
}

/// The error `body` throws on `text`.
func failure<T>(_ text: String, maxDepth: Int = 512, _ body: (inout JSONReader) throws(JSONError) -> T) -> JSONError? {
    do {
        _ = try read(text, maxDepth: maxDepth, body)
        return nil
    } catch {
        return error
    }
}

func failure<T>(bytes: [UInt8], _ body: (inout JSONReader) throws(JSONError) -> T) -> JSONError? {
    do {
        _ = try read(bytes: bytes, body)
        return nil
    } catch {
        return error
    }
}

@Suite struct JSONReaderTests {
    @Test func walksAnAmoCRMPageWithoutATree() throws {
        let page = """
            {"_page": 1, "_links": {"self": {"href": "https://example.amocrm.ru/api/v4/contacts"}},
             "_embedded": {"contacts": [
               {"id": 3, "name": "Иван Петров", "is_deleted": false, "closest_task_at": null,
                "custom_fields_values": [{"field_code": "PHONE", "values": [{"value": "+7 999 888-55-33", "enum_code": "MOB"}]}]},
               {"id": 4, "name": "ООО \\"Ромашка\\"", "custom_fields_values": null}
             ]}}
            """
        struct Row: Equatable {
            var id = 0
            var name = ""
            var phones: [String] = []
        }
        let rows = try read(page) { (r: inout JSONReader) throws(JSONError) -> [Row] in
            var rows: [Row] = []
            try r.beginObject()
            while let key = try r.nextKey() {
                guard key == "_embedded" else {
                    try r.skipValue()
                    continue
                }
                try r.beginObject()
                while let kind = try r.nextKey() {
                    #expect(kind == "contacts")
                    try r.beginArray()
                    while try r.nextElement() {
                        var row = Row()
                        try r.beginObject()
                        while let field = try r.nextKey() {
                            if field == "id" {
                                row.id = try r.readInt()
                            } else if field == "name" {
                                row.name = try r.readString()
                            } else if field == "custom_fields_values" {
                                if try r.readNull() { continue }
                                try r.beginArray()
                                while try r.nextElement() {
                                    try r.beginObject()
                                    while let k = try r.nextKey() {
                                        guard k == "values" else {
                                            try r.skipValue()
                                            continue
                                        }
                                        try r.beginArray()
                                        while try r.nextElement() {
                                            try r.beginObject()
                                            while let v = try r.nextKey() {
                                                if v == "value" {
                                                    row.phones.append(try r.readString())
                                                } else {
                                                    try r.skipValue()
                                                }
                                            }
                                        }
                                    }
                                }
                            } else {
                                try r.skipValue()
                            }
                        }
                        rows.append(row)
                    }
                }
            }
            return rows
        }
        #expect(
            rows == [
                Row(id: 3, name: "Иван Петров", phones: ["+7 999 888-55-33"]), Row(id: 4, name: "ООО \"Ромашка\""),
            ])
    }

    @Test func peekReportsKindsAndOffsets() throws {
        let kinds = try read(#"  [{}, [], "s", -1, true, null]"#) {
            (r: inout JSONReader) throws(JSONError) -> [JSONKind] in
            var kinds: [JSONKind] = []
            try r.beginArray()
            while try r.nextElement() {
                kinds.append(try r.peek())
                try r.skipValue()
            }
            return kinds
        }
        #expect(kinds == [.object, .array, .string, .number, .bool, .null])
        let offset = try read(#"  {"a":   7}"#) { (r: inout JSONReader) throws(JSONError) -> Int in
            try r.beginObject()
            _ = try r.nextKey()
            _ = try r.peek()
            let offset = r.offset
            _ = try r.readInt()
            #expect(r.lastValueOffset == offset)
            _ = try r.nextKey()
            return offset
        }
        #expect(offset == 10)
    }

    @Test func escapedKeysCompareDecoded() throws {
        let matched = try read(#"{"\u0069d": 1, "n\u00e4me": 2}"#) {
            (r: inout JSONReader) throws(JSONError) -> [Bool] in
            var matched: [Bool] = []
            try r.beginObject()
            while let key = try r.nextKey() {
                matched.append(key == "id" || key == "näme")
                #expect(key.isEscaped)
                try r.skipValue()
            }
            return matched
        }
        #expect(matched == [true, true])
    }

    @Test func emptyContainersAndNesting() throws {
        let value = try JSONValue(parsing: #"{"a": {}, "b": [], "c": [[[]], {"d": [{}]}]}"#)
        #expect(value.jsonText == #"{"a":{},"b":[],"c":[[[]],{"d":[{}]}]}"#)
    }

    @Test func readNullOnlyConsumesNull() throws {
        let values = try read("[null, 5]") { (r: inout JSONReader) throws(JSONError) -> [Int?] in
            var values: [Int?] = []
            try r.beginArray()
            while try r.nextElement() { values.append(try r.readIntOrNull()) }
            return values
        }
        #expect(values == [nil, 5])
        let mixed = try read(#"[null, "x", true, null]"#) { (r: inout JSONReader) throws(JSONError) -> [String] in
            try r.beginArray()
            var out: [String] = []
            _ = try r.nextElement()
            out.append(try r.readStringOrNull() ?? "nil")
            _ = try r.nextElement()
            out.append(try r.readStringOrNull() ?? "nil")
            _ = try r.nextElement()
            out.append(String(describing: try r.readBoolOrNull()))
            _ = try r.nextElement()
            out.append(String(describing: try r.readBoolOrNull()))
            _ = try r.nextElement()
            return out
        }
        #expect(mixed == ["nil", "x", "Optional(true)", "nil"])
    }

    @Test func skipRestOfContainerLeavesEarly() throws {
        let first = try read(#"{"a": 1, "b": [1, 2, {"c": "d"}], "e": null}"#) {
            (r: inout JSONReader) throws(JSONError) -> Int in
            try r.beginObject()
            _ = try r.nextKey()
            let a = try r.readInt()
            try r.skipRestOfContainer(isObject: true)
            return a
        }
        #expect(first == 1)
    }

    @Test func withStringBytesSeesDecodedBytes() throws {
        let counts = try read(#"["abc", "a\nb"]"#) { (r: inout JSONReader) throws(JSONError) -> [Int] in
            try r.beginArray()
            var counts: [Int] = []
            while try r.nextElement() { counts.append(try r.withStringBytes { $0.count }) }
            return counts
        }
        #expect(counts == [3, 3])
    }
}
