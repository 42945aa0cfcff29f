import AccountIndex

/// What one file holds, decoded, before files are put together.
struct PageContent: Sendable {
    var contacts: [Record<Contact>] = []
    var companies: [Record<Company>] = []
    var leads: [Record<Lead>] = []
    var customers: [Record<Customer>] = []
    var users: [AccountUser] = []
    var statuses: [CustomerStatus] = []
    var pipelines: [LeadPipeline] = []
    var links: [AccountLink] = []
    var account: AccountObject?
    var pages = 0
    /// Lead pipeline statuses (`GET /api/v4/leads/pipelines/{id}/statuses`) met under `statuses`.
    var leadStatusesSkipped = 0
    /// `_embedded` keys the loader does not read, such as `tags`.
    var ignoredEmbeddedKeys: Set<String> = []
    /// The `href` of the last page's `_links.next`, when it has one.
    var nextPage: String?
}

/// An entity as a page gives it: what the index takes, and the rest.
struct Record<Entity: Sendable>: Sendable {
    var entity: Entity
    var details: EntityDetails
}
