#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Standard output, written in large chunks.
struct OutputBuffer {
    var bytes: [UInt8] = []
    var firstField = true

    init() { bytes.reserveCapacity(1 << 16) }

    mutating func flushIfLarge() {
        if bytes.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                // The reader went away (EPIPE): nothing more can be delivered.
                exit(1)
            }
            offset += written
        }
        bytes.removeAll(keepingCapacity: true)
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
        var text: String? {
            var iterator = bytes.makeIterator()
            var decoder = UTF8()
            var scalars = String.UnicodeScalarView()
            while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let s): scalars.append(s)
                case .emptyInput: return String(scalars)
                case .error: return nil
                }
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

/// One JSON object a line: `{"a": 1, "b": null}`, written into the output buffer.
extension OutputBuffer {
    mutating func beginObject() {
        bytes.append(UInt8(ascii: "{"))
        firstField = true
    }

    mutating func key(_ name: StaticString) {
        if !firstField { bytes.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")]) }
        firstField = false
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":"), UInt8(ascii: " ")])
    }

    mutating func null(_ name: StaticString) {
        key(name)
        bytes.append(contentsOf: "null".utf8)
    }

    mutating func field(_ name: StaticString, _ value: Int) {
        key(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func field(_ name: StaticString, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    mutating func field(_ name: StaticString, _ value: String?) {
        guard let value else { return null(name) }
        key(name)
        JSON.appendString(value, to: &bytes)
    }

    mutating func endObject() {
        bytes.append(contentsOf: [UInt8(ascii: "}"), UInt8(ascii: "\n")])
    }
}

enum JSON {
    /// Appends `value` as a JSON string literal, escaping quotes, backslashes and control characters.
    static func appendString(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20, 0x7F:
                let hex: StaticString = "0123456789abcdef"
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30])
                out.append(hex.utf8Start[Int(byte >> 4)])
                out.append(hex.utf8Start[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension OutputBuffer {
    /// An integer member, `null` when nil.
    mutating func field(_ name: StaticString, _ value: Int?) {
        guard let value else { return null(name) }
        field(name, value)
    }

    /// A member whose value `body` writes as raw JSON.
    mutating func field(_ name: StaticString, raw body: (inout [UInt8]) -> Void) {
        key(name)
        body(&bytes)
    }
}
