import AccountIndex
import ScreenPopJSON

/// Decodes one file of amoCRM API v4 JSON: a page object, an array of pages, or (for
/// `account.json`) the account object.
///
/// Known keys are checked for type; unknown keys are skipped (still checked as JSON). See
/// docs/amocrm.md for every key read.
struct PageReader {
    var reader: JSONReader
    var content = PageContent()

    // Scratch for the entity being read, reused so that entities allocate only what they keep.
    /// The current entity's `_embedded` entries, turned into links once its id is known.
    private var embedded: [(key: EmbeddedLinks.Key, id: Int, isMain: Bool)] = []

    init(reader: JSONReader) {
        self.reader = reader
    }

    // MARK: Files

    /// Reads a file of pages: one page object, or an array of them.
    mutating func decodePages() throws(JSONError) {
        switch try reader.peek() {
        case .object:
            try decodePage()
        case .array:
            try reader.beginArray()
            while try reader.nextElement() {
                guard try reader.peek() == .object else { throw mismatch("a page object") }
                try decodePage()
            }
        default:
            throw mismatch("a page object or an array of pages")
        }
        try reader.finish()
    }

    /// Reads `account.json`.
    mutating func decodeAccount() throws(JSONError) {
        guard try reader.peek() == .object else { throw mismatch("the account object") }
        let start = reader.offset
        try reader.beginObject()
        var account = AccountObject(customersMode: "")
        var hasCountry = false
        var hasMode = false
        while let key = try reader.nextKey() {
            if key == "country" {
                hasCountry = true
                let country = try reader.readStringOrNull()
                account.country = country.flatMap { $0.isEmpty ? nil : $0.uppercased() }
            } else if key == "customers_mode" {
                hasMode = true
                let mode = try reader.readString()
                guard AccountObject.enabledModes.contains(mode) || AccountObject.disabledModes.contains(mode) else {
                    throw reader.error(
                        .invalidValue, expected: "one of disabled, unavailable, segments, dynamic, periodicity",
                        found: "\"\(mode)\"")
                }
                account.customersMode = mode
            } else if key == "id" {
                account.id = try reader.readIntOrNull()
            } else if key == "name" {
                account.name = try reader.readStringOrNull()
            } else if key == "subdomain" {
                account.subdomain = try reader.readStringOrNull()
            } else {
                try reader.skipValue()
            }
        }
        try reader.finish()
        if !hasCountry { throw missing("country", in: "the account object", at: start) }
        if !hasMode { throw missing("customers_mode", in: "the account object", at: start) }
        content.account = account
    }

    // MARK: Pages

    private mutating func decodePage() throws(JSONError) {
        let start = reader.offset
        try reader.beginObject()
        var hasEmbedded = false
        content.nextPage = nil
        while let key = try reader.nextKey() {
            if key == "_links" {
                try decodePageLinks()
                continue
            }
            guard key == "_embedded" else {
                try reader.skipValue()
                continue
            }
            hasEmbedded = true
            try reader.beginObject()
            while let kind = try reader.nextKey() {
                if kind == "contacts" {
                    try list { (d: inout PageReader) throws(JSONError) in try d.decodeEntity(.contact) }
                } else if kind == "companies" {
                    try list { (d: inout PageReader) throws(JSONError) in try d.decodeEntity(.company) }
                } else if kind == "leads" {
                    try list { (d: inout PageReader) throws(JSONError) in try d.decodeEntity(.lead) }
                } else if kind == "customers" {
                    try list { (d: inout PageReader) throws(JSONError) in try d.decodeEntity(.customer) }
                } else if kind == "users" {
                    try list { (d: inout PageReader) throws(JSONError) in try d.decodeUser() }
                } else if kind == "statuses" {
                    try list { (d: inout PageReader) throws(JSONError) in try d.decodeStatus() }
                } else if kind == "pipelines" {
                    try list { (d: inout PageReader) throws(JSONError) in try d.decodePipeline() }
                } else {
                    content.ignoredEmbeddedKeys.insert(kind.string)
                    try reader.skipValue()
                }
            }
        }
        if !hasEmbedded { throw missing("_embedded", in: "a page", at: start) }
        content.pages += 1
    }

    /// A page's `_links`: the `href` of `next`, when there is one (the API client follows it).
    /// Links of another shape are skipped, as all of `_links` was before the client read it.
    private mutating func decodePageLinks() throws(JSONError) {
        guard try reader.peek() == .object else { return try reader.skipValue() }
        try reader.beginObject()
        while let key = try reader.nextKey() {
            guard key == "next", try reader.peek() == .object else {
                try reader.skipValue()
                continue
            }
            try reader.beginObject()
            while let field = try reader.nextKey() {
                if field == "href", try reader.peek() == .string {
                    content.nextPage = try reader.readString()
                } else {
                    try reader.skipValue()
                }
            }
        }
    }

    /// An array of objects, each read by `element`.
    private mutating func list(_ element: (inout PageReader) throws(JSONError) -> Void) throws(JSONError) {
        try reader.beginArray()
        while try reader.nextElement() {
            guard try reader.peek() == .object else { throw mismatch("an object") }
            try element(&self)
        }
    }

    // MARK: Entities

    /// Reads one contact, company, lead or customer, and the links it lists.
    private mutating func decodeEntity(_ kind: EntityKind) throws(JSONError) {
        let start = reader.offset
        try reader.beginObject()
        var id: Int?
        var name = ""
        var createdAt = 0
        var updatedAt: Int?
        var isDeleted = false
        var responsible: Int?
        var statusID: Int?
        var hasStatus = false
        var pipelineID = 0
        var price: Int?
        var phones: [PhoneValue] = []
        embedded.removeAll(keepingCapacity: true)
        let isParty = kind == .contact || kind == .company

        while let key = try reader.nextKey() {
            if key == "id" {
                id = try readID()
            } else if key == "name" {
                name = try reader.readStringOrNull() ?? ""
            } else if key == "created_at" {
                createdAt = try reader.readIntOrNull() ?? 0
            } else if key == "updated_at" {
                updatedAt = try reader.readIntOrNull()
            } else if key == "is_deleted" {
                isDeleted = try reader.readBoolOrNull() ?? false
            } else if key == "responsible_user_id" {
                responsible = try reader.readIntOrNull()
            } else if key == "custom_fields_values" && isParty {
                try decodeCustomFields(into: &phones)
            } else if key == "status_id" && (kind == .lead || kind == .customer) {
                hasStatus = true
                // A lead always has a status; a customer may have none (segments mode).
                statusID = kind == .lead ? try reader.readInt() : try reader.readIntOrNull()
            } else if key == "pipeline_id" && kind == .lead {
                pipelineID = try reader.readIntOrNull() ?? 0
            } else if key == "price" && kind == .lead {
                price = try reader.readIntOrNull()
            } else if key == "_embedded" {
                try decodeEmbeddedLinks(of: kind)
            } else {
                try reader.skipValue()
            }
        }
        guard let id else { throw missing("id", in: "the \(kind)", at: start) }

        let details = EntityDetails(
            name: name, createdAt: createdAt, updatedAt: updatedAt, responsibleUserID: responsible,
            pipelineID: kind == .lead ? pipelineID : nil, price: price)
        switch kind {
        case .contact:
            content.contacts.append(
                Record(entity: Contact(id: id, createdAt: createdAt, isDeleted: isDeleted, phones: phones), details: details))
        case .company:
            content.companies.append(
                Record(entity: Company(id: id, createdAt: createdAt, isDeleted: isDeleted, phones: phones), details: details))
        case .lead:
            guard hasStatus, let statusID else { throw missing("status_id", in: "the lead", at: start) }
            content.leads.append(Record(entity: Lead(id: id, isDeleted: isDeleted, statusID: statusID), details: details))
        case .customer:
            content.customers.append(
                Record(entity: Customer(id: id, isDeleted: isDeleted, statusID: statusID), details: details))
        }
        let owner = EntityRef(kind: kind, id: id)
        for entry in embedded {
            if let link = EmbeddedLinks.link(owner: owner, key: entry.key, id: entry.id, isMain: entry.isMain) {
                content.links.append(link)
            }
        }
    }

    /// `custom_fields_values`: null, or an array of fields; the values of the field with
    /// `field_code` `PHONE` are the phones.
    private mutating func decodeCustomFields(into phones: inout [PhoneValue]) throws(JSONError) {
        if try reader.readNull() { return }
        try reader.beginArray()
        while try reader.nextElement() {
            guard try reader.peek() == .object else { throw mismatch("a custom field object") }
            try reader.beginObject()
            // amoCRM writes field_code before values; when a file does not, values are kept as
            // read and checked once the code is known.
            var isPhone: Bool?
            var pending: [PhoneValue] = []
            var firstNonString: (offset: Int, found: String)?
            while let key = try reader.nextKey() {
                if key == "field_code" {
                    let code = try reader.readStringOrNull()
                    isPhone = code == "PHONE"
                } else if key == "values" {
                    if isPhone == false {
                        try reader.skipValue()
                    } else if try reader.readNull() {
                        continue
                    } else {
                        try decodeFieldValues(strict: isPhone == true, into: &pending, firstNonString: &firstNonString)
                    }
                } else {
                    try reader.skipValue()
                }
            }
            guard isPhone == true else { continue }
            if let bad = firstNonString {
                throw reader.error(.typeMismatch, expected: "a phone number string", found: bad.found, at: bad.offset)
            }
            phones.append(contentsOf: pending)
        }
    }

    /// The `values` of a custom field: `[{"value": "...", "enum_code": "MOB"}]`. When `strict` (the
    /// field is known to be PHONE) a value that is not a string is an error at once; otherwise the
    /// first one is remembered.
    private mutating func decodeFieldValues(
        strict: Bool, into values: inout [PhoneValue], firstNonString: inout (offset: Int, found: String)?
    ) throws(JSONError) {
        try reader.beginArray()
        while try reader.nextElement() {
            let kind = try reader.peek()
            guard kind == .object else {
                if strict { throw mismatch("a phone value object") }
                if firstNonString == nil { firstNonString = (reader.offset, kind.description) }
                try reader.skipValue()
                continue
            }
            try reader.beginObject()
            var text: String?
            var code: String?
            while let key = try reader.nextKey() {
                if key == "value" {
                    let valueKind = try reader.peek()
                    if valueKind == .string {
                        text = try reader.readString()
                    } else if valueKind == .null {
                        try reader.skipValue()
                    } else if strict {
                        throw mismatch("a phone number string")
                    } else {
                        if firstNonString == nil { firstNonString = (reader.offset, valueKind.description) }
                        try reader.skipValue()
                    }
                } else if key == "enum_code" {
                    if strict {
                        code = try reader.readStringOrNull()
                    } else if try reader.peek() == .string {
                        code = try reader.readString()
                    } else {
                        try reader.skipValue()
                    }
                } else {
                    try reader.skipValue()
                }
            }
            if let text { values.append(PhoneValue(text, kind: code.map(PhoneValue.Kind.init(rawValue:)) ?? .other)) }
        }
    }

    /// An entity's `_embedded`: the ids of the entities it is linked to.
    private mutating func decodeEmbeddedLinks(of kind: EntityKind) throws(JSONError) {
        if try reader.readNull() { return }
        try reader.beginObject()
        let probe = EntityRef(kind: kind, id: 1)
        while let key = try reader.nextKey() {
            // Only the keys that an entity of this kind lists (EmbeddedLinks' table) are links.
            let listed: EmbeddedLinks.Key? =
                key == "contacts" ? .contacts
                : key == "companies" ? .companies : key == "leads" ? .leads : key == "customers" ? .customers : nil
            if let listed, EmbeddedLinks.link(owner: probe, key: listed, id: 1) != nil {
                try decodeRefs { (d: inout PageReader, id, isMain) in d.embedded.append((listed, id, isMain)) }
            } else {
                try reader.skipValue()
            }
        }
    }

    /// `null` or `[{"id": 1, "is_main": true, "_links": ...}]`.
    private mutating func decodeRefs(_ add: (inout PageReader, Int, Bool) -> Void) throws(JSONError) {
        if try reader.readNull() { return }
        try reader.beginArray()
        while try reader.nextElement() {
            guard try reader.peek() == .object else { throw mismatch("an object with an id") }
            let start = reader.offset
            try reader.beginObject()
            var id: Int?
            var isMain = false
            while let key = try reader.nextKey() {
                if key == "id" {
                    id = try readID()
                } else if key == "is_main" {
                    isMain = try reader.readBoolOrNull() ?? false
                } else {
                    try reader.skipValue()
                }
            }
            guard let id else { throw missing("id", in: "the linked entity", at: start) }
            add(&self, id, isMain)
        }
    }

    // MARK: Users and statuses

    private mutating func decodeUser() throws(JSONError) {
        let start = reader.offset
        try reader.beginObject()
        var user = AccountUser(id: 0)
        var hasID = false
        while let key = try reader.nextKey() {
            if key == "id" {
                user.id = try readID()
                hasID = true
            } else if key == "name" {
                user.name = try reader.readStringOrNull() ?? ""
            } else if key == "email" {
                user.email = try reader.readStringOrNull()
            } else {
                try reader.skipValue()
            }
        }
        guard hasID else { throw missing("id", in: "the user", at: start) }
        content.users.append(user)
    }

    private mutating func decodeStatus() throws(JSONError) {
        let start = reader.offset
        try reader.beginObject()
        var status = CustomerStatus(id: 0, type: nil)
        var hasID = false
        var isLeadStatus = false
        while let key = try reader.nextKey() {
            if key == "id" {
                status.id = try readID()
                hasID = true
            } else if key == "name" {
                status.name = try reader.readStringOrNull() ?? ""
            } else if key == "type" {
                status.type = try reader.readIntOrNull()
            } else if key == "pipeline_id" {
                // A lead pipeline's status (GET /api/v4/leads/pipelines/{id}/statuses), not a customer's.
                isLeadStatus = try reader.readIntOrNull() != nil
            } else {
                try reader.skipValue()
            }
        }
        guard hasID else { throw missing("id", in: "the status", at: start) }
        if isLeadStatus {
            content.leadStatusesSkipped += 1
        } else {
            content.statuses.append(status)
        }
    }

    // MARK: Lead pipelines

    /// A pipeline of `GET /api/v4/leads/pipelines`: `id`, `name` and its `_embedded.statuses`.
    private mutating func decodePipeline() throws(JSONError) {
        let start = reader.offset
        try reader.beginObject()
        var pipeline = LeadPipeline(id: 0)
        var hasID = false
        var statuses: [(status: LeadPipelineStatus, pipelineID: Int?, offset: Int)] = []
        while let key = try reader.nextKey() {
            if key == "id" {
                pipeline.id = try readID()
                hasID = true
            } else if key == "name" {
                pipeline.name = try reader.readStringOrNull() ?? ""
            } else if key == "_embedded" {
                if try reader.readNull() { continue }
                try reader.beginObject()
                while let embedded = try reader.nextKey() {
                    guard embedded == "statuses" else {
                        try reader.skipValue()
                        continue
                    }
                    if try reader.readNull() { continue }
                    try reader.beginArray()
                    while try reader.nextElement() {
                        guard try reader.peek() == .object else { throw mismatch("a status object") }
                        statuses.append(try decodePipelineStatus())
                    }
                }
            } else {
                try reader.skipValue()
            }
        }
        guard hasID else { throw missing("id", in: "the pipeline", at: start) }
        for entry in statuses {
            // amoCRM writes each status's pipeline_id; one of another pipeline is a broken file.
            if let other = entry.pipelineID, other != pipeline.id {
                throw reader.error(
                    .invalidValue, expected: "the pipeline_id of its pipeline, \(pipeline.id)", found: "\(other)",
                    at: entry.offset)
            }
            pipeline.statuses.append(entry.status)
        }
        content.pipelines.append(pipeline)
    }

    /// A status in a pipeline's `_embedded.statuses`: `id`, `name`, `pipeline_id`.
    private mutating func decodePipelineStatus() throws(JSONError) -> (
        status: LeadPipelineStatus, pipelineID: Int?, offset: Int
    ) {
        let start = reader.offset
        try reader.beginObject()
        var status = LeadPipelineStatus(id: 0)
        var hasID = false
        var pipelineID: Int?
        var pipelineOffset = start
        while let key = try reader.nextKey() {
            if key == "id" {
                status.id = try readID()
                hasID = true
            } else if key == "name" {
                status.name = try reader.readStringOrNull() ?? ""
            } else if key == "pipeline_id" {
                pipelineID = try reader.readIntOrNull()
                pipelineOffset = reader.lastValueOffset
            } else {
                try reader.skipValue()
            }
        }
        guard hasID else { throw missing("id", in: "the pipeline's status", at: start) }
        return (status, pipelineID, pipelineOffset)
    }

    // MARK: Helpers

    /// A positive integer id.
    private mutating func readID() throws(JSONError) -> Int {
        let id = try reader.readInt()
        guard id > 0 else { throw reader.error(.invalidValue, expected: "a positive id", found: "\(id)") }
        return id
    }

    private func mismatch(_ expected: String) -> JSONError {
        let found = (try? reader.kindDescription()) ?? "something else"
        return reader.error(.typeMismatch, expected: expected, found: found, at: reader.offset)
    }

    private func missing(_ key: String, in what: String, at offset: Int) -> JSONError {
        reader.error(.missingKey, expected: "the key \"\(key)\" in \(what)", found: nil, at: offset)
    }
}

extension JSONReader {
    /// "a string", "an array": what the next value is (after `peek()`).
    fileprivate func kindDescription() throws -> String {
        var copy = self
        return try copy.peek().description
    }
}
