import _PhoneNumberPrefixTables

/// Country names per language (libphonenumber's `LocaleData`), decoded on first use into a matrix of
/// name indices, regions by languages (250 × 188, 94 KB).
struct CountryNames: @unchecked Sendable {
    // @unchecked: the matrix is written once in `init`, then only read, and never freed.
    static let shared = CountryNames()

    let names: NameList
    let matrix: UnsafeBufferPointer<UInt16>
    let languageCount: Int

    init() {
        let bytes = Base64.decode(CountryNameData.encoded)
        defer { bytes.deallocate() }
        var reader = VarintReader(bytes)
        let regionCount = reader.varint()
        let languageCount = reader.varint()
        precondition(regionCount == CountryNameData.regions.count && languageCount == CountryNameData.languages.count)
        let matrix = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: regionCount * languageCount)
        for region in 0..<regionCount {
            let row = region * languageCount
            let common = UInt16(reader.varint())
            for i in 0..<languageCount { matrix[row + i] = common }
            for _ in 0..<reader.varint() {
                let language = reader.varint()
                matrix[row + language] = UInt16(reader.varint())
            }
            for _ in 0..<reader.varint() { matrix[row + reader.varint()] = UInt16(CountryNameData.emptyName) }
        }
        precondition(reader.isAtEnd, "corrupt generated country names")
        self.names = NameList(CountryNameData.names, count: CountryNameData.nameCount)
        self.matrix = UnsafeBufferPointer(matrix)
        self.languageCount = languageCount
    }

    /// libphonenumber's `_region_display_name`: the name in exactly `language` (no fallback), nil
    /// for an unknown region or language or an empty name.
    func name(region: String?, language: String) -> String? {
        guard let region,
            let r = Self.index(of: PackedCode(region).value, in: CountryNameData.regions),
            let l = Self.index(of: PackedCode(language).value, in: CountryNameData.languages)
        else { return nil }
        let name = names.bytes(Int(matrix[r * languageCount + l]))
        return name.isEmpty ? nil : String(decoding: name, as: UTF8.self)
    }

    /// Binary search in an ascending array; 0 (a code too long to pack) is never found.
    static func index(of key: UInt64, in sorted: [UInt64]) -> Int? {
        guard key != 0 else { return nil }
        var low = 0
        var high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] < key { low = mid + 1 } else { high = mid }
        }
        return low < sorted.count && sorted[low] == key ? low : nil
    }
}
