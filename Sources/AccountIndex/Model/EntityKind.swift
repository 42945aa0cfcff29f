/// The kinds of amoCRM entity the index knows, with amoCRM's v2 element type numbers as raw values.
///
/// The call-notification API answers with `element_type` and `element_id`; ``rawValue`` is that
/// `element_type`.
public enum EntityKind: Int, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// A contact (element type 1).
    case contact = 1
    /// A lead, a deal in a pipeline (element type 2).
    case lead = 2
    /// A company (element type 3).
    case company = 3
    /// A customer, amoCRM's repeat-sales entity (element type 12).
    case customer = 12

    /// amoCRM's v2 API element type: 1 contact, 2 lead, 3 company, 12 customer.
    @inlinable
    public var elementType: Int { rawValue }

    public var description: String {
        switch self {
        case .contact: "contact"
        case .lead: "lead"
        case .company: "company"
        case .customer: "customer"
        }
    }
}

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
