/// Many short strings in one byte buffer: the names and phone values of a million entities cost
/// their bytes and one offset each, not a `String` allocation each.
struct TextArena: Sendable {
    private var bytes: [UInt8] = []
    /// Where each text ends: 4 bytes each while the texts fit in 4 GiB, then `wideEnds` takes over.
    private var ends: [UInt32] = []
    private var wideEnds: [Int]? = nil

    var count: Int { wideEnds?.count ?? ends.count }

    /// Appends `text`; returns its index.
    @discardableResult
    mutating func append(_ text: String) -> Int {
        var text = text
        text.withUTF8 { utf8 in
            if bytes.count + utf8.count > bytes.capacity {
                bytes.reserveCapacity(Swift.max(bytes.count + utf8.count, bytes.capacity + bytes.capacity / 4, 4096))
            }
            bytes.append(contentsOf: utf8)
        }
        if wideEnds == nil, let end = UInt32(exactly: bytes.count) {
            ends.appendGrowingGently(end)
            return ends.count - 1
        }
        if wideEnds == nil {
            wideEnds = ends.map { Int($0) }
            ends = []
        }
        wideEnds!.append(bytes.count)
        return wideEnds!.count - 1
    }

    private func end(_ index: Int) -> Int {
        if let wideEnds { return wideEnds[index] }
        return Int(ends[index])
    }

    subscript(index: Int) -> String {
        let start = index == 0 ? 0 : end(index - 1)
        return String(decoding: bytes[start..<end(index)], as: UTF8.self)
    }

    /// Appends text `index` as a JSON string literal, as `JSONWriter.appendQuoted` does, without
    /// making a string: runs that need no escape are copied whole.
    func appendQuoted(_ index: Int, to out: inout [UInt8]) {
        let start = index == 0 ? 0 : end(index - 1)
        let end = end(index)
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
                    out.append(contentsOf: [
                        0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)],
                    ])
                }
                run = position + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: all[run..<end]))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Bytes held, for the memory figures.
    var footprint: Int {
        bytes.capacity + ends.capacity * MemoryLayout<UInt32>.stride + (wideEnds?.capacity ?? 0)
            * MemoryLayout<Int>.stride
    }
}
