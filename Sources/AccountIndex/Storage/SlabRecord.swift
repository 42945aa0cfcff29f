/// A fixed-size record kept in a slab, with its variable-length part (links, phone keys) in the
/// slab's words.
protocol SlabRecord: BitwiseCopyable, Sendable {
    var id: Int { get }
    /// Where the record's words start among the slab's words.
    var poolStart: UInt32 { get set }
    /// How many of the slab's words are the record's.
    var poolCount: Int { get }
}
