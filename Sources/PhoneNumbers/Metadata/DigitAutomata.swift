/// Every DFA of the metadata, read in place from two string literals of the generated source.
///
/// A state is a row of 11 values: the next state for each digit 0-9 and a flags value (bit 0:
/// accepting). State numbers are local to their DFA, whose state 0 is row `starts[dfa]`. Narrow
/// DFAs (under 127 states, all but two) store a value in one byte, 127 meaning "no transition";
/// wide DFAs in two bytes of 7 bits, 0x3FFF meaning "no transition". Every stored byte is
/// `(value + 36) & 0x7F`, which keeps the literals printable ASCII for the common values
/// (docs/metadata-format.md). Prefix-mode DFAs (leading digits) have no transitions out of
/// accepting states, so matching can stop at the first one.
@usableFromInline
struct DigitAutomata: @unchecked Sendable {
    // @unchecked: read-only views of string literals and of the immortal metadata buffer.
    static let rowWidth = 11
    static let wideFlag: UInt32 = 0x8000_0000

    let narrow: UnsafePointer<UInt8>
    let wide: UnsafePointer<UInt8>
    /// The first row of each DFA; `wideFlag` marks the wide ones.
    let starts: UnsafeBufferPointer<UInt32>

    var count: Int { starts.count }

    @inline(__always)
    private static func value(_ byte: UInt8) -> Int { Int((byte &- 36) & 0x7F) }

    @inline(__always)
    private func wideValue(_ row: UnsafePointer<UInt8>, _ column: Int) -> Int {
        Self.value(row[2 &* column]) | Self.value(row[2 &* column &+ 1]) << 7
    }

    /// Whether the whole of `digits` (ASCII '0'...'9') matches DFA `index`.
    @inline(__always)
    func matchesWhole(_ index: Int32, _ digits: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = starts[Int(index)]
        if start & Self.wideFlag == 0 {
            let base = narrow + Int(start) &* Self.rowWidth
            var row = base
            for ascii in digits {
                let next = Self.value(row[Int(ascii &- 48)])
                if next == 127 { return false }
                row = base + next &* Self.rowWidth
            }
            return Self.value(row[10]) & 1 != 0
        }
        return wideMatches(start, digits, prefix: false)
    }

    /// Whether some prefix of `digits` (possibly empty) matches DFA `index`, which must be a
    /// prefix-mode DFA: Java's `lookingAt`, Python's `re.match`.
    @inline(__always)
    func matchesPrefix(_ index: Int32, _ digits: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = starts[Int(index)]
        if start & Self.wideFlag == 0 {
            let base = narrow + Int(start) &* Self.rowWidth
            var row = base
            if Self.value(row[10]) & 1 != 0 { return true }
            for ascii in digits {
                let next = Self.value(row[Int(ascii &- 48)])
                if next == 127 { return false }
                row = base + next &* Self.rowWidth
                if Self.value(row[10]) & 1 != 0 { return true }
            }
            return false
        }
        return wideMatches(start, digits, prefix: true)
    }

    @inline(never)
    private func wideMatches(_ start: UInt32, _ digits: UnsafeBufferPointer<UInt8>, prefix: Bool) -> Bool {
        let width = 2 * Self.rowWidth
        let base = wide + Int(start & ~Self.wideFlag) &* width
        var row = base
        if prefix && wideValue(row, 10) & 1 != 0 { return true }
        for ascii in digits {
            let next = wideValue(row, Int(ascii &- 48))
            if next == 0x3FFF { return false }
            row = base + next &* width
            if prefix && wideValue(row, 10) & 1 != 0 { return true }
        }
        return wideValue(row, 10) & 1 != 0
    }
}
