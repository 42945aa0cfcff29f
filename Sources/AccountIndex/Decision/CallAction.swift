/// What a call notification asks its user to do: the decision's target as one word.
///
/// The wire names are the same on every surface (`screenpop resolve`, the live streams, the
/// agent's page): `open_lead`, `open_customer`, `open_contact`, `open_company`, `create_contact`.
public enum CallAction: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Open the lead: the caller's one active lead.
    case openLead = "open_lead"
    /// Open the customer: the caller's one open customer.
    case openCustomer = "open_customer"
    /// Open the contact's card.
    case openContact = "open_contact"
    /// Open the company's card.
    case openCompany = "open_company"
    /// Nobody has the number (or it cannot be read): offer to create a contact.
    case createContact = "create_contact"

    /// The action that shows `target`.
    public init(_ target: CallTargetDecision.Target) {
        switch target {
        case .lead: self = .openLead
        case .customer: self = .openCustomer
        case .contactCard: self = .openContact
        case .companyCard: self = .openCompany
        case .createContact: self = .createContact
        }
    }

    /// The wire name.
    public var description: String { rawValue }
}

extension CallTargetDecision.Target {
    /// What the notification asks its user to do.
    public var action: CallAction { CallAction(self) }
}

extension MatchLevel {
    /// The level's wire name, without the digits: `exact`, `suffix` or `none`.
    public var name: String {
        switch self {
        case .exact: "exact"
        case .suffix: "suffix"
        case .none: "none"
        }
    }

    /// How many last digits matched, for ``suffix(digits:)``; nil otherwise. A field of its own on
    /// the wire (`match_digits`).
    public var suffixDigits: Int? {
        if case .suffix(let digits) = self { return digits }
        return nil
    }
}
