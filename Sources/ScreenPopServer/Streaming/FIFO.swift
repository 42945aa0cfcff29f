/// A first-in first-out queue on one array: appends at the back, removals at the front in O(1)
/// amortized (the array is compacted once half of it is dead).
struct FIFO<Element> {
    private var storage: [Element] = []
    private var head = 0

    var isEmpty: Bool { head == storage.count }
    var count: Int { storage.count - head }
    var first: Element? { isEmpty ? nil : storage[head] }
    var last: Element? { isEmpty ? nil : storage[storage.count - 1] }

    mutating func append(_ element: Element) {
        storage.append(element)
    }

    mutating func popFirst() -> Element? {
        guard !isEmpty else { return nil }
        let element = storage[head]
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 32 && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return element
    }

    /// Inserts `element` before the first element that `isAfter` holds for (at the back if none).
    ///
    /// - Complexity: O(n).
    mutating func insert(_ element: Element, before isAfter: (Element) -> Bool) {
        let position = storage[head...].firstIndex(where: isAfter) ?? storage.count
        storage.insert(element, at: position)
    }

    mutating func removeAll() {
        storage.removeAll()
        head = 0
    }

    /// The elements, oldest first.
    var elements: ArraySlice<Element> { storage[head...] }
}

extension FIFO: Sendable where Element: Sendable {}
