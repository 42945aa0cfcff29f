@testable import AccountIndex

/// The account as plain values, changed by the rules ``AccountChange`` documents: the model the
/// property tests compare the index with.
struct ReferenceAccount: Equatable {
    struct Pair: Hashable, Comparable {
        let a: Int
        let b: Int
        static func < (x: Pair, y: Pair) -> Bool { (x.a, x.b) < (y.a, y.b) }
    }

    var settings: AccountSettings
    var contacts: [Int: Contact] = [:]
    var companies: [Int: Company] = [:]
    var leads: [Int: Lead] = [:]
    var customers: [Int: Customer] = [:]
    /// (lead, contact)
    var leadContacts = Set<Pair>()
    var leadMain: [Int: Int] = [:]
    var leadCompany: [Int: Int] = [:]
    /// (customer, contact)
    var customerContacts = Set<Pair>()
    var customerCompany: [Int: Int] = [:]
    var contactCompany: [Int: Int] = [:]

    init(settings: AccountSettings) { self.settings = settings }

    func exists(_ ref: EntityRef) -> Bool {
        switch ref.kind {
        case .contact: contacts[ref.id] != nil
        case .company: companies[ref.id] != nil
        case .lead: leads[ref.id] != nil
        case .customer: customers[ref.id] != nil
        }
    }

    /// Applies a batch all or nothing, as the index does.
    mutating func apply(_ changes: [AccountChange]) throws(AccountChangeError) {
        var copy = self
        for (index, change) in changes.enumerated() { try copy.apply(change, at: index) }
        self = copy
    }

    mutating func apply(_ change: AccountChange, at index: Int) throws(AccountChangeError) {
        func invalid(_ ref: EntityRef) -> AccountChangeError { .invalidID(ref, at: index, in: change) }
        func need(_ ref: EntityRef) throws(AccountChangeError) {
            if ref.id < 0 { throw invalid(ref) }
            if !exists(ref) { throw .unknown(ref, at: index, in: change) }
        }
        switch change {
        case .upsertContact(let c):
            if c.id < 0 { throw invalid(.contact(c.id)) }
            contacts[c.id] = c
        case .upsertCompany(let c):
            if c.id < 0 { throw invalid(.company(c.id)) }
            companies[c.id] = c
        case .upsertLead(let l):
            if l.id < 0 { throw invalid(.lead(l.id)) }
            leads[l.id] = l
        case .upsertCustomer(let c):
            if c.id < 0 { throw invalid(.customer(c.id)) }
            customers[c.id] = c
        case .deleteContact(let id):
            try need(.contact(id))
            contacts[id] = nil
            leadContacts = leadContacts.filter { $0.b != id }
            leadMain = leadMain.filter { $0.value != id }
            customerContacts = customerContacts.filter { $0.b != id }
            contactCompany[id] = nil
        case .deleteCompany(let id):
            try need(.company(id))
            companies[id] = nil
            leadCompany = leadCompany.filter { $0.value != id }
            customerCompany = customerCompany.filter { $0.value != id }
            contactCompany = contactCompany.filter { $0.value != id }
        case .deleteLead(let id):
            try need(.lead(id))
            leads[id] = nil
            leadContacts = leadContacts.filter { $0.a != id }
            leadMain[id] = nil
            leadCompany[id] = nil
        case .deleteCustomer(let id):
            try need(.customer(id))
            customers[id] = nil
            customerContacts = customerContacts.filter { $0.a != id }
            customerCompany[id] = nil
        case .setLeadStatus(let id, let status):
            try need(.lead(id))
            leads[id]!.statusID = status
        case .setCustomerStatus(let id, let status):
            try need(.customer(id))
            customers[id]!.statusID = status
        case .setCustomersEnabled(let on): settings.customersEnabled = on
        case .setClosedCustomerStatuses(let ids): settings.closedCustomerStatusIDs = ids
        case .setSuffixFallbackEnabled(let on): settings.suffixFallback.isEnabled = on
        case .link(let link), .unlink(let link):
            let (a, b) = link.ends
            if a.id < 0 { throw invalid(a) }
            if b.id < 0 { throw invalid(b) }
            try need(a)
            try need(b)
            let isLink = if case .link = change { true } else { false }
            switch link {
            case .contactLead(let c, let l, let isMain):
                if isLink {
                    leadContacts.insert(Pair(a: l, b: c))
                    if isMain { leadMain[l] = c }
                } else {
                    leadContacts.remove(Pair(a: l, b: c))
                    if leadMain[l] == c { leadMain[l] = nil }
                }
            case .companyLead(let co, let l):
                if isLink { leadCompany[l] = co } else if leadCompany[l] == co { leadCompany[l] = nil }
            case .contactCustomer(let c, let k):
                if isLink {
                    customerContacts.insert(Pair(a: k, b: c))
                } else {
                    customerContacts.remove(Pair(a: k, b: c))
                }
            case .companyCustomer(let co, let k):
                if isLink { customerCompany[k] = co } else if customerCompany[k] == co { customerCompany[k] = nil }
            case .contactCompany(let c, let co):
                if isLink { contactCompany[c] = co } else if contactCompany[c] == co { contactCompany[c] = nil }
            }
        }
    }

    /// The final state as account data, for a build from scratch.
    var data: AccountData {
        var links: [AccountLink] = []
        for pair in leadContacts.sorted() {
            links.append(.contactLead(contactID: pair.b, leadID: pair.a, isMain: leadMain[pair.a] == pair.b))
        }
        for (l, co) in leadCompany.sorted(by: { $0.key < $1.key }) {
            links.append(.companyLead(companyID: co, leadID: l))
        }
        for pair in customerContacts.sorted() { links.append(.contactCustomer(contactID: pair.b, customerID: pair.a)) }
        for (k, co) in customerCompany.sorted(by: { $0.key < $1.key }) {
            links.append(.companyCustomer(companyID: co, customerID: k))
        }
        for (c, co) in contactCompany.sorted(by: { $0.key < $1.key }) {
            links.append(.contactCompany(contactID: c, companyID: co))
        }
        return AccountData(
            settings: settings, contacts: contacts.values.sorted { $0.id < $1.id },
            companies: companies.values.sorted { $0.id < $1.id }, leads: leads.values.sorted { $0.id < $1.id },
            customers: customers.values.sorted { $0.id < $1.id }, links: links)
    }
}
