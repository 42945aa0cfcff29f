/// A contact or company, packed into one word: the id, and the top bit set for a company.
struct PartyID: Hashable, Comparable, Sendable, BitwiseCopyable {
    static let companyBit: UInt64 = 1 << 63

    let rawValue: UInt64

    init(rawValue: UInt64) { self.rawValue = rawValue }

    /// `id` must be non-negative.
    init(isCompany: Bool, id: Int) {
        rawValue = UInt64(id) | (isCompany ? Self.companyBit : 0)
    }

    static func contact(_ id: Int) -> PartyID { PartyID(isCompany: false, id: id) }
    static func company(_ id: Int) -> PartyID { PartyID(isCompany: true, id: id) }

    var isCompany: Bool { rawValue & Self.companyBit != 0 }
    var id: Int { Int(truncatingIfNeeded: rawValue & ~Self.companyBit) }
    var ref: EntityRef { EntityRef(kind: isCompany ? .company : .contact, id: id) }

    static func < (a: PartyID, b: PartyID) -> Bool { a.rawValue < b.rawValue }
}
