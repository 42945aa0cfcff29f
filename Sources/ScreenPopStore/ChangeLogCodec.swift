import AccountIndex
import AmoCRM
import ScreenPopJSON

/// ``StoreChanges`` as bytes for a change log (a shared store's `change_log.payload`), and back.
///
/// Compact JSON of positional arrays, versioned (`"v": 1`), so that a row written by one release
/// can be read by the next:
///
/// ```
/// {"v":1,"entities":[[kind,id,deleted,status,name,created,updated,responsible,pipeline,[[value,code]]]],
///  "prices":[price],"created":[[kind,id]],"unlinked":[[linkKind,a,b,main]],"linked":[...],"stale":0,
///  "unchanged":0,"batches":[[stale,unchanged]],"account":false,"users":false,"statuses":false,
///  "pipelines":false,"pipeline_list":[[id,name,[[statusID,statusName]]]],"sequence":7}
/// ```
///
/// Later additions are keys of their own, which an earlier release skips: `prices` (the entities'
/// prices in their order, present when one has a price), `pipelines` and `pipeline_list`.
///
/// Link kinds and ends are the link table's (1 contact–lead, 2 company–lead, 3 contact–customer,
/// 4 company–customer, 5 contact–company; the contact or company first).
public enum ChangeLogCodec {
    /// The version this codec writes and reads.
    public static let version = 1

    public static func encode(_ changes: StoreChanges) -> [UInt8] {
        var out = JSONWriter(capacity: 128 + changes.entities.count * 96)
        out.beginObject()
        out.key("v")
        out.integer(version)
        out.key("entities")
        out.beginArray()
        for entity in changes.entities {
            out.beginArray()
            out.integer(entity.ref.kind.elementType)
            out.integer(entity.ref.id)
            out.bool(entity.isDeleted)
            out.integer(orNull: entity.statusID)
            out.string(entity.details.name)
            out.integer(entity.details.createdAt)
            out.integer(entity.details.updatedAt)
            out.integer(orNull: entity.details.responsibleUserID)
            out.integer(orNull: entity.details.pipelineID)
            out.beginArray()
            for phone in entity.phones {
                out.beginArray()
                out.string(phone.value)
                out.string(phone.kind.rawValue)
                out.endArray()
            }
            out.endArray()
            out.endArray()
        }
        out.endArray()
        if changes.entities.contains(where: { $0.details.price != nil }) {
            out.key("prices")
            out.beginArray()
            for entity in changes.entities { out.integer(orNull: entity.details.price) }
            out.endArray()
        }
        out.key("created")
        out.beginArray()
        for ref in changes.created.sorted() {
            out.beginArray()
            out.integer(ref.kind.elementType)
            out.integer(ref.id)
            out.endArray()
        }
        out.endArray()
        for (key, links) in [("unlinked", changes.unlinked), ("linked", changes.linked)] {
            out.key(key)
            out.beginArray()
            for link in links {
                let row = LinkRow(link)
                out.beginArray()
                out.integer(row.kind)
                out.integer(row.a)
                out.integer(row.b)
                out.bool(row.isMain)
                out.endArray()
            }
            out.endArray()
        }
        out.key("stale")
        out.integer(changes.staleCount)
        out.key("unchanged")
        out.integer(changes.unchangedCount)
        out.key("batches")
        out.beginArray()
        for outcome in changes.batchOutcomes {
            out.beginArray()
            out.integer(outcome.staleCount)
            out.integer(outcome.unchangedCount)
            out.endArray()
        }
        out.endArray()
        out.key("account")
        out.bool(changes.accountChanged)
        out.key("users")
        out.bool(changes.usersChanged)
        out.key("statuses")
        out.bool(changes.customerStatusesChanged)
        out.key("pipelines")
        out.bool(changes.pipelinesChanged)
        // The new values, so that a follower needs not read them back.
        if let account = changes.account {
            out.key("account_object")
            out.beginArray()
            out.string(orNull: account.name)
            out.string(orNull: account.subdomain)
            out.string(orNull: account.country)
            out.string(account.customersMode)
            out.endArray()
        }
        if let users = changes.users {
            out.key("user_list")
            out.beginArray()
            for user in users {
                out.beginArray()
                out.integer(user.id)
                out.string(user.name)
                out.string(orNull: user.email)
                out.endArray()
            }
            out.endArray()
        }
        if let statuses = changes.customerStatuses {
            out.key("status_list")
            out.beginArray()
            for status in statuses {
                out.beginArray()
                out.integer(status.id)
                out.string(status.name)
                out.integer(orNull: status.type)
                out.endArray()
            }
            out.endArray()
        }
        if let pipelines = changes.pipelines {
            out.key("pipeline_list")
            out.beginArray()
            for pipeline in pipelines {
                out.beginArray()
                out.integer(pipeline.id)
                out.string(pipeline.name)
                out.beginArray()
                for status in pipeline.statuses {
                    out.beginArray()
                    out.integer(status.id)
                    out.string(status.name)
                    out.endArray()
                }
                out.endArray()
                out.endArray()
            }
            out.endArray()
        }
        if let sequence = changes.sequence {
            out.key("sequence")
            out.integer(sequence)
        }
        out.endObject()
        return out.bytes
    }

    /// - Throws: ``StoreError`` saying where the bytes are not what ``encode(_:)`` writes.
    public static func decode(_ bytes: [UInt8]) throws(StoreError) -> StoreChanges {
        do {
            return try JSONReader.withReader(bytes) { (reader: inout JSONReader) throws(JSONError) -> StoreChanges in
                var changes = StoreChanges()
                var prices: (values: [Int?], offset: Int)?
                try reader.beginObject()
                while let key = try reader.nextKey() {
                    if key == "v" {
                        let found = try reader.readInt()
                        guard found == version else {
                            throw reader.error(.typeMismatch, expected: "version \(version)", found: "version \(found)")
                        }
                    } else if key == "entities" {
                        try reader.beginArray()
                        while try reader.nextElement() { changes.entities.append(try readEntity(&reader)) }
                    } else if key == "prices" {
                        let offset = reader.offset
                        var values: [Int?] = []
                        try reader.beginArray()
                        while try reader.nextElement() { values.append(try reader.readIntOrNull()) }
                        prices = (values, offset)
                    } else if key == "created" {
                        try reader.beginArray()
                        while try reader.nextElement() {
                            try reader.beginArray()
                            let kind = try element(&reader) { (r: inout JSONReader) throws(JSONError) in try r.readInt()
                            }
                            let id = try element(&reader) { (r: inout JSONReader) throws(JSONError) in try r.readInt() }
                            try end(&reader)
                            changes.created.insert(EntityRef(kind: try entityKind(kind, &reader), id: id))
                        }
                    } else if key == "unlinked" || key == "linked" {
                        let isLinked = key == "linked"
                        try reader.beginArray()
                        while try reader.nextElement() {
                            let link = try readLink(&reader)
                            if isLinked { changes.linked.append(link) } else { changes.unlinked.append(link) }
                        }
                    } else if key == "stale" {
                        changes.staleCount = try reader.readInt()
                    } else if key == "unchanged" {
                        changes.unchangedCount = try reader.readInt()
                    } else if key == "batches" {
                        try reader.beginArray()
                        while try reader.nextElement() {
                            try reader.beginArray()
                            let stale = try element(&reader) { (r: inout JSONReader) throws(JSONError) in
                                try r.readInt()
                            }
                            let unchanged = try element(&reader) { (r: inout JSONReader) throws(JSONError) in
                                try r.readInt()
                            }
                            try end(&reader)
                            changes.batchOutcomes.append(
                                StoreChanges.BatchOutcome(staleCount: stale, unchangedCount: unchanged))
                        }
                    } else if key == "account" {
                        changes.accountChanged = try reader.readBool()
                    } else if key == "users" {
                        changes.usersChanged = try reader.readBool()
                    } else if key == "statuses" {
                        changes.customerStatusesChanged = try reader.readBool()
                    } else if key == "pipelines" {
                        changes.pipelinesChanged = try reader.readBool()
                    } else if key == "pipeline_list" {
                        var pipelines: [LeadPipeline] = []
                        try reader.beginArray()
                        while try reader.nextElement() { pipelines.append(try readPipeline(&reader)) }
                        changes.pipelines = pipelines
                    } else if key == "account_object" {
                        try reader.beginArray()
                        let name = try element(&reader) { (r: inout JSONReader) throws(JSONError) in try r.readStringOrNull() }
                        let subdomain = try element(&reader) { (r: inout JSONReader) throws(JSONError) in
                            try r.readStringOrNull()
                        }
                        let country = try element(&reader) { (r: inout JSONReader) throws(JSONError) in try r.readStringOrNull() }
                        let mode = try element(&reader) { (r: inout JSONReader) throws(JSONError) in try r.readString() }
                        try end(&reader)
                        changes.account = AccountObject(name: name, subdomain: subdomain, country: country, customersMode: mode)
                    } else if key == "user_list" {
                        var users: [AccountUser] = []
                        try reader.beginArray()
                        while try reader.nextElement() {
                            try reader.beginArray()
                            let id = try element(&reader) { (r: inout JSONReader) throws(JSONError) in try r.readInt() }
                            let name = try element(&reader) { (r: inout JSONReader) throws(JSONError) in try r.readString() }
                            let email = try element(&reader) { (r: inout JSONReader) throws(JSONError) in try r.readStringOrNull() }
                            try end(&reader)
                            users.append(AccountUser(id: id, name: name, email: email))
                        }
                        changes.users = users
                    } else if key == "status_list" {
                        var statuses: [CustomerStatus] = []
                        try reader.beginArray()
                        while try reader.nextElement() {
                            try reader.beginArray()
                            let id = try element(&reader) { (r: inout JSONReader) throws(JSONError) in try r.readInt() }
                            let name = try element(&reader) { (r: inout JSONReader) throws(JSONError) in try r.readString() }
                            let type = try element(&reader) { (r: inout JSONReader) throws(JSONError) in try r.readIntOrNull() }
                            try end(&reader)
                            statuses.append(CustomerStatus(id: id, name: name, type: type))
                        }
                        changes.customerStatuses = statuses
                    } else if key == "sequence" {
                        changes.sequence = try reader.readInt64()
                    } else {
                        try reader.skipValue()  // a later version's addition
                    }
                }
                try reader.finish()
                if let prices {
                    guard prices.values.count == changes.entities.count else {
                        throw reader.error(
                            .typeMismatch, expected: "a price for each of the \(changes.entities.count) entities",
                            found: "\(prices.values.count) prices", at: prices.offset)
                    }
                    for (at, price) in prices.values.enumerated() { changes.entities[at].details.price = price }
                }
                return changes
            }
        } catch {
            throw StoreError("cannot read logged changes: \(error)")
        }
    }

    private static func readEntity(_ reader: inout JSONReader) throws(JSONError) -> StoredEntity {
        try reader.beginArray()
        let kind = try element(&reader) { (r: inout JSONReader) throws(JSONError) in try r.readInt() }
        let id = try element(&reader) { (r: inout JSONReader) throws(JSONError) in try r.readInt() }
        let isDeleted = try element(&reader) { (r: inout JSONReader) throws(JSONError) in try r.readBool() }
        let statusID = try element(&reader) { (r: inout JSONReader) throws(JSONError) in try r.readIntOrNull() }
        let name = try element(&reader) { (r: inout JSONReader) throws(JSONError) in try r.readString() }
        let createdAt = try element(&reader) { (r: inout JSONReader) throws(JSONError) in try r.readInt() }
        let updatedAt = try element(&reader) { (r: inout JSONReader) throws(JSONError) in try r.readInt() }
        let responsible = try element(&reader) { (r: inout JSONReader) throws(JSONError) in try r.readIntOrNull() }
        let pipeline = try element(&reader) { (r: inout JSONReader) throws(JSONError) in try r.readIntOrNull() }
        let phones = try element(&reader) { (r: inout JSONReader) throws(JSONError) -> [PhoneValue] in
            var phones: [PhoneValue] = []
            try r.beginArray()
            while try r.nextElement() {
                try r.beginArray()
                let value = try element(&r) { (r: inout JSONReader) throws(JSONError) in try r.readString() }
                let code = try element(&r) { (r: inout JSONReader) throws(JSONError) in try r.readString() }
                try end(&r)
                phones.append(PhoneValue(value, kind: PhoneValue.Kind(rawValue: code)))
            }
            return phones
        }
        try end(&reader)
        return StoredEntity(
            ref: EntityRef(kind: try entityKind(kind, &reader), id: id), isDeleted: isDeleted, statusID: statusID,
            phones: phones,
            details: EntityDetails(
                name: name, createdAt: createdAt, updatedAt: updatedAt, responsibleUserID: responsible,
                pipelineID: pipeline))
    }

    private static func readPipeline(_ reader: inout JSONReader) throws(JSONError) -> LeadPipeline {
        try reader.beginArray()
        let id = try element(&reader) { (r: inout JSONReader) throws(JSONError) in try r.readInt() }
        let name = try element(&reader) { (r: inout JSONReader) throws(JSONError) in try r.readString() }
        let statuses = try element(&reader) { (r: inout JSONReader) throws(JSONError) -> [LeadPipelineStatus] in
            var statuses: [LeadPipelineStatus] = []
            try r.beginArray()
            while try r.nextElement() {
                try r.beginArray()
                let id = try element(&r) { (r: inout JSONReader) throws(JSONError) in try r.readInt() }
                let name = try element(&r) { (r: inout JSONReader) throws(JSONError) in try r.readString() }
                try end(&r)
                statuses.append(LeadPipelineStatus(id: id, name: name))
            }
            return statuses
        }
        try end(&reader)
        return LeadPipeline(id: id, name: name, statuses: statuses)
    }

    private static func readLink(_ reader: inout JSONReader) throws(JSONError) -> AccountLink {
        try reader.beginArray()
        let kind = try element(&reader) { (r: inout JSONReader) throws(JSONError) in try r.readInt() }
        let a = try element(&reader) { (r: inout JSONReader) throws(JSONError) in try r.readInt() }
        let b = try element(&reader) { (r: inout JSONReader) throws(JSONError) in try r.readInt() }
        let isMain = try element(&reader) { (r: inout JSONReader) throws(JSONError) in try r.readBool() }
        try end(&reader)
        guard let link = LinkRow(kind: kind, a: a, b: b, isMain: isMain).link else {
            throw reader.error(.typeMismatch, expected: "a link kind 1 to 5", found: "\(kind)")
        }
        return link
    }

    /// The array's next element, read by `body`; an error when the array ended early.
    private static func element<T>(
        _ reader: inout JSONReader, _ body: (inout JSONReader) throws(JSONError) -> T
    ) throws(JSONError) -> T {
        guard try reader.nextElement() else {
            throw reader.error(.typeMismatch, expected: "another element", found: "the end of the array")
        }
        return try body(&reader)
    }

    /// The end of an array whose elements were all read.
    private static func end(_ reader: inout JSONReader) throws(JSONError) {
        guard try !reader.nextElement() else {
            throw reader.error(.typeMismatch, expected: "the end of the array", found: "another element")
        }
    }

    private static func entityKind(_ value: Int, _ reader: inout JSONReader) throws(JSONError) -> EntityKind {
        guard let kind = EntityKind(rawValue: value) else {
            throw reader.error(.typeMismatch, expected: "an entity kind (1, 2, 3 or 12)", found: "\(value)")
        }
        return kind
    }
}
