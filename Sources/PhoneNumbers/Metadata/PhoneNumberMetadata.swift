/// The numbering plans of every region, compiled ahead of time from libphonenumber's metadata.
///
/// `scripts/generate-metadata.py` turns `PhoneNumberMetadata.xml` into a binary image
/// (docs/metadata-format.md) embedded as a string literal; it is decoded once, the first time any
/// number is parsed, into flat tables that live for the rest of the process. No XML, JSON or
/// regular-expression engine runs at run time: number patterns are DFAs over the digits 0-9
/// (``DigitAutomata``) and the few patterns whose match length or captures matter are small
/// backtracking programs (``DigitProgram``).
@usableFromInline
struct PhoneNumberMetadata: @unchecked Sendable {
    // @unchecked: every field is written once in `decode()` and never mutated or freed after.

    /// The process-wide metadata, decoded on first use.
    static let shared: PhoneNumberMetadata = {
        do {
            return try PhoneNumberMetadata(encoded: PhoneNumberMetadata.encodedData)
        } catch {
            // The data is generated and checked by the test suite; a failure here is a build defect.
            fatalError("corrupt generated phone number metadata: \(error)")
        }
    }()

    let automata: DigitAutomata
    let programs: [DigitProgram]
    let regions: [RegionMetadata]
    /// Region indices by calling code: `regionsByCallingCode[cc]` lists the regions of `cc`, the main
    /// region first; empty for calling codes that do not exist.
    let regionsByCallingCode: [[Int32]]
    /// Region index by packed region code (see ``RegionKey``); only geographic regions.
    let regionIndex: [RegionKey: Int32]

    /// The region record of a geographic region such as "RU"; nil for "ZZ", "001" and unknown codes.
    @inline(__always)
    func region(_ key: RegionKey) -> RegionMetadata? {
        guard let index = regionIndex[key] else { return nil }
        return regions[Int(index)]
    }

    /// The record that describes numbers of `callingCode` in `region`: a geographic region's own, or
    /// for the non-geographic region "001" the one of that calling code.
    func metadata(forCallingCode callingCode: Int, region: RegionKey) -> RegionMetadata? {
        if region == RegionKey.nonGeographic {
            guard callingCode >= 0, callingCode < regionsByCallingCode.count else { return nil }
            for index in regionsByCallingCode[callingCode] where regions[Int(index)].key == region {
                return regions[Int(index)]
            }
            return nil
        }
        return self.region(region)
    }

    /// The regions that use `callingCode`, main region first.
    @inline(__always)
    func regions(forCallingCode callingCode: Int) -> ArraySlice<Int32> {
        guard callingCode > 0, callingCode < regionsByCallingCode.count else { return [] }
        return regionsByCallingCode[callingCode][...]
    }

    /// Whether some region uses `callingCode`.
    @inline(__always)
    func isKnownCallingCode(_ callingCode: Int) -> Bool {
        callingCode > 0 && callingCode < regionsByCallingCode.count && !regionsByCallingCode[callingCode].isEmpty
    }

    /// The main region's record for a calling code: libphonenumber's `getMetadataForRegionOrCallingCode`
    /// applied to `getRegionCodeForCountryCode`.
    func mainMetadata(forCallingCode callingCode: Int) -> RegionMetadata? {
        guard let first = regions(forCallingCode: callingCode).first else { return nil }
        return regions[Int(first)]
    }
}

/// A region code packed into an integer: up to three ASCII letters or digits, upper-cased.
@usableFromInline
struct RegionKey: Hashable, Sendable {
    @usableFromInline
    let rawValue: UInt32

    @usableFromInline
    init(rawValue: UInt32) { self.rawValue = rawValue }

    static let nonGeographic = RegionKey("001")!

    /// Packs a region code; nil when it is not 2 or 3 ASCII letters or digits. Lower case is accepted.
    @usableFromInline
    init?(_ code: some StringProtocol) {
        var value: UInt32 = 0
        var count = 0
        for byte in code.utf8 {
            count += 1
            guard count <= 3 else { return nil }
            var b = byte
            if b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z") { b -= 32 }
            let isAlnum = (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
            guard isAlnum else { return nil }
            value = value << 8 | UInt32(b)
        }
        guard count >= 2 else { return nil }
        self.rawValue = value
    }

    /// The region code as text ("RU", "001").
    var code: String {
        var bytes: [UInt8] = []
        var v = rawValue
        while v != 0 {
            bytes.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
        return String(decoding: bytes.reversed(), as: UTF8.self)
    }
}

/// What libphonenumber's `PhoneMetadata` holds for one region, reduced to what parsing and
/// validation use. Patterns are indices into ``DigitAutomata`` and the program list.
@usableFromInline
struct RegionMetadata: Sendable {
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
    let nationalPrefix: [UInt8]
    /// The national prefix transform rule in `$1` syntax as ASCII (may be empty).
    let nationalPrefixTransformRule: [UInt8]
    /// The number descriptions, indexed by ``NumberDescSlot``.
    let descs: [NumberDesc]
    /// The national number formats, reduced to what the matcher's national-prefix check reads.
    let formats: [NumberFormat]

    @inline(__always)
    func desc(_ slot: NumberDescSlot) -> NumberDesc { descs[slot.rawValue] }
}

/// A PhoneNumberDesc: a pattern and the possible lengths of the national significant number.
@usableFromInline
struct NumberDesc: Sendable {
    /// Whether the metadata has this description at all.
    let isPresent: Bool
    /// DFA index (full-match mode), or -1 when the description has no pattern.
    let pattern: Int32
    /// Bit n set when n is a possible length.
    let lengths: UInt32
    /// Bit n set when n is a possible length for local dialling only.
    let localOnlyLengths: UInt32

    static let absent = NumberDesc(isPresent: false, pattern: -1, lengths: 0, localOnlyLengths: 0)
}

/// A national number format: which numbers it applies to and how it treats the national prefix.
@usableFromInline
struct NumberFormat: Sendable {
    /// DFA index (prefix mode) of the last, most detailed leading-digits pattern, or -1.
    let leadingDigits: Int32
    /// DFA index (full-match mode) of the format's pattern.
    let pattern: Int32
    /// The format has a national prefix formatting rule.
    let hasNationalPrefixRule: Bool
    /// The national prefix may be left out when formatting.
    let nationalPrefixOptional: Bool
    /// The rule is only the first group (`$1` or `($1)`), without the national prefix.
    let ruleHasFirstGroupOnly: Bool
}

/// The order of descriptions in a region record; the same order as the generator's `DESC_SLOTS`.
@usableFromInline
enum NumberDescSlot: Int, CaseIterable, Sendable {
    case general, premiumRate, tollFree, sharedCost, voip, personalNumber, pager, uan, voicemail
    case fixedLine, mobile, noInternationalDialling
}
