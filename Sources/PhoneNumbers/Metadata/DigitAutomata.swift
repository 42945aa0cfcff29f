/// Every DFA of the metadata in one flat transition table.
///
/// A state is a row of 11 bytes: the next state for each digit 0-9 (`0xFF` for no transition)
/// and a flags byte (bit 0: accepting). State numbers are local to their DFA, whose state 0 is row
/// `starts[dfa]`; no DFA has 255 states. Prefix-mode DFAs (leading digits) have no transitions out
/// of accepting states, so matching can stop at the first one.
@usableFromInline
struct DigitAutomata: @unchecked Sendable {
    // @unchecked: read-only views of the immortal metadata buffer.
    static let rowWidth = 11
    private static let dead: UInt8 = 0xFF

    let table: UnsafePointer<UInt8>
    let starts: UnsafeBufferPointer<UInt32>

    var count: Int { starts.count }

    /// Whether the whole of `digits` (ASCII '0'...'9') matches DFA `index`.
    @inline(__always)
    func matchesWhole(_ index: Int32, _ digits: UnsafeBufferPointer<UInt8>) -> Bool {
        let base = table + Int(starts[Int(index)]) &* Self.rowWidth
        var row = base
        for ascii in digits {
            let next = row[Int(ascii &- 48)]
            if next == Self.dead { return false }
            row = base + Int(next) &* Self.rowWidth
        }
        return row[10] & 1 != 0
    }

    /// Whether some prefix of `digits` (possibly empty) matches DFA `index`, which must be a
    /// prefix-mode DFA: Java's `lookingAt`, Python's `re.match`.
    @inline(__always)
    func matchesPrefix(_ index: Int32, _ digits: UnsafeBufferPointer<UInt8>) -> Bool {
        let base = table + Int(starts[Int(index)]) &* Self.rowWidth
        var row = base
        if row[10] & 1 != 0 { return true }
        for ascii in digits {
            let next = row[Int(ascii &- 48)]
            if next == Self.dead { return false }
            row = base + Int(next) &* Self.rowWidth
            if row[10] & 1 != 0 { return true }
        }
        return false
    }
}
