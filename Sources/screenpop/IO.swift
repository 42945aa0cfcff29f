import ArgumentParser
import PhoneNumbers
import ScreenPopJSON
import ScreenPopSupport

/// Standard output, JSON Lines in the command line's one-line spaced style, written in large
/// chunks.
///
/// Members go through a JSON writer; a command that writes millions of lines of one shape
/// (`normalize`) writes them with ``literal(_:)`` and ``quoted(utf8:)`` into raw memory instead,
/// without the array's checks on every small piece. Both end up in ``json``'s bytes, in order.
struct OutputBuffer {
    var json = JSONWriter(separators: .spaced, capacity: 1 << 16)
    /// Raw bytes written since the last ``moveRawIntoJSON()``.
    private var raw = RawBytes(capacity: 1 << 16)

    mutating func flushIfLarge() {
        if json.bytes.count + raw.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        moveRawIntoJSON()
        var offset = 0
        while offset < json.bytes.count {
            let written = json.bytes[offset...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                // The reader went away (EPIPE): nothing more can be delivered.
                exit(1)
            }
            offset += written
        }
        json.bytes.removeAll(keepingCapacity: true)
    }

    /// Keeps the order of what was written raw and what goes through the writer next.
    mutating func moveRawIntoJSON() {
        guard raw.count > 0 else { return }
        raw.withBytes { json.bytes.append(contentsOf: $0) }
        raw.removeAll()
    }

    /// JSON text written as it is: the fixed parts of a line that a command writes millions of.
    mutating func literal(_ text: StaticString) {
        raw.append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// A JSON string value written after a `literal`: quoted and escaped as ``JSONWriter`` does.
    mutating func quoted(utf8 text: UnsafeBufferPointer<UInt8>) {
        raw.appendQuoted(text)
    }

    /// A JSON string value, or `null`, written after a `literal`.
    mutating func quoted(_ text: String?) {
        guard var text else { return literal("null") }
        text.withUTF8 { raw.appendQuoted($0) }
    }
}

/// A growable byte buffer in raw memory: an append is a capacity check and a copy.
private final class RawBytes {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    func withBytes(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        body(UnsafeBufferPointer(start: base, count: count))
    }

    func removeAll() { count = 0 }

    @inline(__always)
    private func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        let grown = max(capacity * 2, count + extra)
        let new = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        new.update(from: base, count: count)
        base.deallocate()
        base = new
        capacity = grown
    }

    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    /// `"`, the text with JSON's escapes (``JSONWriter/writeEscaped(_:at:)``'s table), `"`. Eight
    /// bytes at a time while none of them needs an escape, as in nearly every value.
    func appendQuoted(_ text: UnsafeBufferPointer<UInt8>) {
        reserve(text.count &* 6 &+ 2)  // an escape is at most 6 bytes (`\u001f`)
        var out = base + count
        out.pointee = UInt8(ascii: "\"")
        out += 1
        var i = 0
        if let source = text.baseAddress {
            let raw = UnsafeRawPointer(source)
            while i &+ 8 <= text.count {
                let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                if Self.needsEscape(word) {
                    for k in i..<(i &+ 8) { out += JSONWriter.writeEscaped(source[k], at: out) }
                } else {
                    UnsafeMutableRawPointer(out).storeBytes(of: word, as: UInt64.self)
                    out += 8
                }
                i &+= 8
            }
        }
        while i < text.count {
            out += JSONWriter.writeEscaped(text[i], at: out)
            i &+= 1
        }
        out.pointee = UInt8(ascii: "\"")
        count = out + 1 - base
    }

    /// Whether any of the word's eight bytes is a control character, `"`, `\` or DEL (the bit
    /// tricks for "has a byte less than n" and "has a zero byte").
    @inline(__always)
    private static func needsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasZeroByte(_ v: UInt64) -> Bool { (v &- ones) & ~v & highs != 0 }
        return (word &- ones &* 0x20) & ~word & highs != 0 || hasZeroByte(word ^ (ones &* 0x22))
            || hasZeroByte(word ^ (ones &* 0x5C)) || hasZeroByte(word ^ (ones &* 0x7F))
    }
}

/// An I/O failure while reading standard input.
struct InputError: Error, CustomStringConvertible {
    let code: Int32
    var description: String { "error reading standard input: errno \(code)" }
}

/// Lines of a file descriptor as raw bytes, so that invalid UTF-8 can be reported per line.
/// A line ends at `\n`; a `\r` before it is dropped.
struct LineReader {
    struct Line {
        let bytes: ArraySlice<UInt8>

        /// The line as text, or nil when it is not valid UTF-8.
        var text: String? { Self.text(bytes) }

        /// The line split at its first TAB, each side as text; nil when there is no TAB or either
        /// side is not valid UTF-8 (a TAB byte is never part of a longer UTF-8 sequence).
        var tabSeparated: (String, String)? {
            guard let tab = bytes.firstIndex(of: UInt8(ascii: "\t")),
                let left = Self.text(bytes[..<tab]),
                let right = Self.text(bytes[(tab + 1)...])
            else { return nil }
            return (left, right)
        }

        /// ASCII, nearly every line, is checked eight bytes at a time and copied; the rest is
        /// validated by the standard library.
        private static func text(_ bytes: ArraySlice<UInt8>) -> String? {
            bytes.withUnsafeBufferPointer { buffer in
                var i = 0
                var high: UInt64 = 0
                if let base = buffer.baseAddress {
                    let raw = UnsafeRawPointer(base)
                    while i + 8 <= buffer.count {
                        high |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                        i += 8
                    }
                }
                while i < buffer.count {
                    high |= UInt64(buffer[i])
                    i += 1
                }
                if high & 0x8080_8080_8080_8080 == 0 { return String(decoding: buffer, as: UTF8.self) }
                return String(validating: buffer, as: UTF8.self)
            }
        }

        /// The line with invalid sequences replaced by U+FFFD.
        var lossyText: String { String(decoding: bytes, as: UTF8.self) }
    }

    let fileDescriptor: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    private(set) var failure: InputError?

    init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    /// The next line, or nil at the end of input. `beforeBlocking` runs before each read that may
    /// wait, so output for the lines read so far goes out first (streaming).
    mutating func next(beforeBlocking: () -> Void) -> Line? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > start && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = Line(bytes: buffer[start..<end])
                start = newline + 1
                return line
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                var end = buffer.count
                if buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = Line(bytes: buffer[start..<end])
                start = buffer.count
                return line
            }
            if start > 0 {
                buffer.removeSubrange(0..<start)
                start = 0
            }
            beforeBlocking()
            let chunk = 1 << 16
            let oldCount = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: chunk))
            let n = buffer[oldCount...].withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, chunk) }
            if n < 0 && errno == EINTR {
                buffer.removeSubrange(oldCount...)
                continue
            }
            if n < 0 { failure = InputError(code: errno) }
            buffer.removeSubrange((oldCount + max(n, 0))...)
            if n <= 0 { atEnd = true }
        }
    }
}

/// The members the commands write: `"name": value`, `null` for nil.
extension OutputBuffer {
    mutating func beginObject() {
        moveRawIntoJSON()
        json.beginObject()
    }

    mutating func endObject() {
        moveRawIntoJSON()
        json.endObject()
    }

    /// Ends the line's object and the line.
    mutating func endRecord() {
        moveRawIntoJSON()
        json.endObject()
        json.newline()
    }

    mutating func null(_ name: String) {
        moveRawIntoJSON()
        json.key(name)
        json.null()
    }

    mutating func field(_ name: String, _ value: Int?) {
        moveRawIntoJSON()
        json.key(name)
        if let value { json.integer(value) } else { json.null() }
    }

    mutating func field(_ name: String, _ value: Bool) {
        moveRawIntoJSON()
        json.key(name)
        json.bool(value)
    }

    mutating func field(_ name: String, _ value: String?) {
        moveRawIntoJSON()
        json.key(name)
        if let value { json.string(value) } else { json.null() }
    }

    /// A member whose value `body` writes.
    mutating func field(_ name: String, _ body: (inout JSONWriter) -> Void) {
        moveRawIntoJSON()
        json.key(name)
        body(&json)
    }
}

/// The options of `normalize` and `describe` that say where numbers come from.
struct NumberInputOptions: ParsableArguments {
    @Option(help: RegionOption.help)
    var region = "ZZ"

    @Flag(help: "Each input line is REGION<TAB>RAW, with its own default region.")
    var tsv = false

    @Argument(help: "Numbers to read. Without any, standard input is read, one a line.")
    var numbers: [String] = []

    func validate() throws {
        try RegionOption.validate(region)
    }
}

/// `--region`: a default region for numbers written without a country code.
enum RegionOption {
    static let help: ArgumentHelp = ArgumentHelp(
        "The default region for numbers written without a country code: an ISO 3166 two-letter code "
            + "(RU, KZ, US...); ZZ for none.",
        valueName: "CODE")

    /// Refuses a region libphonenumber does not know (`Russia`, `XX`): every number would fail
    /// with INVALID_COUNTRY_CODE, silently. Case does not matter (`ru` is `RU`), as in PhoneNumbers.
    static func validate(_ region: String) throws {
        guard region.uppercased() != "ZZ", PhoneNumber.callingCode(ofRegion: region) == nil else { return }
        throw ValidationError(
            "--region \(region) is not a region: use an ISO 3166 two-letter code as libphonenumber knows it "
                + "(RU, KZ, BY, UA, US, GB, DE...), or ZZ for none.")
    }
}

/// The inputs of `normalize` and `describe`: the arguments, or else standard input one a line,
/// streamed (every answer is written before the command waits for more). Each input comes with the
/// default region, or with its own for `--tsv` lines (`REGION<TAB>RAW`); a line that cannot be
/// read goes to `lineError` with its error name (`INVALID_UTF8`, `MISSING_TAB`).
func forEachNumberInput(
    _ options: NumberInputOptions, output: inout OutputBuffer,
    _ body: (_ input: String, _ region: String, inout OutputBuffer) -> Void,
    lineError: (_ input: String, _ error: String, inout OutputBuffer) -> Void
) throws {
    let region = options.region
    // Read once: an argument-parser property is a generic wrapper whose getter looks up type
    // metadata on every call, which showed in `normalize --tsv`'s profile.
    let tsv = options.tsv
    if !options.numbers.isEmpty {
        for argument in options.numbers { body(argument, region, &output) }
        output.flush()
        return
    }
    var reader = LineReader(fileDescriptor: 0)
    while let line = reader.next(beforeBlocking: { output.flush() }) {
        if tsv, let (lineRegion, input) = line.tabSeparated {
            body(input, lineRegion, &output)
            continue
        }
        guard let text = line.text else {
            lineError(line.lossyText, "INVALID_UTF8", &output)
            continue
        }
        if tsv {
            lineError(text, "MISSING_TAB", &output)
        } else {
            body(text, region, &output)
        }
    }
    output.flush()
    if let failure = reader.failure { throw failure }
}
