/// Hand-written scanners for libphonenumber's built-in text patterns: where a number starts and
/// ends in a text (`extractPossibleNumber`), whether a text can be a phone number at all
/// (VALID_PHONE_NUMBER_PATTERN), and the RFC 3966 `phone-context` syntax.
enum TextChecks {
    static let phoneContext: StaticString = ";phone-context="
    static let telPrefix: StaticString = "tel:"
    static let isdnSubaddress: StaticString = ";isub="

    /// The first index of an ASCII literal in `text`, case-sensitively (Python's `str.find`).
    static func find(_ literal: StaticString, in text: UnsafeBufferPointer<UInt32>) -> Int? {
        let n = literal.utf8CodeUnitCount
        guard n > 0, text.count >= n else { return nil }
        let bytes = literal.utf8Start
        let first = UInt32(bytes[0])
        var i = 0
        while i <= text.count - n {
            if text[i] == first {
                var j = 1
                while j < n && text[i + j] == UInt32(bytes[j]) { j += 1 }
                if j == n { return i }
            }
            i += 1
        }
        return nil
    }

    /// libphonenumber's `extractPossibleNumber`: from the first plus sign or digit, without
    /// trailing characters that are neither letters, numbers nor `#`, and cut before a second
    /// number introduced by `\x`, `/x`, `/ x` and the like. Nil when there is no plus or digit.
    /// A caller that knows the text has no `\` or `/` passes false for `mayHoldSecondNumber`.
    static func possibleNumberRange(
        _ text: UnsafeBufferPointer<UInt32>, mayHoldSecondNumber: Bool = true
    ) -> Range<Int>? {
        var start = 0
        while start < text.count {
            let c = text[start]
            if c &- 0x30 < 10 || c == Scalars.plus || (c >= 0x660 && (c == Scalars.fullwidthPlus || Scalars.isDigit(c)))
            {
                break
            }
            start += 1
        }
        guard start < text.count else { return nil }
        var end = text.count
        while end > start {
            let c = text[end - 1]
            if c == 0x23 || (c != 0x5F && Scalars.isLetterOrNumber(c)) { break }
            end -= 1
        }
        guard mayHoldSecondNumber else { return start..<end }
        // A second number: [\\/] *x (lower-case x only).
        var i = start
        while i < end && text[i] != 0x5C && text[i] != 0x2F { i += 1 }
        while i < end {
            let c = text[i]
            if c == 0x5C || c == 0x2F {
                var j = i + 1
                while j < end && text[j] == 0x20 { j += 1 }
                if j < end && text[j] == 0x78 {
                    end = i
                    break
                }
            }
            i += 1
        }
        return start..<end
    }

    /// libphonenumber's `isViablePhoneNumber` on `text[0..<count]`: two digits alone, or plus
    /// signs, at least three digits with only punctuation or `*` before the third, then digits,
    /// punctuation, `*` and ASCII letters, and optionally an extension at the end.
    static func isViablePhoneNumber(_ text: UnsafePointer<UInt32>, _ count: Int) -> Bool {
        var scan: ExtensionScanner.Matches?? = .none
        return isViablePhoneNumber(text, count, extensionScan: &scan)
    }

    /// `isViablePhoneNumber`, also handing back the extension scan of the text when it made one
    /// (`.some`), so that the parser need not scan again.
    static func isViablePhoneNumber(
        _ text: UnsafePointer<UInt32>, _ count: Int, extensionScan: inout ExtensionScanner.Matches??
    ) -> Bool {
        guard count >= 2 else { return false }
        if count == 2 && Scalars.isDigit(text[0]) && Scalars.isDigit(text[1]) { return true }
        var i = 0
        while i < count && Scalars.isPlus(text[i]) { i += 1 }
        // (?:[punctuation*]*\d){3,}
        var digits = 0
        while i < count && digits < 3 {
            let c = text[i]
            if Scalars.isDigit(c) {
                digits += 1
            } else if !(Scalars.isPunctuation(c) || c == 0x2A) {
                return false
            }
            i += 1
        }
        guard digits == 3 else { return false }
        let earliestEnd = i
        // [punctuation*alpha\d]*
        while i < count && isNumberBodyCharacter(text[i]) { i += 1 }
        if i == count { return true }
        // The rest must be an extension that starts where the number part can end.
        let buffer = UnsafeBufferPointer(start: text, count: count)
        let scan = ExtensionScanner(buffer, count: count).scan()
        extensionScan = .some(scan)
        guard let ext = scan else { return false }
        return ext.starts.intersects(earliestEnd, i)
    }

    /// `[punctuation*alpha\d]`: what may follow the third digit of a viable number. ASCII
    /// characters are looked up in a bit set.
    @inline(__always)
    static func isNumberBodyCharacter(_ c: UInt32) -> Bool {
        if c < 0x80 {
            // Space ( ) * - . / and digits; letters, [ ] and ~ (x and X are letters too).
            let word: UInt64 = c < 0x40 ? 0x03FF_E701_0000_0000 : 0x47FF_FFFE_2FFF_FFFE
            return word &>> UInt64(c & 0x3F) & 1 != 0
        }
        return Scalars.isDigit(c) || Scalars.isPunctuation(c) || Scalars.isAlpha(c)
    }

    /// Whether a `phone-context` value follows RFC 3966: a global number (`+` and digits with
    /// `-.()` separators) or a domain name.
    static func isValidPhoneContext(_ context: UnsafeBufferPointer<UInt32>) -> Bool {
        guard !context.isEmpty else { return false }
        if context[0] == Scalars.plus {
            var sawDigit = false
            for c in context.dropFirst() {
                if Scalars.isDigit(c) {
                    sawDigit = true
                } else if !(c == 0x2D || c == 0x2E || c == 0x28 || c == 0x29) {
                    return false
                }
            }
            return sawDigit
        }
        return isDomainName(context)
    }

    /// `(domainlabel ".")* toplabel "."?` where labels are letters, digits and inner hyphens,
    /// and the top label starts with an ASCII letter.
    private static func isDomainName(_ text: UnsafeBufferPointer<UInt32>) -> Bool {
        var end = text.count
        if end > 0 && text[end - 1] == 0x2E { end -= 1 }
        guard end > 0 else { return false }
        func isAlnum(_ c: UInt32) -> Bool { Scalars.isASCIILetter(c) || Scalars.isDigit(c) }
        var labelStart = 0
        var i = 0
        while i <= end {
            if i == end || text[i] == 0x2E {
                guard i > labelStart, isAlnum(text[labelStart]), isAlnum(text[i - 1]) else { return false }
                for j in labelStart..<i where !(isAlnum(text[j]) || text[j] == 0x2D) { return false }
                if i == end && !Scalars.isASCIILetter(text[labelStart]) { return false }
                labelStart = i + 1
            }
            i += 1
        }
        return true
    }
}
