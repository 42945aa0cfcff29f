internal import Atomics

/// A strong reference to an object that one thread replaces while others load it, lock-free: how
/// ``AccountIndex`` publishes its latest ``AccountSnapshot``.
///
/// It is swift-atomics' `AtomicReferenceStorage`, the representation that `ManagedAtomic` keeps for
/// a class conforming to `AtomicReference`, used directly: so the snapshot class needs no such
/// conformance, and swift-atomics stays out of the module's public API (this is the only file
/// that imports it, and it does so `internal`ly). Loads and stores are exactly `ManagedAtomic`'s:
/// the same storage, behind one pointer as `ManagedAtomic`'s is behind its object.
///
/// A value that owns its storage: the one owner calls ``destroy()`` when it goes away (from its
/// `deinit`), and nothing uses the reference after that.
///
/// `@unchecked Sendable`: the storage is only ever accessed atomically.
struct AtomicStrongReference<Object: AnyObject>: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<AtomicReferenceStorage<Object>>

    init(_ object: Object) {
        storage = .allocate(capacity: 1)
        storage.initialize(to: AtomicReferenceStorage(object))
    }

    /// The object stored last, with acquiring ordering.
    ///
    /// - Complexity: O(1), lock-free.
    @inline(__always)
    func load() -> Object {
        AtomicReferenceStorage<Object>.atomicLoad(at: storage, ordering: .acquiring)
    }

    /// Replaces the object, with releasing ordering: what was written before is visible to a thread
    /// that loads `object`.
    @inline(__always)
    func store(_ object: __owned Object) {
        AtomicReferenceStorage<Object>.atomicStore(object, at: storage, ordering: .releasing)
    }

    /// Releases the object and frees the storage.
    func destroy() {
        _ = storage.pointee.dispose()
        storage.deinitialize(count: 1)
        storage.deallocate()
    }
}
