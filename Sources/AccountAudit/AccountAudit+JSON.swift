import AccountIndex
import PhoneNumbers
import ScreenPopJSON

extension AccountAudit {
    /// The report as one JSON object (docs/audit.md): `summary`, `duplicates`, `shared_numbers`,
    /// `suffix_collisions`, `unparseable`, `invalid`, `no_country_code`, `short_numbers`,
    /// `multi_number_fields`. Entities are `{"type", "id", ...}` with amoCRM's element types
    /// (1 contact, 3 company). Fields are only ever added.
    ///
    /// - Returns: UTF-8 bytes, ending with a newline.
    public func json() -> [UInt8] {
        var bytes: [UInt8] = []
        writeJSON { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// ``json()`` in pieces of a few mebibytes, handed to `sink` as they are made: the report of
    /// a big account (300 MB at a million contacts) is never held whole.
    public func writeJSON(_ sink: ([UInt8]) throws -> Void) rethrows {
        let plan = jsonPlan()
        for piece in plan.pieces.indices { try sink(render(piece, of: plan)) }
    }

    /// ``writeJSON(_:)`` on every core: a few pieces are made at once, and handed to `sink` in
    /// order. The same bytes.
    public func writeJSON(concurrently sink: ([UInt8]) throws -> Void) async throws {
        let plan = jsonPlan()
        let count = plan.pieces.count
        // Pieces in flight or waiting their turn: enough for two cores, few enough for memory.
        let window = 6
        try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
            var started = 0
            var written = 0
            var done: [Int: [UInt8]] = [:]
            func start() {
                let index = started
                group.addTask { (index, render(index, of: plan)) }
                started += 1
            }
            while started < min(window, count) { start() }
            while let (index, bytes) = try await group.next() {
                done[index] = bytes
                while let next = done.removeValue(forKey: written) {
                    try sink(next)
                    written += 1
                    if started < count { start() }
                }
            }
        }
    }

    /// The report cut into pieces that can be made independently: the text between the arrays,
    /// and runs of each array's elements.
    struct JSONPlan: Sendable {
        enum Piece: Sendable {
            case literal([UInt8])
            case duplicates(Range<Int>)
            case shared(Range<Int>)
            case collisions(Range<Int>)
            /// A run of `order[kind]`.
            case values(Int, Range<Int>)
        }
        var pieces: [Piece] = []
        /// Per kind of value finding, the indices of its records in the report's order.
        var order: [[UInt32]] = []
    }

    func jsonPlan() -> JSONPlan {
        var plan = JSONPlan()
        var head = JSONWriter(separators: .spaced, capacity: 1 << 12)
        head.beginObject()
        head.key("summary")
        writeSummary(to: &head)
        head.bytes.append(contentsOf: ", \"duplicates\": [".utf8)
        plan.pieces.append(.literal(head.bytes))
        func runs(_ count: Int, size: Int, _ piece: (Range<Int>) -> JSONPlan.Piece) {
            var start = 0
            while start < count {
                let end = min(start + size, count)
                plan.pieces.append(piece(start..<end))
                start = end
            }
        }
        runs(tables.duplicateRecords.count, size: 1024) { .duplicates($0) }
        plan.pieces.append(.literal(Array("], \"shared_numbers\": [".utf8)))
        runs(tables.sharedRecords.count, size: 1024) { .shared($0) }
        plan.pieces.append(.literal(Array("], \"suffix_collisions\": [".utf8)))
        runs(tables.collisionRecords.count, size: 1024) { .collisions($0) }
        for (index, kind) in ValueFinding.Kind.allCases.enumerated() {
            plan.pieces.append(.literal(Array("], \"\(kind.key)\": [".utf8)))
            let order = sortedIndices(kind)
            plan.order.append(order)
            runs(order.count, size: 8192) { .values(index, $0) }
        }
        plan.pieces.append(.literal(Array("]}\n".utf8)))
        return plan
    }

    /// One piece's bytes; a run that does not start its array starts with the comma.
    func render(_ index: Int, of plan: JSONPlan) -> [UInt8] {
        var json = JSONWriter(separators: .spaced, capacity: 1 << 20)
        func separate(_ range: Range<Int>) {
            if range.lowerBound > 0 { json.bytes.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")]) }
        }
        switch plan.pieces[index] {
        case .literal(let bytes):
            return bytes
        case .duplicates(let range):
            separate(range)
            for record in tables.duplicateRecords[range] {
                let group = makeGroup(record)
                json.beginObject()
                json.key("e164")
                json.string(group.e164)
                writeGroup(group.entities, group.decision, group.rule, to: &json)
                json.endObject()
            }
        case .shared(let range):
            separate(range)
            for record in tables.sharedRecords[range] {
                let group = makeGroup(record)
                json.beginObject()
                json.key("e164")
                json.string(group.e164)
                json.key("company")
                Self.writeRef(.company(record.company ?? 0), to: &json)
                writeGroup(group.entities, group.decision, group.rule, to: &json)
                json.endObject()
            }
        case .collisions(let range):
            separate(range)
            for record in tables.collisionRecords[range] {
                let collision = makeCollision(record)
                json.beginObject()
                json.key("digits")
                json.integer(collision.digits)
                json.key("suffix")
                json.string(collision.suffix)
                json.key("numbers")
                json.beginArray()
                for number in collision.numbers { json.string(number) }
                json.endArray()
                json.key("entities")
                json.beginArray()
                for entity in collision.entities { Self.writeEntity(entity, to: &json) }
                json.endArray()
                json.endObject()
            }
        case .values(let kind, let range):
            separate(range)
            var writer = FindingWriter(audit: self)
            let order = plan.order[kind]
            for position in range {
                if position != range.lowerBound {
                    json.bytes.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")])
                }
                writer.write(tables.records[Int(order[position])], to: &json.bytes)
            }
        }
        return json.bytes
    }

    func writeSummary(to json: inout JSONWriter) {
        let s = summary
        json.beginObject()
        json.key("region")
        json.string(orNull: s.region)
        json.key("contacts")
        json.integer(s.contacts)
        json.key("companies")
        json.integer(s.companies)
        json.key("deleted_skipped")
        json.integer(s.deletedSkipped)
        json.key("entities_added_late")
        json.integer(s.entitiesAddedLate)
        json.key("phone_values")
        json.integer(s.phoneValues)
        json.key("stored_numbers")
        json.integer(s.storedNumbers)
        json.key("distinct_numbers")
        json.integer(s.distinctNumbers)
        json.key("findings")
        json.beginObject()
        for (key, count) in s.findings {
            json.key(key)
            json.integer(count)
        }
        json.endObject()
        json.key("suffix_collisions_by_digits")
        json.beginObject()
        for (digits, count) in s.suffixCollisions {
            json.key(String(digits))
            json.integer(count)
        }
        json.endObject()
        json.key("by_country")
        json.beginObject()
        for (region, count) in s.byCountry {
            json.key(region)
            json.integer(count)
        }
        json.endObject()
        json.key("by_type")
        json.beginObject()
        for (type, count) in s.byType {
            json.key(type)
            json.integer(count)
        }
        json.endObject()
        json.key("calls")
        json.beginObject()
        json.key("exact")
        json.integer(s.calls.exact)
        json.key("exact_among_several")
        json.integer(s.calls.exactAmongSeveral)
        json.key("suffix")
        json.integer(s.calls.suffix)
        json.key("none")
        json.integer(s.calls.none)
        json.key("total")
        json.integer(s.calls.total)
        json.endObject()
        json.key("suffix_fallback")
        json.beginObject()
        json.key("enabled")
        json.bool(settings.suffixFallback.isEnabled)
        json.key("digits")
        json.integer(settings.suffixFallback.digits)
        json.endObject()
        json.endObject()
    }

    /// The members a duplicate and a shared number have in common.
    func writeGroup(
        _ entities: [AuditEntity], _ decision: CallTargetDecision, _ rule: ChoiceRule, to json: inout JSONWriter
    ) {
        json.key("entities")
        json.beginArray()
        for entity in entities { Self.writeEntity(entity, to: &json) }
        json.endArray()
        json.key("chosen")
        Self.writeRef(entities[0].ref, to: &json)
        json.key("rule")
        json.string(rule.name)
        json.key("action")
        json.string(decision.target.action.rawValue)
        json.key("element_type")
        json.integer(orNull: decision.elementType)
        json.key("element_id")
        json.integer(orNull: decision.elementID)
        json.key("decision_rule")
        json.string(decision.reason.rule.name)
        json.key("reason")
        json.string(decision.explanation(callerE164: nil))
    }

    static func writeRef(_ ref: EntityRef, to json: inout JSONWriter) {
        json.beginObject()
        json.key("type")
        json.integer(ref.kind.elementType)
        json.key("id")
        json.integer(ref.id)
        json.endObject()
    }

    static func writeEntity(_ entity: AuditEntity, to json: inout JSONWriter) {
        json.beginObject()
        json.key("type")
        json.integer(entity.ref.kind.elementType)
        json.key("id")
        json.integer(entity.ref.id)
        json.key("name")
        json.string(orNull: entity.name)
        json.key("link")
        json.string(orNull: entity.link)
        json.key("created_at")
        json.integer(entity.createdAt)
        if !entity.values.isEmpty {
            json.key("values")
            json.beginArray()
            for value in entity.values { json.string(value) }
            json.endArray()
        }
        json.key("active_leads")
        json.beginArray()
        for id in entity.activeLeads { json.integer(id) }
        json.endArray()
        json.key("open_customers")
        json.beginArray()
        for id in entity.openCustomers { json.integer(id) }
        json.endArray()
        json.endObject()
    }

    static func writeFinding(_ finding: ValueFinding, to json: inout JSONWriter) {
        json.beginObject()
        json.key("entity")
        var entity = finding.entity
        entity.activeLeads = []
        entity.openCustomers = []
        json.beginObject()
        json.key("type")
        json.integer(entity.ref.kind.elementType)
        json.key("id")
        json.integer(entity.ref.id)
        json.key("name")
        json.string(orNull: entity.name)
        json.key("link")
        json.string(orNull: entity.link)
        json.endObject()
        json.key("value")
        json.string(finding.value)
        switch finding.kind {
        case .unparseable:
            json.key("error")
            json.string(orNull: finding.error)
        case .invalid:
            json.key("e164")
            json.string(orNull: finding.e164)
            json.key("reason")
            json.string(orNull: finding.reason)
            json.key("as_international")
            json.string(orNull: finding.asInternational)
        case .noCountryCode:
            json.key("e164")
            json.string(orNull: finding.e164)
            json.key("as_international")
            json.string(orNull: finding.asInternational)
        case .shortNumber:
            json.key("e164")
            json.string(orNull: finding.e164)
            json.key("emergency")
            json.bool(finding.emergency)
        default:
            json.key("numbers")
            json.beginArray()
            for number in finding.numbers { json.string(number) }
            json.endArray()
        }
        json.endObject()
    }
}

/// Writes a value finding's JSON straight from the audit's tables: the bytes of
/// ``AccountAudit/writeFinding(_:to:)``, without a string made per value.
struct FindingWriter {
    let audit: AccountAudit
    /// `"https://SUBDOMAIN.amocrm.ru/contacts/detail/` and the companies' (nil without links).
    let contactLink: [UInt8]?
    let companyLink: [UInt8]?

    init(audit: AccountAudit) {
        self.audit = audit
        func prefix(_ ref: EntityRef) -> [UInt8]? {
            // The link of id 0 without its "0": the prefix every id follows.
            guard let link = audit.options.link(to: ref) else { return nil }
            return [UInt8(ascii: "\"")] + Array(link.utf8.dropLast())
        }
        contactLink = prefix(.contact(0))
        companyLink = prefix(.company(0))
    }

    mutating func write(_ record: ValueRecord, to out: inout [UInt8]) {
        let tables = audit.tables
        guard record.kind != .multiNumberField else {
            // Rare, and its numbers are read again from the text: the general way.
            var json = JSONWriter(separators: .spaced)
            AccountAudit.writeFinding(audit.makeFinding(record), to: &json)
            return out.append(contentsOf: json.bytes)
        }
        let party = Int(tables.valueParty[Int(record.value)])
        let ref = tables.partyRefs[party]
        out.append(contentsOf: #"{"entity": {"type": "#.utf8)
        Self.append(ref.kind.elementType, to: &out)
        out.append(contentsOf: #", "id": "#.utf8)
        Self.append(ref.id, to: &out)
        out.append(contentsOf: #", "name": "#.utf8)
        if tables.partyHasName[party] {
            tables.names.appendQuoted(party, to: &out)
        } else {
            out.append(contentsOf: "null".utf8)
        }
        out.append(contentsOf: #", "link": "#.utf8)
        let link = ref.kind == .contact ? contactLink : ref.kind == .company ? companyLink : nil
        if let link {
            out.append(contentsOf: link)
            Self.append(ref.id, to: &out)
            out.append(UInt8(ascii: "\""))
        } else if let other = audit.options.link(to: ref) {
            JSONWriter.appendQuoted(other, to: &out)
        } else {
            out.append(contentsOf: "null".utf8)
        }
        out.append(contentsOf: #"}, "value": "#.utf8)
        tables.values.appendQuoted(Int(record.value), to: &out)
        switch record.kind.code {
        case .unparseable:
            out.append(contentsOf: #", "error": "#.utf8)
            JSONWriter.appendQuoted(tables.errorNames[Int(record.code)], to: &out)
        case .invalid:
            appendE164(record.key, to: &out)
            out.append(contentsOf: #", "reason": "#.utf8)
            let reason = PhoneNumber.PossibleLength.allCases[Int(record.code)]
            JSONWriter.appendQuoted(
                reason == .isPossible || reason == .isPossibleLocalOnly ? "NO_SUCH_RANGE" : reason.rawValue, to: &out)
            appendHint(tables.hint(of: record) ?? 0, to: &out)
        case .noCountryCode:
            appendE164(record.key, to: &out)
            appendHint(tables.hint(of: record) ?? 0, to: &out)
        case .shortNumber:
            appendE164(record.key, to: &out)
            out.append(contentsOf: (record.code == 1 ? #", "emergency": true"# : #", "emergency": false"#).utf8)
        case .multiNumberField:
            break
        }
        out.append(UInt8(ascii: "}"))
    }

    func appendE164(_ key: UInt64, to out: inout [UInt8]) {
        out.append(contentsOf: #", "e164": "#.utf8)
        appendKey(key, to: &out)
    }

    func appendHint(_ key: UInt64, to out: inout [UInt8]) {
        out.append(contentsOf: #", "as_international": "#.utf8)
        appendKey(key, to: &out)
    }

    func appendKey(_ key: UInt64, to out: inout [UInt8]) {
        if key == 0 {
            out.append(contentsOf: "null".utf8)
        } else {
            // `+` and digits: nothing to escape.
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: PhoneKey(rawValue: key).e164.utf8)
            out.append(UInt8(ascii: "\""))
        }
    }

    static func append(_ number: Int, to out: inout [UInt8]) {
        out.append(contentsOf: String(number).utf8)
    }
}
