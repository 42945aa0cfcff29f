import AccountIndex

/// Integers in 4 bytes each while every one fits in an `Int32` (ids and Unix times of today's
/// accounts), in 8 from the first that does not.
struct CompactIntegers: Sendable {
    private var narrow: [Int32] = []
    private var wide: [Int]? = nil

    var count: Int { wide?.count ?? narrow.count }

    mutating func appendGrowingGently(_ value: Int) {
        if wide == nil, let small = Int32(exactly: value) { return narrow.appendGrowingGently(small) }
        if wide == nil {
            wide = narrow.map(Int.init)
            narrow = []
        }
        wide!.appendGrowingGently(value)
    }

    subscript(index: Int) -> Int {
        if let wide { return wide[index] }
        return Int(narrow[index])
    }
}

/// The references of the live contacts and companies, by party index: an id in 4 bytes (see
/// ``CompactIntegers``) and a bit for "company", where `[EntityRef]` takes 16 bytes.
struct PartyRefs: Sendable {
    private var ids = CompactIntegers()
    private var companyBits: [UInt64] = []

    var count: Int { ids.count }

    /// - Precondition: `ref` is a contact or a company (the only parties).
    mutating func appendGrowingGently(_ ref: EntityRef) {
        let index = ids.count
        ids.appendGrowingGently(ref.id)
        if index % 64 == 0 { companyBits.appendGrowingGently(0) }
        if ref.kind == .company { companyBits[index / 64] |= 1 << UInt64(index % 64) }
    }

    subscript(index: Int) -> EntityRef {
        let isCompany = companyBits[index / 64] & (1 << UInt64(index % 64)) != 0
        return isCompany ? .company(ids[index]) : .contact(ids[index])
    }
}
