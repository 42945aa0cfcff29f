import AccountSynthesis
import PhoneNumbers
import Testing

@testable import AccountIndex

/// Slabs and directory nodes are plain allocations whose lifetime follows the snapshots
/// (RetiredMemory): a snapshot held across many batches must still read what it saw, and letting
/// go of it must free the whole chain without recursion.
@Suite struct SnapshotLifetimeTests {
    @Test func oldSnapshotReadsWhatItSawAcrossManyBatches() throws {
        let account = SyntheticAccount(seed: 21, contacts: 2_000)
        let index = AccountIndex(building: account.data)
        let held = index.snapshot
        let before = held.dump()
        let callers = account.callerNumbers(count: 300, seed: 4)
        let answers = callers.map { held.resolve(callerNumber: $0) }
        // Enough batches that every slab and directory node of `held` is replaced at least once.
        var rng = SyntheticRandom(seed: 5)
        for _ in 0..<3_000 {
            // Won when open and open when won: a change the index sees, so every batch publishes.
            let lead = rng.pick(account.data.leads).id
            let won = index.snapshot.lead(lead)!.hasClosedStatus
            try index.apply([.setLeadStatus(leadID: lead, statusID: won ? 20 : Lead.wonStatusID)])
        }
        #expect(index.snapshot.version == 3_000)
        #expect(held.dump() == before)
        #expect(callers.map { held.resolve(callerNumber: $0) } == answers)
        #expect(index.snapshot.invariantViolations().isEmpty)
    }

    @Test func snapshotsOutliveTheIndexAndLongChainsFreeIteratively() throws {
        var oldest: AccountSnapshot? = nil
        var latest: AccountSnapshot? = nil
        do {
            let index = AccountIndex(building: SyntheticAccount(seed: 22, contacts: 300).data)
            oldest = index.snapshot
            let lead = index.snapshot.dump().leads[0].id
            // A chain of 50,000 retired lists, all kept alive by `oldest`.
            for i in 0..<50_000 {
                try index.apply([.setLeadStatus(leadID: lead, statusID: i % 2 == 0 ? Lead.wonStatusID : 20)])
            }
            latest = index.snapshot
        }
        #expect(latest!.invariantViolations().isEmpty)
        #expect(oldest!.invariantViolations().isEmpty)
        latest = nil
        oldest = nil  // frees 50,000 lists in a loop, not in 50,000 nested deinits
    }

    /// The index reads plain `+digits` caller ids itself; it must give exactly what
    /// `CallerID.lookupNumber` gives.
    @Test func plainCallerIDsReadAsCallerIDReadsThem() {
        let account = SyntheticAccount(seed: 23, contacts: 3_000)
        let index = AccountIndex(building: account.data)
        var callers = account.callerNumbers(count: 3_000, seed: 6)
        callers += account.storedNumbers.prefix(1_000).flatMap { [$0, String($0.dropFirst()), "8" + $0.dropFirst(2)] }
        callers += [
            "+7", "8", "+", "0", "00", "123", "112", "+0000000000", "88005553535", "+88005553535", "810491234567",
        ]
        var plain = 0
        for caller in callers {
            let resolution = index.resolve(callerNumber: caller)
            if AccountSnapshot.isPlainNumber(caller) { plain += 1 }
            switch Result(catching: { () throws(CallerID.Error) in
                try CallerID.lookupNumber(caller, defaultRegion: "RU")
            }) {
            case .success(let read):
                #expect(resolution.callerNumber == read.number, "\(caller)")
                #expect(resolution.reading == read.reading, "\(caller)")
            case .failure(let error):
                #expect(resolution.callerNumber == nil && resolution.readError == error, "\(caller)")
            }
        }
        #expect(plain > 2_000)
    }
}
