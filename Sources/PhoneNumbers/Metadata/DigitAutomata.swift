/// Every DFA of the metadata, read in place from two string literals of the generated source.
///
/// A state is a row of values: the next state for each digit 0-9 and a flags value (bit 0:
/// accepting). State numbers are local to their DFA, whose state 0 is row `starts[dfa]`. Narrow
/// DFAs (under 94 states, all but eight) have 16-byte rows holding `value + 32`, 94 meaning "no
/// transition"; wide DFAs have 32-byte rows of two-byte values (6 bits + 32 each), 4095 meaning
/// "no transition". Every byte of the literals is thus printable ASCII (docs/metadata-format.md),
/// and a step of a narrow DFA is one load, a shift and an add. Prefix-mode DFAs (leading digits)
/// have no transitions out of accepting states, so matching can stop at the first one.
@usableFromInline
struct DigitAutomata: @unchecked Sendable {
    // @unchecked: read-only views of string literals and of the immortal metadata buffer.
    static let narrowRowBytes = 16
    static let wideRowBytes = 32
    static let wideFlag: UInt32 = 0x8000_0000
    /// The stored byte of "no transition" in a narrow row: 94 + 32.
    private static let narrowDead: UInt8 = 126

    let narrow: UnsafePointer<UInt8>
    let wide: UnsafePointer<UInt8>
    /// The first row of each DFA; `wideFlag` marks the wide ones.
    let starts: UnsafeBufferPointer<UInt32>

    var count: Int { starts.count }

    /// The row of narrow state `byte - 32`, from the DFA's first row.
    @inline(__always)
    private static func narrowRow(_ base: UnsafePointer<UInt8>, _ byte: UInt8) -> UnsafePointer<UInt8> {
        base + ((Int(byte) &- 32) &<< 4)
    }

    @inline(__always)
    private static func wideValue(_ row: UnsafePointer<UInt8>, _ column: Int) -> Int {
        (Int(row[2 &* column]) &- 32) | (Int(row[2 &* column &+ 1]) &- 32) &<< 6
    }

    /// Whether the whole of `digits` (ASCII '0'...'9') matches DFA `index`.
    @inline(__always)
    func matchesWhole(_ index: Int32, _ digits: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = starts[Int(index)]
        if start & Self.wideFlag == 0 {
            let base = narrow + (Int(start) &<< 4)
            var row = base
            for ascii in digits {
                let next = row[Int(ascii &- 48)]
                if next == Self.narrowDead { return false }
                row = Self.narrowRow(base, next)
            }
            return row[10] & 1 != 0  // 32 + flags: bit 0 is the flag
        }
        return wideMatches(start, digits, prefix: false)
    }

    /// Whether some prefix of `digits` (possibly empty) matches DFA `index`, which must be a
    /// prefix-mode DFA: Java's `lookingAt`, Python's `re.match`.
    @inline(__always)
    func matchesPrefix(_ index: Int32, _ digits: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = starts[Int(index)]
        if start & Self.wideFlag == 0 {
            let base = narrow + (Int(start) &<< 4)
            var row = base
            if row[10] & 1 != 0 { return true }
            for ascii in digits {
                let next = row[Int(ascii &- 48)]
                if next == Self.narrowDead { return false }
                row = Self.narrowRow(base, next)
                if row[10] & 1 != 0 { return true }
            }
            return false
        }
        return wideMatches(start, digits, prefix: true)
    }

    /// The digits a match of DFA `index` can start with: bit d for digit d, and bit 10 when the
    /// empty input matches. A prefix-mode DFA whose start state accepts matches every input.
    /// Computed once per number format when the metadata is decoded, so that formatting skips
    /// most formats on the number's first digit without reading their DFAs.
    func firstDigits(_ index: Int32, prefix: Bool) -> UInt16 {
        let start = starts[Int(index)]
        var mask: UInt16 = 0
        if start & Self.wideFlag == 0 {
            let row = narrow + (Int(start) &<< 4)
            if row[10] & 1 != 0 { mask |= 0x400 }
            for digit in 0..<10 where row[digit] != Self.narrowDead { mask |= 1 << digit }
        } else {
            let row = wide + Int(start & ~Self.wideFlag) &* Self.wideRowBytes
            if Self.wideValue(row, 10) & 1 != 0 { mask |= 0x400 }
            for digit in 0..<10 where Self.wideValue(row, digit) != 4095 { mask |= 1 << digit }
        }
        return prefix && mask & 0x400 != 0 ? 0x7FF : mask
    }

    @inline(never)
    private func wideMatches(_ start: UInt32, _ digits: UnsafeBufferPointer<UInt8>, prefix: Bool) -> Bool {
        let base = wide + Int(start & ~Self.wideFlag) &* Self.wideRowBytes
        var row = base
        if prefix && Self.wideValue(row, 10) & 1 != 0 { return true }
        for ascii in digits {
            let next = Self.wideValue(row, Int(ascii &- 48))
            if next == 4095 { return false }
            row = base + next &* Self.wideRowBytes
            if prefix && Self.wideValue(row, 10) & 1 != 0 { return true }
        }
        return Self.wideValue(row, 10) & 1 != 0
    }
}
