/// One entity: its kind and its amoCRM id.
///
/// ```swift
/// let ref = EntityRef.contact(1234565)
/// ref.kind.elementType   // 1
/// ```
public struct EntityRef: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var kind: EntityKind
    public var id: Int

    @inlinable
    public init(kind: EntityKind, id: Int) {
        self.kind = kind
        self.id = id
    }

    @inlinable public static func contact(_ id: Int) -> EntityRef { EntityRef(kind: .contact, id: id) }
    @inlinable public static func company(_ id: Int) -> EntityRef { EntityRef(kind: .company, id: id) }
    @inlinable public static func lead(_ id: Int) -> EntityRef { EntityRef(kind: .lead, id: id) }
    @inlinable public static func customer(_ id: Int) -> EntityRef { EntityRef(kind: .customer, id: id) }

    /// Orders by element type, then id.
    public static func < (a: EntityRef, b: EntityRef) -> Bool {
        (a.kind.rawValue, a.id) < (b.kind.rawValue, b.id)
    }

    /// `contact 42`.
    public var description: String { "\(kind) \(id)" }
}
