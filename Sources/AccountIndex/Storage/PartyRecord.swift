/// A contact or company as stored: 48 bytes, plus one word per phone key and per link.
///
/// Its words, in order: phone keys, active leads, other leads, open customers, other customers,
/// related parties (a contact's company, or a company's contacts); each part sorted. Keeping
/// active leads and open customers apart is what makes the decision O(1): their counts are
/// stored, and when a count is 1 the id is the first word of its part.
///
/// This file is the layout's one writer, ``encode(id:createdAt:isDeleted:keys:ids:into:)``,
/// which the change batches (``PartyState``) and the bulk build both call, and its readers: the
/// parts' ranges and ``postingPayload(words:)``.
struct PartyRecord: SlabRecord {
    var id: Int
    var createdAt: Int
    var poolStart: UInt32 = 0
    var keyCount: UInt32
    var activeLeadCount: UInt32
    var otherLeadCount: UInt32
    var openCustomerCount: UInt32
    var otherCustomerCount: UInt32
    var relatedCount: UInt32
    var flags: UInt32

    static let deletedFlag: UInt32 = 1

    var isDeleted: Bool { flags & Self.deletedFlag != 0 }

    var poolCount: Int {
        Int(keyCount) + Int(activeLeadCount) + Int(otherLeadCount) + Int(openCustomerCount)
            + Int(otherCustomerCount) + Int(relatedCount)
    }

    /// The parts of a contact's or company's words after its keys, in their order: lists of ids.
    enum Part {
        /// Its active leads (``Lead/isActive``).
        case activeLeads
        /// Its other leads.
        case otherLeads
        /// Its open customers (``Customer/isOpen(closedStatuses:)``).
        case openCustomers
        /// Its other customers.
        case otherCustomers
        /// A contact's company (at most one), or a company's contacts.
        case related
    }

    /// Writes a contact's or company's words at the end of `pool` and returns its record.
    ///
    /// The caller hands the ids over by calling `write`, not as sequences: the bulk build's filtered
    /// and mapped lazy sequences kept closures and array slices in their iterators, and their
    /// retains and releases took the build of 100K contacts from 220 to 290 ms.
    ///
    /// - Parameters:
    ///   - keys: Its phone keys, sorted, each once.
    ///   - ids: Calls `write` with every id of a part, in increasing order, each once.
    @inline(__always)
    static func encode(
        id: Int, createdAt: Int, isDeleted: Bool, keys: some Sequence<UInt64>,
        ids: (_ part: Part, _ write: (Int) -> Void) -> Void, into pool: inout ContiguousArray<UInt64>
    ) -> PartyRecord {
        let start = pool.count
        pool.append(contentsOf: keys)
        let keyCount = UInt32(pool.count - start)
        func write(_ part: Part) -> UInt32 {
            let before = pool.count
            ids(part) { pool.append(UInt64(UInt(bitPattern: $0))) }
            return UInt32(pool.count - before)
        }
        let active = write(.activeLeads)
        let other = write(.otherLeads)
        let open = write(.openCustomers)
        let closed = write(.otherCustomers)
        let related = write(.related)
        return PartyRecord(
            id: id, createdAt: createdAt, poolStart: UInt32(start), keyCount: keyCount, activeLeadCount: active,
            otherLeadCount: other, openCustomerCount: open, otherCustomerCount: closed, relatedCount: related,
            flags: isDeleted ? Self.deletedFlag : 0)
    }

    // MARK: Reading

    /// Where each part is among the record's words.
    var keyRange: Range<Int> { 0..<Int(keyCount) }
    var activeLeadRange: Range<Int> { Self.range(after: keyRange, count: activeLeadCount) }
    var otherLeadRange: Range<Int> { Self.range(after: activeLeadRange, count: otherLeadCount) }
    var openCustomerRange: Range<Int> { Self.range(after: otherLeadRange, count: openCustomerCount) }
    var otherCustomerRange: Range<Int> { Self.range(after: openCustomerRange, count: otherCustomerCount) }
    var relatedRange: Range<Int> { Self.range(after: otherCustomerRange, count: relatedCount) }

    @inline(__always)
    private static func range(after previous: Range<Int>, count: UInt32) -> Range<Int> {
        previous.upperBound..<previous.upperBound + Int(count)
    }

    /// What this party's postings carry besides their key (``PostingPayload``), or nil when it has
    /// none; read from its words.
    ///
    /// - Parameter words: The record's words, the first at `words.startIndex`: in a slab
    ///   (``SlabEntry/words``), or in the pool it was just encoded into.
    @inline(__always)
    func postingPayload<Words: RandomAccessCollection<UInt64>>(words: Words) -> PostingPayload?
    where Words.Index == Int {
        func ids(_ range: Range<Int>) -> LazyMapSequence<Words.SubSequence, Int> {
            words[(words.startIndex + range.lowerBound)..<(words.startIndex + range.upperBound)].lazy.map {
                Int(bitPattern: UInt($0))
            }
        }
        return PostingPayload(
            createdAt: createdAt, isDeleted: isDeleted, keyCount: Int(keyCount), activeLeads: ids(activeLeadRange),
            openCustomers: ids(openCustomerRange))
    }
}

extension SlabEntry where Record == PartyRecord {
    /// The postings of this party as stored: one per key, none when deleted.
    func postings(_ owner: PartyID) -> [Posting] {
        let words = self.words
        guard let payload = record.postingPayload(words: words) else { return [] }
        return record.keyRange.map { payload.posting(words[words.startIndex + $0], owner) }
    }
}
