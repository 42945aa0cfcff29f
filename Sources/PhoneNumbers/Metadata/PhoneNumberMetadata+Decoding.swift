/// Decoding of the binary image written by `scripts/generate-metadata.py` (docs/metadata-format.md).
///
/// The image is base64 in the source; it is decoded once into a buffer that is never freed. The
/// DFA table (most of the image) is used in place; the small sections become typed arrays.
extension PhoneNumberMetadata {
    struct DecodingError: Error, CustomStringConvertible {
        let offset: Int
        let reason: String
        var description: String { "\(reason) at byte \(offset)" }
    }

    static let formatVersion: UInt16 = 6

    init(encoded: StaticString) throws(DecodingError) {
        try self.init(encoded: encoded, narrowRows: Self.narrowDFARows, wideRows: Self.wideDFARows)
    }

    init(encoded: StaticString, narrowRows: StaticString, wideRows: StaticString) throws(DecodingError) {
        let bytes = Base64.decode(encoded)
        var reader = ByteReader(bytes: UnsafeRawBufferPointer(bytes))
        try reader.header(magic: "SPMD", version: Self.formatVersion)

        // DFAs: their first rows; the rows themselves are the literals, used in place.
        let automata = try DigitAutomata(reading: &reader, narrowRows: narrowRows, wideRows: wideRows)
        let dfaCount = automata.starts.count

        // Programs.
        let programCount = Int(try reader.u32())
        let instructionCount = Int(try reader.u32())
        var headers: [(start: Int, count: Int, groups: Int)] = []
        for _ in 0..<programCount {
            let start = Int(try reader.u32())
            let count = Int(try reader.u16())
            let groups = Int(try reader.u8())
            _ = try reader.u8()
            guard start + count <= instructionCount else {
                throw DecodingError(offset: reader.offset, reason: "program out of range")
            }
            headers.append((start, count, groups))
        }
        let code = Self.allocate(DigitProgram.Instruction.self, instructionCount)
        for i in 0..<instructionCount {
            let op = try reader.u16()
            let a = try reader.u16()
            let b = try reader.u16()
            guard DigitProgram.Opcode(rawValue: op) != nil else {
                throw DecodingError(offset: reader.offset, reason: "bad opcode \(op)")
            }
            code[i] = DigitProgram.Instruction(rawOpcode: op, a: a, b: b)
        }
        let programs = Self.allocate(DigitProgram.self, programCount)
        // One buffer for every program's fixed digit sets (DigitProgram.fixedDigits), a slice each.
        let fixedDigits = Self.allocate(UInt16.self, headers.reduce(0) { $0 + $1.count })
        var fixedOffset = 0
        for (i, h) in headers.enumerated() {
            programs[i] = DigitProgram(
                code: UnsafeBufferPointer(rebasing: code[h.start..<h.start + h.count]), groupCount: h.groups,
                storage: UnsafeMutableBufferPointer(rebasing: fixedDigits[fixedOffset..<fixedOffset + h.count]))
            fixedOffset += h.count
        }
        try reader.align(4)

        // Byte pool.
        let poolCount = Int(try reader.u32())
        let pool = try reader.bytes(poolCount).bindMemory(to: UInt8.self)
        try reader.align(4)

        // Descriptions and formats.
        let descCount = Int(try reader.u32())
        let descs = Self.allocate(NumberDesc.self, descCount)
        for i in 0..<descCount {
            let pattern = try reader.i32()
            let lengths = try reader.u32()
            let local = try reader.u32()
            let present = try reader.u32()
            guard pattern < dfaCount else {
                throw DecodingError(offset: reader.offset, reason: "DFA index out of range")
            }
            descs[i] = NumberDesc(
                pattern: present != 0 ? pattern : -1, lengths: lengths, localOnlyLengths: local, presence: present)
        }
        let formatCount = Int(try reader.u32())
        let formats = Self.allocate(NumberFormat.self, formatCount)
        func pooled(_ reader: inout ByteReader) throws(DecodingError) -> UnsafeBufferPointer<UInt8> {
            let offset = Int(try reader.u32())
            let count = Int(try reader.u32())
            guard offset + count <= poolCount else {
                throw DecodingError(offset: reader.offset, reason: "pool text out of range")
            }
            return UnsafeBufferPointer(rebasing: pool[offset..<offset + count])
        }
        for i in 0..<formatCount {
            let leading = try reader.i32()
            let pattern = try reader.i32()
            let flags = try reader.u32()
            let groups = try reader.i32()
            guard leading < dfaCount, pattern >= 0, pattern < dfaCount, groups >= 0, groups < programCount else {
                throw DecodingError(offset: reader.offset, reason: "format pattern index out of range")
            }
            guard flags < 0x1_0000 else { throw DecodingError(offset: reader.offset, reason: "format flags \(flags)") }
            // The high half of the flags: the first digits a number of this format can have.
            var firstDigits = automata.firstDigits(pattern, prefix: false)
            if leading >= 0 { firstDigits &= automata.firstDigits(leading, prefix: true) }
            formats[i] = NumberFormat(
                leadingDigits: leading, pattern: pattern, flags: flags | UInt32(firstDigits) << 16, groups: groups,
                template: try pooled(&reader), nationalTemplate: try pooled(&reader),
                carrierTemplate: try pooled(&reader))
        }

        // Regions.
        let regionCount = Int(try reader.u32())
        let regions = Self.allocate(RegionRecord.self, regionCount)
        let byLetters = Self.allocate(Int16.self, 26 * 26)
        byLetters.initialize(repeating: -1)
        for i in 0..<regionCount {
            let key = RegionKey(rawValue: try reader.u32())
            let callingCode = Int(try reader.u16())
            let flags = try reader.u16()
            let idd = try reader.i32()
            let npfp = try reader.i32()
            let leading = try reader.i32()
            let npOffset = Int(try reader.u32())
            let npCount = Int(try reader.u32())
            let ruleOffset = Int(try reader.u32())
            let ruleCount = Int(try reader.u32())
            let descBase = Int(try reader.u32())
            let formatStart = Int(try reader.u32())
            let formatLength = Int(try reader.u32())
            let intlStart = Int(try reader.u32())
            let intlLength = Int(try reader.u32())
            let outbound = try pooled(&reader)
            let extensionPrefix = try pooled(&reader)
            guard intlStart + intlLength <= formatCount, idd < programCount, npfp < programCount, leading < dfaCount,
                npOffset + npCount <= poolCount, ruleOffset + ruleCount <= poolCount,
                descBase + NumberDescSlot.allCases.count <= descCount, formatStart + formatLength <= formatCount
            else { throw DecodingError(offset: reader.offset, reason: "region record out of range") }
            regions[i] = RegionRecord(
                key: key, callingCode: callingCode, isMainCountryForCode: flags & 1 != 0,
                sameMobileAndFixedLinePattern: flags & 2 != 0, internationalPrefix: idd, nationalPrefixForParsing: npfp,
                leadingDigits: leading,
                nationalPrefix: UnsafeBufferPointer(rebasing: pool[npOffset..<npOffset + npCount]),
                nationalPrefixTransformRule: UnsafeBufferPointer(rebasing: pool[ruleOffset..<ruleOffset + ruleCount]),
                descs: UnsafePointer(descs.baseAddress! + descBase),
                formats: UnsafeBufferPointer(rebasing: formats[formatStart..<formatStart + formatLength]),
                internationalFormats: UnsafeBufferPointer(rebasing: formats[intlStart..<intlStart + intlLength]),
                outboundInternationalPrefix: outbound, extensionPrefix: extensionPrefix,
                isMobileNumberPortable: flags & 4 != 0)
            let v = key.rawValue
            if v <= 0xFFFF, (v >> 8) &- 0x41 < 26, (v & 0xFF) &- 0x41 < 26 {
                byLetters[Int(((v >> 8) - 0x41) * 26 + (v & 0xFF) - 0x41)] = Int16(i)
            }
        }
        var shortest = Int.max
        for region in regions {
            let lengths = region.desc(.general).lengths
            if lengths != 0 { shortest = min(shortest, lengths.trailingZeroBitCount) }
        }
        let shortestNationalNumber = shortest == Int.max ? 2 : shortest

        // Calling codes.
        let codeCount = Int(try reader.u32())
        let spans = Self.allocate((start: Int32, count: Int32).self, 1000)
        spans.initialize(repeating: (0, 0))
        for _ in 0..<codeCount {
            let code = Int(try reader.u16())
            let count = Int32(try reader.u16())
            let start = Int32(try reader.u32())
            guard code < 1000 else { throw DecodingError(offset: reader.offset, reason: "calling code \(code)") }
            spans[code] = (start, count)
        }
        let listCount = Int(try reader.u32())
        let lists = Self.allocate(Int32.self, listCount)
        for i in 0..<listCount {
            lists[i] = Int32(try reader.u32())
            guard lists[i] < regionCount else {
                throw DecodingError(offset: reader.offset, reason: "region index out of range")
            }
        }
        for span in spans where Int(span.start + span.count) > listCount {
            throw DecodingError(offset: reader.offset, reason: "calling code list out of range")
        }
        // The matcher's bound for texts without a plus sign, per region: written nationally, a
        // valid number of the region's calling code, of which the transform rule may have added
        // digits; or dialled with the region's international prefix, then a calling code and a
        // number. A lower bound, not exact: it only lets the matcher skip hopeless candidates.
        for i in 0..<regionCount {
            let record = regions[i]
            var national = Int.max
            for index in lists[
                Int(
                    spans[record.callingCode].start)..<Int(
                        spans[record.callingCode].start + spans[record.callingCode].count)]
            {
                let lengths = regions[Int(index)].desc(.general).lengths
                if lengths != 0 { national = min(national, lengths.trailingZeroBitCount) }
            }
            national = national == Int.max ? 0 : max(0, national - record.nationalPrefixTransformRule.count)
            var international = Int.max
            if record.internationalPrefix >= 0 {
                international =
                    programs[Int(record.internationalPrefix)].minimumMatchLength + 1 + shortestNationalNumber
            }
            regions[i].minimumValidDigitsWithoutPlus = Int32(min(national, international))
            regions[i].minimumValidNationalDigits = Int32(national)
            regions[i].someFormatRequiresNationalPrefix = record.formats.contains {
                $0.hasNationalPrefixRule && !$0.nationalPrefixOptional && !$0.ruleHasFirstGroupOnly
            }
        }

        guard reader.remaining == 0 else { throw DecodingError(offset: reader.offset, reason: "trailing bytes") }
        let tables = UnsafeMutablePointer<Tables>.allocate(capacity: 1)
        tables.initialize(
            to: Tables(
                automata: automata, programs: UnsafeBufferPointer(programs), regions: UnsafeBufferPointer(regions),
                regionByLetters: UnsafeBufferPointer(byLetters), callingCodeSpans: UnsafeBufferPointer(spans),
                callingCodeRegions: UnsafeBufferPointer(lists), shortestNationalNumber: shortestNationalNumber))
        self.tables = UnsafePointer(tables)
    }

    /// A buffer that lives as long as the process (the metadata is never freed).
    private static func allocate<T>(_ type: T.Type, _ count: Int) -> UnsafeMutableBufferPointer<T> {
        UnsafeMutableBufferPointer<T>.allocate(capacity: max(count, 1))
    }
}

extension DigitAutomata {
    /// Reads an image's DFA section (each DFA's first row, then the narrow and wide row counts) and
    /// checks it against the row literals, which are used in place.
    init(reading reader: inout ByteReader, narrowRows: StaticString, wideRows: StaticString)
        throws(PhoneNumberMetadata.DecodingError)
    {
        let dfaCount = Int(try reader.u32())
        let starts = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: max(dfaCount, 1))
        for i in 0..<dfaCount { starts[i] = try reader.u32() }
        let narrowCount = Int(try reader.u32())
        let wideCount = Int(try reader.u32())
        guard narrowRows.utf8CodeUnitCount == narrowCount * Self.narrowRowBytes,
            wideRows.utf8CodeUnitCount == wideCount * Self.wideRowBytes
        else { throw .init(offset: reader.offset, reason: "DFA rows do not match the image") }
        for i in 0..<dfaCount {
            let isWide = starts[i] & Self.wideFlag != 0
            guard Int(starts[i] & ~Self.wideFlag) < (isWide ? wideCount : narrowCount) else {
                throw .init(offset: reader.offset, reason: "DFA start out of range")
            }
        }
        self.init(
            narrow: narrowRows.utf8Start, wide: wideRows.utf8Start,
            starts: UnsafeBufferPointer(rebasing: starts[0..<dfaCount]))
    }
}

/// Little-endian reads over the decoded image.
struct ByteReader {
    /// Reads an image's header: 4 bytes of magic, a u16 format version that must be `version`, a u16 0.
    mutating func header(magic: StaticString, version: UInt16) throws(PhoneNumberMetadata.DecodingError) {
        guard remaining >= 8, magic.utf8CodeUnitCount == 4,
            (0..<4).allSatisfy({ bytes[offset + $0] == magic.utf8Start[$0] })
        else { throw .init(offset: offset, reason: "missing magic") }
        offset += 4
        let found = try u16()
        guard found == version else {
            throw .init(offset: offset - 2, reason: "format version \(found), expected \(version)")
        }
        _ = try u16()
    }

    let bytes: UnsafeRawBufferPointer
    var offset = 0

    var remaining: Int { bytes.count - offset }

    private func need(_ n: Int) throws(PhoneNumberMetadata.DecodingError) {
        guard n <= remaining else { throw .init(offset: offset, reason: "truncated") }
    }

    mutating func u8() throws(PhoneNumberMetadata.DecodingError) -> UInt8 {
        try need(1)
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws(PhoneNumberMetadata.DecodingError) -> UInt16 {
        try need(2)
        defer { offset += 2 }
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    mutating func u32() throws(PhoneNumberMetadata.DecodingError) -> UInt32 {
        try need(4)
        defer { offset += 4 }
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    mutating func i32() throws(PhoneNumberMetadata.DecodingError) -> Int32 {
        Int32(bitPattern: try u32())
    }

    /// The next `count` bytes, in place.
    mutating func bytes(_ count: Int) throws(PhoneNumberMetadata.DecodingError) -> UnsafeRawBufferPointer {
        try need(count)
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
    }

    mutating func align(_ n: Int) throws(PhoneNumberMetadata.DecodingError) {
        let padding = (n - offset % n) % n
        try need(padding)
        offset += padding
    }
}

/// A base64 decoder for the embedded image (standard alphabet; line breaks are skipped).
enum Base64 {
    /// Decodes into a new buffer that is never freed: the metadata points into it for the life of
    /// the process. Characters outside the alphabet (line breaks, padding) are skipped.
    static func decode(_ text: StaticString) -> UnsafeMutableRawBufferPointer {
        var table = (
            SIMD64<UInt8>(repeating: 0xFF), SIMD64<UInt8>(repeating: 0xFF),
            SIMD64<UInt8>(repeating: 0xFF), SIMD64<UInt8>(repeating: 0xFF)
        )
        return withUnsafeMutableBytes(of: &table) { lookup in
            let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
            for i in 0..<64 { lookup[Int(alphabet.utf8Start[i])] = UInt8(i) }
            let count = text.utf8CodeUnitCount
            let out = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count / 4 * 3, 1), alignment: 16)
            let source = text.utf8Start
            var n = 0
            var i = 0
            // Fast path: four alphabet characters at a time.
            while i + 4 <= count {
                let a = lookup[Int(source[i])]
                let b = lookup[Int(source[i + 1])]
                let c = lookup[Int(source[i + 2])]
                let d = lookup[Int(source[i + 3])]
                if (a | b | c | d) & 0x80 != 0 { break }
                let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                out[n] = UInt8(truncatingIfNeeded: v >> 16)
                out[n + 1] = UInt8(truncatingIfNeeded: v >> 8)
                out[n + 2] = UInt8(truncatingIfNeeded: v)
                n += 3
                i += 4
                // Skip a line break between groups.
                if i < count && source[i] == 0x0A { i += 1 }
            }
            // Slow path for the tail (padding) and any irregular layout.
            var accumulator: UInt32 = 0
            var bits = 0
            while i < count {
                let v = lookup[Int(source[i])]
                i += 1
                if v == 0xFF { continue }
                accumulator = accumulator << 6 | UInt32(v)
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    out[n] = UInt8(truncatingIfNeeded: accumulator >> UInt32(bits))
                    n += 1
                }
            }
            return UnsafeMutableRawBufferPointer(rebasing: out[0..<n])
        }
    }
}
