import Synchronization

/// Memory that newer snapshots no longer use, freed once no snapshot that may read it is left.
///
/// Slabs and directory nodes are plain allocations without reference counts (no retain or release
/// on the read path, none per pointer when a batch copies a node). Their lifetime follows the
/// snapshots instead: snapshot *v* holds the `RetiredMemory` that receives what the batch after it
/// replaces, and each one holds the next. So the memory retired by batch *v + 1* lives as long as
/// any snapshot up to *v* does — exactly the snapshots that can reach it — and is freed by whichever
/// thread lets go of the last of them.
///
/// ```
/// snapshot 7 ──▶ retired 7 ──next──▶ retired 8 ──next──▶ retired 9 (current, empty)
///                (what batch 8 replaced)  (what batch 9 replaced)
/// ```
///
/// The live memory of the latest state belongs to the ``AccountIndex``, which hands it to the last
/// snapshot's `RetiredMemory` when it is deinitialized.
final class RetiredMemory: Sendable {
    /// Plain pointers, which nobody reads through any more: safe to pass between threads.
    struct Pointers: @unchecked Sendable {
        var list: [UnsafeMutableRawPointer]
    }

    private struct Contents {
        var pointers: [UnsafeMutableRawPointer] = []
        var next: RetiredMemory?
    }

    /// Written by the writer, under its lock, while readers may hold the snapshot; read by `deinit`
    /// on whichever thread releases last. The mutex orders the two (and tells the thread
    /// sanitizer so); it is never contended.
    private let contents = Mutex(Contents())
    /// Where the memory goes when this list dies: to the index's writer, which frees it.
    private let reclaimer: Reclaimer

    init(reclaimer: Reclaimer) { self.reclaimer = reclaimer }

    /// Hands over what the next batch replaced, and the next snapshot's list. Once per snapshot.
    func seal(_ pointers: [UnsafeMutableRawPointer], next: RetiredMemory) {
        let pointers = Pointers(list: pointers)
        contents.withLock {
            $0.pointers.append(contentsOf: pointers.list)
            $0.next = next
        }
    }

    /// Adds memory to be freed with this list (the index's live state, when the index goes away).
    func adopt(_ pointers: [UnsafeMutableRawPointer]) {
        let pointers = Pointers(list: pointers)
        contents.withLock { $0.pointers.append(contentsOf: pointers.list) }
    }

    private func take() -> (Pointers, RetiredMemory?) {
        contents.withLock { contents in
            defer { contents.pointers = [] }
            return (Pointers(list: contents.pointers), contents.next.take())
        }
    }

    deinit {
        var (pointers, next) = take()
        reclaimer.reclaim(pointers)
        // Follow a long chain in a loop rather than by recursion: a reader that held an old
        // snapshot across a million batches must not overflow the stack when it lets go.
        while var list = next.take(), isKnownUniquelyReferenced(&list) {
            (pointers, next) = list.take()
            reclaimer.reclaim(pointers)
        }
    }
}
