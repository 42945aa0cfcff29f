import PhoneNumbers
import Testing

@testable import AccountIndex

/// A Russian account with the settings most tests use.
func ruSettings(customers: Bool = true, fallback: Bool = true, closed: Set<Int> = [900]) -> AccountSettings {
    AccountSettings(
        defaultRegion: "RU", customersEnabled: customers, closedCustomerStatusIDs: closed,
        suffixFallback: SuffixFallback(isEnabled: fallback, digits: 10))
}

func contact(_ id: Int, _ phones: String..., created: Int = 1_000, deleted: Bool = false) -> Contact {
    Contact(id: id, createdAt: created, isDeleted: deleted, phones: phones.map { PhoneValue($0) })
}

func company(_ id: Int, _ phones: String..., created: Int = 1_000, deleted: Bool = false) -> Company {
    Company(id: id, createdAt: created, isDeleted: deleted, phones: phones.map { PhoneValue($0) })
}

func lead(_ id: Int, status: Int = 20, deleted: Bool = false) -> Lead {
    Lead(id: id, isDeleted: deleted, statusID: status)
}

func customer(_ id: Int, status: Int? = 1, deleted: Bool = false) -> Customer {
    Customer(id: id, isDeleted: deleted, statusID: status)
}

func key(_ e164: String) -> PhoneKey { PhoneKey(e164: e164)! }

/// Builds the index, checking that it is consistent.
func build(_ data: AccountData) -> AccountIndex {
    let index = AccountIndex(building: data)
    let problems = index.snapshot.invariantViolations()
    #expect(problems.isEmpty, "\(problems)")
    return index
}

extension AccountIndex {
    /// Applies and checks consistency.
    func checkedApply(_ changes: [AccountChange]) throws(AccountChangeError) {
        try apply(changes)
        let problems = snapshot.invariantViolations()
        #expect(problems.isEmpty, "\(problems)")
    }
}
