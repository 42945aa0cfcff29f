import AccountIndex

/// One webhook of amoCRM, decoded: the account it is from, the changes it carries as
/// ``EntityUpdate``s, and the entities to re-read through the API.
///
/// amoCRM posts webhooks as `application/x-www-form-urlencoded` bodies in PHP's bracket notation,
/// with the field names of the legacy API v2 (`date_create`, `last_modified`, `linked_leads_id`), not
/// those of v4. Each element is `<entity>[<action>][<index>][<field>]…`:
///
/// ```
/// leads[status][0][id]=31926520&leads[status][0][status_id]=142&leads[status][0][old_status_id]=10216995
///   &leads[status][0][pipeline_id]=2116&leads[status][0][last_modified]=1456820780&account[id]=10216991
///   &account[subdomain]=test
/// ```
///
/// - Entities: `leads`, `contacts` (a company comes as a contact with `type=company`), `companies`,
///   `customers`. Other top-level names (`task`, `unsorted`, `message`, `talk`…) are ignored.
/// - Actions: `add`, `update`, `restore`, `responsible` (the responsible user changed) and, for
///   leads, `status` carry the entity's fields; `delete` carries its id. Other actions (`note`: a
///   note added to the entity, whose `id` is the note's) are ignored.
///
/// Every update is partial (``EntityUpdate/isComplete`` is false): it carries the fields the
/// webhook has, and amoCRM's webhooks never carry everything the store keeps (a lead's contacts, a
/// contact's customers). Those entities are listed in ``reRead``; docs/amocrm.md ("Webhooks") lists
/// every key read and where it goes.
///
/// ```swift
/// let webhook = try AmoCRMWebhook(decoding: Array(body))
/// webhook.subdomain          // "test"
/// webhook.updates            // [lead 31926520 (partial, updated 1456820780)], statusID 142
/// webhook.reRead             // [lead 31926520]: its contacts are not in lead webhooks
/// ```
public struct AmoCRMWebhook: Hashable, Sendable {
    /// The most elements (`leads[update][0]`, `contacts[delete][3]`…) one webhook may hold.
    public static let maxElements = 10_000

    /// `account[id]`.
    public var accountID: Int?
    /// `account[subdomain]`: the account's address, `test` in `test.amocrm.ru`.
    public var subdomain: String?
    /// One update per element, in body order (the order of each element's first key); all partial.
    /// An entity named by two elements (`leads[update]` and `leads[status]`) has two updates.
    public var updates: [EntityUpdate]
    /// Entities the webhook names but whose state it does not fully carry, to be re-read by id
    /// through the API: every entity added, updated or restored (deletions are not), each once, in
    /// body order.
    public var reRead: [EntityRef]

    public init(accountID: Int? = nil, subdomain: String? = nil, updates: [EntityUpdate] = [], reRead: [EntityRef] = [])
    {
        self.accountID = accountID
        self.subdomain = subdomain
        self.updates = updates
        self.reRead = reRead
    }

    /// Decodes a webhook body.
    ///
    /// A body without `account` keys decodes (``accountID`` and ``subdomain`` are nil): whether to
    /// accept it is the caller's decision, as is the check that the account is the expected one.
    ///
    /// - Parameter body: The body's bytes. Its size is the caller's to limit.
    /// - Throws: ``AmoCRMWebhookError``, naming the key; nothing is returned in part.
    /// - Complexity: O(n) in the body's length.
    public init(decoding body: some Collection<UInt8>) throws(AmoCRMWebhookError) {
        var reader = WebhookReader(body: Array(body))
        try reader.read()
        let (updates, reRead) = try reader.finished()
        self.init(accountID: reader.accountID, subdomain: reader.subdomain, updates: updates, reRead: reRead)
    }
}
