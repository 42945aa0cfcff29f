/// What the postings of a party carry besides the key.
struct PostingPayload: Equatable {
    var createdAt: Int
    var activeLeadCount: UInt32
    var openCustomerCount: UInt32
    var activeLeadID: Int
    var openCustomerID: Int

    func posting(_ key: UInt64, _ owner: PartyID) -> Posting {
        Posting(
            key: PhoneKey(rawValue: key), owner: owner, createdAt: createdAt, activeLeadCount: activeLeadCount,
            openCustomerCount: openCustomerCount, activeLeadID: activeLeadID, openCustomerID: openCustomerID)
    }
}

extension PostingPayload {
    /// The payload of a contact's or company's postings, or nil when it has none: the one rule, for
    /// the stored record (``PartyRecord/postingPayload(words:)``), the staged state
    /// (``PartyState/postings(_:)``) and the bulk build.
    ///
    /// A party that is deleted or has no number has no posting. Otherwise its postings carry its
    /// created-at, how many active leads and open customers it has, and the first of each (the
    /// only one when there is one; 0 when there is none).
    ///
    /// - Parameters:
    ///   - activeLeads: Its active leads, sorted by id.
    ///   - openCustomers: Its open customers, sorted by id.
    @inline(__always)
    init?(
        createdAt: Int, isDeleted: Bool, keyCount: Int, activeLeads: some Collection<Int>,
        openCustomers: some Collection<Int>
    ) {
        guard !isDeleted, keyCount > 0 else { return nil }
        self.init(
            createdAt: createdAt, activeLeadCount: UInt32(activeLeads.count),
            openCustomerCount: UInt32(openCustomers.count),
            activeLeadID: activeLeads.first ?? 0, openCustomerID: openCustomers.first ?? 0)
    }
}
