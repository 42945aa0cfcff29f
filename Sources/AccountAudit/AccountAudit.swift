import AccountIndex
import PhoneNumbers

/// The audit of an account's phone numbers: which calls will pop the wrong card, and why.
///
/// Made by ``AccountAuditor/finish()`` (or ``init(data:names:options:)``). Each finding names the
/// entities and the raw values; the lists are sorted by how many calls a finding can affect, the
/// worst first. ``json()``, ``text(limit:)`` and ``html(limit:)`` render it (docs/audit.md).
public struct AccountAudit: Sendable {
    public let settings: AccountSettings
    public let options: AuditOptions
    public let summary: AuditSummary
    let tables: Tables

    /// Numbers held by two or more live contacts or companies (switchboards excepted), the most
    /// holders first.
    public var duplicates: [DuplicateNumber] { duplicates(limit: .max) }
    /// Numbers held by ``AuditOptions/sharedNumberMinimum`` or more live entities of one company.
    public var sharedNumbers: [SharedNumber] { sharedNumbers(limit: .max) }
    /// Distinct numbers equal on their last digits, for each of ``AuditOptions/suffixDigits``.
    public var suffixCollisions: [SuffixCollision] { suffixCollisions(limit: .max) }

    /// The first `limit` ``duplicates``: each is made when asked for, so that the report of a
    /// big account holds compact records only.
    public func duplicates(limit: Int) -> [DuplicateNumber] {
        tables.duplicateRecords.prefix(limit).map { record in
            let group = makeGroup(record)
            return DuplicateNumber(
                e164: group.e164, entities: group.entities, decision: group.decision, rule: group.rule)
        }
    }

    public func sharedNumbers(limit: Int) -> [SharedNumber] {
        tables.sharedRecords.prefix(limit).map { record in
            let group = makeGroup(record)
            return SharedNumber(
                e164: group.e164, companyID: record.company ?? 0, entities: group.entities, decision: group.decision,
                rule: group.rule)
        }
    }

    public func suffixCollisions(limit: Int) -> [SuffixCollision] {
        tables.collisionRecords.prefix(limit).map(makeCollision)
    }

    /// A number's holders: a range of the postings, sorted by key.
    struct GroupRecord: Sendable {
        var range: Range<Int>
        /// The switchboard's company; nil for a duplicate.
        var company: Int?
    }

    struct CollisionRecord: Sendable {
        var digits: Int
        var suffix: UInt64
        /// In `collisionStarts`: the first posting of each number.
        var starts: Range<Int>
        var holders: Int
    }

    /// The entities of a group in amoCRM's order, and the decision a call makes: the same
    /// function `resolve` asks, over the same candidates.
    func makeGroup(_ record: GroupRecord) -> (
        e164: String, entities: [AuditEntity], decision: CallTargetDecision, rule: ChoiceRule
    ) {
        let key = PhoneKey(rawValue: tables.postings[record.range.lowerBound].key)
        var candidates: [Candidate] = []
        var entities: [EntityRef: AuditEntity] = [:]
        for posting in tables.postings[record.range] {
            let party = Int(posting.party)
            let leads = Array(Set(tables.leads[posting.party] ?? [])).sorted()
            let customers = Array(Set(tables.customers[posting.party] ?? [])).sorted()
            let ref = tables.partyRefs[party]
            candidates.append(
                Candidate(
                    entity: ref, createdAt: tables.partyCreatedAt[party], matchedNumber: key,
                    links: LinkedEntities(activeLeads: leads, openCustomers: customers)))
            var entity = self.entity(party)
            entity.values = [tables.values[Int(posting.value)]]
            entity.activeLeads = leads
            entity.openCustomers = customers
            entities[ref] = entity
        }
        let decision = CallTargetDecision(
            callerNumber: key.number, matchLevel: .exact, candidates: candidates,
            customersEnabled: settings.customersEnabled)
        let ordered = decision.candidates
        let rule = ordered.count > 1 ? ChoiceRule.between(ordered[0], ordered[1]) : .smallestID
        return (key.e164, ordered.compactMap { entities[$0.entity] }, decision, rule)
    }

    func makeCollision(_ record: CollisionRecord) -> SuffixCollision {
        var numbers: [String] = []
        var entities: [AuditEntity] = []
        let postings = tables.postings
        for start in tables.collisionStarts[record.starts] {
            let key = postings[start].key
            numbers.append(PhoneKey(rawValue: key).e164)
            var p = start
            while p < postings.count && postings[p].key == key {
                var entity = self.entity(Int(postings[p].party))
                entity.values = [tables.values[Int(postings[p].value)]]
                entities.append(entity)
                p += 1
            }
        }
        var suffix = String(record.suffix)
        if suffix.count < record.digits {
            suffix = String(repeating: "0", count: record.digits - suffix.count) + suffix
        }
        return SuffixCollision(digits: record.digits, suffix: suffix, numbers: numbers, entities: entities)
    }

    /// What the per-value findings are made from when they are read.
    struct Tables: Sendable {
        var partyRefs: PartyRefs
        var partyCreatedAt: CompactIntegers
        var names: TextArena
        var partyHasName: [Bool]
        var values: TextArena
        var valueParty: [UInt32]
        var errorNames: [String]
        var records: [ValueRecord]
        var hints: [UInt32: UInt64]
        /// Sorted by key.
        var postings: [Posting]
        /// The active leads and open customers of the parties of groups.
        var leads: [UInt32: [Int]]
        var customers: [UInt32: [Int]]
        var duplicateRecords: [GroupRecord]
        var sharedRecords: [GroupRecord]
        var collisionRecords: [CollisionRecord]
        var collisionStarts: [Int]

        /// The key of the value read as another country's number, if it reads as one.
        func hint(of record: ValueRecord) -> UInt64? {
            record.hasHint ? hints[record.value] : nil
        }
    }

    /// Values that hold no number at all (libphonenumber's error).
    public var unparseable: [ValueFinding] { valueFindings(.unparseable) }
    /// Values whose number parses but is not valid: the E.164 it would be, and why not.
    public var invalid: [ValueFinding] { valueFindings(.invalid) }
    /// Values written without `+` or an international prefix, read with the account's country.
    public var noCountryCode: [ValueFinding] { valueFindings(.noCountryCode) }
    /// Short numbers and service codes stored as phones (`112`, `900`).
    public var shortNumbers: [ValueFinding] { valueFindings(.shortNumber) }
    /// Values that hold several numbers.
    public var multiNumberFields: [ValueFinding] { valueFindings(.multiNumberField) }

    /// The findings of one kind about single values, worst first: the first `limit` of them.
    ///
    /// - Complexity: O(n log n) in the findings of that kind; the strings are made here, for the
    ///   `limit` returned only.
    public func valueFindings(_ kind: ValueFinding.Kind, limit: Int = .max) -> [ValueFinding] {
        sortedRecords(kind).prefix(limit).map(makeFinding)
    }

    /// Calls `body` with each finding of one kind, worst first, making one at a time: a million
    /// findings are never held at once.
    public func forEachValueFinding(_ kind: ValueFinding.Kind, _ body: (ValueFinding) throws -> Void) rethrows {
        for record in sortedRecords(kind) { try body(makeFinding(record)) }
    }

    func sortedRecords(_ kind: ValueFinding.Kind) -> [ValueRecord] {
        sortedIndices(kind).map { tables.records[Int($0)] }
    }

    /// The indices in `tables.records` of the findings of one kind, worst first.
    func sortedIndices(_ kind: ValueFinding.Kind) -> [UInt32] {
        let records = tables.records
        var indices: [UInt32] = []
        for index in records.indices where records[index].kind == kind { indices.append(UInt32(index)) }
        let refs = tables.partyRefs
        let valueParty = tables.valueParty
        indices.sort { ia, ib in
            let a = records[Int(ia)]
            let b = records[Int(ib)]
            // Those with a likely intended foreign number first (a call from it goes astray), then
            // several numbers by count; then by entity and value.
            if a.hasHint != b.hasHint { return a.hasHint }
            if kind == .multiNumberField && a.code != b.code { return a.code > b.code }
            let ra = refs[Int(valueParty[Int(a.value)])]
            let rb = refs[Int(valueParty[Int(b.value)])]
            if ra != rb { return ra < rb }
            return a.value < b.value
        }
        return indices
    }

    func makeFinding(_ record: ValueRecord) -> ValueFinding {
        let text = tables.values[Int(record.value)]
        let party = Int(tables.valueParty[Int(record.value)])
        let key = record.key == 0 ? nil : PhoneKey(rawValue: record.key)
        var finding = ValueFinding(kind: record.kind, entity: entity(party), value: text, e164: key?.e164)
        if let hint = tables.hint(of: record) { finding.asInternational = PhoneKey(rawValue: hint).e164 }
        switch record.kind.code {
        case .unparseable: finding.error = tables.errorNames[Int(record.code)]
        case .invalid:
            let reason = PhoneNumber.PossibleLength.allCases[Int(record.code)]
            finding.reason =
                reason == .isPossible || reason == .isPossibleLocalOnly ? "NO_SUCH_RANGE" : reason.rawValue
        case .shortNumber: finding.emergency = record.code == 1
        case .multiNumberField:
            finding.numbers = PhoneKey.keys(inStoredValue: text, defaultRegion: settings.defaultRegion).map(\.e164)
        case .noCountryCode: break
        }
        return finding
    }

    /// The entity of a party, without values or links.
    func entity(_ party: Int) -> AuditEntity {
        let ref = tables.partyRefs[party]
        return AuditEntity(
            ref: ref, name: tables.partyHasName[party] ? tables.names[party] : nil, link: options.link(to: ref),
            createdAt: tables.partyCreatedAt[party])
    }
}

/// A contact or company named in a finding.
public struct AuditEntity: Hashable, Sendable {
    public var ref: EntityRef
    public var name: String?
    /// Its page in amoCRM, when the subdomain is known.
    public var link: String?
    public var createdAt: Int
    /// The raw values that hold the finding's number (for number findings).
    public var values: [String] = []
    /// Its active leads and open customers (for duplicates and shared numbers): what a call
    /// decides on, and what the other holders' calls never reach.
    public var activeLeads: [Int] = []
    public var openCustomers: [Int] = []
}

/// A number that several live contacts or companies hold: a call pops only ``chosen``.
public struct DuplicateNumber: Hashable, Sendable {
    public var e164: String
    /// In amoCRM's order: the chosen one first.
    public var entities: [AuditEntity]
    /// What a call from the number shows today: `CallTargetDecision`'s answer, as `resolve` gives it.
    public var decision: CallTargetDecision
    /// Which criterion of amoCRM's order put the chosen entity first.
    public var rule: ChoiceRule

    public var chosen: EntityRef { entities[0].ref }
}

/// A switchboard: one company's number on the company and its contacts.
public struct SharedNumber: Hashable, Sendable {
    public var e164: String
    public var companyID: Int
    public var entities: [AuditEntity]
    public var decision: CallTargetDecision
    public var rule: ChoiceRule

    public var chosen: EntityRef { entities[0].ref }
}

/// Which criterion of amoCRM's candidate order decided between the first two holders of a number.
public struct ChoiceRule: Hashable, Sendable, CustomStringConvertible {
    /// `contact_before_company`, `oldest` or `smallest_id`.
    public let name: String

    public static let contactBeforeCompany = ChoiceRule(name: "contact_before_company")
    public static let oldest = ChoiceRule(name: "oldest")
    public static let smallestID = ChoiceRule(name: "smallest_id")

    /// The criterion that orders `first` before `second` in amoCRM's order.
    static func between(_ first: Candidate, _ second: Candidate) -> ChoiceRule {
        if first.entity.kind != second.entity.kind { return .contactBeforeCompany }
        if first.createdAt != second.createdAt { return .oldest }
        return .smallestID
    }

    public var description: String {
        switch name {
        case "contact_before_company": "contact before company"
        case "oldest": "the oldest"
        default: "the smallest id"
        }
    }
}

/// Distinct numbers with the same last ``digits`` digits: amoCRM's last-digits matching cannot
/// tell them apart.
public struct SuffixCollision: Hashable, Sendable {
    public var digits: Int
    /// The shared last digits.
    public var suffix: String
    public var numbers: [String]
    /// Every holder of those numbers, with the values that hold them.
    public var entities: [AuditEntity]
}

/// A finding about one stored phone value.
public struct ValueFinding: Hashable, Sendable {
    /// What is wrong with the value. New kinds may be added.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        enum Code: UInt8, Hashable, Sendable, CaseIterable {
            case unparseable, invalid, noCountryCode, shortNumber, multiNumberField
        }
        let code: Code

        public static let unparseable = Kind(code: .unparseable)
        public static let invalid = Kind(code: .invalid)
        public static let noCountryCode = Kind(code: .noCountryCode)
        public static let shortNumber = Kind(code: .shortNumber)
        public static let multiNumberField = Kind(code: .multiNumberField)

        public static var allCases: [Kind] { Code.allCases.map { Kind(code: $0) } }

        /// The report's key: `unparseable`, `invalid`, `no_country_code`, `short_numbers`, `multi_number_fields`.
        public var key: String {
            switch code {
            case .unparseable: "unparseable"
            case .invalid: "invalid"
            case .noCountryCode: "no_country_code"
            case .shortNumber: "short_numbers"
            case .multiNumberField: "multi_number_fields"
            }
        }

        public var description: String {
            switch code {
            case .unparseable: "Unparseable values"
            case .invalid: "Invalid numbers"
            case .noCountryCode: "Numbers without a country code"
            case .shortNumber: "Short and service numbers"
            case .multiNumberField: "Several numbers in one field"
            }
        }
    }

    public var kind: Kind
    public var entity: AuditEntity
    /// The value as stored.
    public var value: String
    /// The number as the index keys it (nil for unparseable values and several numbers).
    public var e164: String?
    /// Unparseable: libphonenumber's error (`NOT_A_NUMBER`, `TOO_SHORT_NSN`...).
    public var error: String?
    /// Invalid: `TOO_SHORT`, `TOO_LONG`, `INVALID_LENGTH`, `INVALID_COUNTRY_CODE`, or
    /// `NO_SUCH_RANGE` (a possible length, but in no range of the country's numbering plan).
    public var reason: String?
    /// The value's digits read as an international number, when that is a valid number of another
    /// country: probably the number meant.
    public var asInternational: String?
    /// Several numbers: each, in E.164.
    public var numbers: [String] = []
    /// Short numbers: an emergency number of the account's country.
    public var emergency = false
}

/// The account at a glance.
public struct AuditSummary: Sendable {
    /// How a call from each stored number would be found, if every one called once: `exact` for a
    /// valid number (or a short one), `suffix` for a number that is not valid but long enough for
    /// the last-digits fallback (the caller's real number differs, its last digits may not),
    /// `none` for the rest and for values with no number.
    public struct Calls: Hashable, Sendable {
        public var exact = 0
        /// Of `exact`: numbers several entities hold, where the call pops one of them.
        public var exactAmongSeveral = 0
        public var suffix = 0
        public var none = 0

        public var total: Int { exact + suffix + none }
    }

    public var region: String?
    /// Live contacts and companies audited.
    public var contacts: Int
    public var companies: Int
    /// Deleted contacts and companies, skipped as the index skips them.
    public var deletedSkipped: Int
    /// Entities added after the links began, not audited (0 when fed in order).
    public var entitiesAddedLate: Int
    public var phoneValues: Int
    /// One per distinct number of each live contact and company: what the index holds.
    public var storedNumbers: Int
    public var distinctNumbers: Int
    /// Findings per report key (`duplicates`, `invalid`, ...); suffix collisions per length in
    /// ``suffixCollisions``.
    public var findings: [(key: String, count: Int)]
    public var suffixCollisions: [(digits: Int, count: Int)]
    /// Stored numbers by region (`RU`, `001`; `ZZ` when no region claims it), most first.
    public var byCountry: [(region: String, count: Int)]
    /// Stored numbers by libphonenumber's type name (`MOBILE`, `UNKNOWN` for invalid ones), most first.
    public var byType: [(type: String, count: Int)]
    public var calls: Calls

    /// The count of one finding's key.
    public func count(of key: String) -> Int { findings.first { $0.key == key }?.count ?? 0 }
}
