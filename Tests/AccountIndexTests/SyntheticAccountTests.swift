import AccountSynthesis
import Testing

@testable import AccountIndex

@Suite struct SyntheticAccountTests {
    @Test func sameSeedSameAccount() {
        let a = SyntheticAccount(seed: 7, contacts: 500)
        let b = SyntheticAccount(seed: 7, contacts: 500)
        #expect(a.data == b.data)
        #expect(a.storedNumbers == b.storedNumbers)
        #expect(a.callerNumbers(count: 50, seed: 1) == b.callerNumbers(count: 50, seed: 1))
        #expect(SyntheticAccount(seed: 8, contacts: 500).data != a.data)
    }

    @Test func proportionsFollowTheIssue() {
        let account = SyntheticAccount(seed: 1, contacts: 10_000)
        let data = account.data
        #expect(data.contacts.count == 10_000)
        #expect(data.companies.count == 3_000)
        #expect(data.leads.count == 20_000)
        #expect(data.customers.count == 2_000)
        let phones = Double(data.contacts.reduce(0) { $0 + $1.phones.count }) / Double(data.contacts.count)
        #expect(abs(phones - 1.5) < 0.05)
        #expect(data.contacts.allSatisfy { $0.phones.count <= 3 })
        // Won, lost and open leads in several pipelines; some entities deleted; some numbers shared.
        let statuses = Set(data.leads.map(\.statusID))
        #expect(statuses.contains(Lead.wonStatusID) && statuses.contains(Lead.lostStatusID) && statuses.count > 5)
        #expect(Set(account.details.leads.map(\.pipelineID)).count == 3)
        #expect(data.contacts.contains(where: \.isDeleted) && data.leads.contains(where: \.isDeleted))
        #expect(data.customers.contains { $0.statusID == SyntheticAccount.closedCustomerStatusID })
        let index = AccountIndex(building: data)
        #expect(index.buildReport.skippedCount == 0)
        var shared = 0
        var foreign = 0
        for stored in index.snapshot.dump().storedNumbers.chunked(byNumber: ()) {
            if stored.count > 1 { shared += 1 }
            if !stored[0].number.e164.hasPrefix("+7") { foreign += 1 }
        }
        #expect(shared > 100)
        #expect(foreign > 200)
    }

    /// The bulk builder and the change-by-change path agree on a realistic account.
    @Test(arguments: [11, 12] as [UInt64])
    func bulkBuildEqualsChangesAppliedInBatches(seed: UInt64) throws {
        let data = SyntheticAccount(seed: seed, contacts: 1_500).data
        let built = AccountIndex(building: data)
        #expect(built.snapshot.invariantViolations().isEmpty)
        let incremental = AccountIndex(settings: data.settings)
        let changes = data.changes
        for start in stride(from: 0, to: changes.count, by: 997) {
            try incremental.apply(Array(changes[start..<min(start + 997, changes.count)]))
        }
        #expect(incremental.snapshot.invariantViolations().isEmpty)
        #expect(incremental.snapshot.dump() == built.snapshot.dump())
    }

    /// The parallel build gives what the one-thread build gives, whatever the parallelism.
    @Test(arguments: [1, 2, 5])
    func parallelBuildEqualsSequential(parallelism: Int) async {
        let data = SyntheticAccount(seed: 13, contacts: 20_000).data
        let sequential = AccountIndex(building: data)
        let parallel = await AccountIndex.building(data, parallelism: parallelism)
        #expect(parallel.snapshot.dump() == sequential.snapshot.dump())
        #expect(parallel.buildReport == sequential.buildReport)
        #expect(parallel.snapshot.invariantViolations().isEmpty)
    }

    @Test func callersResolveMostlyExactly() async {
        let account = SyntheticAccount(seed: 3, contacts: 2_000)
        let index = await AccountIndex.building(account.data, parallelism: 3)
        #expect(index.snapshot.dump() == AccountIndex(building: account.data).snapshot.dump())
        var levels: [MatchLevel: Int] = [:]
        for caller in account.callerNumbers(count: 2_000, seed: 5) {
            levels[index.resolve(callerNumber: caller).matchLevel, default: 0] += 1
        }
        #expect(levels[.exact, default: 0] > 1_300)
        #expect(levels[.none, default: 0] > 100)
        #expect(levels[.suffix(digits: 10), default: 0] > 0)
    }
}

extension Array where Element == AccountIndexDump.StoredNumber {
    /// Runs of the same number (the dump is sorted by number).
    func chunked(byNumber: Void) -> [[Element]] {
        var runs: [[Element]] = []
        for stored in self {
            if runs.last?.last?.number == stored.number {
                runs[runs.count - 1].append(stored)
            } else {
                runs.append([stored])
            }
        }
        return runs
    }
}
