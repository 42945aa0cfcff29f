import ArgumentParser
import PhoneNumbers
import ScreenPopJSON
import ScreenPopSupport

/// Standard output, JSON Lines in the command line's one-line spaced style, written in large
/// chunks.
struct OutputBuffer {
    var json = JSONWriter(separators: .spaced, capacity: 1 << 16)

    mutating func flushIfLarge() {
        if json.bytes.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
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

/// The members the commands write: `"name": value`, `null` for nil.
extension OutputBuffer {
    mutating func beginObject() { json.beginObject() }

    mutating func endObject() { json.endObject() }

    /// Ends the line's object and the line.
    mutating func endRecord() {
        json.endObject()
        json.newline()
    }

    mutating func null(_ name: String) {
        json.key(name)
        json.null()
    }

    mutating func field(_ name: String, _ value: Int?) {
        json.key(name)
        if let value { json.integer(value) } else { json.null() }
    }

    mutating func field(_ name: String, _ value: Bool) {
        json.key(name)
        json.bool(value)
    }

    mutating func field(_ name: String, _ value: String?) {
        json.key(name)
        if let value { json.string(value) } else { json.null() }
    }

    /// A member whose value `body` writes.
    mutating func field(_ name: String, _ body: (inout JSONWriter) -> Void) {
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
    if !options.numbers.isEmpty {
        for argument in options.numbers { body(argument, region, &output) }
        output.flush()
        return
    }
    var reader = LineReader(fileDescriptor: 0)
    while let line = reader.next(beforeBlocking: { output.flush() }) {
        guard let text = line.text else {
            lineError(line.lossyText, "INVALID_UTF8", &output)
            continue
        }
        if options.tsv {
            guard let tab = text.firstIndex(of: "\t") else {
                lineError(text, "MISSING_TAB", &output)
                continue
            }
            body(String(text[text.index(after: tab)...]), String(text[..<tab]), &output)
        } else {
            body(text, region, &output)
        }
    }
    output.flush()
    if let failure = reader.failure { throw failure }
}
