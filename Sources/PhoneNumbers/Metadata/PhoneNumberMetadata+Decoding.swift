/// Decoding of the binary image written by `scripts/generate-metadata.py` (docs/metadata-format.md).
extension PhoneNumberMetadata {
    struct DecodingError: Error, CustomStringConvertible {
        let offset: Int
        let reason: String
        var description: String { "\(reason) at byte \(offset)" }
    }

    static let formatVersion: UInt16 = 2

    init(encoded: StaticString) throws(DecodingError) {
        let bytes = Base64.decode(encoded)
        var reader = ByteReader(bytes: bytes)
        guard reader.remaining >= 6,
            bytes[0] == UInt8(ascii: "S"), bytes[1] == UInt8(ascii: "P"),
            bytes[2] == UInt8(ascii: "M"), bytes[3] == UInt8(ascii: "D")
        else { throw DecodingError(offset: 0, reason: "missing magic") }
        reader.offset = 4
        let version = try reader.u16()
        guard version == Self.formatVersion else {
            throw DecodingError(offset: 4, reason: "format version \(version), expected \(Self.formatVersion)")
        }

        // DFAs.
        let dfaCount = Int(try reader.u32())
        var starts: [Int32] = []
        starts.reserveCapacity(dfaCount)
        var table: [UInt16] = []
        var row: Int32 = 0
        for _ in 0..<dfaCount {
            let states = Int(try reader.u16())
            starts.append(row)
            for _ in 0..<(states * DigitAutomata.rowWidth) {
                table.append(try reader.u16())
            }
            row += Int32(states)
        }
        self.automata = DigitAutomata(table: table, starts: starts)

        // Programs.
        let programCount = Int(try reader.u32())
        var programs: [DigitProgram] = []
        programs.reserveCapacity(programCount)
        for _ in 0..<programCount {
            let groups = Int(try reader.u8())
            let count = Int(try reader.u16())
            var code: [DigitProgram.Instruction] = []
            code.reserveCapacity(count)
            for _ in 0..<count {
                let op = try reader.u16()
                let a = try reader.u16()
                let b = try reader.u16()
                guard let opcode = DigitProgram.Opcode(rawValue: UInt8(truncatingIfNeeded: op)), op < 256 else {
                    throw DecodingError(offset: reader.offset, reason: "bad opcode \(op)")
                }
                code.append(DigitProgram.Instruction(opcode: opcode, a: a, b: b))
            }
            programs.append(DigitProgram(code: code, groupCount: groups))
        }
        self.programs = programs

        // Regions.
        let regionCount = Int(try reader.u16())
        var regions: [RegionMetadata] = []
        var regionIndex: [RegionKey: Int32] = [:]
        for index in 0..<regionCount {
            let id = try reader.text()
            guard let key = RegionKey(String(decoding: id, as: UTF8.self)) else {
                throw DecodingError(offset: reader.offset, reason: "bad region id")
            }
            let callingCode = Int(try reader.u16())
            let flags = try reader.u8()
            let idd = try reader.i32()
            let npfp = try reader.i32()
            let leading = try reader.i32()
            let nationalPrefix = try reader.text()
            let rule = try reader.text()
            var descs: [NumberDesc] = []
            for _ in NumberDescSlot.allCases {
                if try reader.u8() == 0 {
                    descs.append(.absent)
                } else {
                    let pattern = try reader.i32()
                    let lengths = try reader.u32()
                    let local = try reader.u32()
                    guard pattern < dfaCount else {
                        throw DecodingError(offset: reader.offset, reason: "DFA index out of range")
                    }
                    descs.append(NumberDesc(isPresent: true, pattern: pattern, lengths: lengths, localOnlyLengths: local))
                }
            }
            var formats: [NumberFormat] = []
            for _ in 0..<Int(try reader.u8()) {
                let leadingDigits = try reader.i32()
                let pattern = try reader.i32()
                let flags = try reader.u8()
                guard leadingDigits < dfaCount, pattern >= 0, pattern < dfaCount else {
                    throw DecodingError(offset: reader.offset, reason: "format DFA index out of range")
                }
                formats.append(
                    NumberFormat(
                        leadingDigits: leadingDigits, pattern: pattern, hasNationalPrefixRule: flags & 1 != 0,
                        nationalPrefixOptional: flags & 2 != 0, ruleHasFirstGroupOnly: flags & 4 != 0))
            }
            guard idd < programCount, npfp < programCount, leading < dfaCount else {
                throw DecodingError(offset: reader.offset, reason: "pattern index out of range")
            }
            regions.append(
                RegionMetadata(
                    key: key, callingCode: callingCode, isMainCountryForCode: flags & 1 != 0,
                    sameMobileAndFixedLinePattern: flags & 2 != 0, internationalPrefix: idd,
                    nationalPrefixForParsing: npfp, leadingDigits: leading, nationalPrefix: nationalPrefix,
                    nationalPrefixTransformRule: rule, descs: descs, formats: formats))
            if key != RegionKey.nonGeographic {
                regionIndex[key] = Int32(index)
            }
        }

        // Calling codes.
        let codeCount = Int(try reader.u16())
        var byCode = [[Int32]](repeating: [], count: 1000)
        for _ in 0..<codeCount {
            let code = Int(try reader.u16())
            let count = Int(try reader.u8())
            guard code < 1000 else { throw DecodingError(offset: reader.offset, reason: "calling code \(code)") }
            for _ in 0..<count {
                let id = try reader.text()
                guard let key = RegionKey(String(decoding: id, as: UTF8.self)) else {
                    throw DecodingError(offset: reader.offset, reason: "bad region id")
                }
                // Non-geographic entities are looked up by calling code and key together.
                guard
                    let index = regions.firstIndex(where: { $0.key == key && $0.callingCode == code })
                else { throw DecodingError(offset: reader.offset, reason: "unknown region in calling code map") }
                byCode[code].append(Int32(index))
            }
        }
        guard reader.remaining == 0 else { throw DecodingError(offset: reader.offset, reason: "trailing bytes") }
        self.regions = regions
        self.regionIndex = regionIndex
        self.regionsByCallingCode = byCode
    }
}

/// Little-endian reads over the decoded image.
struct ByteReader {
    let bytes: [UInt8]
    var offset = 0

    var remaining: Int { bytes.count - offset }

    mutating func u8() throws(PhoneNumberMetadata.DecodingError) -> UInt8 {
        guard offset < bytes.count else { throw .init(offset: offset, reason: "truncated") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws(PhoneNumberMetadata.DecodingError) -> UInt16 {
        let lo = try u8()
        let hi = try u8()
        return UInt16(lo) | UInt16(hi) << 8
    }

    mutating func u32() throws(PhoneNumberMetadata.DecodingError) -> UInt32 {
        let lo = try u16()
        let hi = try u16()
        return UInt32(lo) | UInt32(hi) << 16
    }

    mutating func i32() throws(PhoneNumberMetadata.DecodingError) -> Int32 {
        Int32(bitPattern: try u32())
    }

    mutating func text() throws(PhoneNumberMetadata.DecodingError) -> [UInt8] {
        let count = Int(try u8())
        guard count <= remaining else { throw .init(offset: offset, reason: "truncated text") }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }
}

/// A minimal base64 decoder for the embedded image (the standard alphabet; newlines are skipped).
enum Base64 {
    static func decode(_ text: StaticString) -> [UInt8] {
        var table = [UInt8](repeating: 0xFF, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        let count = text.utf8CodeUnitCount
        var out: [UInt8] = []
        out.reserveCapacity(count / 4 * 3)
        var accumulator: UInt32 = 0
        var bits = 0
        let start = text.utf8Start
        for i in 0..<count {
            let v = table[Int(start[i])]
            if v == 0xFF { continue }  // newline or padding
            accumulator = accumulator << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return out
    }
}
