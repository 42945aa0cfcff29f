/// The one number to look up for an incoming call, read from whatever a telephony integration
/// passes as the caller's `phone_number` (docs/caller-id.md).
///
/// PBXs and messengers send E.164 (`+79998885533`), national numbers with or without the trunk
/// prefix (`8 999 888-55-33`, `9998885533`), international numbers without the plus
/// (`79998885533`, `4930123456`), SIP and tel URIs (`sip:+79998885533@pbx.example.com`,
/// `"Иван" <sip:89998885533@10.0.0.1>`, `tel:+7-999-888-55-33`), WhatsApp ids
/// (`79998885533@c.us`) and digits with junk around them (`Иван +7 999 888 55 33`).
///
/// ```swift
/// let caller = try CallerID.lookupNumber("sip:89998885533@pbx", defaultRegion: "RU")
/// caller.number.e164   // "+79998885533"
/// caller.reading       // .parsed
/// ```
public enum CallerID {
    /// How the number was read from the text.
    public enum Reading: String, Sendable, Hashable {
        /// The text (after removing a URI or messenger wrapper) parsed as a valid number with the
        /// default region.
        case parsed
        /// The text is digits that only make a valid number with a `+` in front: an international
        /// number written without it, such as `4930123456` sent to a Russian account.
        case internationalWithoutPlus
        /// The text parsed, but not as a valid number; it is still the best key to look up.
        case parsedButInvalid
        /// Strict parsing failed, and the number was found inside the text.
        case foundInText
    }

    /// The number to look up and how it was read: what ``lookupNumber(_:defaultRegion:)`` returns.
    public struct Result: Sendable, Hashable {
        public let number: PhoneNumber
        public let reading: Reading
    }

    /// Why no number could be read.
    public struct Error: Swift.Error, Hashable, Sendable, CustomStringConvertible {
        public struct Code: Hashable, Sendable, CustomStringConvertible {
            /// The codes themselves; every `switch` over them is exhaustive.
            enum BackingCode: Hashable, Sendable, CaseIterable {
                case empty
                case noNumber
            }

            let backingCode: BackingCode

            init(_ backingCode: BackingCode) { self.backingCode = backingCode }

            /// The text is empty or only white space.
            public static let empty = Code(.empty)
            /// No phone number could be read from the text.
            public static let noNumber = Code(.noNumber)

            /// The code's wire name: `empty` or `no_number`.
            public var description: String {
                switch backingCode {
                case .empty: "empty"
                case .noNumber: "no_number"
                }
            }

            /// Every code, for tests.
            static var allCodes: [Code] { BackingCode.allCases.map(Code.init) }
        }

        public let code: Code
        /// The reason strict parsing gave, when it was tried.
        public let parseError: PhoneNumberParseError.Code?

        public var description: String {
            if let parseError { return "\(code): \(parseError.name)" }
            return code.description
        }
    }

    /// Reads the caller's number.
    ///
    /// The rules, in order:
    /// 1. Surrounding white space and quotes go; of `Name <URI>`, the URI is kept.
    /// 2. `sip:`/`sips:` URIs and `user@host` ids (WhatsApp's `79998885533@c.us`) keep the user part,
    ///    without its `;` parameters. `tel:` URIs are parsed as RFC 3966 says.
    /// 3. Strict parsing with the default region; a valid number is the answer.
    /// 4. If the text has no `+` or international prefix, `+` and its digits; a valid number is the answer.
    /// 5. The number from step 3, valid or not.
    /// 6. Otherwise the numbers found in the text (at ``PhoneNumberLeniency/possible``): the first
    ///    valid one, or else the first.
    ///
    /// - Throws: ``Error`` with code `empty` or `noNumber`.
    public static func lookupNumber(_ text: String, defaultRegion: String?) throws(Error) -> Result {
        let region = defaultRegion.flatMap { RegionKey($0) }
        // Caller IDs are short: decode on the stack when the text fits, on the heap otherwise.
        let byteCount = text.utf8.count
        if byteCount <= 256 {
            return try withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 256) { buffer throws(Error) in
                let count = ScalarStorage.decode(text, into: buffer.baseAddress!)
                return try lookup(UnsafeBufferPointer(rebasing: buffer[0..<count]), region, defaultRegion)
            }
        }
        let storage = ScalarStorage.make(text)
        return try lookup(storage.scalars, region, defaultRegion)
    }

    private static func lookup(
        _ scalars: UnsafeBufferPointer<UInt32>, _ region: RegionKey?, _ defaultRegion: String?
    ) throws(Error) -> Result {
        let range = strip(scalars)
        guard !range.isEmpty else { throw Error(code: .empty, parseError: nil) }
        let cleaned = UnsafeBufferPointer(rebasing: scalars[range])
        var parseError: PhoneNumberParseError.Code? = nil
        var strict: PhoneNumber? = nil
        do {
            let number = try PhoneNumberParser.parse(scalars: cleaned, region: region).number
            if number.isValid { return Result(number: number, reading: .parsed) }
            strict = number
        } catch {
            parseError = error.code
        }
        if cleaned.count < PhoneNumberParser.maxInputLength,
            !cleaned.contains(where: { Scalars.isPlus($0) }),
            !startsWithInternationalPrefix(cleaned, region),
            let international = withPlus(cleaned), international.isValid
        {
            return Result(number: international, reading: .internationalWithoutPlus)
        }
        if let strict { return Result(number: strict, reading: .parsedButInvalid) }
        var first: PhoneNumber? = nil
        let text = ScalarStorage.string(cleaned)
        for match in PhoneNumberMatcher(text: text, defaultRegion: defaultRegion, leniency: .possible) {
            if match.number.isValid { return Result(number: match.number, reading: .foundInText) }
            if first == nil { first = match.number }
        }
        if let first { return Result(number: first, reading: .foundInText) }
        throw Error(code: .noNumber, parseError: parseError)
    }

    /// `+` and the text, parsed without a default region.
    private static func withPlus(_ text: UnsafeBufferPointer<UInt32>) -> PhoneNumber? {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: PhoneNumberParser.maxInputLength) { buffer in
            buffer[0] = Scalars.plus
            for (i, c) in text.enumerated() { buffer[i + 1] = c }
            let input = UnsafeBufferPointer(rebasing: buffer[0..<text.count + 1])
            return try? PhoneNumberParser.parse(scalars: input, region: nil).number
        }
    }

    /// Whether the digits of `text` start with the region's international (IDD) prefix.
    static func startsWithInternationalPrefix(_ text: UnsafeBufferPointer<UInt32>, _ region: RegionKey?) -> Bool {
        let metadata = PhoneNumberMetadata.shared
        guard let record = region.flatMap({ metadata.region($0) }), record.internationalPrefix >= 0 else {
            return false
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digits in
            var n = 0
            for c in text where n < 32 {
                if let d = Scalars.digitValue(c) {
                    digits[n] = d + 48
                    n += 1
                }
            }
            let prefix = UnsafeBufferPointer(rebasing: digits[0..<n])
            return metadata.programs[Int(record.internationalPrefix)].matchPrefix(prefix) != nil
        }
    }

    /// The part of `text` to parse: without white space, quotes, a display name, and URI or
    /// messenger wrappers.
    static func strip(_ text: UnsafeBufferPointer<UInt32>) -> Range<Int> {
        func isTrimmed(_ c: UInt32) -> Bool {
            c == 0x22 || c == 0x27 || MatcherFilters.isWhitespace(c)
                || (c > 0x7F && Unicode.Scalar(c)?.properties.isWhitespace == true)
        }
        func trim(_ r: Range<Int>) -> Range<Int> {
            var lower = r.lowerBound
            var upper = r.upperBound
            while lower < upper && isTrimmed(text[lower]) { lower += 1 }
            while upper > lower && isTrimmed(text[upper - 1]) { upper -= 1 }
            return lower..<upper
        }
        func hasPrefix(_ r: Range<Int>, _ prefix: StaticString) -> Bool {
            let n = prefix.utf8CodeUnitCount
            guard r.count >= n else { return false }
            for i in 0..<n {
                var c = text[r.lowerBound + i]
                if c &- 0x41 < 26 { c |= 0x20 }
                if c != UInt32(prefix.utf8Start[i]) { return false }
            }
            return true
        }
        var r = trim(0..<text.count)
        if let open = r.reversed().first(where: { text[$0] == 0x3C }),
            let close = (open + 1..<r.upperBound).first(where: { text[$0] == 0x3E })
        {
            r = trim(open + 1..<close)
        }
        var isURI = false
        if hasPrefix(r, "sips:") {
            r = r.lowerBound + 5..<r.upperBound
            isURI = true
        } else if hasPrefix(r, "sip:") {
            r = r.lowerBound + 4..<r.upperBound
            isURI = true
        } else if hasPrefix(r, "tel:") {
            return r
        }
        if let at = r.first(where: { text[$0] == 0x40 }) {
            r = r.lowerBound..<at
            isURI = true
        }
        if isURI, TextChecks.find(TextChecks.phoneContext, in: UnsafeBufferPointer(rebasing: text[r])) == nil,
            let semicolon = r.first(where: { text[$0] == 0x3B })
        {
            r = r.lowerBound..<semicolon
        }
        return trim(r)
    }
}
