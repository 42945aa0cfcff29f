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

    /// The number to look up and how it was read.
    public struct Resolution: Sendable, Hashable {
        public let number: PhoneNumber
        public let reading: Reading
    }

    /// Why no number could be read.
    public struct Error: Swift.Error, Hashable, Sendable, CustomStringConvertible {
        public struct Code: Hashable, Sendable, CustomStringConvertible {
            let rawValue: UInt8
            /// The text is empty or only white space.
            public static let empty = Code(rawValue: 0)
            /// No phone number could be read from the text.
            public static let noNumber = Code(rawValue: 1)

            public var description: String { rawValue == 0 ? "empty" : "no_number" }
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
    public static func lookupNumber(_ text: String, defaultRegion: String?) throws(Error) -> Resolution {
        let cleaned = strip(text)
        guard !cleaned.isEmpty else { throw Error(code: .empty, parseError: nil) }
        var parseError: PhoneNumberParseError.Code? = nil
        var strict: PhoneNumber? = nil
        do {
            let number = try PhoneNumber(parsing: cleaned, defaultRegion: defaultRegion)
            if number.isValid { return Resolution(number: number, reading: .parsed) }
            strict = number
        } catch {
            parseError = error.code
        }
        if !cleaned.unicodeScalars.contains(where: { Scalars.isPlus($0.value) }),
            !startsWithInternationalPrefix(cleaned, defaultRegion),
            let international = try? PhoneNumber(parsing: "+" + cleaned, defaultRegion: nil), international.isValid
        {
            return Resolution(number: international, reading: .internationalWithoutPlus)
        }
        if let strict { return Resolution(number: strict, reading: .parsedButInvalid) }
        var first: PhoneNumber? = nil
        for match in PhoneNumberMatcher(text: cleaned, defaultRegion: defaultRegion, leniency: .possible) {
            if match.number.isValid { return Resolution(number: match.number, reading: .foundInText) }
            if first == nil { first = match.number }
        }
        if let first { return Resolution(number: first, reading: .foundInText) }
        throw Error(code: .noNumber, parseError: parseError)
    }

    /// Whether the digits of `text` start with the region's international (IDD) prefix.
    static func startsWithInternationalPrefix(_ text: String, _ region: String?) -> Bool {
        let metadata = PhoneNumberMetadata.shared
        guard let key = region.flatMap({ RegionKey($0) }), let record = metadata.region(key),
            record.internationalPrefix >= 0
        else { return false }
        var digits: [UInt8] = []
        for scalar in text.unicodeScalars {
            if let d = Scalars.digitValue(scalar.value) { digits.append(d + 48) }
        }
        return digits.withUnsafeBufferPointer { metadata.programs[Int(record.internationalPrefix)].matchPrefix($0) != nil }
    }

    /// Removes white space, quotes, a display name, and URI or messenger wrappers.
    static func strip(_ text: String) -> String {
        var s = Substring(text)
        func trim(_ s: Substring) -> Substring {
            var t = s
            while let c = t.unicodeScalars.first, c.properties.isWhitespace || c == "\"" || c == "'" { t = t.dropFirst() }
            while let c = t.unicodeScalars.last, c.properties.isWhitespace || c == "\"" || c == "'" { t = t.dropLast() }
            return t
        }
        s = trim(s)
        if let open = s.lastIndex(of: "<"), let close = s[open...].firstIndex(of: ">") {
            s = trim(s[s.index(after: open)..<close])
        }
        let lower = s.lowercased()
        var isURI = false
        for scheme in ["sips:", "sip:"] where lower.hasPrefix(scheme) {
            s = s.dropFirst(scheme.count)
            isURI = true
            break
        }
        if lower.hasPrefix("tel:") { return String(s) }
        if let at = s.firstIndex(of: "@") {
            s = s[..<at]
            isURI = true
        }
        if isURI, !s.contains(";phone-context="), let semicolon = s.firstIndex(of: ";") {
            s = s[..<semicolon]
        }
        return String(trim(s))
    }
}
