/// One stored number of one contact or company, with what the decision needs of the owner.
///
/// The owner's created-at and link summary are copied here, so that resolving an exact match reads
/// one slab and nothing else (each further slab would be another cache miss on a large account).
/// The writer rewrites a party's postings whenever its numbers or its summary change.
struct Posting: Hashable, Sendable, BitwiseCopyable {
    var key: PhoneKey
    var owner: PartyID
    var createdAt: Int
    var activeLeadCount: UInt32
    var openCustomerCount: UInt32
    /// The first active lead (the only one when the count is 1), or 0.
    var activeLeadID: Int
    /// The first open customer (the only one when the count is 1), or 0.
    var openCustomerID: Int

    /// Ordered by key, then owner; the rest is payload.
    @inline(__always)
    static func precedes(_ a: Posting, _ b: Posting) -> Bool {
        (a.key.rawValue, a.owner.rawValue) < (b.key.rawValue, b.owner.rawValue)
    }

    @inline(__always)
    func sameSlot(_ other: Posting) -> Bool { key == other.key && owner == other.owner }

    var links: LinkedEntities {
        LinkedEntities(
            activeLeadCount: Int(activeLeadCount), activeLeadID: activeLeadID,
            openCustomerCount: Int(openCustomerCount),
            openCustomerID: openCustomerID)
    }
}
