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
