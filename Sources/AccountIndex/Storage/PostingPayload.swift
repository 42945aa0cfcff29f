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
