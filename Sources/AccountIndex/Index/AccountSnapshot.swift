import PhoneNumbers

/// One consistent state of an account's index. Immutable: readers can hold it as long as they
/// like, from any thread, while the index moves on.
///
/// ``AccountIndex/snapshot`` gives the latest; every ``AccountIndex/apply(_:)`` publishes a new one.
/// Several reads from one snapshot see the same state:
///
/// ```swift
/// let snapshot = index.snapshot
/// let first = snapshot.resolve(callerNumber: "+79998885533")
/// let again = snapshot.resolve(callerNumber: "+79998885533")   // the same, whatever was applied since
/// ```
public final class AccountSnapshot: Sendable {
    let state: IndexState
    /// How many batches had been applied when this snapshot was published (0 for a fresh build).
    public let version: UInt64
    /// Receives the memory that the next batch replaces; keeps it, and all retired later, alive
    /// while this snapshot lives (``RetiredMemory``).
    let retired: RetiredMemory

    init(state: IndexState, version: UInt64, reclaimer: Reclaimer) {
        self.state = state
        self.version = version
        retired = RetiredMemory(reclaimer: reclaimer)
    }

    /// The account's settings as of this snapshot.
    public var settings: AccountSettings { state.settings }

    /// How many contacts, companies, leads, customers and stored numbers the index holds.
    public var counts: Counts {
        Counts(
            contacts: state.contacts.count, companies: state.companies.count, leads: state.leads.count,
            customers: state.customers.count, phoneKeys: state.phones.count)
    }

    /// Sizes of the index's contents.
    public struct Counts: Hashable, Sendable {
        public let contacts: Int
        public let companies: Int
        public let leads: Int
        public let customers: Int
        /// Stored numbers: one per distinct number of each contact and company that is not deleted.
        public let phoneKeys: Int
    }
}

// MARK: - Resolving

extension AccountSnapshot {
    /// Resolves a call from the caller's number as a telephony integration sends it.
    ///
    /// The text is read with ``CallerID/lookupNumber(_:defaultRegion:)`` and the account's region
    /// (SIP and tel URIs, WhatsApp ids, national and international forms, junk around the digits);
    /// then ``resolve(_:options:)``. Text with no number in it resolves to
    /// ``CallTargetDecision/Target/createContact(e164:)`` with a nil number and the rule
    /// ``CallTargetDecision/Reason/Rule/unreadableNumber``.
    ///
    /// - Parameters:
    ///   - callerNumber: The `phone_number` of the call, in any format.
    ///   - options: Fallback and candidate policy.
    /// - Returns: The number as read and the decision.
    /// - Complexity: O(1) in the size of the account: one lookup of the number, one of each candidate.
    public func resolve(callerNumber: String, options: ResolveOptions = ResolveOptions()) -> Resolution {
        // One look at the bytes: on a large account the lookup's first read is a cache miss, so it
        // is started now, to overlap the parsing; and is the text a plain number?
        var text = callerNumber
        let isPlain = text.withUTF8 { bytes in
            state.phones.prefetchSlabEntry(forCallerText: bytes)
            return Self.isPlainNumber(bytes)
        }
        // Fast path for what PBXs send most, `+79998885533` or `79998885533`: CallerID would strip
        // nothing and strictly parse the text, so a valid result here is its answer too.
        if isPlain,
            let number = try? PhoneNumber(parsing: callerNumber, defaultRegion: state.settings.defaultRegion),
            number.isValid
        {
            return resolve(number, reading: .parsed, options: options)
        }
        let caller: CallerID.Result
        do {
            caller = try CallerID.lookupNumber(callerNumber, defaultRegion: state.settings.defaultRegion)
        } catch {
            let decision = CallTargetDecision(
                e164: nil, isReadable: false, matchLevel: .none, ordered: [],
                customersEnabled: state.settings.customersEnabled)
            return Resolution(callerNumber: nil, reading: nil, readError: error, decision: decision)
        }
        return resolve(caller.number, reading: caller.reading, options: options)
    }

    /// An optional `+` and 1 to 20 ASCII digits, nothing else.
    static func isPlainNumber(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { isPlainNumber($0) }
    }

    /// ``isPlainNumber(_:)`` of UTF-8 bytes: a pointer walk, where the string's own views would
    /// copy a small string to the stack for every byte.
    @inline(__always)
    static func isPlainNumber(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        var bytes = utf8[...]
        if bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        guard !bytes.isEmpty, bytes.count <= 20 else { return false }
        return bytes.allSatisfy { $0 &- UInt8(ascii: "0") < 10 }
    }

    /// Resolves a call from a number already parsed.
    ///
    /// Looks the number up by its E.164 form (the extension is ignored); when nothing matches and
    /// the fallback is on, by its last ``SuffixFallback/digits`` digits. The candidates are ordered
    /// by the policy and the first one's links decide (``CallTargetDecision``).
    ///
    /// - Complexity: O(1) in the size of the account; O(c log c) in the c candidates.
    public func resolve(_ number: PhoneNumber, options: ResolveOptions = ResolveOptions()) -> Resolution {
        resolve(number, reading: nil, options: options)
    }

    func resolve(_ number: PhoneNumber, reading: CallerID.Reading?, options: ResolveOptions) -> Resolution {
        let settings = state.settings
        var found = Found()
        let key = PhoneKey(number)
        if let key {
            found = lookup(
                key, fallback: options.suffixFallback ?? settings.suffixFallback.isEnabled, caller: number,
                region: settings.defaultRegion)
        }
        var chosen = found.first
        var others = found.others
        if !others.isEmpty {
            // Several: the policy's order. One (the common case) needs no array at all.
            var ordered = options.policy.sorted([found.first!] + others)
            chosen = ordered[0]
            ordered.removeFirst()
            others = ordered
        }
        let decision = CallTargetDecision(
            e164: key?.e164 ?? number.e164, isReadable: true, matchLevel: found.level, chosen: chosen,
            others: others, customersEnabled: settings.customersEnabled, suffixFallbackSkipped: found.skipped)
        return Resolution(callerNumber: number, reading: reading, readError: nil, decision: decision)
    }

    /// What a lookup found: the level and the candidates, in slab order.
    struct Found {
        var level = MatchLevel.none
        var first: Candidate? = nil
        var others: [Candidate] = []
        /// Set when the fallback was on but held back.
        var skipped: SuffixFallback.SkipReason? = nil

        mutating func append(_ candidate: Candidate) {
            if first == nil { first = candidate } else { others.append(candidate) }
        }

        func contains(_ entity: EntityRef) -> Bool {
            first?.entity == entity || others.contains { $0.entity == entity }
        }
    }

    /// The contacts and companies that have `key`, exactly or, failing that, by its last digits.
    ///
    /// Reads one directory path and one slab: the slab's keys (sorted) are scanned for `key`, and
    /// only the matching postings' payload is read. A caller's number that is a short number
    /// where it was dialled (`112`, `900`; ``SuffixFallback/isShortCaller(_:region:)`` with the
    /// account's region) takes no part in the fallback: an exact match still counts, but
    /// nothing is matched on its last digits, and `skipped` says why. That check runs only on the
    /// way to the fallback, so exact hits never pay for it.
    func lookup(_ key: PhoneKey, fallback: Bool, caller: PhoneNumber? = nil, region: String? = nil) -> Found {
        var found = Found()
        guard let slab = state.phones.slab(for: key) else { return found }
        slab.prefetch()
        let keys = slab.keys
        let raw = key.rawValue
        var i = 0
        while i < keys.count && keys[i] < raw { i += 1 }
        while i < keys.count && keys[i] == raw {
            found.append(Self.candidate(slab.posting(i)))
            i += 1
        }
        if found.first != nil {
            found.level = .exact
            return found
        }
        guard fallback else { return found }
        if let caller, SuffixFallback.isShortCaller(caller, region: region) {
            found.skipped = .shortNumber
            return found
        }
        let digits = state.phones.suffixDigits
        guard key.digitCount >= digits else { return found }
        let bucket = state.phones.bucket(of: key)
        for i in 0..<keys.count where state.phones.bucket(of: PhoneKey(rawValue: keys[i])) == bucket {
            let posting = slab.posting(i)
            if found.contains(posting.owner.ref) { continue }
            found.append(Self.candidate(posting))
        }
        if found.first != nil { found.level = .suffix(digits: digits) }
        return found
    }

    @inline(__always)
    static func candidate(_ posting: Posting) -> Candidate {
        Candidate(
            entity: posting.owner.ref, createdAt: posting.createdAt, matchedNumber: posting.key, links: posting.links)
    }
}
