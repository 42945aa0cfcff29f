/// One change to an account, as ``AccountIndex/apply(_:)`` takes it.
///
/// Upserts replace an entity's own fields and keep its links; deletes remove the entity and every
/// link it has; links and unlinks are idempotent (see ``AccountLink``). Changes that name an entity
/// the index does not have fail with ``AccountChangeError/Code/unknownEntity``, except upserts,
/// which create it.
public enum AccountChange: Hashable, Sendable, CustomStringConvertible {
    case upsertContact(Contact)
    case upsertCompany(Company)
    case upsertLead(Lead)
    case upsertCustomer(Customer)
    case deleteContact(id: Int)
    case deleteCompany(id: Int)
    case deleteLead(id: Int)
    case deleteCustomer(id: Int)
    case link(AccountLink)
    case unlink(AccountLink)
    /// A lead moved to another status (and maybe pipeline; only 142 and 143 matter to the index).
    case setLeadStatus(leadID: Int, statusID: Int)
    /// A customer moved to another status (segment), or to none.
    case setCustomerStatus(customerID: Int, statusID: Int?)
    /// Customers switched on or off for the account.
    case setCustomersEnabled(Bool)
    /// The account's closed (type 3) customer statuses changed.
    case setClosedCustomerStatuses(Set<Int>)
    /// The default for the last-digits fallback (its digit count stays as built).
    case setSuffixFallbackEnabled(Bool)

    public var description: String {
        switch self {
        case .upsertContact(let c): "upsert contact \(c.id)"
        case .upsertCompany(let c): "upsert company \(c.id)"
        case .upsertLead(let l): "upsert lead \(l.id)"
        case .upsertCustomer(let c): "upsert customer \(c.id)"
        case .deleteContact(let id): "delete contact \(id)"
        case .deleteCompany(let id): "delete company \(id)"
        case .deleteLead(let id): "delete lead \(id)"
        case .deleteCustomer(let id): "delete customer \(id)"
        case .link(let link): "link \(link)"
        case .unlink(let link): "unlink \(link)"
        case .setLeadStatus(let id, let status): "set lead \(id) status \(status)"
        case .setCustomerStatus(let id, let status): "set customer \(id) status \(status.map(String.init) ?? "none")"
        case .setCustomersEnabled(let on): "set customers \(on ? "on" : "off")"
        case .setClosedCustomerStatuses(let ids): "set closed customer statuses \(ids.sorted())"
        case .setSuffixFallbackEnabled(let on): "set suffix fallback \(on ? "on" : "off")"
        }
    }
}
