/// A table of at most ``capacity`` entries that forgets its least recently used entry to make room
/// for a new one.
///
/// What the server tracks about clients (their refusals, their notices) is keyed by what clients
/// choose (addresses, credentials), so it must stay bounded whatever they send: a client that
/// makes up a million keys only pushes out the oldest ones. Slots are reused in place, linked from
/// the most to the least recently used, so a lookup, an update and an eviction cost O(1) and the
/// table allocates nothing once full.
struct RecentTable<Key: Hashable, Value> {
    private struct Slot {
        var key: Key
        var value: Value
        /// The slot used just after this one (toward the newest), or -1.
        var newer: Int
        /// The slot used just before this one (toward the oldest), or -1.
        var older: Int
    }

    /// The most entries kept.
    let capacity: Int
    private var slots: [Slot] = []
    private var positions: [Key: Int] = [:]
    private var newest = -1
    private var oldest = -1

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// How many entries are kept now; never more than ``capacity``.
    var count: Int { slots.count }

    /// Whether `key` is kept, without making it more recent.
    func contains(_ key: Key) -> Bool { positions[key] != nil }

    /// The value of `key`, without making it more recent; nil when it is not kept.
    func peek(_ key: Key) -> Value? { positions[key].map { slots[$0].value } }

    /// Runs `body` on the value of `key` (made by `make` when the key is new, in place of the least
    /// recently used entry when the table is full), and makes the key the most recent.
    ///
    /// - Complexity: O(1) on average (one dictionary lookup, at most one removal).
    mutating func update<Result>(
        _ key: Key, orMake make: () -> Value, _ body: (inout Value) -> Result
    ) -> Result {
        if let index = positions[key] {
            moveToNewest(index)
            return body(&slots[index].value)
        }
        let index: Int
        if slots.count < capacity {
            index = slots.count
            slots.append(Slot(key: key, value: make(), newer: -1, older: -1))
        } else {
            index = oldest
            unlink(index)
            positions[slots[index].key] = nil
            slots[index].key = key
            slots[index].value = make()
        }
        positions[key] = index
        linkAsNewest(index)
        return body(&slots[index].value)
    }

    private mutating func moveToNewest(_ index: Int) {
        guard index != newest else { return }
        unlink(index)
        linkAsNewest(index)
    }

    private mutating func unlink(_ index: Int) {
        let newer = slots[index].newer
        let older = slots[index].older
        if newer >= 0 { slots[newer].older = older } else { newest = older }
        if older >= 0 { slots[older].newer = newer } else { oldest = newer }
        slots[index].newer = -1
        slots[index].older = -1
    }

    private mutating func linkAsNewest(_ index: Int) {
        slots[index].older = newest
        slots[index].newer = -1
        if newest >= 0 { slots[newest].newer = index }
        newest = index
        if oldest < 0 { oldest = index }
    }
}
