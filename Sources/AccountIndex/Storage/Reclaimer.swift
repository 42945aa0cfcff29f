import Synchronization

/// Frees retired memory on the writer's thread.
///
/// A reader that lets go of the last old snapshot would otherwise free its slabs and nodes itself:
/// `free` of memory that another thread allocated takes that thread's malloc arena lock, against
/// the writer, which allocates all the time. So the lists go here, and ``AccountIndex/apply(_:)``
/// frees them, under its own lock, before it builds the next state. Once the index is gone, memory
/// is freed where it is released.
final class Reclaimer: Sendable {
    private struct State {
        var pending: [RetiredMemory.Pointers] = []
        var isClosed = false
    }

    private let state = Mutex(State())

    init() {}

    /// From any thread.
    func reclaim(_ pointers: RetiredMemory.Pointers) {
        guard !pointers.list.isEmpty else { return }
        let freeNow = state.withLock { state -> Bool in
            if state.isClosed { return true }
            state.pending.append(pointers)
            return false
        }
        if freeNow { for pointer in pointers.list { pointer.deallocate() } }
    }

    /// Frees what is pending (the writer, under its lock).
    func drain() {
        let pending = state.withLock { state -> [RetiredMemory.Pointers] in
            defer { state.pending = [] }
            return state.pending
        }
        for pointers in pending { for pointer in pointers.list { pointer.deallocate() } }
    }

    /// Frees what is pending; from now on memory is freed where it is released.
    func close() {
        let pending = state.withLock { state -> [RetiredMemory.Pointers] in
            state.isClosed = true
            defer { state.pending = [] }
            return state.pending
        }
        for pointers in pending { for pointer in pointers.list { pointer.deallocate() } }
    }
}
