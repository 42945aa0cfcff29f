/// A contact or company as stored: 48 bytes, plus one word per phone key and per link.
///
/// Its words, in order: phone keys, active leads, other leads, open customers, other customers,
/// related parties (a contact's company, or a company's contacts); each part sorted. Keeping
/// active leads and open customers apart is what makes the decision O(1): their counts are
/// stored, and when a count is 1 the id is the first word of its part.
struct PartyRecord: SlabRecord {
    var id: Int
    var createdAt: Int
    var poolStart: UInt32 = 0
    var keyCount: UInt32
    var activeLeadCount: UInt32
    var otherLeadCount: UInt32
    var openCustomerCount: UInt32
    var otherCustomerCount: UInt32
    var relatedCount: UInt32
    var flags: UInt32

    static let deletedFlag: UInt32 = 1

    var isDeleted: Bool { flags & Self.deletedFlag != 0 }

    var poolCount: Int {
        Int(keyCount) + Int(activeLeadCount) + Int(otherLeadCount) + Int(openCustomerCount)
            + Int(otherCustomerCount) + Int(relatedCount)
    }
}

extension SlabEntry where Record == PartyRecord {
    /// The postings of this party as stored: one per key, none when deleted.
    func postings(_ owner: PartyID) -> [Posting] {
        let r = record
        guard !r.isDeleted, r.keyCount > 0 else { return [] }
        let leadsAt = Int(r.keyCount)
        let customersAt = leadsAt + Int(r.activeLeadCount) + Int(r.otherLeadCount)
        let summary = PostingPayload(
            createdAt: r.createdAt, activeLeadCount: r.activeLeadCount, openCustomerCount: r.openCustomerCount,
            activeLeadID: r.activeLeadCount > 0 ? Int(bitPattern: UInt(word(leadsAt))) : 0,
            openCustomerID: r.openCustomerCount > 0 ? Int(bitPattern: UInt(word(customersAt))) : 0)
        return (0..<Int(r.keyCount)).map { summary.posting(word($0), owner) }
    }
}
