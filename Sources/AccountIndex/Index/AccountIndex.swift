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
    /// The latest snapshot, which readers load without waiting.
    private let current: AtomicStrongReference<AccountSnapshot>
    private let writer = Mutex<Void>(())
    /// Frees, on the writer's thread, the memory that old snapshots no longer need.
    private let reclaimer: Reclaimer
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
        reclaimer = Reclaimer()
        current = AtomicStrongReference(
            AccountSnapshot(state: IndexState(settings: settings), version: 0, reclaimer: reclaimer))
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
        let state = BulkBuilder.build(data, report: &report)
        #if SCREENPOP_INTERNAL_CHECKS
            AccountSnapshot(state: state, version: 0, reclaimer: Reclaimer()).checkInvariants()
        #endif
        reclaimer = Reclaimer()
        current = AtomicStrongReference(AccountSnapshot(state: state, version: 0, reclaimer: reclaimer))
        buildReport = report
    }

    /// Builds the index of a whole account on several tasks: the stored numbers are parsed while
    /// the links are resolved, then the contacts and the companies are written side by side.
    ///
    /// The result is the same as ``init(building:)``'s.
    ///
    /// - Parameters:
    ///   - data: The account.
    ///   - parallelism: How many tasks work at once; the default is 2.
    /// - Complexity: O(n log n) in the size of the account; parsing the stored numbers dominates.
    public static func building(_ data: AccountData, parallelism: Int = 2) async -> AccountIndex {
        var report = BuildReport()
        let state = await BulkBuilder.build(data, parallelism: parallelism, report: &report)
        #if SCREENPOP_INTERNAL_CHECKS
            AccountSnapshot(state: state, version: 0, reclaimer: Reclaimer()).checkInvariants()
        #endif
        return AccountIndex(state: state, report: report)
    }

    private init(state: IndexState, report: BuildReport) {
        reclaimer = Reclaimer()
        current = AtomicStrongReference(AccountSnapshot(state: state, version: 0, reclaimer: reclaimer))
        buildReport = report
    }

    /// The latest snapshot.
    ///
    /// - Complexity: O(1); never waits for a writer.
    public var snapshot: AccountSnapshot { current.load() }

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
            reclaimer.drain()
            let base = current.load()
            var batch = ChangeBatch(base: base.state)
            for (index, change) in changes.enumerated() { try batch.apply(change, at: index) }
            guard !batch.isEmpty else { return base }
            var context = WriteContext(generation: base.version + 1)
            let next = AccountSnapshot(state: batch.commit(&context), version: base.version + 1, reclaimer: reclaimer)
            #if SCREENPOP_INTERNAL_CHECKS
                next.checkInvariants()
            #endif
            // What the batch replaced stays readable for `base` and older snapshots.
            base.retired.seal(context.retired, next: next.retired)
            current.store(next)
            return next
        }
    }

    /// Replaces everything by an index of `data` built from scratch, published as one batch is:
    /// readers see the snapshot before or the one after. For what no batch of changes can say, such
    /// as a new country, which changes how every stored number reads.
    ///
    /// - Returns: What the build skipped (as ``buildReport`` says of the first build).
    /// - Complexity: That of ``init(building:)``; readers do not wait for it.
    @discardableResult
    public func rebuild(from data: AccountData) -> BuildReport {
        var report = BuildReport()
        let state = BulkBuilder.build(data, report: &report)
        writer.withLock { _ in
            reclaimer.drain()
            let base = current.load()
            let next = AccountSnapshot(state: state, version: base.version + 1, reclaimer: reclaimer)
            #if SCREENPOP_INTERNAL_CHECKS
                next.checkInvariants()
            #endif
            var retired: [UnsafeMutableRawPointer] = []
            base.state.allocations(into: &retired)
            base.retired.seal(retired, next: next.retired)
            current.store(next)
        }
        return report
    }

    deinit {
        // The latest state's memory goes with the latest snapshot, which readers may still hold.
        let last = current.load()
        var live: [UnsafeMutableRawPointer] = []
        last.state.allocations(into: &live)
        last.retired.adopt(live)
        reclaimer.close()
        current.destroy()
    }
}
