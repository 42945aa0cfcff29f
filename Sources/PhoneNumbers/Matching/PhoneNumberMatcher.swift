/// How sure the matcher must be before it reports a number (libphonenumber's `Leniency`).
public struct PhoneNumberLeniency: Hashable, Sendable, Comparable, CustomStringConvertible {
    @usableFromInline
    let level: UInt8

    /// The number has a possible length for its calling code (`isPossibleNumber`). Finds the most,
    /// including numbers that are not valid for their region.
    public static let possible = PhoneNumberLeniency(level: 0)
    /// The number is valid for its region, is not glued to Latin letters or currency signs, and,
    /// for regions whose national numbers are written with a trunk prefix, has it.
    public static let valid = PhoneNumberLeniency(level: 1)

    public static func < (a: Self, b: Self) -> Bool { a.level < b.level }

    public var description: String { level == 0 ? "possible" : "valid" }
}

/// One phone number found in a text.
public struct PhoneNumberMatch: Hashable, Sendable {
    /// Where the match is, in Unicode scalars from the start of the text.
    public let range: Range<Int>
    /// The parsed number.
    public let number: PhoneNumber
    /// The searched text, from which `rawString` is made when asked for.
    let source: String

    /// The matched text as written.
    public var rawString: String {
        let scalars = source.unicodeScalars
        let start = scalars.index(scalars.startIndex, offsetBy: range.lowerBound)
        return String(scalars[start..<scalars.index(start, offsetBy: range.count)])
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.range == b.range && a.number == b.number && a.rawString == b.rawString
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(range)
        hasher.combine(number)
    }
}

/// Finds phone numbers in free text, with libphonenumber's `PhoneNumberMatcher` semantics.
///
/// CRM phone fields and caller IDs are typed by people or written by PBXs; strict parsing rejects
/// most of what they hold, while a person sees the numbers at once:
///
/// ```swift
/// let text = "Звонить после 18:00 на 8 916 123-45-67 или 8 (495) 123-45-67 доб. 12"
/// for match in PhoneNumberMatcher(text: text, defaultRegion: "RU") {
///     print(match.number, match.range)   // +79161234567 23..<38, +74951234567;ext=12 42..<68
/// }
/// ```
///
/// The candidates are runs of digits and punctuation, with an optional extension. Each is parsed
/// with the default region and kept when it passes the leniency; a candidate that fails is tried
/// again in parts (split at slashes, brackets, dashes, dots and spaces), as libphonenumber does.
/// Dates (`12/03/2024`), time stamps and page ranges (`211-227 (2003)`) are skipped.
///
/// - Complexity: O(n) in the length of the text for each candidate; at most `maxTries` failed
///   candidates are tried before the search gives up.
public struct PhoneNumberMatcher: Sequence, Sendable {
    public let text: String
    public let defaultRegion: String?
    public let leniency: PhoneNumberLeniency
    public let maxTries: Int

    /// - Parameters:
    ///   - text: The text to search.
    ///   - defaultRegion: The region for numbers written without a calling code ("RU"); nil or
    ///     "ZZ" to find only numbers written internationally.
    ///   - leniency: ``PhoneNumberLeniency/valid`` by default.
    ///   - maxTries: How many failed candidates to try before giving up (libphonenumber's 65,535).
    public init(text: String, defaultRegion: String?, leniency: PhoneNumberLeniency = .valid, maxTries: Int = 65_535) {
        self.text = text
        self.defaultRegion = defaultRegion
        self.leniency = leniency
        self.maxTries = Swift.max(0, maxTries)
    }

    public func makeIterator() -> Iterator {
        Iterator(
            text: text, region: defaultRegion.flatMap { RegionKey($0) }, leniency: leniency, triesLeft: maxTries)
    }

    public struct Iterator: IteratorProtocol {
        /// The searched text, which the matches keep for their `rawString`.
        let text: String
        var engine: MatcherEngine
        var searchIndex = 0

        init(text: String, region: RegionKey?, leniency: PhoneNumberLeniency, triesLeft: Int) {
            self.text = text
            engine = MatcherEngine(
                storage: ScalarStorage.make(text), region: region, leniency: leniency, triesLeft: triesLeft)
        }

        public mutating func next() -> PhoneNumberMatch? {
            guard let found = engine.find(from: searchIndex) else { return nil }
            searchIndex = found.range.upperBound
            return PhoneNumberMatch(range: found.range, number: found.number, source: text)
        }
    }
}

/// The Unicode scalar values of a text, owned by the matcher's iterator and read through an
/// unsafe buffer (no bounds checks and no copies on the matcher's hot path). The count and the
/// scalars share one heap block: one allocation per search.
final class ScalarStorage: ManagedBuffer<Int, UInt32> {
    /// Decodes `text` straight from its UTF-8 storage.
    static func make(_ text: String) -> ScalarStorage {
        let storage = unsafeDowncast(
            create(minimumCapacity: max(text.utf8.count, 1)) { _ in 0 }, to: ScalarStorage.self)
        // Through the pointers: `header` itself would be checked for exclusive access at run time.
        storage.withUnsafeMutablePointers { count, scalars in count.pointee = decode(text, into: scalars) }
        return storage
    }

    var count: Int { withUnsafeMutablePointerToHeader { $0.pointee } }

    /// Decodes the scalars of `text` into `out`, which has room for `text.utf8.count` of them,
    /// straight from the string's UTF-8 storage; returns how many there are.
    static func decode(_ text: String, into out: UnsafeMutablePointer<UInt32>) -> Int {
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return 0 }
            let end = bytes.count
            var i = 0
            var n = 0
            while i < end {
                let b0 = UInt32(base[i])
                if b0 < 0x80 {
                    // Eight ASCII bytes at a time where ASCII goes on: numbers and Latin text.
                    if end &- i >= 8 {
                        let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                        if word & 0x8080_8080_8080_8080 == 0 {
                            for k in 0..<8 { out[n &+ k] = UInt32(truncatingIfNeeded: word &>> UInt64(8 &* k)) & 0xFF }
                            i &+= 8
                            n &+= 8
                            continue
                        }
                    }
                    out[n] = b0
                    i &+= 1
                } else if b0 < 0xE0 {
                    // 110xxxxx 10yyyyyy: shifting and adding the bytes, then taking off the marker
                    // bits (0xC0 << 6 + 0x80), is the scalar, in fewer steps than masking each byte.
                    out[n] = b0 &<< 6 &+ UInt32(base[i &+ 1]) &- 0x3080
                    i &+= 2
                } else if b0 < 0xF0 {
                    out[n] = b0 &<< 12 &+ UInt32(base[i &+ 1]) &<< 6 &+ UInt32(base[i &+ 2]) &- 0xE_2080
                    i &+= 3
                } else {
                    out[n] =
                        b0 &<< 18 &+ UInt32(base[i &+ 1]) &<< 12 &+ UInt32(base[i &+ 2]) &<< 6
                        &+ UInt32(base[i &+ 3]) &- 0x3C8_2080
                    i &+= 4
                }
                n &+= 1
            }
            return n
        }
    }

    /// The scalars as a String, encoded directly as UTF-8.
    static func string(_ text: UnsafeBufferPointer<UInt32>) -> String {
        let range = 0..<text.count
        var length = 0
        for i in range {
            let c = text[i]
            length += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4
        }
        return String(unsafeUninitializedCapacity: length) { out in
            var n = 0
            for i in range {
                let c = text[i]
                if c < 0x80 {
                    out[n] = UInt8(c)
                    n += 1
                } else if c < 0x800 {
                    out[n] = UInt8(0xC0 | c >> 6)
                    out[n + 1] = UInt8(0x80 | c & 0x3F)
                    n += 2
                } else if c < 0x10000 {
                    out[n] = UInt8(0xE0 | c >> 12)
                    out[n + 1] = UInt8(0x80 | (c >> 6) & 0x3F)
                    out[n + 2] = UInt8(0x80 | c & 0x3F)
                    n += 3
                } else {
                    out[n] = UInt8(0xF0 | c >> 18)
                    out[n + 1] = UInt8(0x80 | (c >> 12) & 0x3F)
                    out[n + 2] = UInt8(0x80 | (c >> 6) & 0x3F)
                    out[n + 3] = UInt8(0x80 | c & 0x3F)
                    n += 4
                }
            }
            return n
        }
    }

    /// The scalars, valid as long as the storage lives (its elements never move).
    var scalars: UnsafeBufferPointer<UInt32> {
        withUnsafeMutablePointers { count, scalars in UnsafeBufferPointer(start: scalars, count: count.pointee) }
    }
}

/// The matcher's search, over the text as Unicode scalar values.
struct MatcherEngine {
    let storage: ScalarStorage
    /// `storage`'s scalars, valid as long as `storage` lives.
    let text: UnsafeBufferPointer<UInt32>
    let region: RegionKey?
    let leniency: PhoneNumberLeniency
    var triesLeft: Int
    var metadata: PhoneNumberMetadata { PhoneNumberMetadata.shared }

    var count: Int { text.count }

    /// A number found, and where: the iterator makes the public match of it, so that the search
    /// hands back a small value. Not copyable, so that it is moved, never copied, on its way out.
    struct Found: ~Copyable {
        let range: Range<Int>
        let number: PhoneNumber
    }

    /// For the VALID leniency, the fewest digits a candidate needs to possibly be a valid number,
    /// with a plus sign, without, and written nationally (see `couldBeValid`).
    let minimumDigitsWithPlus: Int
    let minimumDigitsWithoutPlus: Int
    let minimumDigitsNationally: Int
    /// The digits the region's international prefix can start with (`DigitProgram.firstDigits`).
    let internationalPrefixFirstDigits: UInt16

    init(storage: ScalarStorage, region: RegionKey?, leniency: PhoneNumberLeniency, triesLeft: Int) {
        self.storage = storage
        self.text = storage.scalars
        self.region = region
        self.leniency = leniency
        self.triesLeft = triesLeft
        let metadata = PhoneNumberMetadata.shared
        minimumDigitsWithPlus = metadata.shortestNationalNumber + 1
        // Without a region only numbers with a plus parse.
        let regionMetadata = region.flatMap { metadata.region($0) }
        minimumDigitsWithoutPlus = regionMetadata.map { Int($0.minimumValidDigitsWithoutPlus) } ?? Int.max
        minimumDigitsNationally = regionMetadata.map { Int($0.minimumValidNationalDigits) } ?? Int.max
        internationalPrefixFirstDigits =
            regionMetadata.flatMap { $0.internationalPrefix >= 0 ? $0.internationalPrefix : nil }
            .map { metadata.programs[Int($0)].firstDigits } ?? 0
    }

    /// What one pass over a candidate tells, so that each check runs only when it can matter.
    struct CandidateFacts {
        var digits = 0
        var flags: Flags = []

        struct Flags: OptionSet {
            let rawValue: UInt16
            static let plus = Flags(rawValue: 1 << 0)
            static let asciiLetter = Flags(rawValue: 1 << 1)
            static let x = Flags(rawValue: 1 << 2)
            static let bracket = Flags(rawValue: 1 << 3)
            static let openingParenthesis = Flags(rawValue: 1 << 4)
            static let dash = Flags(rawValue: 1 << 5)
            static let slash = Flags(rawValue: 1 << 6)
            /// A `\` or `/`: the candidate may hold a second number (see `trimSecondNumber`).
            static let slashOrBackslash = Flags(rawValue: 1 << 7)
            /// A character at which an `InnerPattern` can match (`/`, `(`, `.`, white space, a
            /// dash other than `-`): without one, a failed candidate has no parts to try.
            static let innerSeparator = Flags(rawValue: 1 << 8)
            static let semicolon = Flags(rawValue: 1 << 9)
        }

        var hasPlus: Bool { flags.contains(.plus) }
        var hasASCIILetter: Bool { flags.contains(.asciiLetter) }
        var hasX: Bool { flags.contains(.x) }
        var hasBracket: Bool { flags.contains(.bracket) }
        var hasOpeningParenthesis: Bool { flags.contains(.openingParenthesis) }
        var hasDash: Bool { flags.contains(.dash) }
        var hasSlash: Bool { flags.contains(.slash) }
        var hasSlashOrBackslash: Bool { flags.contains(.slashOrBackslash) }
        var hasInnerSeparator: Bool { flags.contains(.innerSeparator) }

        /// The flags of an ASCII character other than a digit; a switch of constants, which the
        /// compiler turns into a table lookup.
        static func asciiFlags(_ c: UInt32) -> Flags.RawValue {
            switch c {
            case 0x09...0x0D, 0x1C...0x20, 0x2E: return Flags.innerSeparator.rawValue
            case 0x2B: return Flags.plus.rawValue
            case 0x28: return Flags([.bracket, .openingParenthesis, .innerSeparator]).rawValue
            case 0x29, 0x5B, 0x5D: return Flags.bracket.rawValue
            case 0x2D: return Flags.dash.rawValue
            case 0x2F: return Flags([.slash, .slashOrBackslash, .innerSeparator]).rawValue
            case 0x5C: return Flags.slashOrBackslash.rawValue
            case 0x3B: return Flags.semicolon.rawValue
            case 0x58, 0x78: return Flags([.x, .asciiLetter]).rawValue
            case 0x41...0x5A, 0x61...0x7A: return Flags.asciiLetter.rawValue
            default: return 0
            }
        }
    }

    private func facts(_ candidate: Range<Int>) -> CandidateFacts {
        var digits = 0
        var flags: CandidateFacts.Flags.RawValue = 0
        for i in candidate {
            let c = text[i]
            if c &- 0x30 < 10 {
                digits &+= 1
            } else if c < 0x80 {
                flags |= CandidateFacts.asciiFlags(c)
            } else if c == Scalars.fullwidthPlus {
                flags |= CandidateFacts.Flags.plus.rawValue
            } else if MatcherFilters.isOpeningBracket(c) || MatcherFilters.isClosingBracket(c) {
                flags |= CandidateFacts.Flags.bracket.rawValue
            } else if Scalars.digitValue(c) != nil {
                digits &+= 1
            } else if MatcherFilters.isWhitespace(c) || c &- 0x2012 < 4 || c == 0xFF0D {
                flags |= CandidateFacts.Flags.innerSeparator.rawValue
            }
        }
        return CandidateFacts(digits: digits, flags: CandidateFacts.Flags(rawValue: flags))
    }

    /// A cheap necessary condition for a VALID match: enough digits for the shortest valid number
    /// the candidate could be read as. Candidates with ASCII letters are always parsed, since a
    /// vanity number turns letters into digits.
    private func couldBeValid(_ facts: CandidateFacts, _ candidate: Range<Int>) -> Bool {
        if facts.hasASCIILetter { return true }
        if facts.hasPlus { return facts.digits >= minimumDigitsWithPlus }
        if facts.digits >= minimumDigitsNationally { return true }
        guard facts.digits >= minimumDigitsWithoutPlus else { return false }
        // Too short to be written nationally (order numbers, dates): only a number dialled with
        // the international prefix can be that short, and its first digit starts the prefix.
        if internationalPrefixFirstDigits & 0x400 != 0 { return true }
        for i in candidate {
            if let d = Scalars.digitValue(text[i]) { return internationalPrefixFirstDigits &>> UInt16(d) & 1 != 0 }
        }
        return false
    }

    /// libphonenumber's `find`: the first match at or after `index`.
    mutating func find(from index: Int) -> Found? {
        var index = index
        while triesLeft > 0, let candidate = searchCandidate(from: index) {
            // The facts of the candidate tell whether it can hold a second number to cut off.
            var facts = facts(candidate)
            var end = candidate.upperBound
            if facts.hasSlashOrBackslash {
                end = trimSecondNumber(candidate)
                if end < candidate.upperBound { facts = self.facts(candidate.lowerBound..<end) }
            }
            if end > candidate.lowerBound {
                if let match = extractMatch(candidate.lowerBound..<end, facts) { return match }
                triesLeft -= 1
            }
            index = end
        }
        return nil
    }

    // MARK: Candidates

    /// The leftmost run at or after `index` that libphonenumber's candidate pattern matches:
    /// up to two leading `(`/`[`/`+` groups, digit blocks joined by up to four punctuation marks,
    /// and an optional extension.
    func searchCandidate(from index: Int) -> Range<Int>? {
        var i = index
        while i < count {
            let c = text[i]
            // Most of a text is letters and spaces: skip them with one test.
            if c < 0x80 ? !Self.mayStartCandidateASCII(c) : c < 0x660 {
                i += 1
                continue
            }
            if Scalars.isDigit(c) {
                return i..<candidateEnd(digitsAt: i)
            }
            if Self.isLead(c), let firstDigit = leadingPartEnd(from: i) {
                return i..<candidateEnd(digitsAt: firstDigit)
            }
            i += 1
        }
        return nil
    }

    /// `(?:[lead][punctuation]{0,4}){1,2}` from a lead character up to the first digit.
    private func leadingPartEnd(from start: Int) -> Int? {
        var d = start + 1
        while d < count && d - start <= 10 && !Scalars.isDigit(text[d]) {
            guard Self.isLead(text[d]) || Scalars.isPunctuation(text[d]) else { return nil }
            d += 1
        }
        guard d < count, Scalars.isDigit(text[d]) else { return nil }
        func allPunctuation(_ range: Range<Int>) -> Bool { range.allSatisfy { Scalars.isPunctuation(text[$0]) } }
        let length = d - start
        if length - 1 <= 4 && allPunctuation(start + 1..<d) { return d }
        var split = start + 1
        while split < d && split - start <= 5 {
            if Self.isLead(text[split]) && allPunctuation(start + 1..<split) && d - split - 1 <= 4
                && allPunctuation(split + 1..<d)
            {
                return d
            }
            split += 1
        }
        return nil
    }

    /// The end of the candidate whose digits start at `start`.
    private func candidateEnd(digitsAt start: Int) -> Int {
        var p = takeDigits(from: start, limit: 20)
        for _ in 0..<20 {
            var k = 0
            while k < 4 && p + k < count && Scalars.isPunctuation(text[p + k]) { k += 1 }
            guard p + k < count, Scalars.isDigit(text[p + k]) else { break }
            p = takeDigits(from: p + k, limit: 20)
        }
        return extensionEnd(at: p) ?? p
    }

    private func takeDigits(from start: Int, limit: Int) -> Int {
        var p = start
        while p < count && p - start < limit && Scalars.isDigit(text[p]) { p += 1 }
        return p
    }

    /// libphonenumber's extension patterns "for matching", forward from `p`: `;ext=`, explicit
    /// labels, ambiguous labels, and the American `- 503#`, the first that matches.
    private func extensionEnd(at p: Int) -> Int? {
        func at(_ i: Int, _ lower: UInt32) -> Bool { i < count && Scalars.equalsIgnoringCase(text[i], lower) }
        // ;ext=
        if p + 5 < count, text[p] == 0x3B, at(p + 1, 0x65), at(p + 2, 0x78), at(p + 3, 0x74), text[p + 4] == 0x3D,
            Scalars.isDigit(text[p + 5])
        {
            return takeDigits(from: p + 5, limit: 20)
        }
        var q = p
        while q < count && ExtensionScanner.isLabelSeparator(text[q]) { q += 1 }
        if q < count && Self.mayStartLabel(text[q]) {
            if let labelEnd = explicitLabelEnd(at: q), let end = labelledDigitsEnd(after: labelEnd, limit: 20) {
                return end
            }
            if let labelEnd = ambiguousLabelEnd(at: q), let end = labelledDigitsEnd(after: labelEnd, limit: 9) {
                return end
            }
        }
        // [- ]+(\d{1,6})#
        var r = p
        while r < count && ExtensionScanner.isDashOrSpace(text[r]) { r += 1 }
        if r > p {
            let end = takeDigits(from: r, limit: 6)
            if end > r && end < count && text[end] == 0x23 { return end + 1 }
        }
        return nil
    }

    /// `[:\.．]?[ \u00A0\t,-]*(\d{1,limit})#?` after a label.
    private func labelledDigitsEnd(after labelEnd: Int, limit: Int) -> Int? {
        var q = labelEnd
        if q < count && ExtensionScanner.isLabelPunctuation(text[q]) { q += 1 }
        while q < count && ExtensionScanner.isAfterLabelSeparator(text[q]) { q += 1 }
        let end = takeDigits(from: q, limit: limit)
        guard end > q else { return nil }
        return end < count && text[end] == 0x23 ? end + 1 : end
    }

    /// Whether `c` can start an extension label, in either case: `e`, `x`, `ｅ`, `ｘ`, `д` and `a`
    /// (explicit labels); `x`, `ｘ`, `#`, `＃`, `~`, `～`, `i` and `ｉ` (ambiguous ones). Most
    /// candidates are followed by none of them and skip the label patterns.
    @inline(__always)
    private static func mayStartLabel(_ c: UInt32) -> Bool {
        switch c {
        case 0x41, 0x61, 0x45, 0x65, 0x49, 0x69, 0x58, 0x78, 0x23, 0x7E,  // A a E e I i X x # ~
            0x130, 0x131,  // İ ı (i)
            0x414, 0x434, 0x1C81,  // Д д ᲁ
            0xFF03, 0xFF5E, 0xFF25, 0xFF45, 0xFF29, 0xFF49, 0xFF38, 0xFF58:  // ＃ ～ Ｅ ｅ Ｉ ｉ Ｘ ｘ
            return true
        default:
            return false
        }
    }

    /// `e?xt(?:ensi(?:o\u0301?|ó))?n?` | `ｅ?ｘｔｎ?` | `доб` | `anexo`, longest first.
    private func explicitLabelEnd(at q: Int) -> Int? {
        func at(_ i: Int, _ lower: UInt32) -> Bool { i < count && Scalars.equalsIgnoringCase(text[i], lower) }
        var r: Int
        if at(q, 0x65) && at(q + 1, 0x78) && at(q + 2, 0x74) {
            r = q + 3
        } else if at(q, 0x78) && at(q + 1, 0x74) {
            r = q + 2
        } else if at(q, 0xFF45) && at(q + 1, 0xFF58) && at(q + 2, 0xFF54) {
            return at(q + 3, 0xFF4E) ? q + 4 : q + 3
        } else if at(q, 0xFF58) && at(q + 1, 0xFF54) {
            return at(q + 2, 0xFF4E) ? q + 3 : q + 2
        } else if at(q, 0x434) && at(q + 1, 0x43E) && at(q + 2, 0x431) {
            return q + 3
        } else if at(q, 0x61) && at(q + 1, 0x6E) && at(q + 2, 0x65) && at(q + 3, 0x78) && at(q + 4, 0x6F) {
            return q + 5
        } else {
            return nil
        }
        if at(r, 0x65) && at(r + 1, 0x6E) && at(r + 2, 0x73) && at(r + 3, 0x69) {
            if at(r + 4, 0x6F) {
                r += 5
                if r < count && text[r] == 0x301 { r += 1 }
            } else if at(r + 4, 0xF3) {
                r += 5
            }
        }
        if at(r, 0x6E) { r += 1 }
        return r
    }

    /// `[xｘ#＃~～]` | `int` | `ｉｎｔ`
    private func ambiguousLabelEnd(at q: Int) -> Int? {
        guard q < count else { return nil }
        func at(_ i: Int, _ lower: UInt32) -> Bool { i < count && Scalars.equalsIgnoringCase(text[i], lower) }
        let c = text[q]
        if at(q, 0x78) || at(q, 0xFF58) || c == 0x23 || c == 0xFF03 || c == 0x7E || c == 0xFF5E { return q + 1 }
        if at(q, 0x69) && at(q + 1, 0x6E) && at(q + 2, 0x74) { return q + 3 }
        if at(q, 0xFF49) && at(q + 1, 0xFF4E) && at(q + 2, 0xFF54) { return q + 3 }
        return nil
    }

    /// Cuts a candidate before a second number introduced by `\x`, `/x`, `/ x`.
    private func trimSecondNumber(_ candidate: Range<Int>) -> Int {
        var i = candidate.lowerBound
        while i < candidate.upperBound {
            if text[i] == 0x5C || text[i] == 0x2F {
                var j = i + 1
                while j < candidate.upperBound && text[j] == 0x20 { j += 1 }
                if j < candidate.upperBound && text[j] == 0x78 { return i }
            }
            i += 1
        }
        return candidate.upperBound
    }

    // MARK: Extracting a match from a candidate

    private mutating func extractMatch(_ candidate: Range<Int>, _ facts: CandidateFacts) -> Found? {
        if facts.hasSlash && MatcherFilters.containsSlashSeparatedDate(text, candidate) { return nil }
        // The cheap test first: a time stamp is followed by `:` and minutes.
        if MatcherFilters.isFollowedByMinutes(text, candidate.upperBound)
            && MatcherFilters.endsWithTimeStamp(text, candidate)
        {
            return nil
        }
        if let match = parseAndVerify(candidate, facts) { return match }
        // No part of the candidate to try means no try spent either: the result is the same.
        guard facts.hasInnerSeparator else { return nil }
        return extractInnerMatch(candidate)
    }

    /// Tries parts of a candidate that failed as a whole: after slashes, from a bracket, after a
    /// dash or dots, after spaces; and what comes before the first such separator.
    private mutating func extractInnerMatch(_ candidate: Range<Int>) -> Found? {
        for pattern in InnerPattern.allCases {
            var searchFrom = candidate.lowerBound
            var isFirst = true
            while triesLeft > 0, let inner = pattern.search(text, in: searchFrom..<candidate.upperBound) {
                if isFirst {
                    let before = trimUnwantedEnd(candidate.lowerBound..<inner.matchStart)
                    if let match = parseAndVerify(before) { return match }
                    triesLeft -= 1
                    isFirst = false
                }
                let group = trimUnwantedEnd(inner.group)
                if let match = parseAndVerify(group) { return match }
                triesLeft -= 1
                searchFrom = inner.matchStart + 1
            }
        }
        return nil
    }

    /// Drops trailing characters that are neither letters, numbers nor `#`.
    private func trimUnwantedEnd(_ range: Range<Int>) -> Range<Int> {
        var end = range.upperBound
        while end > range.lowerBound {
            let c = text[end - 1]
            if c == 0x23 || (c != 0x5F && Scalars.isLetterOrNumber(c)) { break }
            end -= 1
        }
        return range.lowerBound..<end
    }

    private func parseAndVerify(_ candidate: Range<Int>) -> Found? {
        parseAndVerify(candidate, facts(candidate))
    }

    private func parseAndVerify(_ candidate: Range<Int>, _ facts: CandidateFacts) -> Found? {
        if facts.hasBracket {
            guard MatcherFilters.hasMatchingBrackets(text, candidate) else { return nil }
        } else if candidate.isEmpty {
            return nil
        }
        if facts.hasDash && facts.hasOpeningParenthesis && MatcherFilters.containsPageRange(text, candidate) {
            return nil
        }
        if leniency >= .valid {
            guard couldBeValid(facts, candidate) else { return nil }
            if candidate.lowerBound > 0 && (candidate.isEmpty || !Self.isLead(text[candidate.lowerBound])) {
                let previous = text[candidate.lowerBound - 1]
                if MatcherFilters.isInvalidPunctuation(previous) || MatcherFilters.isLatinLetter(previous) {
                    return nil
                }
            }
            if candidate.upperBound < count {
                let next = text[candidate.upperBound]
                if MatcherFilters.isInvalidPunctuation(next) || MatcherFilters.isLatinLetter(next) { return nil }
            }
        }
        let parsed: (number: PhoneNumber, source: CountryCodeSource)
        do {
            // The facts tell the parser which of its searches can find nothing.
            parsed = try PhoneNumberParser.parse(
                scalars: UnsafeBufferPointer(rebasing: text[candidate]), region: region,
                hints: .init(
                    mayHoldSemicolon: facts.flags.contains(.semicolon), mayHoldSlash: facts.hasSlashOrBackslash))
        } catch {
            return nil
        }
        guard verify(parsed.number, parsed.source, candidate, facts) else { return nil }
        return Found(range: candidate, number: parsed.number)
    }

    // MARK: Leniency

    private func verify(
        _ number: PhoneNumber, _ source: CountryCodeSource, _ candidate: Range<Int>, _ facts: CandidateFacts
    ) -> Bool {
        if leniency == .possible { return number.isPossible }
        return number.withNationalDigits { nsn in
            metadata.isValid(nsn, callingCode: number.countryCode)
                && (!facts.hasX || containsOnlyValidXChars(number, candidate))
                && isNationalPrefixPresentIfRequired(number, nsn, source, candidate)
        }
    }

    /// An `x` in a candidate must start its extension, or `xx` must precede the same number again.
    private func containsOnlyValidXChars(_ number: PhoneNumber, _ candidate: Range<Int>) -> Bool {
        var i = candidate.lowerBound
        while i < candidate.upperBound - 1 {
            let c = text[i]
            if c == 0x78 || c == 0x58 {
                let next = text[i + 1]
                if next == 0x78 || next == 0x58 {
                    i += 1
                    if !isNationalNumberMatch(number, i..<candidate.upperBound) { return false }
                } else {
                    guard let ext = number.extension, digitsOnly(i..<candidate.upperBound) == ext else { return false }
                }
            }
            i += 1
        }
        return true
    }

    private func digitsOnly(_ range: Range<Int>) -> String {
        var s = ""
        for i in range {
            if let d = Scalars.digitValue(text[i]) { s.unicodeScalars.append(Unicode.Scalar(d + 48)) }
        }
        return s
    }

    /// libphonenumber's `isNumberMatch(number, text) == NSN_MATCH`: the text has no calling code,
    /// and read in the number's main region it is the same number.
    private func isNationalNumberMatch(_ number: PhoneNumber, _ range: Range<Int>) -> Bool {
        do {
            let slice = UnsafeBufferPointer(rebasing: text[range])
            do throws(PhoneNumberParseError) {
                _ = try PhoneNumberParser.parse(scalars: slice, region: nil)
                return false  // it has a calling code: at best an exact match, not an NSN match
            } catch {
                guard error.code == .invalidCountryCode,
                    let main = metadata.mainMetadata(forCallingCode: number.countryCode),
                    let other = try? PhoneNumberParser.parse(scalars: slice, region: main.key).number
                else { return false }
                return other == number
            }
        }
    }

    /// For numbers written nationally in regions whose formats require the national prefix, the
    /// prefix must be there.
    private func isNationalPrefixPresentIfRequired(
        _ number: PhoneNumber, _ nsn: UnsafeBufferPointer<UInt8>, _ source: CountryCodeSource,
        _ candidate: Range<Int>
    ) -> Bool {
        // Most regions have no format that requires the prefix: nothing to look for there.
        guard source == .fromDefaultCountry,
            let main = metadata.mainMetadata(forCallingCode: number.countryCode),
            main.key != RegionKey.nonGeographic, main.someFormatRequiresNationalPrefix
        else { return true }
        let format = main.formats.first { f in
            (f.leadingDigits < 0 || metadata.automata.matchesPrefix(f.leadingDigits, nsn))
                && metadata.automata.matchesWhole(f.pattern, nsn)
        }
        guard let format, format.hasNationalPrefixRule else { return true }
        if format.nationalPrefixOptional || format.ruleHasFirstGroupOnly { return true }
        guard candidate.count <= PhoneNumberParser.maxInputLength else { return true }
        return hasNationalPrefix(candidate, main)
    }

    /// Whether the digits of `candidate` start with `region`'s national prefix, as libphonenumber's
    /// `maybeStripNationalPrefixAndCarrierCode` strips it.
    private func hasNationalPrefix(_ candidate: Range<Int>, _ region: RegionMetadata) -> Bool {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * PhoneNumberParser.digitAreaSize) { buffer in
            var n = 0
            for i in candidate {
                if let d = Scalars.digitValue(text[i]) {
                    buffer[n] = d + 48
                    n += 1
                }
            }
            let raw = UnsafeBufferPointer(rebasing: buffer[0..<n])
            let out = buffer.baseAddress! + PhoneNumberParser.digitAreaSize
            return metadata.stripNationalPrefix(raw, region, into: out).stripped
        }
    }

    /// An ASCII digit or lead (`(`, `[`, `+`). Outside ASCII, no scalar below U+0660 is a digit or
    /// a lead.
    @inline(__always)
    static func mayStartCandidateASCII(_ c: UInt32) -> Bool {
        // From 0x28: bits 0 `(`, 3 `+`, 8...17 the digits and 0x33 `[`.
        let k = c &- 0x28
        return k < 0x34 && (0x8_0000_0003_FF09 as UInt64) &>> UInt64(k) & 1 != 0
    }

    /// `[(\[（［+＋]`
    static func isLead(_ c: UInt32) -> Bool {
        c == 0x28 || c == 0x5B || c == 0xFF08 || c == 0xFF3B || c == 0x2B || c == 0xFF0B
    }
}
