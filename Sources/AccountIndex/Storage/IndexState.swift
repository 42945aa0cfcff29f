/// Everything an ``AccountSnapshot`` holds: the settings and five persistent tables.
///
/// A value type whose copies share all storage; the writer copies it, commits a batch into the
/// copy (which copies only the slabs the batch touches) and publishes the copy as a new snapshot.
struct IndexState: Sendable {
    var settings: AccountSettings
    var contacts = EntityTable<PartyRecord>()
    var companies = EntityTable<PartyRecord>()
    var leads = EntityTable<LeadRecord>()
    var customers = EntityTable<CustomerRecord>()
    var phones: PostingTable

    init(settings: AccountSettings) {
        self.settings = settings
        phones = PostingTable(suffixDigits: settings.suffixFallback.digits)
    }

    /// Every node and slab of the five tables.
    func allocations(into list: inout [UnsafeMutableRawPointer]) {
        contacts.slabs.allocations(into: &list)
        companies.slabs.allocations(into: &list)
        leads.slabs.allocations(into: &list)
        customers.slabs.allocations(into: &list)
        phones.slabs.allocations(into: &list)
    }

    @inline(__always)
    func party(_ id: PartyID) -> SlabEntry<PartyRecord>? {
        id.isCompany ? companies.find(id.id) : contacts.find(id.id)
    }
}
