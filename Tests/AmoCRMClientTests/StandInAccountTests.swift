import AccountIndex
import AmoCRM
import AmoCRMStandIn
import Testing

/// The stand-in's changes keep amoCRM's rules of links: one company a contact, lead and customer,
/// one main contact a lead; a key not given keeps its links; a deletion takes the links with it.
@Suite struct StandInAccountTests {
    @Test func changesKeepTheRulesOfLinks() {
        var account = StandInAccount.empty()
        account.upsertCompany(Company(id: 5, createdAt: 50), name: "Five", at: 100)
        account.upsertContact(Contact(id: 1, createdAt: 10), at: 100, leads: [10], companies: [5])
        account.upsertContact(Contact(id: 2, createdAt: 20), at: 100)
        account.upsertLead(Lead(id: 10, statusID: 20), at: 100, contacts: [1, 2], mainContact: 1, companies: [5])
        #expect(
            Set(account.data.links.map(\.description)) == [
                "contact 1 – lead 10 (main)", "contact 2 – lead 10", "contact 1 – company 5", "company 5 – lead 10",
            ])

        // Another company for contact 1, from the company's side: it replaces company 5.
        account.upsertCompany(Company(id: 6), at: 200, contacts: [1])
        let companiesOf1 = account.data.links.filter { link in
            if case .contactCompany(1, _) = link { return true }
            return false
        }
        #expect(companiesOf1 == [.contactCompany(contactID: 1, companyID: 6)])
        // Another main contact: the first is no longer main; the lead's company is kept (not given).
        account.upsertLead(Lead(id: 10, statusID: 142), at: 300, contacts: [1, 2], mainContact: 2)
        #expect(
            Set(account.data.links.map(\.description)).isSuperset(of: [
                "contact 1 – lead 10", "contact 2 – lead 10 (main)", "company 5 – lead 10",
            ]))
        #expect(account.details(of: .lead(10)) == EntityDetails(createdAt: 100, updatedAt: 300))
        #expect(account.details(of: .company(5)) == EntityDetails(name: "Five", createdAt: 50, updatedAt: 100))

        // An empty list removes the links of that key, and only those.
        account.upsertContact(Contact(id: 1, createdAt: 10), at: 400, leads: [])
        #expect(!account.data.links.contains(.contactLead(contactID: 1, leadID: 10, isMain: false)))
        #expect(account.data.links.contains(.contactCompany(contactID: 1, companyID: 6)))

        let deleted = account.delete(.lead(10))
        #expect(deleted)
        #expect(!account.data.links.contains { $0.ends.0 == .lead(10) || $0.ends.1 == .lead(10) })
        #expect(account.data.leads.isEmpty && account.details.leads.isEmpty)
        let deletedAgain = account.delete(.lead(10))
        #expect(!deletedAgain)
    }
}
