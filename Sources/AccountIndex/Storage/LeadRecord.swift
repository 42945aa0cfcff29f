/// A lead as stored: 16 bytes, plus one word per contact and one for the company.
///
/// Its words: the main contact (when there is one), the other contacts sorted, then the company.
/// The index keeps whether the lead is deleted and whether its status is won or lost, nothing else.
struct LeadRecord: SlabRecord {
    var id: Int
    var poolStart: UInt32 = 0
    /// Contact count in the low 24 bits; flags above.
    var packed: UInt32

    static let countMask: UInt32 = (1 << 24) - 1
    static let deletedFlag: UInt32 = 1 << 24
    static let closedStatusFlag: UInt32 = 1 << 25
    static let mainFlag: UInt32 = 1 << 26
    static let companyFlag: UInt32 = 1 << 27

    var contactCount: Int { Int(packed & Self.countMask) }
    var isDeleted: Bool { packed & Self.deletedFlag != 0 }
    var hasClosedStatus: Bool { packed & Self.closedStatusFlag != 0 }
    var hasMain: Bool { packed & Self.mainFlag != 0 }
    var hasCompany: Bool { packed & Self.companyFlag != 0 }
    var poolCount: Int { contactCount + (hasCompany ? 1 : 0) }
}
