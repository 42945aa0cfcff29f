import AccountIndex
import ScreenPopJSON

/// Writes an account as amoCRM API v4 pages: the files that ``AccountDirectory`` reads, and the
/// bodies a stand-in of amoCRM's API serves. The inverse of the page reader, field for field;
/// every link is listed from both of its ends (``EmbeddedLinks``).
public enum PageWriter {
    /// The account as files of pages: contacts, companies, leads and customers, `account.json`,
    /// the customer statuses and the lead pipelines.
    ///
    /// - Parameters:
    ///   - data: The entities and links.
    ///   - details: Their names, times, responsible users, pipelines and prices, in the order of
    ///     `data`'s arrays; an entity without details is written with an empty name and its `createdAt`.
    ///   - account: `account.json`.
    ///   - customerStatuses: The statuses page.
    ///   - users: The users' pages (`GET /api/v4/users`), paged like the entities.
    ///   - pipelines: The pipelines page (`GET /api/v4/leads/pipelines`), `pipelines.json`, each
    ///     pipeline with its statuses under its `_embedded`.
    ///   - perPage: Entities a page (amoCRM gives at most 250).
    ///   - perFile: Entities a file; a file holds an array of pages.
    /// - Returns: File names and contents, compact JSON.
    public static func files(
        of data: AccountData, details: AccountDetails = AccountDetails(), account: AccountObject,
        customerStatuses: [CustomerStatus], users: [AccountUser] = [], pipelines: [LeadPipeline] = [],
        perPage: Int = 250, perFile: Int = 20_000
    ) -> [(name: String, bytes: [UInt8])] {
        var result: [(name: String, bytes: [UInt8])] = []
        let listed = EmbeddedLinks.listing(data.links)
        func embedded(_ w: inout JSONWriter, _ owner: EntityRef) {
            let lists = listed[owner] ?? [:]
            w.key("_embedded")
            w.beginObject()
            for key in EmbeddedLinks.keys(of: owner.kind) {
                refs(&w, key.rawValue, lists[key] ?? [], withMain: owner.kind == .lead && key == .contacts)
            }
            w.endObject()
        }
        func refs(_ w: inout JSONWriter, _ key: String, _ entries: [EmbeddedLinks.Entry], withMain: Bool) {
            w.key(key)
            w.beginArray()
            for entry in entries {
                w.beginObject()
                w.key("id")
                w.integer(entry.id)
                if withMain {
                    w.key("is_main")
                    w.bool(entry.isMain)
                }
                w.endObject()
            }
            w.endArray()
        }
        func detail(_ all: [EntityDetails], _ i: Int, createdAt: Int = 0) -> EntityDetails {
            i < all.count ? all[i] : EntityDetails(createdAt: createdAt)
        }
        func common(_ w: inout JSONWriter, _ id: Int, _ details: EntityDetails, _ deleted: Bool) {
            let (name, user, created, updated) = (
                details.name, details.responsibleUserID, details.createdAt, details.updatedAt
            )
            w.key("id")
            w.integer(id)
            w.key("name")
            w.string(name)
            w.key("responsible_user_id")
            if let user { w.integer(user) } else { w.null() }
            w.key("created_at")
            w.integer(created)
            w.key("updated_at")
            w.integer(updated)
            w.key("is_deleted")
            w.bool(deleted)
        }
        func phones(_ w: inout JSONWriter, _ values: [PhoneValue]) {
            w.key("custom_fields_values")
            guard !values.isEmpty else { return w.null() }
            w.beginArray()
            w.beginObject()
            w.key("field_code")
            w.string("PHONE")
            w.key("values")
            w.beginArray()
            for value in values {
                w.beginObject()
                w.key("value")
                w.string(value.value)
                w.key("enum_code")
                w.string(value.kind.rawValue)
                w.endObject()
            }
            w.endArray()
            w.endObject()
            w.endArray()
        }
        func files(_ kind: String, _ items: Range<Int>, _ body: (inout JSONWriter, Int) -> Void) {
            for (fileIndex, start) in stride(from: 0, to: items.count, by: perFile).enumerated() {
                var w = JSONWriter()
                w.beginArray()
                for pageStart in stride(from: start, to: min(items.count, start + perFile), by: perPage) {
                    w.beginObject()
                    w.key("_embedded")
                    w.beginObject()
                    w.key(kind)
                    w.beginArray()
                    for item in items[pageStart..<min(items.count, pageStart + perPage, start + perFile)] {
                        w.beginObject()
                        body(&w, item)
                        w.endObject()
                    }
                    w.endArray()
                    w.endObject()
                    w.endObject()
                }
                w.endArray()
                let number = String(fileIndex + 1000).dropFirst()
                result.append(("\(kind)-\(number).json", w.bytes))
            }
        }
        files("contacts", data.contacts.indices) { w, i in
            let c = data.contacts[i]
            common(&w, c.id, detail(details.contacts, i, createdAt: c.createdAt), c.isDeleted)
            phones(&w, c.phones)
            embedded(&w, c.ref)
        }
        files("companies", data.companies.indices) { w, i in
            let c = data.companies[i]
            common(&w, c.id, detail(details.companies, i, createdAt: c.createdAt), c.isDeleted)
            phones(&w, c.phones)
            embedded(&w, c.ref)
        }
        files("leads", data.leads.indices) { w, i in
            let l = data.leads[i]
            let lead = detail(details.leads, i)
            common(&w, l.id, lead, l.isDeleted)
            w.key("status_id")
            w.integer(l.statusID)
            w.key("pipeline_id")
            w.integer(orNull: lead.pipelineID)
            w.key("price")
            w.integer(orNull: lead.price)
            embedded(&w, .lead(l.id))
        }
        files("customers", data.customers.indices) { w, i in
            let k = data.customers[i]
            common(&w, k.id, detail(details.customers, i), k.isDeleted)
            w.key("status_id")
            if let status = k.statusID { w.integer(status) } else { w.null() }
            embedded(&w, .customer(k.id))
        }
        files("users", users.indices) { w, i in
            w.key("id")
            w.integer(users[i].id)
            w.key("name")
            w.string(users[i].name)
            w.key("email")
            w.string(orNull: users[i].email)
        }
        var accountJSON = JSONWriter()
        accountJSON.beginObject()
        accountJSON.key("id")
        accountJSON.integer(orNull: account.id)
        accountJSON.key("name")
        accountJSON.string(orNull: account.name)
        accountJSON.key("subdomain")
        accountJSON.string(orNull: account.subdomain)
        accountJSON.key("country")
        accountJSON.string(orNull: account.country)
        accountJSON.key("customers_mode")
        accountJSON.string(account.customersMode)
        accountJSON.endObject()
        result.append(("account.json", accountJSON.bytes))
        var statuses = JSONWriter()
        statuses.beginObject()
        statuses.key("_embedded")
        statuses.beginObject()
        statuses.key("statuses")
        statuses.beginArray()
        for status in customerStatuses {
            statuses.beginObject()
            statuses.key("id")
            statuses.integer(status.id)
            statuses.key("name")
            statuses.string(status.name)
            statuses.key("type")
            statuses.integer(orNull: status.type)
            statuses.endObject()
        }
        statuses.endArray()
        statuses.endObject()
        statuses.endObject()
        result.append(("statuses.json", statuses.bytes))
        result.append(("pipelines.json", pipelinesPage(pipelines)))
        return result
    }

    /// The page of `GET /api/v4/leads/pipelines`: each status carries its pipeline's id, as amoCRM
    /// writes it.
    static func pipelinesPage(_ pipelines: [LeadPipeline]) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.key("_embedded")
        w.beginObject()
        w.key("pipelines")
        w.beginArray()
        for pipeline in pipelines {
            w.beginObject()
            w.key("id")
            w.integer(pipeline.id)
            w.key("name")
            w.string(pipeline.name)
            w.key("_embedded")
            w.beginObject()
            w.key("statuses")
            w.beginArray()
            for status in pipeline.statuses {
                w.beginObject()
                w.key("id")
                w.integer(status.id)
                w.key("name")
                w.string(status.name)
                w.key("pipeline_id")
                w.integer(pipeline.id)
                w.endObject()
            }
            w.endArray()
            w.endObject()
            w.endObject()
        }
        w.endArray()
        w.endObject()
        w.endObject()
        return w.bytes
    }
}
