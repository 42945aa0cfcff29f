import ScreenPopStore

/// Where a sync commits what it reads: a ``LiveAccount`` (store, then index and names) when the
/// server runs, or the store alone for `screenpop sync`.
public protocol ChangeSink: Sendable {
    /// Writes `batch` durably; publishes it wherever the sink publishes.
    @discardableResult
    func commit(_ batch: StoreBatch) async throws -> StoreChanges
}

extension LiveAccount: ChangeSink {}

/// The store alone: each batch its own transaction.
public struct StoreSink: ChangeSink {
    public let store: any AccountStore
    public let accountID: Int

    public init(store: any AccountStore, accountID: Int) {
        self.store = store
        self.accountID = accountID
    }

    @discardableResult
    public func commit(_ batch: StoreBatch) async throws -> StoreChanges {
        try await store.apply([batch], accountID: accountID)
    }
}
