import AccountIndex

/// One entity as a source of changes tells it: a page of API v4 (everything the store keeps), a
/// webhook (what it carries), a deletion.
///
/// Every source (the full pull, polling, reconciliation, webhooks) produces these, and the store
/// merges them one way: an update older than what the store holds (``updatedAt`` below the stored
/// one) changes nothing; otherwise the fields it carries replace the stored ones. Applying the same
/// update twice is applying it once.
///
/// A **complete** update (``isComplete``, what a v4 page gives) carries every field: nil means
/// "none" (no responsible user, no customer status) and a link key it does not list means "no
/// links of that kind". A **partial** one (a webhook) carries what is not nil, and only the link
/// keys in ``links``; a re-read of the entity by id brings the rest.
public struct EntityUpdate: Hashable, Sendable, CustomStringConvertible {
    public var entity: EntityRef
    /// Deleted in amoCRM (a `delete` webhook, `is_deleted` on a page, or missing from a full
    /// listing). A deleted entity stays in the store as a tombstone, so that an older update
    /// arriving later cannot bring it back.
    public var isDeleted: Bool
    /// amoCRM's `updated_at` (`last_modified` in webhooks), Unix seconds; nil: taken as current.
    public var updatedAt: Int?
    public var name: String?
    /// Unix seconds.
    public var createdAt: Int?
    public var responsibleUserID: Int?
    /// A lead's pipeline.
    public var pipelineID: Int?
    /// A lead's or customer's status.
    public var statusID: Int?
    /// A lead's price.
    public var price: Int?
    /// A contact's or company's phone values, all of them.
    public var phones: [PhoneValue]?
    /// Links carried, by the key the entity lists them under (``EmbeddedLinks``): each key present
    /// holds every link of that kind the entity has; a key absent is not carried (partial) or empty
    /// (complete).
    public var links: [EmbeddedLinks.Key: [EmbeddedLinks.Entry]]
    /// Whether everything the store keeps of the entity is here (a v4 page).
    public var isComplete: Bool

    public init(
        entity: EntityRef, isDeleted: Bool = false, updatedAt: Int? = nil, name: String? = nil, createdAt: Int? = nil,
        responsibleUserID: Int? = nil, pipelineID: Int? = nil, statusID: Int? = nil, price: Int? = nil,
        phones: [PhoneValue]? = nil, links: [EmbeddedLinks.Key: [EmbeddedLinks.Entry]] = [:], isComplete: Bool = false
    ) {
        self.entity = entity
        self.isDeleted = isDeleted
        self.updatedAt = updatedAt
        self.name = name
        self.createdAt = createdAt
        self.responsibleUserID = responsibleUserID
        self.pipelineID = pipelineID
        self.statusID = statusID
        self.price = price
        self.phones = phones
        self.links = links
        self.isComplete = isComplete
    }

    /// A deletion of `entity` (at `updatedAt`, or now when nil).
    public static func deletion(of entity: EntityRef, updatedAt: Int? = nil) -> EntityUpdate {
        EntityUpdate(entity: entity, isDeleted: true, updatedAt: updatedAt)
    }

    /// `contact 42 (complete, updated 1700000000)`.
    public var description: String {
        var parts = [isComplete ? "complete" : "partial"]
        if isDeleted { parts.append("deleted") }
        if let updatedAt { parts.append("updated \(updatedAt)") }
        return "\(entity) (\(parts.joined(separator: ", ")))"
    }
}

extension APIAnswer {
    /// The page's contacts, companies, leads and customers as complete updates, with the links each
    /// lists, in page order.
    public var updates: [EntityUpdate] {
        var updates: [EntityUpdate] = []
        updates.reserveCapacity(content.contacts.count + content.companies.count + content.leads.count
            + content.customers.count)
        var listed = EmbeddedLinks.listing(content.links)
        func add(_ ref: EntityRef, _ details: EntityDetails, isDeleted: Bool, statusID: Int?, phones: [PhoneValue]?) {
            var links: [EmbeddedLinks.Key: [EmbeddedLinks.Entry]] = [:]
            // The page's links name this entity from its own side and from no other (a page holds one
            // kind), so what it lists is exactly what the listing gives back.
            if let own = listed.removeValue(forKey: ref) { links = own }
            updates.append(
                EntityUpdate(
                    entity: ref, isDeleted: isDeleted, updatedAt: details.updatedAt, name: details.name,
                    createdAt: details.createdAt, responsibleUserID: details.responsibleUserID,
                    pipelineID: details.pipelineID, statusID: statusID, price: details.price, phones: phones,
                    links: links, isComplete: true))
        }
        for record in content.contacts {
            add(.contact(record.entity.id), record.details, isDeleted: record.entity.isDeleted, statusID: nil,
                phones: record.entity.phones)
        }
        for record in content.companies {
            add(.company(record.entity.id), record.details, isDeleted: record.entity.isDeleted, statusID: nil,
                phones: record.entity.phones)
        }
        for record in content.leads {
            add(.lead(record.entity.id), record.details, isDeleted: record.entity.isDeleted,
                statusID: record.entity.statusID, phones: nil)
        }
        for record in content.customers {
            add(.customer(record.entity.id), record.details, isDeleted: record.entity.isDeleted,
                statusID: record.entity.statusID, phones: nil)
        }
        return updates
    }

    /// The users on the page (`GET /api/v4/users`).
    public var users: [AccountUser] { content.users }
    /// The customer statuses on the page.
    public var customerStatuses: [CustomerStatus] { content.statuses }
    /// The lead pipelines on the page (`GET /api/v4/leads/pipelines`), with their statuses.
    public var pipelines: [LeadPipeline] { content.pipelines }
}
