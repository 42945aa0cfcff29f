/// Many short strings in one byte buffer: the names and phone values of a million entities cost
/// their bytes and one offset each, not a `String` allocation each.
struct TextArena: Sendable {
    private var bytes: [UInt8] = []
    private var ends: [Int] = []

    var count: Int { ends.count }

    /// Appends `text`; returns its index.
    @discardableResult
    mutating func append(_ text: String) -> Int {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
        ends.append(bytes.count)
        return ends.count - 1
    }

    subscript(index: Int) -> String {
        let start = index == 0 ? 0 : ends[index - 1]
        return String(decoding: bytes[start..<ends[index]], as: UTF8.self)
    }

    /// Appends text `index` as a JSON string literal, as `JSONWriter.appendQuoted` does, without
    /// making a string: runs that need no escape are copied whole.
    func appendQuoted(_ index: Int, to out: inout [UInt8]) {
        let start = index == 0 ? 0 : ends[index - 1]
        let end = ends[index]
        out.append(UInt8(ascii: "\""))
        bytes.withUnsafeBufferPointer { all in
            var run = start
            for position in start..<end {
                let byte = all[position]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: all[run..<position]))
                switch byte {
                case 0x22: out.append(contentsOf: [0x5C, 0x22])
                case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                }
                run = position + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: all[run..<end]))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Bytes held, for the memory figures.
    var footprint: Int { bytes.capacity + ends.capacity * MemoryLayout<Int>.stride }
}
