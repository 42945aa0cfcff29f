/// What the writer of one batch needs to change storage: the batch's generation, and the list of
/// the memory it replaced, to be freed when no snapshot can read it any more (``RetiredMemory``).
struct WriteContext {
    /// The version of the snapshot being built. Directory nodes made in this batch carry it and are
    /// changed in place; older ones are copied first.
    let generation: UInt64
    /// Nodes and slabs that the new state no longer uses but older snapshots may.
    var retired: [UnsafeMutableRawPointer] = []

    init(generation: UInt64) {
        self.generation = generation
        retired.reserveCapacity(32)
    }
}
