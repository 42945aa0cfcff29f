import AccountIndex

/// One element of a webhook (`contacts[update][0][…]`) while its keys are read: what it carries,
/// kept until the body ends since amoCRM writes `type` and a field's `code` after the rest.
struct WebhookElement {
    let section: WebhookSection
    let action: WebhookAction
    let index: Int
    /// The byte offset of the element's first key.
    let offset: Int

    var id: Int?
    var type: (value: String, offset: Int)?
    var name: String?
    var statusID: Int?
    var pipelineID: Int?
    var price: Int?
    var responsibleUserID: Int?
    /// `date_create` (v2) and `created_at` (v4's name, which some webhooks use).
    var dateCreate: Int?
    var createdAt: Int?
    /// `last_modified` (v2) and `updated_at`.
    var lastModified: Int?
    var updatedAt: Int?
    /// `linked_company_id`: absent (nil), none (`.some(nil)`: empty or 0), or a company.
    var linkedCompany: Int??
    /// `linked_leads_id[<key>][ID]`: the ids by key (a later value of a key replaces the earlier, as
    /// in PHP), in the order of the keys' first appearance; nil when the element has none.
    var linkedLeads: [Int]?
    private var linkedLeadSlots: [String: Int] = [:]
    /// Whether the element has a `custom_fields` key at all.
    var hasCustomFields = false
    /// The custom fields in the order of their first key, found by their index through `fieldSlots`.
    private var fields: [CustomField] = []
    private var fieldSlots: [String: Int] = [:]

    /// One `custom_fields[j]`: its `code` and its values.
    struct CustomField {
        var code: String?
        var values: [Value] = []
        var valueSlots: [String: Int] = [:]

        /// One `values[k]`: `[value]` (or `values[k]` itself), `[enum]` (amoCRM's id of the enum value,
        /// or a code such as `MOB`) and `[enum_code]` when present.
        struct Value {
            var value: String?
            var enumValue: String?
            var enumCode: String?
        }

        mutating func value(_ key: String) -> Int {
            if let slot = valueSlots[key] { return slot }
            values.append(Value())
            valueSlots[key] = values.count - 1
            return values.count - 1
        }
    }

    init(section: WebhookSection, action: WebhookAction, index: Int, offset: Int) {
        self.section = section
        self.action = action
        self.index = index
        self.offset = offset
    }

    /// `leads[status][0]`: the element's keys' common start, for errors about the whole element.
    var prefix: String { "\(section.name)[\(action.name)][\(index)]" }

    /// Applies `<prefix>[field…]=value`. Fields that are not read are skipped unchecked.
    mutating func take(
        _ field: ArraySlice<String>, value: String, key: String, offset: Int
    ) throws(AmoCRMWebhookError) {
        let rest = field.dropFirst()
        func single() throws(AmoCRMWebhookError) {
            guard rest.isEmpty else { throw .at(key, offset: offset, .notASingleValue) }
        }
        let isLead = section == .leads
        switch field.first! {
        case "id":
            try single()
            id = try WebhookValue.positiveID(value, key: key, offset: offset)
        case "name":
            try single()
            name = value
        case "type" where section.holdsParties:
            try single()
            type = (value, offset)
        case "status_id" where isLead || section == .customers:
            try single()
            statusID = try WebhookValue.nonNegative(value, key: key, offset: offset)
        case "pipeline_id" where isLead:
            try single()
            pipelineID = try WebhookValue.nonNegative(value, key: key, offset: offset)
        case "price" where isLead:
            try single()
            price = try WebhookValue.nonNegative(value, key: key, offset: offset)
        case "old_status_id" where isLead, "old_pipeline_id" where isLead:
            // Not kept (the store holds the current status), but checked as the status is.
            try single()
            _ = try WebhookValue.nonNegative(value, key: key, offset: offset)
        case "responsible_user_id":
            try single()
            responsibleUserID = try WebhookValue.nonNegative(value, key: key, offset: offset)
        case "date_create":
            try single()
            dateCreate = try WebhookValue.nonNegative(value, key: key, offset: offset)
        case "created_at":
            try single()
            createdAt = try WebhookValue.nonNegative(value, key: key, offset: offset)
        case "last_modified":
            try single()
            lastModified = try WebhookValue.nonNegative(value, key: key, offset: offset)
        case "updated_at":
            try single()
            updatedAt = try WebhookValue.nonNegative(value, key: key, offset: offset)
        case "linked_company_id" where isLead || section.holdsParties:
            try single()
            let company = try WebhookValue.integer(value, key: key, offset: offset) ?? 0
            guard company >= 0 else { throw .at(key, offset: offset, .notAPositiveID(value)) }
            linkedCompany = .some(company == 0 ? nil : company)
        case "linked_leads_id" where section.holdsParties:
            try takeLinkedLead(rest, value: value, key: key, offset: offset)
        case "custom_fields" where section.holdsParties:
            takeCustomField(rest, value: value)
        default:
            break
        }
    }

    /// `linked_leads_id[<key>][ID]=<id>` (amoCRM's form) or `linked_leads_id[<key>]=<id>`.
    private mutating func takeLinkedLead(
        _ rest: ArraySlice<String>, value: String, key: String, offset: Int
    ) throws(AmoCRMWebhookError) {
        guard let entryKey = rest.first else { throw .at(key, offset: offset, .notALinkedLeadsEntry) }
        guard rest.count == 1 || (rest.count == 2 && rest.last == "ID") else { return }
        let lead = try WebhookValue.positiveID(value, key: key, offset: offset)
        if linkedLeads == nil { linkedLeads = [] }
        if let slot = linkedLeadSlots[entryKey] {
            linkedLeads![slot] = lead
        } else {
            linkedLeadSlots[entryKey] = linkedLeads!.count
            linkedLeads!.append(lead)
        }
    }

    /// `custom_fields[j][code]`, `custom_fields[j][values][k][value|enum|enum_code]` and
    /// `custom_fields[j][values][k]`; other keys of a field (`id`, `name`, an address's `subtype`) are
    /// skipped. Values are kept for every field, since `code` may come after them.
    private mutating func takeCustomField(_ rest: ArraySlice<String>, value: String) {
        hasCustomFields = true
        guard rest.count >= 2 else { return }
        let member = rest[rest.startIndex + 1]
        let isCode = member == "code" && rest.count == 2
        let isValue = member == "values" && (rest.count == 3 || rest.count == 4)
        guard isCode || isValue else { return }
        let fieldKey = rest[rest.startIndex]
        let slot: Int
        if let existing = fieldSlots[fieldKey] {
            slot = existing
        } else {
            slot = fields.count
            fieldSlots[fieldKey] = slot
            fields.append(CustomField())
        }
        if isCode {
            fields[slot].code = value
            return
        }
        let valueSlot = fields[slot].value(rest[rest.startIndex + 2])
        switch rest.count == 3 ? "value" : rest.last! {
        case "value": fields[slot].values[valueSlot].value = value
        case "enum": fields[slot].values[valueSlot].enumValue = value
        case "enum_code": fields[slot].values[valueSlot].enumCode = value
        default: break
        }
    }

    /// The phone values: those of the fields whose `code` is `PHONE`, in order; values without a
    /// `value` are skipped.
    var phones: [PhoneValue] {
        var phones: [PhoneValue] = []
        for field in fields where field.code == "PHONE" {
            for value in field.values {
                guard let text = value.value else { continue }
                phones.append(PhoneValue(text, kind: Self.kind(code: value.enumCode, enumValue: value.enumValue)))
            }
        }
        return phones
    }

    /// The kind of a phone value: its enum code when it is one of amoCRM's phone codes, else
    /// ``PhoneValue/Kind/other`` (as the page reader does when `enum_code` is absent). Webhooks
    /// usually give `enum` as the account's numeric id of the enum value, which says nothing here.
    static func kind(code: String?, enumValue: String?) -> PhoneValue.Kind {
        for candidate in [code, enumValue] {
            guard let candidate else { continue }
            let kind = PhoneValue.Kind(rawValue: candidate)
            if Self.phoneKinds.contains(kind) { return kind }
        }
        return .other
    }

    static let phoneKinds: Set<PhoneValue.Kind> = [.work, .workDirect, .mobile, .fax, .home, .other]

    /// The element as an update.
    ///
    /// - Throws: `missing_id` without an `id`; `invalid_value` for a `type` that is neither
    ///   `contact` nor `company` (in `contacts`) or not `company` (in `companies`).
    func update() throws(AmoCRMWebhookError) -> EntityUpdate {
        guard let id else { throw AmoCRMWebhookError(.missingID, key: prefix, offset: offset) }
        let kind: EntityKind
        switch section {
        case .leads: kind = .lead
        case .customers: kind = .customer
        case .contacts, .companies:
            let expected: [(String, EntityKind)] =
                section == .contacts ? [("contact", .contact), ("company", .company)] : [("company", .company)]
            if let type {
                guard let match = expected.first(where: { $0.0 == type.value }) else {
                    let names = expected.map { "\"\($0.0)\"" }.joined(separator: " or ")
                    throw .at(prefix + "[type]", offset: type.offset, .unknownType(type.value, expected: names))
                }
                kind = match.1
            } else {
                kind = expected[0].1
            }
        }
        let entity = EntityRef(kind: kind, id: id)
        let modified = lastModified ?? updatedAt
        guard action != .delete else { return .deletion(of: entity, updatedAt: modified) }

        var links: [EmbeddedLinks.Key: [EmbeddedLinks.Entry]] = [:]
        if let linkedLeads, EmbeddedLinks.link(owner: entity, key: .leads, id: 1) != nil {
            var seen: Set<Int> = []
            links[.leads] = linkedLeads.filter { seen.insert($0).inserted }.map { EmbeddedLinks.Entry(id: $0) }
        }
        if let linkedCompany, EmbeddedLinks.link(owner: entity, key: .companies, id: 1) != nil {
            links[.companies] = linkedCompany.map { [EmbeddedLinks.Entry(id: $0)] } ?? []
        }
        let isParty = kind == .contact || kind == .company
        return EntityUpdate(
            entity: entity, isDeleted: false, updatedAt: modified, name: name, createdAt: dateCreate ?? createdAt,
            responsibleUserID: responsibleUserID, pipelineID: kind == .lead ? pipelineID : nil,
            statusID: kind == .lead || kind == .customer ? statusID : nil, price: kind == .lead ? price : nil,
            phones: isParty && hasCustomFields ? phones : nil, links: links, isComplete: false)
    }
}

extension AmoCRMWebhook {
    /// What the store keeps of `update`'s entity that the update does not carry: the reasons to
    /// re-read it, empty when there is none (a deletion, or a complete update).
    ///
    /// The store keeps, besides names and times, a lead's status and its `contacts` and `companies`,
    /// a contact's `phones`, `leads`, `customers` and `companies`, a company's `phones`, `contacts`,
    /// `leads` and `customers`, a customer's `contacts` and `companies` (``EmbeddedLinks``). amoCRM's
    /// webhooks never carry a lead's contacts, a contact's or company's customers, a company's
    /// contacts or a customer's links, so every added, updated or restored entity has a reason.
    ///
    /// ```swift
    /// AmoCRMWebhook.missingState(of: EntityUpdate(entity: .lead(1), statusID: 142))
    /// // ["contacts", "companies"]
    /// ```
    public static func missingState(of update: EntityUpdate) -> [String] {
        guard !update.isDeleted, !update.isComplete else { return [] }
        var missing: [String] = []
        let kind = update.entity.kind
        if kind == .lead && update.statusID == nil { missing.append("status_id") }
        if (kind == .contact || kind == .company) && update.phones == nil { missing.append("phones") }
        for key in EmbeddedLinks.keys(of: kind) where update.links[key] == nil { missing.append(key.rawValue) }
        return missing
    }
}
