/// The matcher's checks on candidates, hand-written from libphonenumber's patterns.
enum MatcherFilters {
    /// Python's `\s`: `str.isspace()`.
    static func isWhitespace(_ c: UInt32) -> Bool {
        switch c {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    static func isOpeningBracket(_ c: UInt32) -> Bool { c == 0x28 || c == 0x5B || c == 0xFF08 || c == 0xFF3B }
    static func isClosingBracket(_ c: UInt32) -> Bool { c == 0x29 || c == 0x5D || c == 0xFF09 || c == 0xFF3D }

    /// `isOpeningBracket(c) || isClosingBracket(c)`, with one test for the usual ASCII characters.
    @inline(__always)
    static func isBracket(_ c: UInt32) -> Bool {
        // From 0x28: bits 0 `(`, 1 `)`, 0x33 `[` and 0x35 `]`.
        if c < 0x80 { return c &- 0x28 < 0x36 && (0x28_0000_0000_0003 as UInt64) &>> UInt64(c &- 0x28) & 1 != 0 }
        return c == 0xFF08 || c == 0xFF09 || c == 0xFF3B || c == 0xFF3D
    }

    /// `%` or a currency symbol (Unicode category Sc).
    static func isInvalidPunctuation(_ c: UInt32) -> Bool {
        if c == 0x25 || c == 0x24 { return true }
        // Below U+058F (the Armenian dram sign) the only other currency signs are ¢ £ ¤ ¥: most
        // neighbours of a candidate (ASCII, Latin, Cyrillic) are told without the Unicode tables.
        if c < 0x58F { return c &- 0xA2 < 4 }
        return isCurrencySymbol(c)
    }

    /// Out of line, as `Scalars.isNonASCIILetterOrNumber` is.
    @inline(never)
    private static func isCurrencySymbol(_ c: UInt32) -> Bool {
        Unicode.Scalar(c)?.properties.generalCategory == .currencySymbol
    }

    /// A letter or non-spacing mark of the Latin blocks: a number glued to a Latin word is not one.
    static func isLatinLetter(_ c: UInt32) -> Bool {
        if c < 0x80 { return Scalars.isASCIILetter(c) }
        let inLatinBlock = c <= 0x24F || (c >= 0x300 && c <= 0x36F) || (c >= 0x1E00 && c <= 0x1EFF)
        return inLatinBlock && isLetterOrMark(c)
    }

    /// Out of line, as `Scalars.isNonASCIILetterOrNumber` is.
    @inline(never)
    private static func isLetterOrMark(_ c: UInt32) -> Bool {
        guard let scalar = Unicode.Scalar(c) else { return false }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .nonspacingMark:
            return true
        default:
            return false
        }
    }

    /// `[(\[（［]?(?:[^()]+[)\]）］])?[^()]+(?:[(\[（［][^()]+[)\]）］]){0,3}[^()]*`, matched whole:
    /// brackets, if any, are balanced and few.
    static func hasMatchingBrackets(_ text: UnsafeBufferPointer<UInt32>, _ range: Range<Int>) -> Bool {
        // Read the text as tokens: O (opening), C (closing), N (a run of other characters), and
        // follow the pattern's structure: O? (N C)? N (O N C){0,3} N?
        var i = range.lowerBound
        let end = range.upperBound
        /// The next token without consuming it: 0 O, 1 C, 2 N, 3 end.
        func peek(_ at: Int) -> (kind: UInt8, next: Int) {
            guard at < end else { return (3, at) }
            let c = text[at]
            if isOpeningBracket(c) { return (0, at + 1) }
            if isClosingBracket(c) { return (1, at + 1) }
            var j = at + 1
            while j < end && !isBracket(text[j]) { j += 1 }
            return (2, j)
        }
        var t = peek(i)
        if t.kind == 0 {
            i = t.next
            t = peek(i)
        }
        if t.kind == 2 {
            let after = peek(t.next)
            if after.kind == 1 {
                i = after.next
                t = peek(i)
            }
        }
        guard t.kind == 2 else { return false }
        i = t.next
        var groups = 0
        while groups < 3 {
            let open = peek(i)
            guard open.kind == 0 else { break }
            let inner = peek(open.next)
            guard inner.kind == 2 else { break }
            let close = peek(inner.next)
            guard close.kind == 1 else { break }
            i = close.next
            groups += 1
        }
        let last = peek(i)
        if last.kind == 2 { i = last.next }
        return i == end
    }

    /// `\d{1,5}-+\d{1,5}\s{0,4}\(\d{1,4}` anywhere: page ranges such as `211-227 (2003)`.
    static func containsPageRange(_ text: UnsafeBufferPointer<UInt32>, _ range: Range<Int>) -> Bool {
        var i = range.lowerBound
        while i < range.upperBound {
            guard text[i] == 0x2D, i > range.lowerBound, Scalars.isDigit(text[i - 1]) else {
                i += 1
                continue
            }
            var j = i
            while j < range.upperBound && text[j] == 0x2D { j += 1 }
            var k = j
            while k < range.upperBound && Scalars.isDigit(text[k]) { k += 1 }
            if k - j >= 1 && k - j <= 5 {
                var w = k
                while w < range.upperBound && w - k < 4 && isWhitespace(text[w]) { w += 1 }
                if w + 1 < range.upperBound && text[w] == 0x28 && Scalars.isDigit(text[w + 1]) { return true }
            }
            i = j
        }
        return false
    }

    /// `(?:[0-3]?\d/[01]?\d|[01]?\d/[0-3]?\d)/(?:[12]\d)?\d{2}` anywhere: dates such as `12/03/2024`.
    static func containsSlashSeparatedDate(_ text: UnsafeBufferPointer<UInt32>, _ range: Range<Int>) -> Bool {
        let end = range.upperBound
        @inline(__always) func digit(_ i: Int) -> Bool { i < end && Scalars.isDigit(text[i]) }
        @inline(__always) func within(_ i: Int, _ hi: UInt32) -> Bool { i < end && text[i] >= 0x30 && text[i] <= hi }
        @inline(__always) func slash(_ i: Int) -> Bool { i < end && text[i] == 0x2F }
        /// `(?:[12]\d)?\d{2}` at i.
        func year(_ i: Int) -> Bool {
            (within(i, 0x32) && text[i] >= 0x31 && digit(i + 1) && digit(i + 2) && digit(i + 3))
                || (digit(i) && digit(i + 1))
        }
        /// `[0-hi]?\d` at i, then `/`: the positions after the slash (up to two).
        func field(_ i: Int, _ hi: UInt32, _ body: (Int) -> Bool) -> Bool {
            if within(i, hi) && digit(i + 1) && slash(i + 2) && body(i + 3) { return true }
            return digit(i) && slash(i + 1) && body(i + 2)
        }
        // Every date has two slashes: a candidate without one is not a date.
        guard text[range].contains(0x2F) else { return false }
        for start in range where digit(start) {
            if field(start, 0x33, { field($0, 0x31, year) }) { return true }
            if field(start, 0x31, { field($0, 0x33, year) }) { return true }
        }
        return false
    }

    /// `[12]\d{3}[-/]?[01]\d[-/]?[0-3]\d +[0-2]\d$`: a candidate ending in a date and an hour.
    static func endsWithTimeStamp(_ text: UnsafeBufferPointer<UInt32>, _ range: Range<Int>) -> Bool {
        var e = range.upperBound
        func isIn(_ i: Int, _ lo: UInt32, _ hi: UInt32) -> Bool {
            i >= range.lowerBound && i < range.upperBound && text[i] >= lo && text[i] <= hi
        }
        func digit(_ i: Int) -> Bool { i >= range.lowerBound && i < range.upperBound && Scalars.isDigit(text[i]) }
        guard digit(e - 1), isIn(e - 2, 0x30, 0x32) else { return false }
        e -= 2
        var spaces = 0
        while e - 1 >= range.lowerBound && text[e - 1] == 0x20 {
            e -= 1
            spaces += 1
        }
        guard spaces > 0, digit(e - 1), isIn(e - 2, 0x30, 0x33) else { return false }
        e -= 2
        func isSeparator(_ i: Int) -> Bool { i >= range.lowerBound && (text[i] == 0x2D || text[i] == 0x2F) }
        for secondSeparator in [true, false] {
            var p = e
            if secondSeparator {
                guard isSeparator(p - 1) else { continue }
                p -= 1
            }
            guard digit(p - 1), isIn(p - 2, 0x30, 0x31) else { continue }
            p -= 2
            for firstSeparator in [true, false] {
                var q = p
                if firstSeparator {
                    guard isSeparator(q - 1) else { continue }
                    q -= 1
                }
                if digit(q - 1) && digit(q - 2) && digit(q - 3) && isIn(q - 4, 0x31, 0x32) { return true }
            }
        }
        return false
    }

    /// `:[0-5]\d` right after the candidate: the minutes of a time stamp.
    static func isFollowedByMinutes(_ text: UnsafeBufferPointer<UInt32>, _ index: Int) -> Bool {
        index + 2 < text.count && text[index] == 0x3A && text[index + 1] >= 0x30 && text[index + 1] <= 0x35
            && Scalars.isDigit(text[index + 2])
    }
}

/// The patterns with which libphonenumber retries parts of a failed candidate, in its order.
enum InnerPattern: CaseIterable {
    /// `/+(.*)`
    case afterSlashes
    /// `(\([^(]*)`
    case fromBracket
    /// `(?:\s-|-\s)\s*(.+)`
    case afterSpacedDash
    /// `[\u2012-\u2015\uFF0D]\s*(.+)`
    case afterDash
    /// `\.+\s*([^.]+)`
    case afterDots
    /// `\s+(\S+)`
    case afterSpaces

    struct Match {
        let matchStart: Int
        let group: Range<Int>
    }

    /// The leftmost match starting in `range`, whose text ends at `range.upperBound`.
    func search(_ text: UnsafeBufferPointer<UInt32>, in range: Range<Int>) -> Match? {
        let end = range.upperBound
        func isSpace(_ i: Int) -> Bool { i < end && MatcherFilters.isWhitespace(text[i]) }
        /// `\s*(.+)` from i: the group starts after the spaces, keeping at least one character.
        func restAfterSpaces(_ i: Int) -> Range<Int>? {
            guard i < end else { return nil }
            var j = i
            while j < end && MatcherFilters.isWhitespace(text[j]) { j += 1 }
            return (j < end ? j : end - 1)..<end
        }
        var i = range.lowerBound
        while i < end {
            let c = text[i]
            switch self {
            case .afterSlashes:
                if c == 0x2F {
                    var j = i
                    while j < end && text[j] == 0x2F { j += 1 }
                    return Match(matchStart: i, group: j..<end)
                }
            case .fromBracket:
                if c == 0x28 {
                    var j = i + 1
                    while j < end && text[j] != 0x28 { j += 1 }
                    return Match(matchStart: i, group: i..<j)
                }
            case .afterSpacedDash:
                if i + 1 < end && ((isSpace(i) && text[i + 1] == 0x2D) || (c == 0x2D && isSpace(i + 1))),
                    let group = restAfterSpaces(i + 2)
                {
                    return Match(matchStart: i, group: group)
                }
            case .afterDash:
                if (c >= 0x2012 && c <= 0x2015) || c == 0xFF0D, let group = restAfterSpaces(i + 1) {
                    return Match(matchStart: i, group: group)
                }
            case .afterDots:
                if c == 0x2E {
                    var j = i
                    while j < end && text[j] == 0x2E { j += 1 }
                    var k = j
                    while k < end && MatcherFilters.isWhitespace(text[k]) { k += 1 }
                    if k < end && text[k] != 0x2E {
                        var m = k
                        while m < end && text[m] != 0x2E { m += 1 }
                        return Match(matchStart: i, group: k..<m)
                    }
                    if k > j { return Match(matchStart: i, group: (k - 1)..<k) }
                }
            case .afterSpaces:
                if isSpace(i) {
                    var j = i
                    while j < end && MatcherFilters.isWhitespace(text[j]) { j += 1 }
                    if j < end {
                        var k = j
                        while k < end && !MatcherFilters.isWhitespace(text[k]) { k += 1 }
                        return Match(matchStart: i, group: j..<k)
                    }
                }
            }
            i += 1
        }
        return nil
    }
}
