import AccountIndex
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

    /// ``json()`` in pieces of about a mebibyte, handed to `sink` as they are made: the report of
    /// a big account (300 MB at a million contacts) is never held whole.
    public func writeJSON(_ sink: ([UInt8]) throws -> Void) rethrows {
        var json = JSONWriter(separators: .spaced, capacity: 1 << 21)
        func flushIfLarge() throws {
            guard json.bytes.count >= 1 << 20 else { return }
            try sink(json.bytes)
            json.bytes.removeAll(keepingCapacity: true)
        }
        json.beginObject()
        json.key("summary")
        writeSummary(to: &json)
        json.key("duplicates")
        json.beginArray()
        for record in tables.duplicateRecords {
            let group = makeGroup(record)
            let duplicate = DuplicateNumber(
                e164: group.e164, entities: group.entities, decision: group.decision, rule: group.rule)
            json.beginObject()
            json.key("e164")
            json.string(duplicate.e164)
            writeGroup(duplicate.entities, duplicate.decision, duplicate.rule, to: &json)
            json.endObject()
            try flushIfLarge()
        }
        json.endArray()
        json.key("shared_numbers")
        json.beginArray()
        for record in tables.sharedRecords {
            let group = makeGroup(record)
            let number = SharedNumber(
                e164: group.e164, companyID: record.company ?? 0, entities: group.entities, decision: group.decision,
                rule: group.rule)
            json.beginObject()
            json.key("e164")
            json.string(number.e164)
            json.key("company")
            Self.writeRef(.company(number.companyID), to: &json)
            writeGroup(number.entities, number.decision, number.rule, to: &json)
            json.endObject()
            try flushIfLarge()
        }
        json.endArray()
        json.key("suffix_collisions")
        json.beginArray()
        for record in tables.collisionRecords {
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
            try flushIfLarge()
        }
        json.endArray()
        for kind in ValueFinding.Kind.allCases {
            json.key(kind.key)
            json.beginArray()
            try forEachValueFinding(kind) { finding in
                Self.writeFinding(finding, to: &json)
                try flushIfLarge()
            }
            json.endArray()
        }
        json.endObject()
        json.newline()
        try sink(json.bytes)
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
