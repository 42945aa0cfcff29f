import AccountIndex
import AmoCRM
import CallEvents
import ScreenPopStore

// What a notification's card shows (CallEvents' EntityFacts and AccountLabels) from what amoCRM's
// pages and the stores give (AmoCRM's EntityDetails, users, pipelines): in one place, for the three
// ways an account is served (a directory, a store through LiveAccount, a store of many accounts).
// Here, not in CallEvents (which knows nothing of amoCRM's wire formats) nor in AmoCRM (which knows
// nothing of notifications).

extension EntityFacts {
    /// The facts of an entity as a page or a store gives it: `statusID` is the index model's (a
    /// lead's or a customer's status), the rest comes from `details`.
    public init(_ details: EntityDetails, statusID: Int?) {
        self.init(
            name: details.name, responsibleUserID: details.responsibleUserID, pipelineID: details.pipelineID,
            statusID: statusID, price: details.price)
    }

    /// The facts of an entity as a store's transaction left it.
    public init(_ entity: StoredEntity) {
        self.init(entity.details, statusID: entity.statusID)
    }
}

extension EntityNames {
    /// The facts of every entity of `data`, whose details are `details` (in the order of `data`'s
    /// arrays): what a loader or a store read, for the roster.
    ///
    /// - Complexity: O(n) in the entities, without an intermediate array of them.
    public init(data: AccountData, details: AccountDetails) {
        self.init(facts: AccountEntityFacts(data: data, details: details))
    }
}

/// Every entity of an account with its facts, contacts first, as ``EntityNames`` takes them: a
/// sequence that knows its length, so that the table is sized once.
struct AccountEntityFacts: Sequence {
    let data: AccountData
    let details: AccountDetails

    var underestimatedCount: Int {
        data.contacts.count + data.companies.count + data.leads.count + data.customers.count
    }

    func makeIterator() -> Iterator { Iterator(data: data, details: details) }

    struct Iterator: IteratorProtocol {
        let data: AccountData
        let details: AccountDetails
        /// 0 contacts, 1 companies, 2 leads, 3 customers.
        var kind = 0
        var index = 0

        mutating func next() -> (EntityRef, EntityFacts)? {
            while kind < 4 {
                let i = index
                index += 1
                switch kind {
                case 0 where i < data.contacts.count:
                    return (.contact(data.contacts[i].id), facts(details.contacts, i, statusID: nil))
                case 1 where i < data.companies.count:
                    return (.company(data.companies[i].id), facts(details.companies, i, statusID: nil))
                case 2 where i < data.leads.count:
                    let lead = data.leads[i]
                    return (.lead(lead.id), facts(details.leads, i, statusID: lead.statusID))
                case 3 where i < data.customers.count:
                    let customer = data.customers[i]
                    return (.customer(customer.id), facts(details.customers, i, statusID: customer.statusID))
                default:
                    kind += 1
                    index = 0
                }
            }
            return nil
        }

        private func facts(_ all: [EntityDetails], _ i: Int, statusID: Int?) -> EntityFacts {
            i < all.count ? EntityFacts(all[i], statusID: statusID) : EntityFacts(statusID: statusID)
        }
    }
}

extension AccountLabels {
    /// The labels of an account: its users' names, its pipelines' and their statuses' names (each
    /// status keyed by its pipeline, since won and lost are in every pipeline), and the address the
    /// cards' links start with.
    ///
    /// - Parameters:
    ///   - amocrmURL: The account's amoCRM address when it is known apart from the account object
    ///     (a registration's `amocrmURL`); nil or empty: `https://<subdomain>.amocrm.ru` of the
    ///     account object's subdomain, and no links without one.
    public init(account: AccountObject, users: [AccountUser], pipelines: [LeadPipeline], amocrmURL: String? = nil) {
        var userNames: [Int: String] = [:]
        for user in users where !user.name.isEmpty { userNames[user.id] = user.name }
        var pipelineNames: [Int: String] = [:]
        var statusNames: [LeadStatusKey: String] = [:]
        for pipeline in pipelines {
            if !pipeline.name.isEmpty { pipelineNames[pipeline.id] = pipeline.name }
            for status in pipeline.statuses where !status.name.isEmpty {
                statusNames[LeadStatusKey(pipelineID: pipeline.id, statusID: status.id)] = status.name
            }
        }
        let given = amocrmURL.flatMap { $0.isEmpty ? nil : $0 }
        self.init(
            amocrmURL: given ?? AccountLabels.amocrmURL(subdomain: account.subdomain), userNames: userNames,
            pipelineNames: pipelineNames, statusNames: statusNames)
    }
}

extension AccountRoster {
    /// The roster of an account as a loader or a store read it: its users, every entity's facts,
    /// its labels (``AccountLabels/init(account:users:pipelines:amocrmURL:)``).
    public convenience init(
        account: AccountObject, data: AccountData, details: AccountDetails, users: [AccountUser],
        pipelines: [LeadPipeline], amocrmURL: String? = nil
    ) {
        self.init(
            users: users.map(\.id), names: EntityNames(data: data, details: details),
            labels: AccountLabels(account: account, users: users, pipelines: pipelines, amocrmURL: amocrmURL))
    }
}
