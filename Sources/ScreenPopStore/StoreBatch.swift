import AccountIndex
import AmoCRM

/// One transaction of changes to an account: entity updates from any source, and what the sync
/// keeps beside them (its cursors), so that data and the cursor that says it was read are durable
/// together or not at all.
public struct StoreBatch: Sendable {
    /// Merged in order (``EntityUpdate`` says how).
    public var updates: [EntityUpdate]
    /// Sync-state values to set (`key` to `value`); a later batch's value replaces an earlier one.
    public var syncState: [String: String]
    /// The account object, when read again (its country and customers mode make the settings).
    public var account: AccountObject?
    /// Every user, when read again: they replace the stored ones.
    public var users: [AccountUser]?
    /// Every customer status, when read again.
    public var customerStatuses: [CustomerStatus]?
    /// Every lead pipeline with its statuses, when read again: they replace the stored ones.
    public var pipelines: [LeadPipeline]?
    /// A full listing's run: complete updates mark their entities as seen by it, so that
    /// ``AccountStore/unseenIDs(accountID:kind:run:updatedBefore:)`` can find what amoCRM no
    /// longer lists (a listing may span several batches and several processes).
    public var listingRun: Int?

    public init(
        updates: [EntityUpdate] = [], syncState: [String: String] = [:], account: AccountObject? = nil,
        users: [AccountUser]? = nil, customerStatuses: [CustomerStatus]? = nil, pipelines: [LeadPipeline]? = nil,
        listingRun: Int? = nil
    ) {
        self.updates = updates
        self.syncState = syncState
        self.account = account
        self.users = users
        self.customerStatuses = customerStatuses
        self.pipelines = pipelines
        self.listingRun = listingRun
    }

    /// Nothing to write.
    public var isEmpty: Bool {
        updates.isEmpty && syncState.isEmpty && account == nil && users == nil && customerStatuses == nil
            && pipelines == nil
    }
}

/// An entity as the store holds it after a write: what the index and the notifications need.
public struct StoredEntity: Hashable, Sendable {
    public var ref: EntityRef
    public var isDeleted: Bool
    /// A lead's or customer's status.
    public var statusID: Int?
    /// A contact's or company's phone values; empty for the other kinds.
    public var phones: [PhoneValue]
    public var details: EntityDetails

    public init(ref: EntityRef, isDeleted: Bool, statusID: Int?, phones: [PhoneValue], details: EntityDetails) {
        self.ref = ref
        self.isDeleted = isDeleted
        self.statusID = statusID
        self.phones = phones
        self.details = details
    }

    /// The change that puts this entity, as it is, into an index (its links apart).
    public var indexChange: AccountChange {
        switch ref.kind {
        case .contact:
            .upsertContact(Contact(id: ref.id, createdAt: details.createdAt, isDeleted: isDeleted, phones: phones))
        case .company:
            .upsertCompany(Company(id: ref.id, createdAt: details.createdAt, isDeleted: isDeleted, phones: phones))
        case .lead:
            .upsertLead(Lead(id: ref.id, isDeleted: isDeleted, statusID: statusID ?? 0))
        case .customer:
            .upsertCustomer(Customer(id: ref.id, isDeleted: isDeleted, statusID: statusID))
        }
    }
}

/// What one transaction changed: what an index and a name list built before it need to catch up.
public struct StoreChanges: Sendable, Equatable {
    /// Each entity the batch changed, as it is now, once, in the order first changed.
    public var entities: [StoredEntity] = []
    /// Entities the batch created (absent from the store before it).
    public var created: Set<EntityRef> = []
    /// Links that are gone (a link whose `is_main` changed is gone and back).
    public var unlinked: [AccountLink] = []
    /// Links that are new, and every stored link of a created entity.
    public var linked: [AccountLink] = []
    /// Updates older than what the store held, which changed nothing.
    public var staleCount = 0
    /// Updates that changed nothing because the store already held what they say.
    public var unchangedCount = 0
    /// What each batch of the transaction did on its own, in the order given: a group commit
    /// answers each of its callers with the group's changes and that caller's own counts
    /// (``forBatch(_:)``).
    public var batchOutcomes: [BatchOutcome] = []
    /// Whether the account object, users, customer statuses or lead pipelines were written.
    public var accountChanged = false
    public var usersChanged = false
    public var customerStatusesChanged = false
    public var pipelinesChanged = false
    /// The account object, users, customer statuses and pipelines as written, when they changed:
    /// what an instance that follows the store's change log needs to catch up without reading them
    /// back.
    public var account: AccountObject?
    public var users: [AccountUser]?
    public var customerStatuses: [CustomerStatus]?
    public var pipelines: [LeadPipeline]?
    /// The transaction's place in the store's change log, when the store keeps one (a store that
    /// several instances share: they follow it to catch up).
    public var sequence: Int64?

    public init() {}

    /// One batch's own counts within a transaction.
    public struct BatchOutcome: Sendable, Equatable {
        public var staleCount: Int
        public var unchangedCount: Int

        public init(staleCount: Int, unchangedCount: Int) {
            self.staleCount = staleCount
            self.unchangedCount = unchangedCount
        }
    }

    /// These changes as the caller of batch `index` sees them: the transaction's entities and links,
    /// with `staleCount` and `unchangedCount` that batch's own.
    public func forBatch(_ index: Int) -> StoreChanges {
        guard batchOutcomes.indices.contains(index) else { return self }
        var copy = self
        copy.staleCount = batchOutcomes[index].staleCount
        copy.unchangedCount = batchOutcomes[index].unchangedCount
        return copy
    }

    /// Nothing an index or a name list must catch up with.
    public var isEmpty: Bool {
        entities.isEmpty && unlinked.isEmpty && linked.isEmpty && !accountChanged && !usersChanged
            && !customerStatusesChanged && !pipelinesChanged
    }
}

extension Array {
    /// The last element of each id, in the order of those last ones: what a table keyed by id holds
    /// after the elements were written in order, each replacing the one before it.
    public func keepingLastOfEachID(_ id: (Element) -> Int) -> [Element] {
        var last: [Int: Int] = [:]
        for (index, value) in enumerated() { last[id(value)] = index }
        return enumerated().filter { last[id($0.element)] == $0.offset }.map(\.element)
    }
}
