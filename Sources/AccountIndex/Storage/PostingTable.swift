/// Every stored number of the account: postings grouped in slabs by the hash of their fallback
/// bucket (``PhoneKey/bucket(suffixDigits:)``), so that one slab holds every exact and every
/// last-digits match of a number. Within a slab, postings are sorted by key, then owner.
struct PostingTable: Sendable {
    private(set) var slabs: SlabDirectory
    private(set) var count: Int = 0
    /// The fallback's digit count; fixed for the table's life.
    let suffixDigits: Int
    /// 10^suffixDigits, for ``PhoneKey/bucket(suffixDigits:modulus:)``.
    let suffixModulus: UInt64

    init(suffixDigits: Int, bits: Int = 0) {
        self.suffixDigits = suffixDigits
        suffixModulus = PhoneKey.powerOfTen(suffixDigits)
        slabs = SlabDirectory(bits: bits)
    }

    var bits: Int { slabs.bits }

    @inline(__always)
    func bucket(of key: PhoneKey) -> PhoneKey { key.bucket(suffixDigits: suffixDigits, modulus: suffixModulus) }

    @inline(__always)
    func slabNumber(of key: PhoneKey) -> UInt32 { slabHash(bucket(of: key).rawValue, bits: slabs.bits) }

    /// The slab that holds every match of `key`.
    @inline(__always)
    func slab(for key: PhoneKey) -> PostingSlab? { slab(slabNumber(of: key)) }

    @inline(__always)
    func slab(_ number: UInt32) -> PostingSlab? { slabs[number].map { PostingSlab(Slab(base: $0)) } }

    /// Starts loading the directory entry of the slab that the number in `text` (UTF-8) most
    /// likely lands in, so that it is in the cache when the lookup comes, after the text is parsed.
    ///
    /// The guess is the bucket of the text's last ``suffixDigits`` ASCII digits, which are the
    /// number's last digits however it is written, unless the text ends in an extension or the
    /// number is shorter; a wrong guess costs one cache line and nothing else.
    @inline(__always)
    func prefetchSlabEntry(forCallerText text: UnsafeBufferPointer<UInt8>) {
        guard count > 0 else { return }
        var value: UInt64 = 0
        var scale: UInt64 = 1
        var digits = 0
        for byte in text.reversed() where byte &- UInt8(ascii: "0") < 10 {
            value &+= UInt64(byte &- UInt8(ascii: "0")) &* scale
            scale &*= 10
            digits += 1
            if digits == suffixDigits { break }
        }
        guard digits == suffixDigits else { return }
        slabs.prefetchEntry(slabHash(PhoneKey(digitCount: digits, value: value).rawValue, bits: slabs.bits))
    }

    /// Puts a slab built elsewhere (the bulk builder) in an empty place.
    mutating func install(_ slab: PostingSlab, at number: UInt32, _ context: inout WriteContext) {
        count += slab.count
        let old = slabs.set(number, to: slab.slab.base, &context)
        precondition(old == nil, "install over a slab")
    }

    /// Removes and adds postings; each touched slab is rebuilt once.
    mutating func commit(removing removals: [Posting], adding additions: [Posting], _ context: inout WriteContext) {
        guard !removals.isEmpty || !additions.isEmpty else { return }
        let wanted = slabBits(forCount: count + additions.count)
        if wanted > bits + 1 || (count == 0 && wanted != bits) { rebucket(bits: wanted, &context) }
        // Removals and additions grouped by slab, each group in posting order.
        var remove = removals.map { (slab: slabNumber(of: $0.key), posting: $0) }
        var add = additions.map { (slab: slabNumber(of: $0.key), posting: $0) }
        func precedes(_ a: (slab: UInt32, posting: Posting), _ b: (slab: UInt32, posting: Posting)) -> Bool {
            a.slab != b.slab ? a.slab < b.slab : Posting.precedes(a.posting, b.posting)
        }
        remove.sort(by: precedes)
        add.sort(by: precedes)
        var result = ContiguousArray<Posting>()
        result.reserveCapacity(64)
        var r = 0
        var a = 0
        while r < remove.count || a < add.count {
            let number =
                r == remove.count ? add[a].slab : (a == add.count ? remove[r].slab : min(remove[r].slab, add[a].slab))
            let old = slab(number)
            let oldCount = old?.count ?? 0
            result.removeAll(keepingCapacity: true)
            // Old without the removed (by key and owner), merged with the added; all sorted.
            var i = 0
            while i < oldCount || (a < add.count && add[a].slab == number) {
                let current = i < oldCount ? old!.posting(i) : nil
                if let current {
                    while r < remove.count && remove[r].slab == number && Posting.precedes(remove[r].posting, current) {
                        r += 1
                    }
                    if r < remove.count && remove[r].slab == number && remove[r].posting.sameSlot(current) {
                        i += 1
                        continue
                    }
                }
                let next: Posting
                if !(a < add.count && add[a].slab == number)
                    || (current != nil && Posting.precedes(current!, add[a].posting))
                {
                    next = current!
                    i += 1
                } else {
                    next = add[a].posting
                    a += 1
                    if let current, current.sameSlot(next) { i += 1 }
                }
                if let last = result.last, last.sameSlot(next) {
                    result[result.count - 1] = next
                } else {
                    result.append(next)
                }
            }
            while r < remove.count && remove[r].slab == number { r += 1 }
            count += result.count - oldCount
            let new = result.isEmpty ? nil : result.withUnsafeBufferPointer { PostingSlab.make(sorted: $0) }
            if let replaced = slabs.set(number, to: new?.slab.base, &context) { context.retired.append(replaced) }
        }
    }

    private mutating func rebucket(bits newBits: Int, _ context: inout WriteContext) {
        let old = slabs
        slabs = SlabDirectory(bits: newBits)
        old.allocations(into: &context.retired)
        guard count > 0 else { return }
        var entries: [(slab: UInt32, posting: Posting)] = []
        entries.reserveCapacity(count)
        old.forEach { base in
            let slab = PostingSlab(Slab(base: base))
            for i in 0..<slab.count {
                let posting = slab.posting(i)
                entries.append((slabNumber(of: posting.key), posting))
            }
        }
        entries.sort { $0.slab != $1.slab ? $0.slab < $1.slab : Posting.precedes($0.posting, $1.posting) }
        var postings = ContiguousArray<Posting>()
        var start = 0
        while start < entries.count {
            let number = entries[start].slab
            postings.removeAll(keepingCapacity: true)
            var end = start
            while end < entries.count && entries[end].slab == number {
                postings.append(entries[end].posting)
                end += 1
            }
            let slab = postings.withUnsafeBufferPointer { PostingSlab.make(sorted: $0) }
            _ = slabs.set(number, to: slab.slab.base, &context)
            start = end
        }
    }

    /// Calls `body` for every posting, in no particular order.
    func forEach(_ body: (Posting) throws -> Void) rethrows {
        try slabs.forEach { base in
            let slab = PostingSlab(Slab(base: base))
            for i in 0..<slab.count { try body(slab.posting(i)) }
        }
    }
}
