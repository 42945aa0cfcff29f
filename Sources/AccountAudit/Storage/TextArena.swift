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

    /// Bytes held, for the memory figures.
    var footprint: Int { bytes.capacity + ends.capacity * MemoryLayout<Int>.stride }
}
