extension BulkBuilder {
    /// The phone keys of every contact, then every company (party `p` is `data.contacts[p]` or
    /// `data.companies[p - contacts.count]`), flat: party `p`'s keys, sorted and each once, are
    /// `keys[offsets[p] ..< offsets[p + 1]]`.
    struct ParsedKeys: Sendable {
        var keys: [UInt64] = []
        var offsets: [Int] = [0]

        mutating func append(_ other: ParsedKeys) {
            let base = keys.count
            keys.append(contentsOf: other.keys)
            offsets.append(contentsOf: other.offsets.dropFirst().lazy.map { $0 + base })
        }

        @inline(__always)
        func of(_ party: Int) -> Range<Int> { offsets[party]..<offsets[party + 1] }
    }

    /// Parses the stored numbers of the parties in `range` (see ``ParsedKeys``).
    static func parseKeys(_ data: AccountData, parties range: Range<Int>) -> ParsedKeys {
        let region = data.settings.defaultRegion
        var result = ParsedKeys()
        result.keys.reserveCapacity(range.count * 2)
        result.offsets.reserveCapacity(range.count + 1)
        for party in range {
            let phones =
                party < data.contacts.count
                ? data.contacts[party].phones : data.companies[party - data.contacts.count].phones
            PhoneKey.appendKeys(inStoredValues: phones, defaultRegion: region, to: &result.keys)
            result.offsets.append(result.keys.count)
        }
        return result
    }

    /// Every party's keys, on `parallelism` tasks.
    static func parseKeys(_ data: AccountData, parallelism: Int) async -> ParsedKeys {
        let parties = data.contacts.count + data.companies.count
        // More pieces than tasks, so that a task that finishes early takes another.
        let pieces = max(1, min(parties / 4096, parallelism * 8))
        let size = (parties + pieces - 1) / max(pieces, 1)
        return await withTaskGroup(of: (Int, ParsedKeys).self) { group in
            var next = 0
            var results: [ParsedKeys?] = Array(repeating: nil, count: pieces)
            func add(_ piece: Int, to group: inout TaskGroup<(Int, ParsedKeys)>) {
                let range = min(piece * size, parties)..<min((piece + 1) * size, parties)
                group.addTask { (piece, parseKeys(data, parties: range)) }
            }
            while next < min(max(1, parallelism), pieces) {
                add(next, to: &group)
                next += 1
            }
            while let (piece, keys) = await group.next() {
                results[piece] = keys
                if next < pieces {
                    add(next, to: &group)
                    next += 1
                }
            }
            var all = ParsedKeys()
            all.keys.reserveCapacity(results.reduce(0) { $0 + ($1?.keys.count ?? 0) })
            all.offsets.reserveCapacity(parties + 1)
            for result in results { all.append(result!) }
            return all
        }
    }
}
