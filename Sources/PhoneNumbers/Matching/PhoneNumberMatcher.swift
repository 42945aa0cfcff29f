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
    let source: ScalarStorage

    /// The matched text as written.
    public var rawString: String { source.string(range) }

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
            scalars: ScalarStorage(text), region: defaultRegion.flatMap { RegionKey($0) }, leniency: leniency,
            triesLeft: maxTries)
    }

    public struct Iterator: IteratorProtocol {
        var engine: MatcherEngine
        var searchIndex = 0

        init(scalars: ScalarStorage, region: RegionKey?, leniency: PhoneNumberLeniency, triesLeft: Int) {
            engine = MatcherEngine(storage: scalars, region: region, leniency: leniency, triesLeft: triesLeft)
        }

        public mutating func next() -> PhoneNumberMatch? {
            guard let match = engine.find(from: searchIndex) else { return nil }
            searchIndex = match.range.upperBound
            return match
        }
    }
}

/// The Unicode scalar values of a text, owned by the matcher's iterator and read through an
/// unsafe buffer (no bounds checks and no copies on the matcher's hot path).
final class ScalarStorage: @unchecked Sendable {
    // @unchecked: written once in `init`, then only read.
    let buffer: UnsafeMutableBufferPointer<UInt32>
    let count: Int

    /// Decodes `text` straight from its UTF-8 storage.
    init(_ text: String) {
        let capacity = text.utf8.count
        buffer = .allocate(capacity: max(capacity, 1))
        count = Self.decode(text, into: buffer.baseAddress!)
    }

    /// Decodes the scalars of `text` into `out`, which has room for `text.utf8.count` of them,
    /// straight from the string's UTF-8 storage; returns how many there are.
    static func decode(_ text: String, into out: UnsafeMutablePointer<UInt32>) -> Int {
        var text = text
        return text.withUTF8 { bytes in
            var i = 0
            var n = 0
            while i < bytes.count {
                let b0 = UInt32(bytes[i])
                if b0 < 0x80 {
                    out[n] = b0
                    i += 1
                } else if b0 < 0xE0 {
                    out[n] = (b0 & 0x1F) << 6 | UInt32(bytes[i + 1] & 0x3F)
                    i += 2
                } else if b0 < 0xF0 {
                    out[n] = (b0 & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F)
                    i += 3
                } else {
                    out[n] =
                        (b0 & 0x07) << 18 | UInt32(bytes[i + 1] & 0x3F) << 12 | UInt32(bytes[i + 2] & 0x3F) << 6
                        | UInt32(bytes[i + 3] & 0x3F)
                    i += 4
                }
                n += 1
            }
            return n
        }
    }

    deinit { buffer.deallocate() }

    /// The scalars of `range` as a String, encoded directly as UTF-8.
    func string(_ range: Range<Int>) -> String {
        Self.string(UnsafeBufferPointer(rebasing: scalars[range]))
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

    var scalars: UnsafeBufferPointer<UInt32> { UnsafeBufferPointer(start: buffer.baseAddress, count: count) }
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

    /// For the VALID leniency, the fewest digits a candidate needs to possibly be a valid number,
    /// with a plus sign and without (see `couldBeValid`).
    let minimumDigitsWithPlus: Int
    let minimumDigitsWithoutPlus: Int

    init(storage: ScalarStorage, region: RegionKey?, leniency: PhoneNumberLeniency, triesLeft: Int) {
        self.storage = storage
        self.text = storage.scalars
        self.region = region
        self.leniency = leniency
        self.triesLeft = triesLeft
        let metadata = PhoneNumberMetadata.shared
        minimumDigitsWithPlus = metadata.shortestNationalNumber + 1
        // Without a region only numbers with a plus parse.
        minimumDigitsWithoutPlus =
            region.flatMap { metadata.region($0) }.map { Int($0.minimumValidDigitsWithoutPlus) } ?? Int.max
    }

    /// What one pass over a candidate tells, so that each check runs only when it can matter.
    struct CandidateFacts {
        var digits = 0
        var hasPlus = false
        var hasASCIILetter = false
        var hasX = false
        var hasBracket = false
        var hasOpeningParenthesis = false
        var hasDash = false
        var hasSlash = false
    }

    private func facts(_ candidate: Range<Int>) -> CandidateFacts {
        var facts = CandidateFacts()
        for i in candidate {
            let c = text[i]
            if c &- 0x30 < 10 {
                facts.digits &+= 1
            } else if c < 0x80 {
                switch c {
                case 0x2B: facts.hasPlus = true
                case 0x28:
                    facts.hasBracket = true
                    facts.hasOpeningParenthesis = true
                case 0x29, 0x5B, 0x5D: facts.hasBracket = true
                case 0x2D: facts.hasDash = true
                case 0x2F: facts.hasSlash = true
                case 0x58, 0x78:
                    facts.hasX = true
                    facts.hasASCIILetter = true
                default:
                    if Scalars.isASCIILetter(c) { facts.hasASCIILetter = true }
                }
            } else if c == Scalars.fullwidthPlus {
                facts.hasPlus = true
            } else if MatcherFilters.isOpeningBracket(c) || MatcherFilters.isClosingBracket(c) {
                facts.hasBracket = true
            } else if Scalars.digitValue(c) != nil {
                facts.digits &+= 1
            }
        }
        return facts
    }

    /// A cheap necessary condition for a VALID match: enough digits for the shortest valid number
    /// the candidate could be read as. Candidates with ASCII letters are always parsed, since a
    /// vanity number turns letters into digits.
    private func couldBeValid(_ facts: CandidateFacts) -> Bool {
        facts.hasASCIILetter || facts.digits >= (facts.hasPlus ? minimumDigitsWithPlus : minimumDigitsWithoutPlus)
    }

    /// libphonenumber's `find`: the first match at or after `index`.
    mutating func find(from index: Int) -> PhoneNumberMatch? {
        var index = index
        while triesLeft > 0, let candidate = searchCandidate(from: index) {
            let end = trimSecondNumber(candidate)
            if end > candidate.lowerBound {
                if let match = extractMatch(candidate.lowerBound..<end) { return match }
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
        if let labelEnd = explicitLabelEnd(at: q), let end = labelledDigitsEnd(after: labelEnd, limit: 20) {
            return end
        }
        if let labelEnd = ambiguousLabelEnd(at: q), let end = labelledDigitsEnd(after: labelEnd, limit: 9) {
            return end
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

    private mutating func extractMatch(_ candidate: Range<Int>) -> PhoneNumberMatch? {
        let facts = facts(candidate)
        if facts.hasSlash && MatcherFilters.containsSlashSeparatedDate(text, candidate) { return nil }
        if MatcherFilters.endsWithTimeStamp(text, candidate)
            && MatcherFilters.isFollowedByMinutes(text, candidate.upperBound)
        {
            return nil
        }
        if let match = parseAndVerify(candidate, facts) { return match }
        return extractInnerMatch(candidate)
    }

    /// Tries parts of a candidate that failed as a whole: after slashes, from a bracket, after a
    /// dash or dots, after spaces; and what comes before the first such separator.
    private mutating func extractInnerMatch(_ candidate: Range<Int>) -> PhoneNumberMatch? {
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

    private func parseAndVerify(_ candidate: Range<Int>) -> PhoneNumberMatch? {
        parseAndVerify(candidate, facts(candidate))
    }

    private func parseAndVerify(_ candidate: Range<Int>, _ facts: CandidateFacts) -> PhoneNumberMatch? {
        if facts.hasBracket {
            guard MatcherFilters.hasMatchingBrackets(text, candidate) else { return nil }
        } else if candidate.isEmpty {
            return nil
        }
        if facts.hasDash && facts.hasOpeningParenthesis && MatcherFilters.containsPageRange(text, candidate) {
            return nil
        }
        if leniency >= .valid {
            guard couldBeValid(facts) else { return nil }
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
            parsed = try PhoneNumberParser.parse(
                scalars: UnsafeBufferPointer(rebasing: text[candidate]), region: region)
        } catch {
            return nil
        }
        guard verify(parsed.number, parsed.source, candidate, facts) else { return nil }
        return PhoneNumberMatch(range: candidate, number: parsed.number, source: storage)
    }

    // MARK: Leniency

    private func verify(
        _ number: PhoneNumber, _ source: CountryCodeSource, _ candidate: Range<Int>, _ facts: CandidateFacts
    ) -> Bool {
        if leniency == .possible { return number.isPossible }
        return number.isValid && (!facts.hasX || containsOnlyValidXChars(number, candidate))
            && isNationalPrefixPresentIfRequired(number, source, candidate)
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
        _ number: PhoneNumber, _ source: CountryCodeSource, _ candidate: Range<Int>
    ) -> Bool {
        guard source == .fromDefaultCountry,
            let main = metadata.mainMetadata(forCallingCode: number.countryCode),
            main.key != RegionKey.nonGeographic
        else { return true }
        let format: NumberFormat? = number.withNationalDigits { nsn in
            main.formats.first { f in
                (f.leadingDigits < 0 || metadata.automata.matchesPrefix(f.leadingDigits, nsn))
                    && metadata.automata.matchesWhole(f.pattern, nsn)
            }
        }
        guard let format, format.hasNationalPrefixRule else { return true }
        if format.nationalPrefixOptional || format.ruleHasFirstGroupOnly { return true }
        guard candidate.count <= PhoneNumberParser.maxInputLength else { return true }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * PhoneNumberParser.digitAreaSize) { buffer in
            var n = 0
            for i in candidate {
                if let d = Scalars.digitValue(text[i]) {
                    buffer[n] = d + 48
                    n += 1
                }
            }
            let raw = UnsafeBufferPointer(rebasing: buffer[0..<n])
            let out = buffer.baseAddress! + PhoneNumberParser.digitAreaSize
            return metadata.stripNationalPrefix(raw, main, into: out).stripped
        }
    }

    /// `[(\[（［+＋]`
    static func isLead(_ c: UInt32) -> Bool {
        c == 0x28 || c == 0x5B || c == 0xFF08 || c == 0xFF3B || c == 0x2B || c == 0xFF0B
    }
}
