extension BulkBuilder {
    /// A dense index per distinct id, in id order; for each, the position of the last entity with
    /// that id in the input.
    struct Dense: Sendable {
        var ids: [Int] = []
        var source: [Int32] = []
        var map: IDMap

        var count: Int { ids.count }

        /// `idAt(position)` for positions `0..<count`; nil leaves the position out (an entity that
        /// fails its check).
        init(count: Int, idAt: (Int) -> Int?) {
            ids.reserveCapacity(count)
            source.reserveCapacity(count)
            var increasing = true
            for position in 0..<count {
                guard let id = idAt(position) else { continue }
                if let last = ids.last, last >= id { increasing = false }
                ids.append(id)
                source.append(Int32(position))
            }
            if !increasing {
                // Sort by id, then position; keep the last position of each id.
                var pairs = zip(ids, source).map { (id: $0, position: $1) }
                pairs.sort { ($0.id, $0.position) < ($1.id, $1.position) }
                ids.removeAll(keepingCapacity: true)
                source.removeAll(keepingCapacity: true)
                for pair in pairs {
                    if ids.last == pair.id {
                        source[source.count - 1] = pair.position
                    } else {
                        ids.append(pair.id)
                        source.append(pair.position)
                    }
                }
            }
            map = IDMap(ids)
        }

        @inline(__always)
        func callAsFunction(_ id: Int) -> Int32? { map[id] }
    }
}
