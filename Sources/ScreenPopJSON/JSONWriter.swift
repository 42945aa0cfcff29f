/// Writes JSON text into a byte buffer: string escaping, numbers, and objects and arrays with
/// their commas.
///
/// ```swift
/// var writer = JSONWriter(separators: .spaced)
/// writer.beginObject()
/// writer.key("phone_number"); writer.string("8 999 888-55-33")
/// writer.key("element_id"); writer.integer(42)
/// writer.key("entity"); writer.null()
/// writer.endObject()
/// writer.text   // {"phone_number": "8 999 888-55-33", "element_id": 42, "entity": null}
/// ```
///
/// The writer trusts its caller to call things in a sensible order (a key before each member's
/// value); it does not check the structure.
public struct JSONWriter {
    /// How members and elements are separated.
    public enum Separators: Sendable {
        /// `{"a":1,"b":[1,2]}`
        case compact
        /// `{"a": 1, "b": [1, 2]}`, one line: the style of the `screenpop` command line.
        case spaced
    }

    /// The JSON written so far, in UTF-8.
    public var bytes: [UInt8]
    public let separators: Separators
    /// Whether the container being written has no member yet.
    private var isFirst = true

    public init(separators: Separators = .compact, capacity: Int = 256) {
        self.separators = separators
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// The JSON written so far.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    // MARK: Containers

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        isFirst = true
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        isFirst = false
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        isFirst = true
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        isFirst = false
    }

    /// Writes an object member's key; write its value next.
    public mutating func key(_ name: String) {
        separate()
        Self.appendQuoted(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        if separators == .spaced { bytes.append(UInt8(ascii: " ")) }
        isFirst = true  // the value that follows takes no comma
    }

    // MARK: Values

    public mutating func string(_ value: String) {
        separate()
        Self.appendQuoted(value, to: &bytes)
        isFirst = false
    }

    /// A string given as UTF-8 bytes (valid UTF-8, which the caller guarantees).
    public mutating func string(utf8 value: UnsafeBufferPointer<UInt8>) {
        separate()
        Self.appendQuoted(utf8: value, to: &bytes)
        isFirst = false
    }

    public mutating func integer<T: BinaryInteger>(_ value: T) {
        separate()
        bytes.append(contentsOf: String(value).utf8)
        isFirst = false
    }

    /// A finite double in its shortest form that reads back the same; `null` for infinities and NaN,
    /// which JSON cannot write.
    public mutating func double(_ value: Double) {
        separate()
        if value.isFinite {
            bytes.append(contentsOf: value.description.utf8)
        } else {
            bytes.append(contentsOf: "null".utf8)
        }
        isFirst = false
    }

    public mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
        isFirst = false
    }

    public mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
        isFirst = false
    }

    /// An integer, or `null` for nil.
    public mutating func integer(orNull value: Int?) {
        if let value { integer(value) } else { null() }
    }

    /// A string, or `null` for nil.
    public mutating func string(orNull value: String?) {
        if let value { string(value) } else { null() }
    }

    /// Ends a record of JSON Lines: a newline, after which the next value starts a new document
    /// (no comma before it).
    public mutating func newline() {
        bytes.append(UInt8(ascii: "\n"))
        isFirst = true
    }

    /// Writes a whole tree.
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .integer(let number): integer(number)
        case .double(let number): double(number)
        case .string(let text): string(text)
        case .array(let elements):
            beginArray()
            for element in elements { self.value(element) }
            endArray()
        case .object(let object):
            beginObject()
            for member in object {
                key(member.key)
                self.value(member.value)
            }
            endObject()
        }
    }

    private mutating func separate() {
        if !isFirst {
            bytes.append(UInt8(ascii: ","))
            if separators == .spaced { bytes.append(UInt8(ascii: " ")) }
        }
    }

    // MARK: Escaping

    /// `value` as a JSON string literal, quotes included.
    public static func quoted(_ value: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.utf8.count + 2)
        appendQuoted(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `value` as a JSON string literal: `"` and `\` escaped, control characters as
    /// `\n`, `\r`, `\t` or `\u00XX` (and DEL as `\u007f`), everything else as UTF-8.
    ///
    /// - Complexity: O(n) in the string's UTF-8 length.
    public static func appendQuoted(_ value: String, to out: inout [UInt8]) {
        var value = value
        value.withUTF8 { appendQuoted(utf8: $0, to: &out) }
    }

    /// Appends UTF-8 text as a JSON string literal, as ``appendQuoted(_:to:)`` does. Runs of bytes
    /// that need no escape (all of them, in nearly every string) are copied at once.
    public static func appendQuoted(utf8 value: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var start = 0
        for i in value.indices where needsEscape(value[i]) {
            if start < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: value[start..<i])) }
            appendEscaped(value[i], to: &out)
            start = i + 1
        }
        if start < value.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: value[start...])) }
        out.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7F
    }

    private static func appendEscaped(_ byte: UInt8, to out: inout [UInt8]) {
        var escape: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &escape) { raw in
            let start = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            out.append(contentsOf: UnsafeBufferPointer(start: start, count: writeEscaped(byte, at: start)))
        }
    }

    /// Writes `byte` as it stands in a JSON string at `out` (room for 6 bytes) and returns how many
    /// bytes that took: `\"`, `\\`, `\n`, `\r`, `\t`, `\u00XX` for the other control characters and
    /// DEL, else the byte itself. The one escape table, for this writer and for writers of raw memory.
    @inlinable
    public static func writeEscaped(_ byte: UInt8, at out: UnsafeMutablePointer<UInt8>) -> Int {
        let hex: StaticString = "0123456789abcdef"
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"):
            out[0] = UInt8(ascii: "\\"); out[1] = byte; return 2
        case 0x0A: out[0] = UInt8(ascii: "\\"); out[1] = UInt8(ascii: "n"); return 2
        case 0x0D: out[0] = UInt8(ascii: "\\"); out[1] = UInt8(ascii: "r"); return 2
        case 0x09: out[0] = UInt8(ascii: "\\"); out[1] = UInt8(ascii: "t"); return 2
        case 0..<0x20, 0x7F:
            out[0] = UInt8(ascii: "\\"); out[1] = UInt8(ascii: "u"); out[2] = 0x30; out[3] = 0x30
            out[4] = hex.utf8Start[Int(byte >> 4)]; out[5] = hex.utf8Start[Int(byte & 0xF)]
            return 6
        default: out[0] = byte; return 1
        }
    }
}
