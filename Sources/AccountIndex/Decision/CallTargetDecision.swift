import PhoneNumbers

/// What to show for an incoming call, and why: amoCRM's call-notification rules as a value.
///
/// amoCRM finds the contact or company with the caller's number and, with its linked entities,
/// picks one thing to show:
///
/// | Chosen contact/company has | Target | Rule |
/// | --- | --- | --- |
/// | exactly one active lead, no counted customer | the lead | ``Reason/Rule/singleActiveLead`` |
/// | exactly one counted customer, no active lead | the customer | ``Reason/Rule/singleCustomer`` |
/// | no active lead and no counted customer | its card | ``Reason/Rule/noLinkedEntities`` |
/// | anything else (2+ leads, 2+ customers, 1 + 1) | its card | ``Reason/Rule/severalLinkedEntities`` |
/// | nobody has the number | create a contact | ``Reason/Rule/noMatch`` |
/// | the number cannot be read | create a contact | ``Reason/Rule/unreadableNumber`` |
///
/// The decision is a pure, total function of its inputs (``init(callerNumber:matchLevel:candidates:customersEnabled:policy:)``):
/// any list of candidates, in any order, gives one decision.
///
/// ```swift
/// let decision = CallTargetDecision(
///     callerNumber: try PhoneNumber(parsing: "+79998885533"), matchLevel: .exact,
///     candidates: [Candidate(entity: .contact(1), createdAt: 0, matchedNumber: key,
///                            links: LinkedEntities(activeLeads: [10]))],
///     customersEnabled: true)
/// decision.target   // .lead(id: 10)
/// decision.reason   // one active lead (1 active lead, 0 customers)
/// ```
public struct CallTargetDecision: Hashable, Sendable, CustomStringConvertible {
    /// The one thing the notification shows.
    public enum Target: Hashable, Sendable, CustomStringConvertible {
        case lead(id: Int)
        case customer(id: Int)
        case contactCard(id: Int)
        case companyCard(id: Int)
        /// Offer to create a contact with the number; its E.164 form, nil when the number could not be read.
        case createContact(e164: String?)

        /// The entity shown, or nil for ``createContact(e164:)``.
        public var entity: EntityRef? {
            switch self {
            case .lead(let id): .lead(id)
            case .customer(let id): .customer(id)
            case .contactCard(let id): .contact(id)
            case .companyCard(let id): .company(id)
            case .createContact: nil
            }
        }

        public var description: String {
            switch self {
            case .lead(let id): "lead \(id)"
            case .customer(let id): "customer \(id)"
            case .contactCard(let id): "contact card \(id)"
            case .companyCard(let id): "company card \(id)"
            case .createContact(let e164): "create contact \(e164 ?? "(unreadable number)")"
            }
        }
    }

    /// Which rule fired, with the counts it looked at.
    public struct Reason: Hashable, Sendable, CustomStringConvertible {
        /// A rule of the decision table. New rules may be added.
        public struct Rule: Hashable, Sendable, CustomStringConvertible {
            /// Every rule, so that a new one must be named everywhere it is rendered.
            enum BackingCode: Hashable, Sendable, CaseIterable {
                case singleActiveLead, singleCustomer, severalLinkedEntities, noLinkedEntities, noMatch
                case unreadableNumber
            }

            let code: BackingCode

            /// Exactly one active lead and no counted customer: show the lead.
            public static let singleActiveLead = Rule(code: .singleActiveLead)
            /// Exactly one counted customer and no active lead: show the customer.
            public static let singleCustomer = Rule(code: .singleCustomer)
            /// More than one active lead or counted customer, or one of each: show the card.
            public static let severalLinkedEntities = Rule(code: .severalLinkedEntities)
            /// No active lead and no counted customer: show the card.
            public static let noLinkedEntities = Rule(code: .noLinkedEntities)
            /// No contact or company has the number: offer to create a contact.
            public static let noMatch = Rule(code: .noMatch)
            /// No number could be read from the caller's text: offer to create a contact.
            public static let unreadableNumber = Rule(code: .unreadableNumber)

            /// The rule's wire name, the same on every surface: `single_active_lead`,
            /// `single_customer`, `several_linked_entities`, `no_linked_entities`, `no_match`,
            /// `unreadable_number`.
            public var name: String {
                switch code {
                case .singleActiveLead: "single_active_lead"
                case .singleCustomer: "single_customer"
                case .severalLinkedEntities: "several_linked_entities"
                case .noLinkedEntities: "no_linked_entities"
                case .noMatch: "no_match"
                case .unreadableNumber: "unreadable_number"
                }
            }

            /// The rule in words: `one active lead`, `one customer`, `several linked entities`,
            /// `no linked entities`, `no match`, `unreadable number`.
            public var description: String {
                switch code {
                case .singleActiveLead: "one active lead"
                case .singleCustomer: "one customer"
                case .severalLinkedEntities: "several linked entities"
                case .noLinkedEntities: "no linked entities"
                case .noMatch: "no match"
                case .unreadableNumber: "unreadable number"
                }
            }
        }

        public let rule: Rule
        /// The chosen candidate's active leads (0 without a candidate).
        public let activeLeads: Int
        /// The chosen candidate's counted customers: open ones, or 0 when customers are off.
        public let countedCustomers: Int
        /// Whether customers were switched off for the account.
        public let customersDisabled: Bool

        public var description: String {
            var text =
                "\(rule) (\(activeLeads) active lead\(activeLeads == 1 ? "" : "s"), "
                + "\(countedCustomers) customer\(countedCustomers == 1 ? "" : "s")"
            if customersDisabled { text += ", customers off" }
            return text + ")"
        }
    }

    public let target: Target
    public let reason: Reason
    public let matchLevel: MatchLevel
    /// The contact or company whose links decided, nil when nobody has the number.
    public let chosen: Candidate?
    /// The other contacts and companies with the number, in the policy's order.
    public let otherCandidates: [Candidate]
    /// Why the last-digits fallback was not tried, when it was on and nothing matched exactly but
    /// the index held it back (``SuffixFallback/SkipReason/shortNumber``); nil otherwise.
    public let suffixFallbackSkipped: SuffixFallback.SkipReason?

    /// Every candidate, the chosen one first.
    public var candidates: [Candidate] { chosen.map { [$0] + otherCandidates } ?? [] }

    /// amoCRM's `element_type` of the answer: 1 contact, 2 lead, 3 company, 12 customer; nil for create-contact.
    public var elementType: Int? { target.entity?.kind.elementType }
    /// amoCRM's `element_id` of the answer; nil for create-contact.
    public var elementID: Int? { target.entity?.id }

    /// Decides.
    ///
    /// - Parameters:
    ///   - callerNumber: The caller's number; nil when it could not be read (the rule is then
    ///     ``Reason/Rule/unreadableNumber`` whatever the candidates).
    ///   - matchLevel: How the candidates matched; reported as given, except that it is
    ///     ``MatchLevel/none`` when there is no candidate.
    ///   - candidates: The contacts and companies with the number, in any order.
    ///   - customersEnabled: Whether the account has customers on; when off, no customer counts.
    ///   - policy: Which candidate to choose.
    /// - Complexity: O(n log n) in the candidates.
    public init(
        callerNumber: PhoneNumber?, matchLevel: MatchLevel, candidates: [Candidate], customersEnabled: Bool,
        policy: CandidatePolicy = .amoCRM
    ) {
        self.init(
            e164: callerNumber.flatMap { PhoneKey($0)?.e164 ?? $0.e164 }, isReadable: callerNumber != nil,
            matchLevel: matchLevel, ordered: policy.sorted(candidates), customersEnabled: customersEnabled)
    }

    /// Decides over candidates already in the policy's order.
    init(
        e164: @autoclosure () -> String?, isReadable: Bool, matchLevel: MatchLevel, ordered: [Candidate],
        customersEnabled: Bool
    ) {
        self.init(
            e164: e164(), isReadable: isReadable, matchLevel: matchLevel, chosen: ordered.first,
            others: Array(ordered.dropFirst()), customersEnabled: customersEnabled)
    }

    /// Decides over candidates already in the policy's order: `chosen` first, then `others`.
    init(
        e164: @autoclosure () -> String?, isReadable: Bool, matchLevel: MatchLevel, chosen: Candidate?,
        others: [Candidate], customersEnabled: Bool, suffixFallbackSkipped: SuffixFallback.SkipReason? = nil
    ) {
        guard isReadable else {
            self.init(
                target: .createContact(e164: nil), rule: .unreadableNumber, 0, 0, !customersEnabled, .none, nil, [])
            return
        }
        guard let chosen else {
            self.init(
                target: .createContact(e164: e164()), rule: .noMatch, 0, 0, !customersEnabled, .none, nil, [],
                suffixFallbackSkipped)
            return
        }
        let links = chosen.links
        let leads = links.activeLeadCount
        let customers = customersEnabled ? links.openCustomerCount : 0
        let card: Target =
            chosen.entity.kind == .company ? .companyCard(id: chosen.entity.id) : .contactCard(id: chosen.entity.id)
        let target: Target
        let rule: Reason.Rule
        if leads == 1 && customers == 0, let lead = links.activeLeadID {
            (target, rule) = (.lead(id: lead), .singleActiveLead)
        } else if customers == 1 && leads == 0, let customer = links.openCustomerID {
            (target, rule) = (.customer(id: customer), .singleCustomer)
        } else if leads == 0 && customers == 0 {
            (target, rule) = (card, .noLinkedEntities)
        } else {
            (target, rule) = (card, .severalLinkedEntities)
        }
        self.init(
            target: target, rule: rule, leads, customers, !customersEnabled, matchLevel, chosen, others,
            suffixFallbackSkipped)
    }

    private init(
        target: Target, rule: Reason.Rule, _ leads: Int, _ customers: Int, _ customersOff: Bool,
        _ matchLevel: MatchLevel, _ chosen: Candidate?, _ others: [Candidate],
        _ suffixFallbackSkipped: SuffixFallback.SkipReason? = nil
    ) {
        self.target = target
        self.reason = Reason(
            rule: rule, activeLeads: leads, countedCustomers: customers, customersDisabled: customersOff)
        self.matchLevel = chosen == nil ? .none : matchLevel
        self.chosen = chosen
        self.otherCandidates = others
        self.suffixFallbackSkipped = suffixFallbackSkipped
    }

    /// `lead 10 — one active lead (1 active lead, 0 customers); exact match; contact 1; 0 other candidates`.
    public var description: String {
        var text = "\(target) — \(reason); \(matchLevel) match"
        if let chosen { text += "; \(chosen.entity)" }
        if let suffixFallbackSkipped { text += "; no last-digits match: \(suffixFallbackSkipped)" }
        return text + "; \(otherCandidates.count) other candidate\(otherCandidates.count == 1 ? "" : "s")"
    }
}
