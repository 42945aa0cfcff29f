import Synchronization
import Testing

@testable import AccountIndex

/// Readers and writers at once: readers never see a half-applied batch, snapshots only move
/// forward, and the end state is the sum of every batch. Run also under
/// `swift test --sanitize=thread --filter AccountIndexTests`.
/// Problems seen by the tasks, collected under a lock.
final class Violations: Sendable {
    private let list = Mutex<[String]>([])
    func withLock<R>(_ body: (inout [String]) -> R) -> R { list.withLock { body(&$0) } }
}

@Suite struct ConcurrencyTests {
    static let contacts = 40
    static let leadsPerContact = 4

    static func number(_ contact: Int) -> String { "+7999\(1_000_000 + contact)" }

    /// Contact `c` has leads `c * 100 + 0..<4`; every batch opens or closes all four together.
    static func account() -> AccountData {
        var data = AccountData(settings: ruSettings())
        for c in 1...contacts {
            data.contacts.append(contact(c, number(c), created: c))
            for l in 0..<leadsPerContact {
                data.leads.append(lead(c * 100 + l, status: 142))
                data.links.append(.contactLead(contactID: c, leadID: c * 100 + l, isMain: l == 0))
            }
        }
        return data
    }

    @Test func readersNeverSeeHalfAppliedBatches() async {
        let index = AccountIndex(building: Self.account())
        let writers = 2
        let batchesPerWriter = 150
        let readers = 3
        let violations = Violations()

        await withTaskGroup(of: Void.self) { group in
            for w in 0..<writers {
                group.addTask {
                    var rng = SystemRandomNumberGenerator()
                    for _ in 0..<batchesPerWriter {
                        let c = Int.random(in: 1...Self.contacts, using: &rng)
                        let status = Bool.random(using: &rng) ? 142 : 20 + w
                        var batch: [AccountChange] = (0..<Self.leadsPerContact).map {
                            .setLeadStatus(leadID: c * 100 + $0, statusID: status)
                        }
                        // Also churn a number, so that postings change while read.
                        batch.append(.upsertContact(contact(c, Self.number(c), created: c)))
                        do { try index.apply(batch) } catch {
                            violations.withLock { $0.append("apply failed: \(error)") }
                        }
                    }
                }
            }
            for _ in 0..<readers {
                group.addTask {
                    var lastVersion: UInt64 = 0
                    for round in 0..<120 {
                        let snapshot = index.snapshot
                        if snapshot.version < lastVersion {
                            violations.withLock { $0.append("version went back: \(snapshot.version) < \(lastVersion)") }
                        }
                        lastVersion = snapshot.version
                        for c in 1...Self.contacts where (c + round) % 3 == 0 {
                            let resolution = snapshot.resolve(callerNumber: Self.number(c))
                            let active = resolution.chosen?.links.activeLeadCount ?? -1
                            // All four open or all four closed: never a partial batch.
                            if active != 0 && active != Self.leadsPerContact {
                                violations.withLock {
                                    $0.append("contact \(c): \(active) active leads in version \(snapshot.version)")
                                }
                            }
                            let expected: CallTargetDecision.Target = .contactCard(id: c)
                            if resolution.target != expected {
                                violations.withLock { $0.append("contact \(c): \(resolution.target)") }
                            }
                            // The same snapshot answers the same, however often it is asked.
                            if snapshot.resolve(callerNumber: Self.number(c)) != resolution {
                                violations.withLock { $0.append("snapshot \(snapshot.version) changed under a reader") }
                            }
                        }
                        // The latest index too: lock-free reads while the writers work.
                        _ = index.resolve(callerNumber: Self.number(1 + round % Self.contacts))
                    }
                }
            }
        }

        #expect(violations.withLock { $0 }.isEmpty, "\(violations.withLock { $0.prefix(5) })")
        let final = index.snapshot
        #expect(final.version == UInt64(writers * batchesPerWriter))
        #expect(final.invariantViolations().isEmpty)
        // The end state is what the last batch for each contact left: every contact's leads agree.
        for c in 1...Self.contacts {
            let active = final.contact(c)!.activeLeadIDs.count
            #expect(active == 0 || active == Self.leadsPerContact)
        }
    }

    @Test func snapshotsOutliveTheIndex() async {
        var snapshot: AccountSnapshot? = nil
        do {
            let index = AccountIndex(building: Self.account())
            try? index.apply([.setLeadStatus(leadID: 100, statusID: 20)])
            snapshot = index.snapshot
        }
        let held = snapshot!
        let results = await withTaskGroup(of: CallTargetDecision.Target.self) { group in
            for _ in 0..<4 { group.addTask { held.resolve(callerNumber: Self.number(1)).target } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results == Array(repeating: .lead(id: 100), count: 4))
    }
}
