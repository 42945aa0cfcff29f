import AccountIndex

/// What a notification's card shows of an entity besides the index's view of it: its name, its
/// responsible user, and a lead's pipeline, status and price.
///
/// The index keeps none of these (it resolves calls by numbers and links); a loader or a sync
/// gives them, and ``AccountRoster`` keeps them current.
public struct EntityFacts: Hashable, Sendable {
    /// The name as the account has it; empty when it has none.
    public var name: String
    /// The amoCRM user responsible for the entity.
    public var responsibleUserID: Int?
    /// A lead's pipeline.
    public var pipelineID: Int?
    /// A lead's (or customer's) status.
    public var statusID: Int?
    /// A lead's price (its budget), in the account's currency.
    public var price: Int?

    public init(
        name: String = "", responsibleUserID: Int? = nil, pipelineID: Int? = nil, statusID: Int? = nil,
        price: Int? = nil
    ) {
        self.name = name
        self.responsibleUserID = responsibleUserID
        self.pipelineID = pipelineID
        self.statusID = statusID
        self.price = price
    }

    /// Nothing known: not kept.
    public var isEmpty: Bool {
        name.isEmpty && responsibleUserID == nil && pipelineID == nil && statusID == nil && price == nil
    }
}

/// A lead status of one pipeline: amoCRM's won (142) and lost (143) statuses have the same id in
/// every pipeline, so a status is named by both ids.
public struct LeadStatusKey: Hashable, Sendable {
    public var pipelineID: Int
    public var statusID: Int

    public init(pipelineID: Int, statusID: Int) {
        self.pipelineID = pipelineID
        self.statusID = statusID
    }
}

/// The account-wide names a card shows beside its entities': where the account's amoCRM is, who
/// its users are, what its pipelines and statuses are called.
public struct AccountLabels: Hashable, Sendable {
    /// The account's amoCRM address without a trailing slash (`https://example.amocrm.ru`): the
    /// links of the cards start with it. Nil when unknown: the cards have no links.
    public var amocrmURL: String?
    /// The users' names by id.
    public var userNames: [Int: String]
    /// The lead pipelines' names by id.
    public var pipelineNames: [Int: String]
    /// The lead statuses' names.
    public var statusNames: [LeadStatusKey: String]

    public init(
        amocrmURL: String? = nil, userNames: [Int: String] = [:], pipelineNames: [Int: String] = [:],
        statusNames: [LeadStatusKey: String] = [:]
    ) {
        self.amocrmURL = amocrmURL.map(Self.trimmingTrailingSlashes)
        self.userNames = userNames
        self.pipelineNames = pipelineNames
        self.statusNames = statusNames
    }

    /// The amoCRM address of a subdomain: `https://<subdomain>.amocrm.ru`; nil for an empty one.
    public static func amocrmURL(subdomain: String?) -> String? {
        guard let subdomain, !subdomain.isEmpty else { return nil }
        return "https://\(subdomain).amocrm.ru"
    }

    /// The page of an entity in amoCRM (`…/leads/detail/1234565`); nil without an address.
    public func link(to entity: EntityRef) -> String? {
        guard let amocrmURL else { return nil }
        let section =
            switch entity.kind {
            case .contact: "contacts"
            case .company: "companies"
            case .lead: "leads"
            case .customer: "customers"
            }
        return "\(amocrmURL)/\(section)/detail/\(entity.id)"
    }

    /// The page that creates a contact with the caller's number (`…/contacts/add?phone=%2B7…`);
    /// nil without an address. Without a number, the page opens empty.
    public func createContactLink(e164: String?) -> String? {
        guard let amocrmURL else { return nil }
        guard let e164, !e164.isEmpty else { return "\(amocrmURL)/contacts/add" }
        var query = ""
        for byte in e164.utf8 {
            if byte == UInt8(ascii: "+") {
                query += "%2B"
            } else {
                query.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return "\(amocrmURL)/contacts/add?phone=\(query)"
    }

    private static func trimmingTrailingSlashes(_ url: String) -> String {
        var url = Substring(url)
        while url.hasSuffix("/") { url = url.dropLast() }
        return String(url)
    }
}
