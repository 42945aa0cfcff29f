/// Every DFA of the metadata in one flat transition table.
///
/// A state is a row of 11 `UInt16`: the next state for each digit 0-9 (`0xFFFF` for no
/// transition) and a flags word (bit 0: accepting). State numbers are local to their DFA, whose
/// state 0 starts at row `starts[dfa]`. Prefix-mode DFAs (leading digits) have no transitions out
/// of accepting states, so matching can stop at the first one.
@usableFromInline
struct DigitAutomata: @unchecked Sendable {
    // @unchecked: the buffers are allocated once, filled in `init`, and never written or freed.
    static let rowWidth = 11
    private static let dead: UInt16 = 0xFFFF

    private let table: UnsafeBufferPointer<UInt16>
    private let starts: UnsafeBufferPointer<Int32>

    init(table: [UInt16], starts: [Int32]) {
        let t = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: max(table.count, 1))
        _ = t.initialize(from: table)
        let s = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(starts.count, 1))
        _ = s.initialize(from: starts)
        self.table = UnsafeBufferPointer(t)
        self.starts = UnsafeBufferPointer(s)
    }

    var count: Int { starts.count }

    /// Whether the whole of `digits` (ASCII '0'...'9') matches DFA `index`.
    @inline(__always)
    func matchesWhole(_ index: Int32, _ digits: UnsafeBufferPointer<UInt8>) -> Bool {
        let base = Int(starts[Int(index)]) &* Self.rowWidth
        var row = base
        for ascii in digits {
            let next = table[row &+ Int(ascii &- 48)]
            if next == Self.dead { return false }
            row = base &+ Int(next) &* Self.rowWidth
        }
        return table[row &+ 10] & 1 != 0
    }

    /// Whether some prefix of `digits` (possibly empty) matches DFA `index`, which must be a
    /// prefix-mode DFA: Java's `lookingAt`, Python's `re.match`.
    @inline(__always)
    func matchesPrefix(_ index: Int32, _ digits: UnsafeBufferPointer<UInt8>) -> Bool {
        let base = Int(starts[Int(index)]) &* Self.rowWidth
        var row = base
        if table[row &+ 10] & 1 != 0 { return true }
        for ascii in digits {
            let next = table[row &+ Int(ascii &- 48)]
            if next == Self.dead { return false }
            row = base &+ Int(next) &* Self.rowWidth
            if table[row &+ 10] & 1 != 0 { return true }
        }
        return false
    }
}
