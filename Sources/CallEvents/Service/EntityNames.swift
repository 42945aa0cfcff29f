import AccountIndex

/// The names and other facts (``EntityFacts``) of an account's entities, for notifications: the
/// index keeps none.
///
/// ```swift
/// let names = EntityNames(loaded.entityNames)   // from the loader: the index keeps no names
/// names[.lead(1234565)]                  // "Website order"
/// names.facts(of: .lead(1234565))?.price // 15000, when the loader gave facts
/// ```
///
/// Entities with nothing known are not kept. The facts are packed (40 bytes beside the key, where a
/// name alone took 16): ids that do not fit 32 bits, which amoCRM does not hand out, are kept as
/// unknown.
public struct EntityNames: Hashable, Sendable {
    var entries: [EntityRef: PackedFacts]

    /// No names.
    public init() {
        entries = [:]
    }

    /// The names given; empty ones are dropped, and a later name for the same entity replaces the
    /// earlier. A loader gives them (`LoadedAccount.entityNames` in `AmoCRM`): the index keeps none.
    ///
    /// - Complexity: O(n) in the names.
    public init(_ names: some Sequence<(EntityRef, String)>) {
        self.init(facts: names.lazy.map { ($0.0, EntityFacts(name: $0.1)) })
    }

    /// The facts given; a later entry for the same entity replaces the earlier.
    ///
    /// - Complexity: O(n) in the entries.
    public init(facts: some Sequence<(EntityRef, EntityFacts)>) {
        entries = [:]
        entries.reserveCapacity(facts.underestimatedCount)
        for (entity, entityFacts) in facts { set(entityFacts, for: entity) }
    }

    /// The entity's name, nil when unknown or empty. Setting a name keeps the other facts.
    public subscript(entity: EntityRef) -> String? {
        get {
            guard let name = entries[entity]?.name, !name.isEmpty else { return nil }
            return name
        }
        set {
            var entityFacts = facts(of: entity) ?? EntityFacts()
            entityFacts.name = newValue ?? ""
            set(entityFacts, for: entity)
        }
    }

    /// Everything known of the entity; nil when nothing is.
    public func facts(of entity: EntityRef) -> EntityFacts? { entries[entity]?.facts }

    /// Replaces what is known of the entity (an empty ``EntityFacts`` forgets it).
    public mutating func set(_ facts: EntityFacts, for entity: EntityRef) {
        if facts.isEmpty {
            entries[entity] = nil
        } else {
            entries[entity] = PackedFacts(facts)
        }
    }

    /// How many entities have something known (a name, or another fact).
    public var count: Int { entries.count }
}

/// ``EntityFacts`` in 40 bytes: 32-bit ids with 0 for none, the price with `Int64.min` for none.
struct PackedFacts: Hashable, Sendable {
    let name: String
    let price: Int64
    let responsibleUserID: UInt32
    let pipelineID: UInt32
    let statusID: UInt32

    init(_ facts: EntityFacts) {
        name = facts.name
        price = facts.price.flatMap { Int64(exactly: $0) } ?? .min
        responsibleUserID = Self.pack(facts.responsibleUserID)
        pipelineID = Self.pack(facts.pipelineID)
        statusID = Self.pack(facts.statusID)
    }

    var facts: EntityFacts {
        EntityFacts(
            name: name, responsibleUserID: Self.unpack(responsibleUserID), pipelineID: Self.unpack(pipelineID),
            statusID: Self.unpack(statusID), price: price == .min ? nil : Int(price))
    }

    private static func pack(_ id: Int?) -> UInt32 {
        guard let id, id > 0, let packed = UInt32(exactly: id) else { return 0 }
        return packed
    }

    private static func unpack(_ id: UInt32) -> Int? { id == 0 ? nil : Int(id) }
}
