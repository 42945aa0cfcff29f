/// A customer as stored: 24 bytes, plus one word per contact and one for the company.
struct CustomerRecord: SlabRecord {
    var id: Int
    /// `Int.min` for none.
    var statusID: Int
    var poolStart: UInt32 = 0
    /// Contact count in the low 24 bits; flags above.
    var packed: UInt32

    static let countMask: UInt32 = (1 << 24) - 1
    static let deletedFlag: UInt32 = 1 << 24
    static let companyFlag: UInt32 = 1 << 27

    var contactCount: Int { Int(packed & Self.countMask) }
    var isDeleted: Bool { packed & Self.deletedFlag != 0 }
    var hasCompany: Bool { packed & Self.companyFlag != 0 }
    var status: Int? { statusID == .min ? nil : statusID }
    var poolCount: Int { contactCount + (hasCompany ? 1 : 0) }
}
