extension BulkBuilder {
    /// Pairs grouped by their first element: for each owner, the seconds in increasing order, each once.
    struct Adjacency: Sendable {
        var offsets: [Int32]
        var items: [Int32]

        /// - Parameter isSorted: the pairs of each owner already come in increasing order, each once.
        init(owners: Int, pairs: [(owner: Int32, item: Int32)], isSorted: Bool) {
            var offsets = [Int32](repeating: 0, count: owners + 1)
            for pair in pairs { offsets[Int(pair.owner) + 1] += 1 }
            for i in 0..<owners { offsets[i + 1] += offsets[i] }
            var items = [Int32](repeating: 0, count: pairs.count)
            do {
                var fill = offsets
                for pair in pairs {
                    items[Int(fill[Int(pair.owner)])] = pair.item
                    fill[Int(pair.owner)] += 1
                }
            }
            if !isSorted {
                // Dense indices are in id order: sorting them sorts by id. Drop duplicates.
                var write = 0
                var start = 0
                for owner in 0..<owners {
                    let end = Int(offsets[owner + 1])
                    if end - start > 1 { items[start..<end].sort() }
                    var previous: Int32 = -1
                    for i in start..<end where items[i] != previous {
                        previous = items[i]
                        items[write] = previous
                        write += 1
                    }
                    start = end
                    offsets[owner + 1] = Int32(write)
                }
                items.removeLast(items.count - write)
            }
            self.offsets = offsets
            self.items = items
        }

        /// Groups `single[item]` (an owner or -1) by owner.
        init(owners: Int, single: [Int32]) {
            var pairs: [(owner: Int32, item: Int32)] = []
            pairs.reserveCapacity(single.count)
            for (item, owner) in single.enumerated() where owner >= 0 { pairs.append((owner, Int32(item))) }
            self.init(owners: owners, pairs: pairs, isSorted: true)
        }

        @inline(__always)
        func of(_ owner: Int) -> ArraySlice<Int32> { items[Int(offsets[owner])..<Int(offsets[owner + 1])] }

        /// The same pairs, grouped by the second element (sorted: owners are visited in order).
        func inverted(owners: Int) -> Adjacency {
            var pairs: [(owner: Int32, item: Int32)] = []
            pairs.reserveCapacity(items.count)
            for owner in 0..<(offsets.count - 1) {
                for item in of(owner) { pairs.append((item, Int32(owner))) }
            }
            return Adjacency(owners: owners, pairs: pairs, isSorted: true)
        }
    }
}
