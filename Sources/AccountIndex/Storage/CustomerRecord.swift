/// A customer as stored: 24 bytes, plus one word per contact and one for the company.
///
/// Its words: the contacts sorted, then the company.
///
/// This file is the layout's one writer, ``encode(id:isDeleted:statusID:contacts:company:into:)``,
/// which the change batches (``CustomerState``) and the bulk build both call, and its readers.
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

    /// Writes a customer's words at the end of `pool` and returns its record.
    ///
    /// - Parameters:
    ///   - contacts: Calls `write` with every contact, in increasing order, each once.
    ///   - company: Its company, if it has one.
    @inline(__always)
    static func encode(
        id: Int, isDeleted: Bool, statusID: Int?, contacts: (_ write: (Int) -> Void) -> Void, company: Int?,
        into pool: inout ContiguousArray<UInt64>
    ) -> CustomerRecord {
        let start = pool.count
        contacts { pool.append(UInt64(UInt(bitPattern: $0))) }
        let count = pool.count - start
        precondition(count <= Int(countMask), "a customer has more than 16,777,215 contacts")
        var packed = UInt32(count)
        if isDeleted { packed |= deletedFlag }
        if let company {
            pool.append(UInt64(UInt(bitPattern: company)))
            packed |= companyFlag
        }
        return CustomerRecord(id: id, statusID: statusID ?? .min, poolStart: UInt32(start), packed: packed)
    }
}

extension SlabEntry where Record == CustomerRecord {
    /// Every contact, by id.
    var contacts: [Int] { ids(0..<record.contactCount) }

    /// The company, if the customer has one.
    var company: Int? { record.hasCompany ? Int(bitPattern: UInt(word(record.contactCount))) : nil }
}
