import AccountIndex
import AmoCRM

/// Random updates over a small id space, so that they collide: the same numbers, links moved,
/// stale times, deletions, partial and complete updates: for the tests that check that every path
/// of a change (stores, live accounts, instances following each other) ends in the same account.
public struct RandomUpdates: Sendable {
    public var random: SyntheticRandom
    public let contacts: [Int]
    public let companies: [Int]
    public let leads: [Int]
    public let customers: [Int]
    /// The `updated_at` of the last update: it mostly goes forward, sometimes back (stale).
    public var clock = 1_700_000_000

    /// Updates of some of `account`'s entities and of a few new ones.
    public init(seed: UInt64, ids account: SyntheticAccount) {
        random = SyntheticRandom(seed: seed &* 7919)
        contacts = Array(account.data.contacts.prefix(12).map(\.id)) + [9_000_001, 9_000_002]
        companies = Array(account.data.companies.prefix(5).map(\.id)) + [9_100_001]
        leads = Array(account.data.leads.prefix(12).map(\.id)) + [9_200_001, 9_200_002]
        customers = Array(account.data.customers.prefix(5).map(\.id)) + [9_300_001]
    }

    public mutating func int(_ range: ClosedRange<Int>) -> Int { random.int(range) }

    public static let numbers = [
        "+7 999 888-55-33", "8 (916) 123-45-67", "+7 495 111-22-33", "9161234567", "+7 727 250-00-00", "garbage",
        "tab\there", "back\\slash",
    ]

    public mutating func entries(_ ids: [Int], upTo count: Int) -> [EmbeddedLinks.Entry] {
        (0..<int(0...count)).map { _ in EmbeddedLinks.Entry(id: random.pick(ids)) }
    }

    /// One update, complete or partial, or a deletion.
    public mutating func update() -> EntityUpdate {
        clock += int(-3...10)  // some go back in time: stale
        let updatedAt: Int? = int(0...5) == 0 ? nil : clock
        let kind = int(0...3)
        if int(0...11) == 0 {
            let refs = [
                EntityRef.contact(random.pick(contacts)), .company(random.pick(companies)), .lead(random.pick(leads)),
                .customer(random.pick(customers)),
            ]
            return .deletion(of: refs[kind], updatedAt: updatedAt)
        }
        var update: EntityUpdate
        let phones = (0..<int(0...2)).map { _ in PhoneValue(random.pick(Self.numbers), kind: int(0...1) == 0 ? .work : .mobile) }
        switch kind {
        case 0:
            update = EntityUpdate(entity: .contact(random.pick(contacts)), phones: phones)
            update.links[.leads] = entries(leads, upTo: 3)
            update.links[.customers] = entries(customers, upTo: 2)
            update.links[.companies] = entries(companies, upTo: 1)
        case 1:
            update = EntityUpdate(entity: .company(random.pick(companies)), phones: phones)
            update.links[.contacts] = entries(contacts, upTo: 3)
            update.links[.leads] = entries(leads, upTo: 2)
            update.links[.customers] = entries(customers, upTo: 1)
        case 2:
            update = EntityUpdate(
                entity: .lead(random.pick(leads)), pipelineID: [3_300_100, 3_300_200][int(0...1)],
                statusID: [142, 143, 100, 200][int(0...3)], price: int(0...3) == 0 ? nil : 500 * int(0...40))
            var contacts = entries(self.contacts, upTo: 3)
            if !contacts.isEmpty && int(0...1) == 0 { contacts[int(0...(contacts.count - 1))].isMain = true }
            update.links[.contacts] = contacts
            update.links[.companies] = entries(companies, upTo: 1)
        default:
            update = EntityUpdate(
                entity: .customer(random.pick(customers)), statusID: int(0...2) == 0 ? nil : [1005, 1001][int(0...1)])
            update.links[.contacts] = entries(contacts, upTo: 2)
            update.links[.companies] = entries(companies, upTo: 1)
        }
        update.updatedAt = updatedAt
        update.name = int(0...3) == 0 ? nil : "name \(int(1...50))\(int(0...9) == 0 ? "\n(new line)" : "")"
        update.createdAt = int(0...1) == 0 ? nil : 1_600_000_000 + int(0...1000)
        update.responsibleUserID = int(0...1) == 0 ? nil : 1
        update.isComplete = int(0...1) == 0
        if !update.isComplete {
            // A webhook carries some keys, not all.
            for key in Array(update.links.keys) where int(0...1) == 0 { update.links[key] = nil }
            if int(0...1) == 0 { update.phones = nil }
        }
        return update
    }
}
