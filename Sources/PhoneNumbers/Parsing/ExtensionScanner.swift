/// A set of positions 0...255 in a scanned text; parsing only ever sees texts of at most 250 scalars.
struct PositionSet {
    var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    static var empty: PositionSet { PositionSet() }

    init() {}

    init(_ position: Int) { insert(position) }

    @inline(__always)
    func contains(_ p: Int) -> Bool {
        guard p >= 0, p < 256 else { return false }
        let bit = UInt64(1) << UInt64(p & 63)
        switch p >> 6 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }

    @inline(__always)
    mutating func insert(_ p: Int) {
        guard p >= 0, p < 256 else { return }
        let bit = UInt64(1) << UInt64(p & 63)
        switch p >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    var isEmpty: Bool { words.0 | words.1 | words.2 | words.3 == 0 }

    static func | (a: PositionSet, b: PositionSet) -> PositionSet {
        var r = PositionSet()
        r.words = (a.words.0 | b.words.0, a.words.1 | b.words.1, a.words.2 | b.words.2, a.words.3 | b.words.3)
        return r
    }

    /// Calls `body` with each position, in increasing order.
    @inline(__always)
    func forEach(_ body: (Int) -> Void) {
        var w = words.0
        while w != 0 {
            body(w.trailingZeroBitCount)
            w &= w &- 1
        }
        w = words.1
        while w != 0 {
            body(64 + w.trailingZeroBitCount)
            w &= w &- 1
        }
        w = words.2
        while w != 0 {
            body(128 + w.trailingZeroBitCount)
            w &= w &- 1
        }
        w = words.3
        while w != 0 {
            body(192 + w.trailingZeroBitCount)
            w &= w &- 1
        }
    }

    /// The smallest position in the set.
    var first: Int? {
        if words.0 != 0 { return words.0.trailingZeroBitCount }
        if words.1 != 0 { return 64 + words.1.trailingZeroBitCount }
        if words.2 != 0 { return 128 + words.2.trailingZeroBitCount }
        if words.3 != 0 { return 192 + words.3.trailingZeroBitCount }
        return nil
    }

    /// The largest position in the set.
    var last: Int? {
        if words.3 != 0 { return 255 - words.3.leadingZeroBitCount }
        if words.2 != 0 { return 191 - words.2.leadingZeroBitCount }
        if words.1 != 0 { return 127 - words.1.leadingZeroBitCount }
        if words.0 != 0 { return 63 - words.0.leadingZeroBitCount }
        return nil
    }

    /// Whether some position in `lower...upper` is in the set.
    func intersects(_ lower: Int, _ upper: Int) -> Bool {
        guard lower <= upper else { return false }
        var p = max(lower, 0)
        while p <= min(upper, 255) {
            if contains(p) { return true }
            p += 1
        }
        return false
    }
}

/// libphonenumber's extension patterns (the "for parsing" set), matched right to left.
///
/// Every alternative of the pattern ends with the extension digits at the very end of the text
/// (optionally followed by `#`), so the digits are always the maximal run of digits there. Working
/// backwards from that run, the scanner computes the set of positions where each alternative can
/// begin; the leftmost of them is where a left-to-right regex search would find the match.
///
/// The alternatives, with their limits on the number of extension digits:
/// - `;ext=` + up to 20 digits (RFC 3966);
/// - separators, an explicit label (`ext`, `extn`, `extension`, `extensión`, full-width `ｅｘｔｎ`, `доб`,
///   `anexo`), an optional `:` `.` `．`, separators, up to 20 digits, optional `#`;
/// - separators, an ambiguous label (`x`, `#`, `~`, `int` and their full-width forms), up to 9 digits;
/// - American style: dashes or spaces, up to 6 digits and a closing `#`;
/// - `,,` or `;` (auto-dialling), up to 15 digits;
/// - one or more commas, up to 9 digits.
struct ExtensionScanner {
    let text: UnsafeBufferPointer<UInt32>
    let count: Int

    /// The positions where an extension match can start, and the range of its digits.
    struct Matches {
        var starts: PositionSet
        var digits: Range<Int>
    }

    init(_ text: UnsafeBufferPointer<UInt32>, count: Int) {
        self.text = text
        self.count = count
    }

    func scan() -> Matches? {
        guard count > 0 else { return nil }
        var end = count
        let hasHash = text[count - 1] == 0x23
        if hasHash { end -= 1 }
        var start = end
        while start > 0 && Scalars.isDigit(text[start - 1]) { start -= 1 }
        let length = end - start
        guard length > 0, mayEndWithExtension(digitsStart: start, hasHash: hasHash) else { return nil }
        let origin = PositionSet(start)
        var starts = PositionSet.empty

        // ;ext=DIGITS (no trailing '#').
        if !hasHash && length <= 20 && start >= 5 && text[start - 5] == 0x3B && text[start - 1] == 0x3D
            && Scalars.equalsIgnoringCase(text[start - 4], 0x65)
            && Scalars.equalsIgnoringCase(text[start - 3], 0x78)
            && Scalars.equalsIgnoringCase(text[start - 2], 0x74)
        {
            starts.insert(start - 5)
        }
        // [:.．]? [ \u00A0\t,-]* before the digits: shared by the labelled and auto-dialling forms.
        let afterLabel = optional(star(origin, Self.isAfterLabelSeparator), Self.isLabelPunctuation)
        if length <= 20 {
            starts = starts | star(explicitLabels(afterLabel), Self.isLabelSeparator)
        }
        if length <= 9 {
            starts = starts | star(ambiguousLabels(afterLabel), Self.isLabelSeparator)
        }
        if hasHash && length <= 6 {
            starts = starts | star(step(origin, Self.isDashOrSpace), Self.isDashOrSpace)
        }
        if length <= 15 {
            let labels = step(step(afterLabel, Self.isComma), Self.isComma) | step(afterLabel, { $0 == 0x3B })
            starts = starts | star(labels, Self.isBlank)
        }
        if length <= 9 {
            let commas = star(step(afterLabel, Self.isComma), Self.isComma)
            starts = starts | star(commas, Self.isBlank)
        }
        guard !starts.isEmpty else { return nil }
        return Matches(starts: starts, digits: start..<end)
    }

    /// A quick look at what precedes the trailing digits: every alternative needs a label, `=`,
    /// `;` or `,` there (after separators and an optional `:`/`.`), or `-`/space and a closing `#`.
    /// Most numbers fail this at once, so the full analysis below runs only for likely extensions.
    @inline(__always)
    private func mayEndWithExtension(digitsStart: Int, hasHash: Bool) -> Bool {
        var q = digitsStart
        var sawComma = false
        var sawDashOrSpace = false
        while q > 0 && Self.isAfterLabelSeparator(text[q - 1]) {
            let c = text[q - 1]
            if c == 0x2C { sawComma = true }
            if c == 0x2D || c == 0x20 { sawDashOrSpace = true }
            q -= 1
        }
        if sawComma || (hasHash && sawDashOrSpace) { return true }
        guard q > 0 else { return false }
        var c = text[q - 1]
        if c == 0x3D { return true }  // ;ext=
        if Self.isLabelPunctuation(c) {
            guard q > 1 else { return false }
            c = text[q - 2]
        }
        if c &- 0x30 < 10 { return false }  // the usual case: digits, then separators, then digits
        switch c {
        case 0x3B, 0x2C, 0x23, 0xFF03, 0x7E, 0xFF5E, 0x301: return true
        default:
            return Scalars.equalsIgnoringCase(c, 0x6E) || Scalars.equalsIgnoringCase(c, 0x74)
                || Scalars.equalsIgnoringCase(c, 0x6F) || Scalars.equalsIgnoringCase(c, 0x78)
                || Scalars.equalsIgnoringCase(c, 0xF3) || Scalars.equalsIgnoringCase(c, 0x431)
                || Scalars.equalsIgnoringCase(c, 0xFF4E) || Scalars.equalsIgnoringCase(c, 0xFF54)
                || Scalars.equalsIgnoringCase(c, 0xFF58)
        }
    }

    // MARK: Labels, right to left

    /// `e?xt(?:ensi(?:o\u0301?|ó))?n?` | `ｅ?ｘｔｎ?` | `доб` | `anexo`
    private func explicitLabels(_ s: PositionSet) -> PositionSet {
        // e?xt(?:ensi(?:o\u0301?|ó))?n?
        let n = optional(s) { Scalars.equalsIgnoringCase($0, 0x6E) }
        let accentedO =
            step(optional(n) { $0 == 0x301 }) { Scalars.equalsIgnoringCase($0, 0x6F) }
            | step(n) { Scalars.equalsIgnoringCase($0, 0xF3) }
        let ensi = literal(accentedO, 0x65, 0x6E, 0x73, 0x69)
        let xt = literal(n | ensi, 0x78, 0x74)
        var result = optional(xt) { Scalars.equalsIgnoringCase($0, 0x65) }
        // ｅ?ｘｔｎ?
        let wideN = optional(s) { Scalars.equalsIgnoringCase($0, 0xFF4E) }
        let wideXT = literal(wideN, 0xFF58, 0xFF54)
        result = result | optional(wideXT) { Scalars.equalsIgnoringCase($0, 0xFF45) }
        // доб, anexo
        result = result | literal(s, 0x434, 0x43E, 0x431)
        result = result | literal(s, 0x61, 0x6E, 0x65, 0x78, 0x6F)
        return result
    }

    /// `[xｘ#＃~～]` | `int` | `ｉｎｔ`
    private func ambiguousLabels(_ s: PositionSet) -> PositionSet {
        step(s) { c in
            Scalars.equalsIgnoringCase(c, 0x78) || Scalars.equalsIgnoringCase(c, 0xFF58)
                || c == 0x23 || c == 0xFF03 || c == 0x7E || c == 0xFF5E
        }
            | literal(s, 0x69, 0x6E, 0x74)
            | literal(s, 0xFF49, 0xFF4E, 0xFF54)
    }

    // MARK: Character classes

    /// `[ \u00A0\t,]`
    static func isLabelSeparator(_ c: UInt32) -> Bool { c == 0x20 || c == 0xA0 || c == 0x09 || c == 0x2C }
    /// `[ \u00A0\t,-]`
    static func isAfterLabelSeparator(_ c: UInt32) -> Bool { isLabelSeparator(c) || c == 0x2D }
    /// `[:\.．]`
    static func isLabelPunctuation(_ c: UInt32) -> Bool { c == 0x3A || c == 0x2E || c == 0xFF0E }
    /// `[- ]`
    static func isDashOrSpace(_ c: UInt32) -> Bool { c == 0x2D || c == 0x20 }
    /// `[ \u00A0\t]`
    static func isBlank(_ c: UInt32) -> Bool { c == 0x20 || c == 0xA0 || c == 0x09 }
    static func isComma(_ c: UInt32) -> Bool { c == 0x2C }

    // MARK: Backward steps over position sets

    /// `{p-1 : p in s, text[p-1] matches}`
    @inline(__always)
    private func step(_ s: PositionSet, _ matches: (UInt32) -> Bool) -> PositionSet {
        var r = PositionSet.empty
        s.forEach { p in
            if p > 0 && matches(text[p - 1]) { r.insert(p - 1) }
        }
        return r
    }

    /// Zero or more characters of a class, right to left.
    @inline(__always)
    private func star(_ s: PositionSet, _ matches: (UInt32) -> Bool) -> PositionSet {
        var r = s
        s.forEach { p in
            var q = p
            while q > 0 && !r.contains(q - 1) && matches(text[q - 1]) {
                r.insert(q - 1)
                q -= 1
            }
        }
        return r
    }

    @inline(__always)
    private func optional(_ s: PositionSet, _ matches: (UInt32) -> Bool) -> PositionSet {
        s | step(s, matches)
    }

    /// A case-insensitive literal of up to five characters (given in lower case, left to right; unused
    /// trailing slots are 0) ending at a position of `s`.
    private func literal(
        _ s: PositionSet, _ c0: UInt32, _ c1: UInt32, _ c2: UInt32 = 0, _ c3: UInt32 = 0, _ c4: UInt32 = 0
    ) -> PositionSet {
        var r = s
        if c4 != 0 { r = step(r) { Scalars.equalsIgnoringCase($0, c4) } }
        if c3 != 0 { r = step(r) { Scalars.equalsIgnoringCase($0, c3) } }
        if c2 != 0 { r = step(r) { Scalars.equalsIgnoringCase($0, c2) } }
        r = step(r) { Scalars.equalsIgnoringCase($0, c1) }
        return step(r) { Scalars.equalsIgnoringCase($0, c0) }
    }
}
