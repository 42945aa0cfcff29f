/// The numbering plans of every region, compiled ahead of time from libphonenumber's metadata.
///
/// `scripts/generate-metadata.py` turns `PhoneNumberMetadata.xml` into a binary image
/// (docs/metadata-format.md) embedded as a string literal; it is decoded once, the first time any
/// number is parsed, into one buffer that lives for the rest of the process. No XML, JSON or
/// regular-expression engine runs at run time: number patterns are DFAs over the digits 0-9
/// (``DigitAutomata``) and the few patterns whose match length or captures matter are small
/// backtracking programs (``DigitProgram``).
///
/// The value is a pointer to the decoded ``Tables``, which are pointers into that immortal buffer
/// or plain numbers: copying it (and every record it hands out) costs one word and no reference
/// counting on the parse path.
@usableFromInline
struct PhoneNumberMetadata: @unchecked Sendable {
    // @unchecked: the buffers are written once in `init(encoded:)`, then only read, and never freed.

    /// The process-wide metadata, decoded on first use.
    static let shared: PhoneNumberMetadata = {
        do {
            return try PhoneNumberMetadata(encoded: PhoneNumberMetadata.encodedData)
        } catch {
            // The data is generated and checked by the test suite; a failure here is a build defect.
            fatalError("corrupt generated phone number metadata: \(error)")
        }
    }()

    /// The decoded tables, never freed.
    let tables: UnsafePointer<Tables>

    struct Tables {
        let automata: DigitAutomata
        let programs: UnsafeBufferPointer<DigitProgram>
        let regions: UnsafeBufferPointer<RegionRecord>
        /// Geographic regions with two-letter codes: index `(first - 'A') * 26 + (second - 'A')`, -1 for none.
        let regionByLetters: UnsafeBufferPointer<Int16>
        /// Per calling code 0..<1000: the start and count of its regions in `callingCodeRegions`.
        let callingCodeSpans: UnsafeBufferPointer<(start: Int32, count: Int32)>
        let callingCodeRegions: UnsafeBufferPointer<Int32>
        /// The shortest possible length of any region's national numbers (the matcher's lower bound).
        let shortestNationalNumber: Int
    }

    var automata: DigitAutomata { tables.pointee.automata }
    var programs: UnsafeBufferPointer<DigitProgram> { tables.pointee.programs }
    var regions: UnsafeBufferPointer<RegionRecord> { tables.pointee.regions }
    var regionByLetters: UnsafeBufferPointer<Int16> { tables.pointee.regionByLetters }
    var callingCodeSpans: UnsafeBufferPointer<(start: Int32, count: Int32)> { tables.pointee.callingCodeSpans }
    var callingCodeRegions: UnsafeBufferPointer<Int32> { tables.pointee.callingCodeRegions }
    var shortestNationalNumber: Int { tables.pointee.shortestNationalNumber }

    /// The record of a geographic region such as "RU"; nil for "ZZ", "001" and unknown codes.
    @inline(__always)
    func region(_ key: RegionKey) -> RegionMetadata? {
        let v = key.rawValue
        guard v <= 0xFFFF, v >= 0x4141 else { return nil }
        let first = (v >> 8) &- 0x41
        let second = (v & 0xFF) &- 0x41
        guard first < 26, second < 26 else { return nil }
        let index = regionByLetters[Int(first * 26 + second)]
        return index < 0 ? nil : region(at: Int(index))
    }

    /// The region at `index` in `regions`.
    @inline(__always)
    func region(at index: Int) -> RegionMetadata { RegionMetadata(record: regions.baseAddress! + index) }

    /// The record that describes numbers of `callingCode` in `region`: a geographic region's own, or
    /// for the non-geographic region "001" the one of that calling code.
    func metadata(forCallingCode callingCode: Int, region: RegionKey) -> RegionMetadata? {
        if region == RegionKey.nonGeographic {
            for index in regionIndices(forCallingCode: callingCode) where regions[Int(index)].key == region {
                return self.region(at: Int(index))
            }
            return nil
        }
        return self.region(region)
    }

    /// The indices in `regions` of the regions that use `callingCode`, main region first.
    @inline(__always)
    func regionIndices(forCallingCode callingCode: Int) -> UnsafeBufferPointer<Int32> {
        guard callingCode > 0, callingCode < callingCodeSpans.count else {
            return UnsafeBufferPointer(start: nil, count: 0)
        }
        let span = callingCodeSpans[callingCode]
        return UnsafeBufferPointer(rebasing: callingCodeRegions[Int(span.start)..<Int(span.start + span.count)])
    }

    /// Whether some region uses `callingCode`.
    @inline(__always)
    func isKnownCallingCode(_ callingCode: Int) -> Bool {
        callingCode > 0 && callingCode < callingCodeSpans.count && callingCodeSpans[callingCode].count > 0
    }

    /// The main region's record for a calling code: libphonenumber's `getMetadataForRegionOrCallingCode`
    /// applied to `getRegionCodeForCountryCode`.
    @inline(__always)
    func mainMetadata(forCallingCode callingCode: Int) -> RegionMetadata? {
        let indices = regionIndices(forCallingCode: callingCode)
        guard let first = indices.first else { return nil }
        return region(at: Int(first))
    }

    /// Every geographic region code.
    var regionCodes: [String] {
        regions.filter { $0.key != RegionKey.nonGeographic }.map(\.key.code)
    }
}

/// A region code packed into an integer: up to three ASCII letters or digits, upper-cased.
@usableFromInline
struct RegionKey: Hashable, Sendable {
    @usableFromInline
    let rawValue: UInt32

    @usableFromInline
    init(rawValue: UInt32) { self.rawValue = rawValue }

    static let nonGeographic = RegionKey(rawValue: 0x30_3031)

    /// Packs a region code; nil when it is not 2 or 3 ASCII letters or digits. Lower case is accepted.
    @usableFromInline
    init?(_ code: String) {
        var code = code
        guard let value = code.withUTF8({ Self.pack($0) }) else { return nil }
        self.rawValue = value
    }

    @usableFromInline
    init?(_ code: some StringProtocol) {
        guard let value = Self.pack(code.utf8) else { return nil }
        self.rawValue = value
    }

    private static func pack(_ bytes: some Sequence<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        var count = 0
        for byte in bytes {
            count += 1
            guard count <= 3 else { return nil }
            var b = byte
            if b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z") { b -= 32 }
            let isAlnum =
                (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
            guard isAlnum else { return nil }
            value = value << 8 | UInt32(b)
        }
        guard count >= 2 else { return nil }
        return value
    }

    /// The region code as text ("RU", "001"); a small string, so no allocation.
    var code: String {
        let length = rawValue > 0xFFFF ? 3 : 2
        return String(unsafeUninitializedCapacity: length) { out in
            for i in 0..<length {
                out[i] = UInt8(truncatingIfNeeded: rawValue >> UInt32(8 * (length - 1 - i)))
            }
            return length
        }
    }
}

/// One region's record in the immortal metadata buffer, read through ``RegionMetadata``: a word
/// to copy and pass, where the record is 96 bytes that parsing and validation would copy at every
/// step.
@usableFromInline
struct RegionMetadata: @unchecked Sendable {
    // @unchecked: a read-only view of the immortal metadata buffer.
    let record: UnsafePointer<RegionRecord>

    var key: RegionKey { record.pointee.key }
    var callingCode: Int { record.pointee.callingCode }
    var isMainCountryForCode: Bool { record.pointee.isMainCountryForCode }
    var sameMobileAndFixedLinePattern: Bool { record.pointee.sameMobileAndFixedLinePattern }
    var internationalPrefix: Int32 { record.pointee.internationalPrefix }
    var nationalPrefixForParsing: Int32 { record.pointee.nationalPrefixForParsing }
    var leadingDigits: Int32 { record.pointee.leadingDigits }
    var nationalPrefix: UnsafeBufferPointer<UInt8> { record.pointee.nationalPrefix }
    var nationalPrefixTransformRule: UnsafeBufferPointer<UInt8> { record.pointee.nationalPrefixTransformRule }
    var formats: UnsafeBufferPointer<NumberFormat> { record.pointee.formats }
    var internationalFormats: UnsafeBufferPointer<NumberFormat> { record.pointee.internationalFormats }
    var outboundInternationalPrefix: UnsafeBufferPointer<UInt8> { record.pointee.outboundInternationalPrefix }
    var extensionPrefix: UnsafeBufferPointer<UInt8> { record.pointee.extensionPrefix }
    var isMobileNumberPortable: Bool { record.pointee.isMobileNumberPortable }
    var minimumValidDigitsWithoutPlus: Int32 { record.pointee.minimumValidDigitsWithoutPlus }
    var minimumValidNationalDigits: Int32 { record.pointee.minimumValidNationalDigits }
    var someFormatRequiresNationalPrefix: Bool { record.pointee.someFormatRequiresNationalPrefix }

    @inline(__always)
    func desc(_ slot: NumberDescSlot) -> NumberDesc { record.pointee.desc(slot) }
}

/// What libphonenumber's `PhoneMetadata` holds for one region, reduced to what parsing, validation
/// and matching use. Patterns are indices into ``DigitAutomata`` and the program list.
@usableFromInline
struct RegionRecord: @unchecked Sendable {
    // @unchecked: the pointers are read-only views of the immortal metadata buffer.
    let key: RegionKey
    let callingCode: Int
    let isMainCountryForCode: Bool
    /// libphonenumber's `sameMobileAndFixedLinePattern`: the type helper then answers
    /// FIXED_LINE_OR_MOBILE without testing the mobile pattern.
    let sameMobileAndFixedLinePattern: Bool
    /// Program index of the international (IDD) prefix, or -1.
    let internationalPrefix: Int32
    /// Program index of the national prefix for parsing, or -1.
    let nationalPrefixForParsing: Int32
    /// DFA index (prefix mode) of the region-level leading digits, or -1.
    let leadingDigits: Int32
    /// The national prefix as ASCII digits (may be empty).
    let nationalPrefix: UnsafeBufferPointer<UInt8>
    /// The national prefix transform rule in `$1` syntax as ASCII (may be empty).
    let nationalPrefixTransformRule: UnsafeBufferPointer<UInt8>
    /// The number descriptions, indexed by ``NumberDescSlot``.
    let descs: UnsafePointer<NumberDesc>
    /// The national number formats (libphonenumber's `numberFormat`).
    let formats: UnsafeBufferPointer<NumberFormat>
    /// The formats for INTERNATIONAL when they differ (`intlNumberFormat`); empty when `formats`
    /// serve both.
    let internationalFormats: UnsafeBufferPointer<NumberFormat>
    /// What a call from this region dials before a foreign calling code when formatting for it
    /// (the preferred international prefix, else a single international prefix, else empty).
    let outboundInternationalPrefix: UnsafeBufferPointer<UInt8>
    /// What separates a formatted number from its extension (`" ext. "` unless the region
    /// prefers another), UTF-8.
    let extensionPrefix: UnsafeBufferPointer<UInt8>
    /// libphonenumber's `mobileNumberPortableRegion`.
    let isMobileNumberPortable: Bool
    /// The fewest digits a text without a plus sign needs to parse, in this region, to a valid
    /// number: a lower bound the matcher uses to skip hopeless candidates (set after decoding).
    var minimumValidDigitsWithoutPlus: Int32 = 0
    /// The same bound for texts that are not dialled with the international prefix: written
    /// nationally (set after decoding).
    var minimumValidNationalDigits: Int32 = 0
    /// Whether a national number format has a national prefix rule that is neither optional nor
    /// the first group alone: only then can the matcher's national-prefix check fail (set after
    /// decoding).
    var someFormatRequiresNationalPrefix = false

    @inline(__always)
    func desc(_ slot: NumberDescSlot) -> NumberDesc { descs[slot.rawValue] }
}

/// A PhoneNumberDesc: a pattern and the possible lengths of the national significant number.
/// The layout is the image's (16 bytes).
@usableFromInline
struct NumberDesc: Sendable {
    /// DFA index (full-match mode), or -1 when the metadata has no such description.
    let pattern: Int32
    /// Bit n set when n is a possible length.
    let lengths: UInt32
    /// Bit n set when n is a possible length for local dialling only.
    let localOnlyLengths: UInt32
    let presence: UInt32

    /// Whether the metadata has this description at all.
    @inline(__always)
    var isPresent: Bool { presence != 0 }
}

/// A number format: which numbers it applies to, how it treats the national prefix, and how it
/// writes them.
@usableFromInline
struct NumberFormat: @unchecked Sendable {
    // @unchecked: the templates are read-only views of the immortal metadata buffer.
    /// DFA index (prefix mode) of the last, most detailed leading-digits pattern, or -1.
    let leadingDigits: Int32
    /// DFA index (full-match mode) of the format's pattern.
    let pattern: Int32
    let flags: UInt32
    /// Program index of the pattern, whose groups the templates place.
    let groups: Int32
    /// The format in `$1` syntax (UTF-8): `$1-$2-$3`.
    let template: UnsafeBufferPointer<UInt8>
    /// The format for NATIONAL, with the national prefix formatting rule applied to the first
    /// group (`8 ($1) $2-$3`); equal to `template` when the format has no such rule.
    let nationalTemplate: UnsafeBufferPointer<UInt8>
    /// The format with the domestic carrier code rule applied, `$CC` standing for the carrier
    /// code; empty when the format has no such rule.
    let carrierTemplate: UnsafeBufferPointer<UInt8>

    /// The format has a national prefix formatting rule.
    var hasNationalPrefixRule: Bool { flags & 1 != 0 }
    /// The national prefix may be left out when formatting.
    var nationalPrefixOptional: Bool { flags & 2 != 0 }
    /// The rule is only the first group (`$1` or `($1)`), without the national prefix.
    var ruleHasFirstGroupOnly: Bool { flags & 4 != 0 }
}

/// The order of descriptions in a region record; the same order as the generator's `DESC_SLOTS`.
@usableFromInline
enum NumberDescSlot: Int, CaseIterable, Sendable {
    case general, premiumRate, tollFree, sharedCost, voip, personalNumber, pager, uan, voicemail
    case fixedLine, mobile, noInternationalDialling
}
