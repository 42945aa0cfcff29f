extension PhoneNumber {
    /// Parses a phone number written in any format, as libphonenumber's `parse` does.
    ///
    /// Accepts international (`+7 999 888-55-33`, `00 7 ...`, `810 7 ...` from Russia) and national
    /// (`8 (999) 888-55-33`) forms, RFC 3966 `tel:` URIs with `phone-context`, vanity letters
    /// (`8-800-CALL-NOW`), extensions (`ext. 12`, `x12`, `доб. 12`, `#12`, ...), digits of any script,
    /// the full-width plus, and leading text (`Tel: ...`).
    ///
    /// ```swift
    /// let number = try PhoneNumber(parsing: "+7 (495) 123-45-67 доб 4567", defaultRegion: "RU")
    /// number.e164        // "+74951234567"
    /// number.extension   // "4567"
    /// ```
    ///
    /// - Parameters:
    ///   - text: The number as written. Text over 250 Unicode scalars is rejected with `tooLong`.
    ///   - defaultRegion: The ISO 3166 region whose conventions apply to a number written without
    ///     its country calling code, such as "RU"; "ZZ", "001" or nil for none. Case-insensitive.
    /// - Throws: ``PhoneNumberParseError`` with libphonenumber's error code.
    /// - Complexity: O(n) in the length of `text` (at most 250 scalars are read). No heap
    ///   allocation unless the number has an extension.
    public init(parsing text: String, defaultRegion: String? = nil) throws(PhoneNumberParseError) {
        let region: RegionKey? = defaultRegion.flatMap { RegionKey($0) }
        self = try PhoneNumberParser.parse(text, region: region)
    }
}

/// libphonenumber's parsing algorithm over stack buffers.
enum PhoneNumberParser {
    /// libphonenumber's MAX_INPUT_STRING_LENGTH, counted in Unicode scalars (Python's `len`).
    static let maxInputLength = 250
    static let minNationalLength = 2
    static let maxNationalLength = 17
    static let maxCallingCodeLength = 3

    typealias Failure = PhoneNumberParseError

    /// - Parameter checkRegion: false keeps a number written without a country calling code when no
    ///   region is known, with calling code 0 and no national prefix stripped (libphonenumber's
    ///   `parse(..., checkRegion: false)`, which only number comparison uses).
    static func parse(_ text: String, region: RegionKey?, checkRegion: Bool = true) throws(Failure) -> PhoneNumber {
        let result: Result<PhoneNumber, Failure> = withUnsafeTemporaryAllocation(
            of: UInt32.self, capacity: maxInputLength
        ) { scalars in
            guard let count = copyScalars(text, into: scalars.baseAddress!) else {
                return .failure(Failure(.tooLong, "The string supplied was too long to parse."))
            }
            return run(UnsafeBufferPointer(rebasing: scalars[0..<count]), region: region, checkRegion: checkRegion)
                .map(\.number)
        }
        return try result.get()
    }

    /// What a caller that has read the text already knows of it, so that the parser skips the
    /// searches that cannot find anything.
    struct InputHints {
        /// The text may hold a `;`, with which both RFC 3966 markers start.
        var mayHoldSemicolon = true
        /// The text may hold a `/` or `\`, with which a second number is introduced.
        var mayHoldSlash = true
    }

    /// Parses text given as Unicode scalar values, and tells where the calling code came from
    /// (the matcher needs that, as libphonenumber's `keepRawInput` parse gives it).
    static func parse(
        scalars text: UnsafeBufferPointer<UInt32>, region: RegionKey?, hints: InputHints = InputHints()
    ) throws(Failure) -> (number: PhoneNumber, source: CountryCodeSource) {
        if text.count > maxInputLength {
            throw Failure(.tooLong, "The string supplied was too long to parse.")
        }
        return try run(text, region: region, hints: hints).get()
    }

    /// Copies the Unicode scalars of `text` into `buffer` (room for `maxInputLength`); nil when
    /// there are more. ASCII text is copied byte by byte without decoding.
    @inline(__always)
    private static func copyScalars(_ text: String, into buffer: UnsafeMutablePointer<UInt32>) -> Int? {
        let ascii: Int?? = text.utf8.withContiguousStorageIfAvailable { bytes -> Int? in
            guard bytes.count <= maxInputLength else { return nil }
            for i in 0..<bytes.count {
                let b = bytes[i]
                if b >= 0x80 { return nil }
                buffer[i] = UInt32(b)
            }
            return bytes.count
        }
        if let ascii, let count = ascii { return count }
        var count = 0
        for scalar in text.unicodeScalars {
            if count == maxInputLength { return nil }
            buffer[count] = scalar.value
            count += 1
        }
        return count
    }

    /// Runs one parse over the input scalars, with the national number and digit buffers on the stack
    /// (each allocation is kept within the standard library's 1 KiB stack-allocation limit).
    private static func run(
        _ input: UnsafeBufferPointer<UInt32>, region: RegionKey?, hints: InputHints = InputHints(),
        checkRegion: Bool = true
    ) -> Result<(number: PhoneNumber, source: CountryCodeSource), Failure> {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: maxInputLength) { national in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 3 * digitAreaSize) { digits in
                var parser = Parser(
                    metadata: PhoneNumberMetadata.shared, input: input, hints: hints,
                    nationalStorage: national.baseAddress!, digits: digits.baseAddress!)
                do throws(Failure) {
                    return .success(try parser.run(region: region, checkRegion: checkRegion))
                } catch {
                    return .failure(error)
                }
            }
        }
    }

    /// Room for a normalized number (at most 250 digits) and a transform rule.
    static let digitAreaSize = 320
}

/// Where a parsed number's calling code came from (libphonenumber's `CountryCodeSource`).
enum CountryCodeSource {
    case fromNumberWithPlusSign, fromNumberWithIDD, fromNumberWithoutPlusSign, fromDefaultCountry
}

/// Outcome of comparing a national number's length with its region's possible lengths
/// (libphonenumber's `ValidationResult`).
enum LengthCheck {
    case isPossible, isPossibleLocalOnly, tooShort, invalidLength, tooLong
}

extension RegionMetadata {
    /// libphonenumber's `testNumberLength` against the general description.
    @inline(__always)
    func checkLength(_ length: Int) -> LengthCheck {
        checkLength(length, lengths: desc(.general).lengths, localOnly: desc(.general).localOnlyLengths)
    }

    @inline(__always)
    func checkLength(_ length: Int, lengths: UInt32, localOnly: UInt32) -> LengthCheck {
        guard lengths != 0 else { return .invalidLength }
        if length < 32 && (localOnly >> UInt32(length)) & 1 != 0 { return .isPossibleLocalOnly }
        let minimum = lengths.trailingZeroBitCount
        let maximum = 31 - lengths.leadingZeroBitCount
        if length == minimum { return .isPossible }
        if length < minimum { return .tooShort }
        if length > maximum { return .tooLong }
        return (lengths >> UInt32(length)) & 1 != 0 ? .isPossible : .invalidLength
    }
}

/// One parse. `input` holds the text's scalars; the national number being parsed is a slice of it
/// or, for RFC 3966 numbers with a phone context, a copy in `nationalStorage`; `digits` holds three
/// areas of ASCII digits (the normalized number and two scratch areas for national-prefix stripping).
private struct Parser {
    typealias Failure = PhoneNumberParseError

    let metadata: PhoneNumberMetadata
    let input: UnsafeBufferPointer<UInt32>
    let hints: PhoneNumberParser.InputHints
    let nationalStorage: UnsafeMutablePointer<UInt32>
    let digits: UnsafeMutablePointer<UInt8>

    /// The national number text: `national[0..<nationalCount]`.
    var national: UnsafePointer<UInt32>
    var nationalCount = 0
    var normalized: UnsafeMutablePointer<UInt8> { digits }
    var scratchA: UnsafeMutablePointer<UInt8> { digits + PhoneNumberParser.digitAreaSize }
    var scratchB: UnsafeMutablePointer<UInt8> { digits + 2 * PhoneNumberParser.digitAreaSize }

    init(
        metadata: PhoneNumberMetadata, input: UnsafeBufferPointer<UInt32>, hints: PhoneNumberParser.InputHints,
        nationalStorage: UnsafeMutablePointer<UInt32>, digits: UnsafeMutablePointer<UInt8>
    ) {
        self.metadata = metadata
        self.input = input
        self.hints = hints
        self.nationalStorage = nationalStorage
        self.digits = digits
        self.national = UnsafePointer(nationalStorage)
    }

    mutating func run(
        region: RegionKey?, checkRegion: Bool = true
    ) throws(Failure) -> (number: PhoneNumber, source: CountryCodeSource) {
        try buildNationalNumberForParsing()
        var extensionScan: ExtensionScanner.Matches?? = .none
        guard TextChecks.isViablePhoneNumber(national, nationalCount, extensionScan: &extensionScan) else {
            throw Failure(.notANumber, "The string supplied did not seem to be a phone number.")
        }
        let regionMetadata = region.flatMap { metadata.region($0) }
        if regionMetadata == nil && checkRegion {
            guard nationalCount > 0, Scalars.isPlus(national[0]) else {
                throw Failure(.invalidCountryCode, "Missing or invalid default region.")
            }
        }

        // The extension first: it needs no region data, and the text is still as written.
        var extensionText: String? = nil
        let scan =
            extensionScan
            ?? ExtensionScanner(UnsafeBufferPointer(start: national, count: nationalCount), count: nationalCount).scan()
        if let ext = scan, let start = ext.starts.first, TextChecks.isViablePhoneNumber(national, start) {
            var text = ""
            for i in ext.digits { text.unicodeScalars.append(Unicode.Scalar(national[i])!) }
            extensionText = text
            nationalCount = start
        }

        var numberMetadata = regionMetadata
        var callingCode = 0
        var nationalDigits: UnsafeBufferPointer<UInt8>
        var source = CountryCodeSource.fromDefaultCountry
        do {
            (callingCode, nationalDigits, source) = try maybeExtractCountryCode(from: 0, metadata: regionMetadata)
        } catch let error where error.code == .invalidCountryCode && nationalCount > 0 && Scalars.isPlus(national[0]) {
            // libphonenumber strips the plus signs and tries again, as if the number had none.
            var plusEnd = 0
            while plusEnd < nationalCount && Scalars.isPlus(national[plusEnd]) { plusEnd += 1 }
            (callingCode, nationalDigits, source) = try maybeExtractCountryCode(from: plusEnd, metadata: regionMetadata)
            if callingCode == 0 {
                throw Failure(.invalidCountryCode, "Could not interpret numbers after plus-sign.")
            }
        }

        if callingCode != 0 {
            if regionMetadata == nil || regionMetadata!.callingCode != callingCode
                || !regionMetadata!.isMainCountryForCode
                    && metadata.mainMetadata(forCallingCode: callingCode)?.key != regionMetadata!.key
            {
                numberMetadata = metadata.mainMetadata(forCallingCode: callingCode)
            }
        } else {
            // No calling code in the number: it is national, in the default region, and
            // `nationalDigits` is the whole text normalized.
            if let regionMetadata {
                callingCode = regionMetadata.callingCode
            } else if checkRegion {
                throw Failure(.invalidCountryCode, "Missing or invalid default region.")
            }
        }

        if nationalDigits.count < PhoneNumberParser.minNationalLength {
            throw Failure(.tooShortNSN, "The string supplied is too short to be a phone number.")
        }
        if let numberMetadata {
            let stripped = stripNationalPrefix(nationalDigits, numberMetadata, into: scratchB)
            // Keep the prefix unless what remains is long enough to be a number of the region.
            switch numberMetadata.checkLength(stripped.count) {
            case .tooShort, .isPossibleLocalOnly, .invalidLength: break
            case .isPossible, .tooLong: nationalDigits = stripped
            }
        }
        if nationalDigits.count < PhoneNumberParser.minNationalLength {
            throw Failure(.tooShortNSN, "The string supplied is too short to be a phone number.")
        }
        if nationalDigits.count > PhoneNumberParser.maxNationalLength {
            throw Failure(.tooLong, "The string supplied is too long to be a phone number.")
        }
        var value: UInt64 = 0
        for d in nationalDigits { value = value &* 10 &+ UInt64(d &- 48) }
        let number = PhoneNumber(
            countryCode: callingCode, nationalNumber: value, nationalNumberLength: nationalDigits.count,
            extension: extensionText)
        return (number, source)
    }

    // MARK: RFC 3966 and the possible-number extraction

    /// libphonenumber's `buildNationalNumberForParsing`: the `tel:` URI's number with its
    /// `phone-context` prefix, or else the part of the text that can be a number.
    mutating func buildNationalNumberForParsing() throws(Failure) {
        nationalCount = 0
        // One pass looks for the ';' that both RFC 3966 markers start with and for a '/' or '\'
        // that may introduce a second number: most texts have neither and skip the searches.
        var hasSemicolon = false
        var hasSlash = false
        if hints.mayHoldSemicolon || hints.mayHoldSlash {
            for c in input {
                // Bits 0 ('/'), 12 (';') and 45 ('\') from 0x2F.
                let k = c &- 0x2F
                if k < 46 && (0x2000_0000_1001 as UInt64) &>> UInt64(k) & 1 != 0 {
                    if c == 0x3B { hasSemicolon = true } else { hasSlash = true }
                }
            }
        }
        if hasSemicolon, let contextIndex = TextChecks.find(TextChecks.phoneContext, in: input) {
            let contextStart = contextIndex + TextChecks.phoneContext.utf8CodeUnitCount
            var contextEnd = contextStart
            while contextEnd < input.count && input[contextEnd] != 0x3B { contextEnd += 1 }
            let context = UnsafeBufferPointer(rebasing: input[contextStart..<contextEnd])
            guard TextChecks.isValidPhoneContext(context) else {
                throw Failure(.notANumber, "The phone-context value is invalid")
            }
            national = UnsafePointer(nationalStorage)
            if context[0] == Scalars.plus {
                append(context)
            }
            var numberStart = 0
            if let telIndex = TextChecks.find(TextChecks.telPrefix, in: input) {
                numberStart = telIndex + TextChecks.telPrefix.utf8CodeUnitCount
            }
            if numberStart < contextIndex {
                append(UnsafeBufferPointer(rebasing: input[numberStart..<contextIndex]))
            }
        } else if let range = TextChecks.possibleNumberRange(input, mayHoldSecondNumber: hasSlash) {
            national = input.baseAddress! + range.lowerBound
            nationalCount = range.count
        }
        // Drop an ISDN subaddress and everything after it.
        if hasSemicolon,
            let isub = TextChecks.find(
                TextChecks.isdnSubaddress, in: UnsafeBufferPointer(start: national, count: nationalCount)),
            isub > 0
        {
            nationalCount = isub
        }
    }

    private mutating func append(_ part: UnsafeBufferPointer<UInt32>) {
        for c in part {
            nationalStorage[nationalCount] = c
            nationalCount += 1
        }
    }

    // MARK: Normalization

    /// libphonenumber's `normalize` of `national[start..<nationalCount]`: vanity letters become
    /// keypad digits when there are at least three ASCII letters; otherwise only the decimal digits
    /// of any script are kept.
    func normalize(from start: Int, into out: UnsafeMutablePointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        // One pass keeps the decimal digits and counts ASCII letters; a vanity number (three
        // letters or more, rare) takes a second pass that maps letters and keeps ASCII digits only.
        var letters = 0
        var n = 0
        var i = start
        while i < nationalCount {
            let c = national[i]
            if c &- 0x30 < 10 {
                out[n] = UInt8(truncatingIfNeeded: c)
                n &+= 1
            } else if c < 0x80 {
                if (c | 0x20) &- 0x61 < 26 { letters &+= 1 }
            } else if let d = Scalars.digitValue(c) {
                out[n] = d &+ 48
                n &+= 1
            }
            i &+= 1
        }
        if letters >= 3 {
            n = 0
            for i in start..<nationalCount {
                let c = national[i]
                if c &- 0x30 < 10 {
                    out[n] = UInt8(truncatingIfNeeded: c)
                    n += 1
                } else if let d = Scalars.keypadDigit(c) {
                    out[n] = d &+ 48
                    n += 1
                }
            }
        }
        return UnsafeBufferPointer(start: out, count: n)
    }

    // MARK: Country calling code

    /// libphonenumber's `maybeExtractCountryCode` on `national[start...]`: the calling code (0 when
    /// the number has none) and the national number after it.
    func maybeExtractCountryCode(
        from start: Int, metadata region: RegionMetadata?
    ) throws(Failure) -> (Int, UnsafeBufferPointer<UInt8>, CountryCodeSource) {
        guard start < nationalCount else {
            return (0, UnsafeBufferPointer(start: normalized, count: 0), .fromDefaultCountry)
        }
        var full: UnsafeBufferPointer<UInt8>
        var international = false
        var source = CountryCodeSource.fromDefaultCountry
        if Scalars.isPlus(national[start]) {
            var i = start
            while i < nationalCount && Scalars.isPlus(national[i]) { i += 1 }
            full = normalize(from: i, into: normalized)
            international = true
            source = .fromNumberWithPlusSign
        } else {
            full = normalize(from: start, into: normalized)
            if let region, region.internationalPrefix >= 0,
                let match = metadata.programs[Int(region.internationalPrefix)].matchPrefix(full)
            {
                // A calling code never starts with 0, so "IDD then 0" is not an IDD.
                let end = match.end
                if end >= full.count || full[end] != UInt8(ascii: "0") {
                    full = UnsafeBufferPointer(rebasing: full[end...])
                    international = true
                    source = .fromNumberWithIDD
                }
            }
        }

        if international {
            if full.count <= PhoneNumberParser.minNationalLength {
                throw Failure(
                    .tooShortAfterIDD,
                    "Phone number had an IDD, but after this was not long enough to be a viable phone number.")
            }
            if full[0] != UInt8(ascii: "0") {
                var code = 0
                for length in 1...min(full.count, PhoneNumberParser.maxCallingCodeLength) {
                    code = code * 10 + Int(full[length - 1] &- 48)
                    if metadata.isKnownCallingCode(code) {
                        return (code, UnsafeBufferPointer(rebasing: full[length...]), source)
                    }
                }
            }
            throw Failure(.invalidCountryCode, "Country calling code supplied was not recognised.")
        }

        if let region {
            // A national number that starts with the region's own calling code, as in "7 999 ...":
            // take the code off when that makes an invalid or too long number a plausible one.
            let code = region.callingCode
            let codeLength = code >= 100 ? 3 : (code >= 10 ? 2 : 1)
            var startsWithCode = full.count >= codeLength
            if startsWithCode {
                var value = 0
                for i in 0..<codeLength { value = value * 10 + Int(full[i] &- 48) }
                startsWithCode = value == code
            }
            if startsWithCode {
                let potential = stripNationalPrefix(
                    UnsafeBufferPointer(rebasing: full[codeLength...]), region, into: scratchA)
                let general = region.desc(.general).pattern
                if (!matchesWhole(general, full) && matchesWhole(general, potential))
                    || region.checkLength(full.count) == .tooLong
                {
                    return (code, potential, .fromNumberWithoutPlusSign)
                }
            }
        }
        return (0, full, .fromDefaultCountry)
    }

    // MARK: National prefix

    @inline(__always)
    func matchesWhole(_ dfa: Int32, _ digits: UnsafeBufferPointer<UInt8>) -> Bool {
        dfa >= 0 && metadata.automata.matchesWhole(dfa, digits)
    }

    func stripNationalPrefix(
        _ number: UnsafeBufferPointer<UInt8>, _ region: RegionMetadata, into out: UnsafeMutablePointer<UInt8>
    ) -> UnsafeBufferPointer<UInt8> {
        metadata.stripNationalPrefix(number, region, into: out).number
    }
}

extension PhoneNumberMetadata {
    /// libphonenumber's `maybeStripNationalPrefixAndCarrierCode`: the number without its national
    /// (trunk) prefix and carrier code, after the region's transform rule when it has one; the
    /// number itself (and `stripped` false) when stripping would turn a valid-looking number into
    /// an invalid one. `out` needs room for the number and the transform rule.
    func stripNationalPrefix(
        _ number: UnsafeBufferPointer<UInt8>, _ region: RegionMetadata, into out: UnsafeMutablePointer<UInt8>
    ) -> (number: UnsafeBufferPointer<UInt8>, stripped: Bool) {
        guard number.count > 0, region.nationalPrefixForParsing >= 0 else { return (number, false) }
        let program = programs[Int(region.nationalPrefixForParsing)]
        guard let match = program.matchPrefix(number) else { return (number, false) }
        let general = region.desc(.general).pattern
        func matchesGeneral(_ digits: UnsafeBufferPointer<UInt8>) -> Bool {
            general >= 0 && automata.matchesWhole(general, digits)
        }
        let originalIsViable = matchesGeneral(number)
        let rule = region.nationalPrefixTransformRule
        let groups = program.groupCount
        if rule.isEmpty || groups == 0 || match.group(groups) == nil {
            let rest = UnsafeBufferPointer(rebasing: number[match.end...])
            if originalIsViable && !matchesGeneral(rest) { return (number, false) }
            return (rest, true)
        }
        // Apply the transform rule ("$1" and friends) in place of the match.
        var n = 0
        var i = 0
        while i < rule.count {
            let c = rule[i]
            if c == UInt8(ascii: "$"), i + 1 < rule.count, rule[i + 1] &- 48 < 10 {
                if let range = match.group(Int(rule[i + 1] &- 48)) {
                    for p in range {
                        out[n] = number[p]
                        n += 1
                    }
                }
                i += 2
            } else {
                out[n] = c
                n += 1
                i += 1
            }
        }
        for p in match.end..<number.count {
            out[n] = number[p]
            n += 1
        }
        let transformed = UnsafeBufferPointer(start: UnsafePointer(out), count: n)
        if originalIsViable && !matchesGeneral(transformed) { return (number, false) }
        return (transformed, true)
    }
}
