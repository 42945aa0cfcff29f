import AccountIndex

/// What an agent's card shows of a call besides the decision: the chosen lead or customer with
/// its facts, the contact and company the call is about, the responsible user, the other entities
/// that hold a matching number, and the links that open them in amoCRM. A client renders it
/// without asking the server anything else (docs/events-api.md, "The notification").
public struct CallCard: Hashable, Sendable {
    /// A contact, company or customer on the card.
    public struct Entity: Hashable, Sendable {
        public var id: Int
        public var name: String?
        /// Its page in amoCRM; nil when the account's address is unknown.
        public var link: String?

        public init(id: Int, name: String?, link: String?) {
            self.id = id
            self.name = name
            self.link = link
        }
    }

    /// The chosen lead: what an agent needs to pick up the deal.
    public struct Lead: Hashable, Sendable {
        public var id: Int
        public var name: String?
        public var price: Int?
        public var pipelineID: Int?
        /// The pipeline's name; nil when unknown.
        public var pipeline: String?
        public var statusID: Int?
        /// The status's name (the stage); nil when unknown.
        public var status: String?
        public var link: String?

        public init(
            id: Int, name: String?, price: Int?, pipelineID: Int?, pipeline: String?, statusID: Int?, status: String?,
            link: String?
        ) {
            self.id = id
            self.name = name
            self.price = price
            self.pipelineID = pipelineID
            self.pipeline = pipeline
            self.statusID = statusID
            self.status = status
            self.link = link
        }
    }

    /// An amoCRM user.
    public struct User: Hashable, Sendable {
        public var id: Int
        public var name: String?

        public init(id: Int, name: String?) {
            self.id = id
            self.name = name
        }
    }

    /// Another entity that holds a matching number: the agent's alternatives when the match is by
    /// the last digits, or when several entities hold the number.
    public struct Candidate: Hashable, Sendable {
        public var entity: EntityRef
        public var name: String?
        /// The stored number that matched, in E.164.
        public var number: String
        public var link: String?

        public init(entity: EntityRef, name: String?, number: String, link: String?) {
            self.entity = entity
            self.name = name
            self.number = number
            self.link = link
        }
    }

    /// The page to open: the chosen entity's, or amoCRM's new-contact page with the caller's
    /// number; nil when the account's address is unknown.
    public var link: String?
    public var lead: Lead?
    public var customer: Entity?
    /// The contact that holds the number, or the chosen lead's main contact.
    public var contact: Entity?
    /// The company that holds the number, or the contact's or the lead's company.
    public var company: Entity?
    /// The user responsible for the chosen entity.
    public var responsibleUser: User?
    /// The other entities that hold a matching number, in the decision's order.
    public var candidates: [Candidate]

    public init(
        link: String? = nil, lead: Lead? = nil, customer: Entity? = nil, contact: Entity? = nil,
        company: Entity? = nil, responsibleUser: User? = nil, candidates: [Candidate] = []
    ) {
        self.link = link
        self.lead = lead
        self.customer = customer
        self.contact = contact
        self.company = company
        self.responsibleUser = responsibleUser
        self.candidates = candidates
    }

    /// The card of a decision, from the index's links and the roster's facts and labels.
    ///
    /// - Complexity: a few lookups in the snapshot and the roster's dictionaries; one lock
    ///   acquisition of the roster.
    public init(decision: CallTargetDecision, e164: String?, snapshot: AccountSnapshot, roster: AccountRoster) {
        let target = decision.target.entity
        let holder = decision.chosen?.entity
        var contactID: Int?
        var companyID: Int?
        switch holder?.kind {
        case .contact?:
            contactID = holder?.id
            companyID = holder.flatMap { snapshot.companyOfContact($0.id) }
        case .company?:
            companyID = holder?.id
        default:
            break
        }
        if let target, target.kind == .lead {
            let parties = snapshot.partiesOfLead(target.id)
            if contactID == nil { contactID = parties.mainContactID }
            if companyID == nil { companyID = parties.companyID }
        }
        self = roster.withFacts { view in
            let labels = view.labels
            func entity(_ ref: EntityRef) -> Entity {
                Entity(id: ref.id, name: view.name(of: ref), link: labels.link(to: ref))
            }
            var card = CallCard()
            if let target {
                card.link = labels.link(to: target)
                let facts = view.facts(of: target)
                switch target.kind {
                case .lead:
                    let pipelineID = facts?.pipelineID
                    let statusID = facts?.statusID
                    card.lead = Lead(
                        id: target.id, name: facts.map(\.name).flatMap { $0.isEmpty ? nil : $0 }, price: facts?.price,
                        pipelineID: pipelineID, pipeline: pipelineID.flatMap { labels.pipelineNames[$0] },
                        statusID: statusID,
                        status: statusID.flatMap { status in
                            labels.statusNames[LeadStatusKey(pipelineID: pipelineID ?? 0, statusID: status)]
                        }, link: card.link)
                case .customer:
                    card.customer = entity(target)
                case .contact, .company:
                    break
                }
                if let user = facts?.responsibleUserID {
                    card.responsibleUser = User(id: user, name: labels.userNames[user])
                }
            } else {
                card.link = labels.createContactLink(e164: e164)
            }
            card.contact = contactID.map { entity(.contact($0)) }
            card.company = companyID.map { entity(.company($0)) }
            if !decision.otherCandidates.isEmpty {
                card.candidates = decision.otherCandidates.map { candidate in
                    Candidate(
                        entity: candidate.entity, name: view.name(of: candidate.entity),
                        number: candidate.matchedNumber.e164, link: labels.link(to: candidate.entity))
                }
            }
            return card
        }
    }
}
