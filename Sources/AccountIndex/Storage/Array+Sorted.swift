/// The ids of one kind of link while a batch is staged: sorted, each once (as stored), kept so by
/// ``Swift/Array/insertSorted(_:)`` and ``Swift/Array/removeSorted(_:)``, so that encoding needs no sort.
typealias IDList = [Int]

extension Array where Element == Int {
    /// Inserts `id` at its place in a sorted list, unless it is there.
    mutating func insertSorted(_ id: Int) {
        let i = sortedPosition(of: id)
        if i == count || self[i] != id { insert(id, at: i) }
    }

    /// Removes `id` from a sorted list, if it is there.
    mutating func removeSorted(_ id: Int) {
        let i = sortedPosition(of: id)
        if i < count && self[i] == id { remove(at: i) }
    }

    /// Where `id` is or would go in a sorted list: the first position whose id is not smaller.
    private func sortedPosition(of id: Int) -> Int {
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) >> 1
            if self[mid] < id { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Sorted, each once (without copying when it already is).
    func normalized() -> [Int] {
        var isNormal = true
        for i in indices.dropFirst() where self[i - 1] >= self[i] {
            isNormal = false
            break
        }
        return isNormal ? self : sorted().uniquedSorted()
    }
}

extension Array where Element: Equatable {
    /// Removes adjacent duplicates of a sorted array.
    func uniquedSorted() -> [Element] {
        guard count > 1 else { return self }
        var result: [Element] = []
        result.reserveCapacity(count)
        for element in self where result.last != element { result.append(element) }
        return result
    }
}
