import FuzzSupport
import ScreenPopJSON

/// ScreenPopJSON's reader (`JSONValue(parsing:)`, which walks the whole document with the pull
/// reader) on any bytes, against ``SimpleJSON``: both accept or both refuse; on accepted documents
/// the values are equal (an integer without fraction or exponent that fits `Int64` as that integer,
/// any other number as the correctly rounded `Double` of its text, bit for bit; strings byte for
/// byte; members in order, duplicates included); the compact text the writer makes of the value
/// reads back equal. A refusal names a byte offset inside the input, and a line and column.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    let maxDepth = JSONReader.defaultMaxDepth
    let simple = SimpleJSON.parse(bytes, maxDepth: maxDepth)
    do {
        let value = try JSONValue(parsing: bytes, maxDepth: maxDepth)
        guard let simple else {
            require(false, "the reader accepts what RFC 8259 refuses: \(value.jsonText.prefix(200))")
            return 0
        }
        require(same(value, simple), "the reader reads \(value.jsonText.prefix(200)) differently")
        let text = value.jsonText
        do {
            let again = try JSONValue(parsing: text, maxDepth: maxDepth)
            require(identical(again, value), "\(text.prefix(200)) reads back as \(again.jsonText.prefix(200))")
        } catch {
            require(false, "the writer's \(text.prefix(200)) does not read back: \(error)")
        }
    } catch {
        require(simple == nil, "the reader refuses a valid document: \(error)")
        require(
            error.offset >= 0 && error.offset <= bytes.count,
            "offset \(error.offset) outside \(bytes.count) bytes: \(error)")
        require(error.line >= 1 && error.column >= 1, "no line and column: \(error)")
    }
    return 0
}

/// Whether the reader's value is the plain reading's.
func same(_ value: JSONValue, _ simple: SimpleJSON) -> Bool {
    switch (value, simple) {
    case (.null, .null): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.integer(let a), .number(let text)):
        return isInteger(text) && Int64(String(decoding: text, as: UTF8.self)) == a
    case (.double(let a), .number(let text)):
        let string = String(decoding: text, as: UTF8.self)
        if isInteger(text) && Int64(string) != nil { return false }
        return Double(string)?.bitPattern == a.bitPattern
    case (.string(let a), .string(let b)): return Array(a.utf8) == b
    case (.array(let a), .array(let b)):
        return a.count == b.count && zip(a, b).allSatisfy { same($0, $1) }
    case (.object(let a), .object(let b)):
        return a.count == b.count
            && zip(a, b).allSatisfy { Array($0.key.utf8) == $1.key && same($0.value, $1.value) }
    default: return false
    }
}

/// Equality with doubles bit for bit and strings byte for byte (`==` of `String` and `Double` is looser).
func identical(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.double(let x), .double(let y)): return x.bitPattern == y.bitPattern
    case (.string(let x), .string(let y)): return Array(x.utf8) == Array(y.utf8)
    case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { identical($0, $1) }
    case (.object(let x), .object(let y)):
        return x.count == y.count
            && zip(x, y).allSatisfy { Array($0.key.utf8) == Array($1.key.utf8) && identical($0.value, $1.value) }
    default: return a == b
    }
}

func isInteger(_ text: [UInt8]) -> Bool {
    !text.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
}
