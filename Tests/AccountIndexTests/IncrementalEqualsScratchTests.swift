import AccountSynthesis
import PhoneNumbers
import PropertyBased
import Testing

@testable import AccountIndex

/// An index after any sequence of changes equals one built from scratch from the final state.
@Suite struct IncrementalEqualsScratchTests {
    static let phones = [
        "+79998885533", "8 999 888-55-33", "+7 916 123 45 67, 8 (495) 123-45-67 доб. 1", "49 30 1234567",
        "+49 30 1234567", "+1 999 888 5533", "нет", "9161234567",
    ]
    static let callers = [
        "+79998885533", "+19998885533", "+49301234567", "+79161234567", "+74951234567", "8 495 123 45 67 доб. 7",
        "+380998885533", "anonymous", "+1 916 123 4567",
    ]

    /// One change, read from the bits of a random word; ids are few so that changes meet.
    static func decode(_ word: UInt64) -> (change: AccountChange, endsBatch: Bool, repair: Bool) {
        var x = word
        func take(_ n: UInt64) -> Int {
            let value = Int(x % n)
            x /= n
            return value
        }
        let op = take(22)
        let endsBatch = take(3) == 0
        let repair = take(10) != 0
        func id() -> Int { take(60) == 0 ? -1 : 1 + take(4) }
        func flag(_ oneIn: UInt64) -> Bool { take(oneIn) == 0 }
        func phoneValues() -> [String] { (0..<take(3)).map { _ in phones[take(UInt64(phones.count))] } }
        let link: () -> AccountLink = {
            switch take(5) {
            case 0: .contactLead(contactID: id(), leadID: id(), isMain: flag(2))
            case 1: .companyLead(companyID: id(), leadID: id())
            case 2: .contactCustomer(contactID: id(), customerID: id())
            case 3: .companyCustomer(companyID: id(), customerID: id())
            default: .contactCompany(contactID: id(), companyID: id())
            }
        }
        let change: AccountChange
        switch op {
        case 0, 1, 2:
            let values = phoneValues()
            change = .upsertContact(
                Contact(id: id(), createdAt: take(3) * 100, isDeleted: flag(8), phones: values.map { PhoneValue($0) }))
        case 3:
            let values = phoneValues()
            change = .upsertCompany(
                Company(id: id(), createdAt: take(3) * 100, isDeleted: flag(8), phones: values.map { PhoneValue($0) }))
        case 4, 5:
            change = .upsertLead(
                Lead(id: id(), isDeleted: flag(8), statusID: [20, 31, 142, 143][take(4)]))
        case 6: change = .upsertCustomer(Customer(id: id(), isDeleted: flag(8), statusID: [nil, 1, 900, 901][take(4)]))
        case 7: change = .deleteContact(id: id())
        case 8: change = .deleteCompany(id: id())
        case 9: change = .deleteLead(id: id())
        case 10: change = .deleteCustomer(id: id())
        case 11, 12, 13, 14, 15, 16: change = .link(link())
        case 17: change = .unlink(link())
        case 18: change = .setLeadStatus(leadID: id(), statusID: [20, 142, 143][take(3)])
        case 19: change = .setCustomerStatus(customerID: id(), statusID: [nil, 1, 900][take(3)])
        case 20:
            change =
                [
                    .setCustomersEnabled(flag(2)), .setClosedCustomerStatuses([[900], [900, 1], []][take(3)]),
                    .setSuffixFallbackEnabled(flag(2)),
                ][take(3)]
        default: change = .link(.contactLead(contactID: id(), leadID: id()))
        }
        return (change, endsBatch, repair)
    }

    /// The entities a change needs to exist.
    static func needs(_ change: AccountChange) -> [EntityRef] {
        switch change {
        case .deleteContact(let id): [.contact(id)]
        case .deleteCompany(let id): [.company(id)]
        case .deleteLead(let id), .setLeadStatus(let id, _): [.lead(id)]
        case .deleteCustomer(let id), .setCustomerStatus(let id, _): [.customer(id)]
        case .link(let link), .unlink(let link): [link.ends.0, link.ends.1]
        default: []
        }
    }

    /// An upsert that makes `ref` exist.
    static func creation(_ ref: EntityRef) -> AccountChange {
        switch ref.kind {
        case .contact:
            .upsertContact(
                Contact(id: ref.id, createdAt: ref.id % 2, phones: [PhoneValue(phones[ref.id % phones.count])]))
        case .company: .upsertCompany(Company(id: ref.id, phones: [PhoneValue(phones[(ref.id + 3) % phones.count])]))
        case .lead: .upsertLead(Lead(id: ref.id, statusID: 20))
        case .customer: .upsertCustomer(Customer(id: ref.id, statusID: 1))
        }
    }

    /// Applies the changes in batches to an index and to the model, then compares the index with one
    /// built from the model's final state.
    static func check(_ changes: [(change: AccountChange, endsBatch: Bool, repair: Bool)], start: AccountData? = nil) {
        let settings = start?.settings ?? ruSettings()
        let index = start.map { AccountIndex(building: $0) } ?? AccountIndex(settings: settings)
        var model = ReferenceAccount(settings: settings)
        if let start { for change in start.changes { try? model.apply([change]) } }
        var batch: [AccountChange] = []
        var pending = model
        var accepted = 0
        for (i, (change, endsBatch, repair)) in changes.enumerated() {
            // Most changes first create what they name, so that the account grows and batches apply.
            if repair {
                for ref in needs(change) where ref.id >= 0 && !pending.exists(ref) {
                    batch.append(creation(ref))
                    try? pending.apply([creation(ref)])
                }
            }
            batch.append(change)
            try? pending.apply([change])
            guard endsBatch || i == changes.count - 1 else { continue }
            defer {
                batch = []
                pending = model
            }
            let before = index.snapshot
            var expected = model
            var expectedError: AccountChangeError? = nil
            do { try expected.apply(batch) } catch { expectedError = error }
            do {
                try index.apply(batch)
                #expect(expectedError == nil, "the model rejected \(batch): \(expectedError!)")
                model = expected
                accepted += 1
            } catch {
                #expect(error == expectedError, "\(batch)")
                #expect(index.snapshot === before)
            }
        }
        let snapshot = index.snapshot
        // An accepted batch that changes nothing publishes no new version.
        #expect(snapshot.version <= UInt64(accepted))
        let problems = snapshot.invariantViolations()
        #expect(problems.isEmpty, "\(problems)")
        let scratch = AccountIndex(building: model.data)
        #expect(scratch.buildReport.skippedCount == 0, "\(scratch.buildReport.skipped)")
        let (incremental, built) = (snapshot.dump(), scratch.snapshot.dump())
        #expect(incremental == built, "incremental:\n\(incremental)\nfrom scratch:\n\(built)")
        var callers = callers
        built.storedNumbers.forEach { callers.append($0.number.e164) }
        for caller in callers {
            #expect(snapshot.resolve(callerNumber: caller) == scratch.resolve(callerNumber: caller), "\(caller)")
            let noFallback = ResolveOptions(suffixFallback: false)
            #expect(
                snapshot.resolve(callerNumber: caller, options: noFallback)
                    == scratch.resolve(callerNumber: caller, options: noFallback))
        }
    }

    @Test func randomChangeSequences() async {
        await propertyCheck(count: 300, input: Gen<UInt64>.uint64().array(of: 1...60)) { words in
            Self.check(words.map(Self.decode))
        }
    }

    /// The bulk build skips and reports exactly the changes that applying ``AccountData/changes``
    /// one by one rejects, and ends in the same index: both writers check with ``ChangeValidation``.
    @Test func buildSkipsWhatApplyingRejects() async {
        await propertyCheck(count: 200, input: Gen<UInt64>.uint64().array(of: 0...40)) { words in
            var data = AccountData(settings: ruSettings())
            for word in words {
                var x = word
                func take(_ n: UInt64) -> Int {
                    let value = Int(x % n)
                    x /= n
                    return value
                }
                // Few ids, some negative, so that entities repeat and links miss.
                func id() -> Int { take(8) == 0 ? -1 - take(2) : 1 + take(5) }
                func phones() -> [PhoneValue] { (0..<take(3)).map { _ in PhoneValue(Self.phones[take(8)]) } }
                switch take(7) {
                case 0:
                    data.contacts.append(
                        Contact(id: id(), createdAt: take(3), isDeleted: take(6) == 0, phones: phones()))
                case 1: data.companies.append(Company(id: id(), isDeleted: take(6) == 0, phones: phones()))
                case 2: data.leads.append(Lead(id: id(), isDeleted: take(6) == 0, statusID: [20, 142, 143][take(3)]))
                case 3:
                    data.customers.append(
                        Customer(id: id(), isDeleted: take(6) == 0, statusID: [nil, 1, 900][take(3)]))
                default:
                    switch take(5) {
                    case 0: data.links.append(.contactLead(contactID: id(), leadID: id(), isMain: take(2) == 0))
                    case 1: data.links.append(.companyLead(companyID: id(), leadID: id()))
                    case 2: data.links.append(.contactCustomer(contactID: id(), customerID: id()))
                    case 3: data.links.append(.companyCustomer(companyID: id(), customerID: id()))
                    default: data.links.append(.contactCompany(contactID: id(), companyID: id()))
                    }
                }
            }
            let built = AccountIndex(building: data)
            let applied = AccountIndex(settings: data.settings)
            var report = AccountIndex.BuildReport()
            for (position, change) in data.changes.enumerated() {
                do throws(AccountChangeError) {
                    try applied.apply([change])
                } catch {
                    report.record(
                        AccountChangeError(
                            code: error.code, changeIndex: position, change: change, entity: error.entity))
                }
            }
            #expect(built.buildReport == report)
            #expect(built.snapshot.dump() == applied.snapshot.dump())
            #expect(built.snapshot.invariantViolations().isEmpty)
        }
    }

    /// The same on a realistic account: a synthetic one, changed at random, batch by batch.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func randomChangesOnSyntheticAccount(seed: UInt64) {
        let account = SyntheticAccount(seed: seed, contacts: 400)
        let data = account.data
        var rng = SyntheticRandom(seed: seed &* 77)
        func pick<T>(_ items: [T]) -> T { rng.pick(items) }
        let contactIDs = data.contacts.map(\.id) + [1, 2, 3]
        let companyIDs = data.companies.map(\.id) + [4]
        let leadIDs = data.leads.map(\.id) + [5, 6]
        let customerIDs = data.customers.map(\.id) + [7]
        var changes: [(change: AccountChange, endsBatch: Bool, repair: Bool)] = []
        for _ in 0..<1_500 {
            let change: AccountChange
            switch rng.int(0..<16) {
            case 0:
                change = .upsertContact(
                    Contact(
                        id: pick(contactIDs), createdAt: rng.int(0..<3),
                        phones: [PhoneValue(pick(account.storedNumbers))]))
            case 1:
                change = .upsertCompany(
                    Company(id: pick(companyIDs), isDeleted: rng.chance(0.2), phones: [PhoneValue(pick(Self.phones))]))
            case 2:
                change = .upsertLead(
                    Lead(id: pick(leadIDs), isDeleted: rng.chance(0.1), statusID: pick([20, 142, 143])))
            case 3:
                change = .upsertCustomer(
                    Customer(id: pick(customerIDs), statusID: pick([1001, SyntheticAccount.closedCustomerStatusID])))
            case 4: change = .deleteContact(id: pick(contactIDs))
            case 5: change = .deleteLead(id: pick(leadIDs))
            case 6: change = .deleteCompany(id: pick(companyIDs))
            case 7, 8: change = .setLeadStatus(leadID: pick(leadIDs), statusID: pick([20, 142, 143, 31]))
            case 9:
                change = .setCustomerStatus(
                    customerID: pick(customerIDs), statusID: pick([1001, SyntheticAccount.closedCustomerStatusID]))
            case 10:
                change = .link(
                    .contactLead(contactID: pick(contactIDs), leadID: pick(leadIDs), isMain: rng.chance(0.5)))
            case 11: change = .link(.companyLead(companyID: pick(companyIDs), leadID: pick(leadIDs)))
            case 12: change = .link(.contactCompany(contactID: pick(contactIDs), companyID: pick(companyIDs)))
            case 13: change = .link(.contactCustomer(contactID: pick(contactIDs), customerID: pick(customerIDs)))
            case 14: change = .unlink(.contactLead(contactID: pick(contactIDs), leadID: pick(leadIDs)))
            default:
                change = .setClosedCustomerStatuses(
                    rng.chance(0.5) ? [SyntheticAccount.closedCustomerStatusID] : [1001])
            }
            changes.append((change, rng.chance(0.1), rng.chance(0.9)))
        }
        Self.check(changes, start: data)
    }
}
