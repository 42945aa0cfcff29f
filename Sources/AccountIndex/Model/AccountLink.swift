/// One link between two entities.
///
/// amoCRM shows a link on both sides (a lead lists its contacts, a contact lists its leads); each
/// side may be all a loader or a webhook knows. A link is the pair, whichever side reported it:
/// adding the same link twice keeps one, and one unlink removes it.
///
/// Links to "at most one" entity replace the previous one: linking a lead to a company moves it
/// from the company it had (``companyLead(companyID:leadID:)``), and the same holds for a
/// customer's company and a contact's company.
public enum AccountLink: Hashable, Sendable, CustomStringConvertible {
    /// A lead's contact; `isMain` makes it the lead's main contact (unlinking ignores the flag).
    case contactLead(contactID: Int, leadID: Int, isMain: Bool = false)
    /// A lead's company (at most one per lead).
    case companyLead(companyID: Int, leadID: Int)
    /// A customer's contact.
    case contactCustomer(contactID: Int, customerID: Int)
    /// A customer's company (at most one per customer).
    case companyCustomer(companyID: Int, customerID: Int)
    /// A contact's company (at most one per contact).
    case contactCompany(contactID: Int, companyID: Int)

    /// The two ends: the contact or company first.
    public var ends: (EntityRef, EntityRef) {
        switch self {
        case .contactLead(let c, let l, _): (.contact(c), .lead(l))
        case .companyLead(let c, let l): (.company(c), .lead(l))
        case .contactCustomer(let c, let k): (.contact(c), .customer(k))
        case .companyCustomer(let c, let k): (.company(c), .customer(k))
        case .contactCompany(let c, let k): (.contact(c), .company(k))
        }
    }

    public var description: String {
        let (a, b) = ends
        if case .contactLead(_, _, true) = self { return "\(a) – \(b) (main)" }
        return "\(a) – \(b)"
    }
}
