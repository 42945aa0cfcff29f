/// libphonenumber's short-number metadata (service, emergency and carrier short codes) of every
/// region, compiled ahead of time by `scripts/generate-shortnumber-metadata.py`.
///
/// A separate image from the numbering plans (docs/metadata-format.md, "The short-number image"):
/// short numbers are dialled within one region and have their own descriptions, and keeping them
/// apart means a process that never asks about short numbers never decodes them. The DFA rows are
/// read in place by the same ``DigitAutomata`` as the numbering plans'; the rest (a few KB) is
/// decoded once, on first use, into buffers that are never freed.
struct ShortNumberMetadata: @unchecked Sendable {
    // @unchecked: the buffers are written once in `init(encoded:)`, then only read, and never freed.

    /// The process-wide short-number metadata, decoded on first use.
    static let shared: ShortNumberMetadata = {
        do {
            return try ShortNumberMetadata(
                encoded: Self.encodedData, narrowRows: Self.narrowDFARows, wideRows: Self.wideDFARows)
        } catch {
            // The data is generated and checked by the test suite; a failure here is a build defect.
            fatalError("corrupt generated short-number metadata: \(error)")
        }
    }()

    static let formatVersion: UInt16 = 1

    let automata: DigitAutomata
    let regions: UnsafeBufferPointer<ShortRegionRecord>
    /// Index into `regions` by the two letters: `(first - 'A') * 26 + (second - 'A')`, -1 for none.
    let regionByLetters: UnsafeBufferPointer<Int16>
    /// The example numbers, ASCII.
    let pool: UnsafeBufferPointer<UInt8>

    /// The record of a region such as "RU"; nil for regions without short-number metadata.
    @inline(__always)
    func region(_ key: RegionKey) -> UnsafePointer<ShortRegionRecord>? {
        let v = key.rawValue
        guard v <= 0xFFFF else { return nil }
        let first = (v >> 8) &- 0x41
        let second = (v & 0xFF) &- 0x41
        guard first < 26, second < 26 else { return nil }
        let index = regionByLetters[Int(first &* 26 &+ second)]
        return index < 0 ? nil : regions.baseAddress! + Int(index)
    }

    /// Whether `digits` has a possible length of `desc` and matches its pattern (libphonenumber's
    /// `matchesPossibleNumberAndNationalNumber`); false when the region has no such description.
    @inline(__always)
    func matches(_ digits: UnsafeBufferPointer<UInt8>, _ desc: ShortNumberDesc) -> Bool {
        guard desc.pattern >= 0, desc.hasPossibleLength(digits.count) else { return false }
        return automata.matchesWhole(desc.pattern, digits)
    }

    /// The example number of `desc`, nil when the metadata has none.
    func example(_ desc: ShortNumberDesc) -> String? {
        guard desc.pattern >= 0, desc.exampleCount > 0 else { return nil }
        let start = Int(desc.exampleOffset)
        return String(
            decoding: UnsafeBufferPointer(rebasing: pool[start..<start + Int(desc.exampleCount)]), as: UTF8.self)
    }

    init(encoded: StaticString, narrowRows: StaticString, wideRows: StaticString)
        throws(PhoneNumberMetadata.DecodingError)
    {
        typealias DecodingError = PhoneNumberMetadata.DecodingError
        let bytes = Base64.decode(encoded)
        var reader = ByteReader(bytes: UnsafeRawBufferPointer(bytes))
        try reader.header(magic: "SPSN", version: Self.formatVersion)
        automata = try DigitAutomata(reading: &reader, narrowRows: narrowRows, wideRows: wideRows)
        let dfaCount = automata.starts.count

        let poolCount = Int(try reader.u32())
        pool = try reader.bytes(poolCount).bindMemory(to: UInt8.self)
        try reader.align(4)

        let regionCount = Int(try reader.u32())
        let records = UnsafeMutableBufferPointer<ShortRegionRecord>.allocate(capacity: max(regionCount, 1))
        let byLetters = UnsafeMutableBufferPointer<Int16>.allocate(capacity: 26 * 26)
        byLetters.initialize(repeating: -1)
        for i in 0..<regionCount {
            let key = RegionKey(rawValue: try reader.u32())
            let emergencyPrefix = try reader.i32()
            guard emergencyPrefix < dfaCount else { throw DecodingError(offset: reader.offset, reason: "DFA index") }
            var descs: [ShortNumberDesc] = []
            for _ in ShortNumberDescSlot.allCases {
                let pattern = try reader.i32()
                let lengths = try reader.u32()
                let offset = try reader.u16()
                let count = try reader.u8()
                _ = try reader.u8()
                guard pattern < dfaCount, Int(offset) + Int(count) <= poolCount else {
                    throw DecodingError(offset: reader.offset, reason: "description out of range")
                }
                descs.append(
                    ShortNumberDesc(pattern: pattern, lengths: lengths, exampleOffset: offset, exampleCount: count))
            }
            (records.baseAddress! + i).initialize(
                to: ShortRegionRecord(key: key, emergencyPrefix: emergencyPrefix, descs: descs))
            let v = key.rawValue
            guard v <= 0xFFFF, (v >> 8) &- 0x41 < 26, (v & 0xFF) &- 0x41 < 26 else {
                throw DecodingError(offset: reader.offset, reason: "region code")
            }
            byLetters[Int(((v >> 8) - 0x41) * 26 + (v & 0xFF) - 0x41)] = Int16(i)
        }
        guard reader.remaining == 0 else { throw DecodingError(offset: reader.offset, reason: "trailing bytes") }
        regions = UnsafeBufferPointer(rebasing: records[0..<regionCount])
        regionByLetters = UnsafeBufferPointer(byLetters)
    }
}

/// A short-number description: a pattern and the possible lengths of the number. The layout of
/// the image's (12 bytes).
struct ShortNumberDesc: Sendable {
    /// DFA index (full-match mode), or -1 when the region has no such description.
    let pattern: Int32
    /// Bit n set when n is a possible length (every description of the data lists some).
    let lengths: UInt32
    let exampleOffset: UInt16
    let exampleCount: UInt8

    @inline(__always)
    func hasPossibleLength(_ length: Int) -> Bool { length < 32 && (lengths >> UInt32(length)) & 1 != 0 }
}

/// The order of descriptions in a short-number region record; the same order as the generator's
/// `DESC_SLOTS`.
enum ShortNumberDescSlot: Int, CaseIterable, Sendable {
    case general, tollFree, standardRate, premiumRate, shortCode, emergency, carrierSpecific, smsServices
}

/// One region's short-number metadata.
struct ShortRegionRecord: Sendable {
    let key: RegionKey
    /// DFA index (prefix mode) of the emergency pattern, for `connectsToEmergencyNumber`; -1 for none.
    let emergencyPrefix: Int32
    /// The descriptions, indexed by ``ShortNumberDescSlot`` (a tuple: the record is stored inline,
    /// without an array's reference count).
    let storage:
        (
            ShortNumberDesc, ShortNumberDesc, ShortNumberDesc, ShortNumberDesc, ShortNumberDesc, ShortNumberDesc,
            ShortNumberDesc, ShortNumberDesc
        )

    init(key: RegionKey, emergencyPrefix: Int32, descs: [ShortNumberDesc]) {
        self.key = key
        self.emergencyPrefix = emergencyPrefix
        storage = (descs[0], descs[1], descs[2], descs[3], descs[4], descs[5], descs[6], descs[7])
    }

    @inline(__always)
    func desc(_ slot: ShortNumberDescSlot) -> ShortNumberDesc {
        switch slot {
        case .general: storage.0
        case .tollFree: storage.1
        case .standardRate: storage.2
        case .premiumRate: storage.3
        case .shortCode: storage.4
        case .emergency: storage.5
        case .carrierSpecific: storage.6
        case .smsServices: storage.7
        }
    }
}
