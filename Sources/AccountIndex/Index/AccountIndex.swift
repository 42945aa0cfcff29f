import Atomics
import PhoneNumbers
import Synchronization

/// The phone-number index of one amoCRM account: resolves incoming calls while changes are applied.
///
/// Readers never wait: ``resolve(callerNumber:options:)`` loads the latest ``AccountSnapshot``
/// with one atomic load and works on it, immutable, without a lock. Writers take turns on a mutex;
/// ``apply(_:)`` stages a whole batch, checks it, and publishes a new snapshot with one atomic store,
/// or throws and publishes nothing. The new snapshot shares all the storage that the batch did not
/// touch with the old one.
///
/// ```swift
/// let index = AccountIndex(building: data)
/// let resolution = index.resolve(callerNumber: "+7 999 888-55-33")
/// switch resolution.target {
/// case .lead(let id): showLead(id)
/// case .createContact(let e164): offerNewContact(e164)
/// default: showCard(resolution.target.entity!)
/// }
/// try index.apply([.setLeadStatus(leadID: 10, statusID: Lead.wonStatusID)])
/// ```
public final class AccountIndex: Sendable {
    private let current: ManagedAtomic<AccountSnapshot>
    private let writer = Mutex<Void>(())
    /// What building skipped.
    public let buildReport: BuildReport

    /// What ``AccountIndex/init(building:)`` skipped: changes that could not be applied, such as links
    /// to entities missing from the data.
    public struct BuildReport: Hashable, Sendable {
        /// How many were skipped.
        public internal(set) var skippedCount = 0
        /// The first 100 of them, with the reason.
        public internal(set) var skipped: [AccountChangeError] = []

        mutating func record(_ error: AccountChangeError) {
            skippedCount += 1
            if skipped.count < 100 { skipped.append(error) }
        }
    }

    /// An empty index.
    public init(settings: AccountSettings) {
        current = ManagedAtomic(AccountSnapshot(state: IndexState(settings: settings), version: 0))
        buildReport = BuildReport()
    }

    /// Builds the index of a whole account.
    ///
    /// The same as applying ``AccountData/changes`` to an empty index one by one, skipping each that
    /// fails (``buildReport`` lists them), but in one batch.
    ///
    /// - Complexity: O(n log n) in the size of the account; parsing the stored numbers dominates.
    public init(building data: AccountData) {
        var report = BuildReport()
        let state = Self.build(data, keys: nil, report: &report)
        current = ManagedAtomic(AccountSnapshot(state: state, version: 0))
        buildReport = report
    }

    /// Builds the index of a whole account, parsing the stored numbers on several tasks.
    ///
    /// - Parameters:
    ///   - data: The account.
    ///   - parallelism: How many tasks parse numbers; the default is 2.
    public static func building(_ data: AccountData, parallelism: Int = 2) async -> AccountIndex {
        let keys = await Self.parseKeys(data, parallelism: parallelism)
        var report = BuildReport()
        let state = build(data, keys: keys, report: &report)
        return AccountIndex(state: state, report: report)
    }

    private init(state: IndexState, report: BuildReport) {
        current = ManagedAtomic(AccountSnapshot(state: state, version: 0))
        buildReport = report
    }

    /// The latest snapshot.
    ///
    /// - Complexity: O(1); never waits for a writer.
    public var snapshot: AccountSnapshot { current.load(ordering: .acquiring) }

    /// Resolves a call on the latest snapshot (see ``AccountSnapshot/resolve(callerNumber:options:)``).
    public func resolve(callerNumber: String, options: ResolveOptions = ResolveOptions()) -> Resolution {
        snapshot.resolve(callerNumber: callerNumber, options: options)
    }

    /// Resolves a parsed number on the latest snapshot (see ``AccountSnapshot/resolve(_:options:)``).
    public func resolve(_ number: PhoneNumber, options: ResolveOptions = ResolveOptions()) -> Resolution {
        snapshot.resolve(number, options: options)
    }

    /// Applies a batch of changes, all or nothing, and publishes the result.
    ///
    /// Changes apply in order, each seeing the ones before it. If one cannot be applied (it names an
    /// entity that does not exist, or a negative id), nothing of the batch is published and the error
    /// says which change and why. Readers see either the snapshot before the batch or the one after.
    ///
    /// - Parameter changes: The batch.
    /// - Returns: The snapshot published (the current one, unchanged, for an empty batch).
    /// - Throws: ``AccountChangeError`` for the first change that cannot be applied.
    /// - Complexity: O(k) decoding and encoding for the k entities the batch touches (an entity costs
    ///   its links and numbers), plus O(log n) per touched slab; stored numbers are parsed for upserts.
    @discardableResult
    public func apply(_ changes: [AccountChange]) throws(AccountChangeError) -> AccountSnapshot {
        try writer.withLock { _ throws(AccountChangeError) -> AccountSnapshot in
            let base = current.load(ordering: .acquiring)
            var batch = ChangeBatch(base: base.state)
            for (index, change) in changes.enumerated() { try batch.apply(change, at: index) }
            guard !batch.isEmpty else { return base }
            let next = AccountSnapshot(state: batch.commit(), version: base.version + 1)
            #if SCREENPOP_INTERNAL_CHECKS
                next.checkInvariants()
            #endif
            current.store(next, ordering: .releasing)
            return next
        }
    }

    // MARK: Building

    private static func build(_ data: AccountData, keys: BulkBuilder.ParsedKeys?, report: inout BuildReport)
        -> IndexState
    {
        let state = BulkBuilder.build(data, keys: keys, report: &report)
        #if SCREENPOP_INTERNAL_CHECKS
            AccountSnapshot(state: state, version: 0).checkInvariants()
        #endif
        return state
    }

    private static func parseKeys(_ data: AccountData, parallelism: Int) async -> BulkBuilder.ParsedKeys {
        let region = data.settings.defaultRegion
        let contacts = data.contacts.map(\.phones)
        let companies = data.companies.map(\.phones)
        let all = contacts + companies
        let chunks = max(1, parallelism)
        let size = max(1, (all.count + chunks - 1) / chunks)
        var parsed = [[UInt64]](repeating: [], count: all.count)
        await withTaskGroup(of: (Int, [[UInt64]]).self) { group in
            for start in stride(from: 0, to: all.count, by: size) {
                let end = min(start + size, all.count)
                group.addTask {
                    (
                        start,
                        all[start..<end].map {
                            PhoneKey.keys(inStoredValues: $0, defaultRegion: region).map(\.rawValue)
                        }
                    )
                }
            }
            for await (start, part) in group { parsed.replaceSubrange(start..<start + part.count, with: part) }
        }
        return BulkBuilder.ParsedKeys(
            contacts: Array(parsed[..<contacts.count]), companies: Array(parsed[contacts.count...]))
    }
}
