/// A lead as stored: 16 bytes, plus one word per contact and one for the company.
///
/// Its words: the main contact (when there is one), the other contacts sorted, then the company.
/// The index keeps whether the lead is deleted and whether its status is won or lost, nothing else.
///
/// This file is the layout's one writer, ``encode(id:isDeleted:hasClosedStatus:main:contacts:company:into:)``,
/// which the change batches (``LeadState``) and the bulk build both call, and its readers.
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

    /// Writes a lead's words at the end of `pool` and returns its record.
    ///
    /// - Parameters:
    ///   - hasClosedStatus: Whether its status is won or lost (``Lead/isClosedStatus(_:)``).
    ///   - main: Its main contact, if it has one; one of `contacts`.
    ///   - contacts: Calls `write` with every contact, in increasing order, each once.
    ///   - company: Its company, if it has one.
    @inline(__always)
    static func encode(
        id: Int, isDeleted: Bool, hasClosedStatus: Bool, main: Int?, contacts: (_ write: (Int) -> Void) -> Void,
        company: Int?, into pool: inout ContiguousArray<UInt64>
    ) -> LeadRecord {
        let start = pool.count
        if let main { pool.append(UInt64(UInt(bitPattern: main))) }
        contacts { contact in if contact != main { pool.append(UInt64(UInt(bitPattern: contact))) } }
        let count = pool.count - start
        precondition(count <= Int(countMask), "a lead has more than 16,777,215 contacts")
        var packed = UInt32(count)
        if isDeleted { packed |= deletedFlag }
        if hasClosedStatus { packed |= closedStatusFlag }
        if main != nil { packed |= mainFlag }
        if let company {
            pool.append(UInt64(UInt(bitPattern: company)))
            packed |= companyFlag
        }
        return LeadRecord(id: id, poolStart: UInt32(start), packed: packed)
    }
}

extension SlabEntry where Record == LeadRecord {
    /// Every contact as stored: the main one first, when there is one, then the others by id.
    var storedContacts: [Int] { ids(0..<record.contactCount) }

    /// The main contact, if the lead has one.
    var main: Int? { record.hasMain ? Int(bitPattern: UInt(word(0))) : nil }

    /// The company, if the lead has one.
    var company: Int? { record.hasCompany ? Int(bitPattern: UInt(word(record.contactCount))) : nil }
}
