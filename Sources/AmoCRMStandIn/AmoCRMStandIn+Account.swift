import AccountIndex
import AmoCRM

/// Changes of the account, as amoCRM would make them while a client reads it. Each stamps the
/// entity's `updated_at` with `at`, or with ``AmoCRMStandIn/now`` (the clock of ``setClock(to:)``,
/// or the real one), and returns it. The next request sees the change.
extension AmoCRMStandIn {
    /// Changes the account through `body`, which is given the instant of the change.
    @discardableResult
    public func change<T: Sendable>(at time: Int? = nil, _ body: (inout StandInAccount, Int) -> T) -> T {
        let instant = time ?? now
        return state.withLock { state in
            state.version += 1
            return body(&state.account, instant)
        }
    }

    /// Adds or replaces a contact with the links it lists: a key given replaces every link it
    /// listed under that key, a key not given (nil) keeps them.
    /// - Returns: Its new `updated_at`.
    @discardableResult
    public func upsertContact(
        _ contact: Contact, name: String? = nil, responsibleUserID: Int? = nil, at time: Int? = nil,
        leads: [Int]? = nil, customers: [Int]? = nil, companies: [Int]? = nil
    ) -> Int {
        change(at: time) { account, instant in
            account.upsertContact(
                contact, name: name, responsibleUserID: responsibleUserID, at: instant, leads: leads,
                customers: customers, companies: companies)
            return instant
        }
    }

    /// Adds or replaces a company with the links it lists.
    @discardableResult
    public func upsertCompany(
        _ company: Company, name: String? = nil, responsibleUserID: Int? = nil, at time: Int? = nil,
        contacts: [Int]? = nil, leads: [Int]? = nil, customers: [Int]? = nil
    ) -> Int {
        change(at: time) { account, instant in
            account.upsertCompany(
                company, name: name, responsibleUserID: responsibleUserID, at: instant, contacts: contacts,
                leads: leads, customers: customers)
            return instant
        }
    }

    /// Adds or replaces a lead with its contacts (`mainContact` the main one) and company.
    @discardableResult
    public func upsertLead(
        _ lead: Lead, name: String? = nil, responsibleUserID: Int? = nil, pipelineID: Int? = nil, price: Int? = nil,
        at time: Int? = nil, contacts: [Int]? = nil, mainContact: Int? = nil, companies: [Int]? = nil
    ) -> Int {
        change(at: time) { account, instant in
            account.upsertLead(
                lead, name: name, responsibleUserID: responsibleUserID, pipelineID: pipelineID, price: price,
                at: instant, contacts: contacts, mainContact: mainContact, companies: companies)
            return instant
        }
    }

    /// Adds or replaces a customer with its contacts and company.
    @discardableResult
    public func upsertCustomer(
        _ customer: Customer, name: String? = nil, responsibleUserID: Int? = nil, at time: Int? = nil,
        contacts: [Int]? = nil, companies: [Int]? = nil
    ) -> Int {
        change(at: time) { account, instant in
            account.upsertCustomer(
                customer, name: name, responsibleUserID: responsibleUserID, at: instant, contacts: contacts,
                companies: companies)
            return instant
        }
    }

    /// Moves a lead to `statusID` (142 won, 143 lost).
    /// - Returns: Its new `updated_at`; nil when there is no such lead.
    @discardableResult
    public func setLeadStatus(_ leadID: Int, to statusID: Int, at time: Int? = nil) -> Int? {
        change(at: time) { account, instant in account.setLeadStatus(leadID, to: statusID, at: instant) ? instant : nil
        }
    }

    /// Sets the `updated_at` of `entity` only.
    @discardableResult
    public func touch(_ entity: EntityRef, at time: Int? = nil) -> Int? {
        change(at: time) { account, instant in account.touch(entity, at: instant) ? instant : nil }
    }

    /// Deletes `entity`: the lists omit it, and nothing lists a link to it. False when it was not there.
    @discardableResult
    public func delete(_ entity: EntityRef) -> Bool {
        change { account, _ in account.delete(entity) }
    }

    /// Adds a user, or replaces the one with its id.
    public func addUser(_ user: AccountUser) {
        change { account, _ in account.addUser(user) }
    }

    /// Replaces the lead pipelines (`GET /api/v4/leads/pipelines`).
    public func setPipelines(_ pipelines: [LeadPipeline]) {
        change { account, _ in account.pipelines = pipelines }
    }
}
