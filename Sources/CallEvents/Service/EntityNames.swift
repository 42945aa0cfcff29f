import AccountIndex

/// The names of an account's entities, for notifications: the index keeps no names.
///
/// ```swift
/// let names = EntityNames(loaded.entityNames)   // from the loader: the index keeps no names
/// names[.lead(1234565)]                  // "Website order"
/// ```
///
/// Empty names are not kept (a notification then carries no name). The names are a copy made when
/// the service is configured; an embedding that applies changes to its index and wants new names
/// shown builds a new configuration.
public struct EntityNames: Hashable, Sendable {
    var names: [EntityRef: String]

    /// No names.
    public init() {
        names = [:]
    }

    /// The names given; empty ones are dropped, and a later name for the same entity replaces the
    /// earlier. A loader gives them (`LoadedAccount.entityNames` in `AmoCRM`): the index keeps none.
    ///
    /// - Complexity: O(n) in the names.
    public init(_ names: some Sequence<(EntityRef, String)>) {
        self.names = [:]
        self.names.reserveCapacity(names.underestimatedCount)
        for (entity, name) in names { set(name, for: entity) }
    }

    /// The entity's name, nil when unknown or empty.
    public subscript(entity: EntityRef) -> String? {
        get { names[entity] }
        set { set(newValue ?? "", for: entity) }
    }

    public var count: Int { names.count }

    private mutating func set(_ name: String, for entity: EntityRef) {
        if name.isEmpty {
            names[entity] = nil
        } else {
            names[entity] = name
        }
    }
}
