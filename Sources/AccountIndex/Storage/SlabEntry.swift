/// One record of a slab, as a reader sees it. Valid while the snapshot it was read from is.
struct SlabEntry<Record: SlabRecord> {
    let slab: Slab<Record>
    let record: Record

    /// The `i`th of the record's words.
    @inline(__always)
    func word(_ i: Int) -> UInt64 { slab.pool[Int(record.poolStart) + i] }

    /// The record's words.
    var words: Slice<UnsafeBufferPointer<UInt64>> {
        slab.pool[Int(record.poolStart)..<Int(record.poolStart) + record.poolCount]
    }

    /// The record's words in `range` (counted from its first word), as ids.
    func ids(_ range: Range<Int>) -> [Int] {
        let start = Int(record.poolStart)
        return slab.pool[(start + range.lowerBound)..<(start + range.upperBound)].map { Int(bitPattern: UInt($0)) }
    }
}
