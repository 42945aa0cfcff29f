import AccountIndex
import ScreenPopJSON

extension SyntheticAccount {
    /// The account as the files of amoCRM API v4 pages that `AmoCRMImport` loads: contacts,
    /// companies, leads and customers with every link listed from both sides, `account.json` and
    /// the customer statuses. For the loader's tests and its benchmark.
    ///
    /// - Parameters:
    ///   - perPage: Entities a page (amoCRM gives at most 250).
    ///   - perFile: Entities a file; a file holds an array of pages.
    /// - Returns: File names and contents, compact JSON.
    public func amoCRMPages(perPage: Int = 250, perFile: Int = 20_000) -> [(name: String, bytes: [UInt8])] {
        let data = self.data
        var result: [(name: String, bytes: [UInt8])] = []
        var contactLinks: [Int: (leads: [Int], customers: [Int], company: Int?)] = [:]
        var companyLinks: [Int: (contacts: [Int], leads: [Int], customers: [Int])] = [:]
        var leadLinks: [Int: (contacts: [(Int, Bool)], company: Int?)] = [:]
        var customerLinks: [Int: (contacts: [Int], company: Int?)] = [:]
        for link in data.links {
            switch link {
            case .contactLead(let c, let l, let main):
                contactLinks[c, default: ([], [], nil)].leads.append(l)
                leadLinks[l, default: ([], nil)].contacts.append((c, main))
            case .companyLead(let k, let l):
                companyLinks[k, default: ([], [], [])].leads.append(l)
                leadLinks[l, default: ([], nil)].company = k
            case .contactCustomer(let c, let k):
                contactLinks[c, default: ([], [], nil)].customers.append(k)
                customerLinks[k, default: ([], nil)].contacts.append(c)
            case .companyCustomer(let k, let c):
                companyLinks[k, default: ([], [], [])].customers.append(c)
                customerLinks[c, default: ([], nil)].company = k
            case .contactCompany(let c, let k):
                contactLinks[c, default: ([], [], nil)].company = k
                companyLinks[k, default: ([], [], [])].contacts.append(c)
            }
        }
        func refs(_ w: inout JSONWriter, _ key: String, _ ids: [Int], main: [Bool]? = nil) {
            w.key(key)
            w.beginArray()
            for (i, id) in ids.enumerated() {
                w.beginObject()
                w.key("id")
                w.integer(id)
                if let main {
                    w.key("is_main")
                    w.bool(main[i])
                }
                w.endObject()
            }
            w.endArray()
        }
        func common(
            _ w: inout JSONWriter, _ id: Int, _ name: String, _ user: Int?, _ created: Int, _ updated: Int,
            _ deleted: Bool
        ) {
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
        func files<T>(_ kind: String, _ items: [T], _ body: (inout JSONWriter, T) -> Void) {
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
        files("contacts", data.contacts) { w, c in
            common(&w, c.id, c.name, c.responsibleUserID, c.createdAt, c.updatedAt, c.isDeleted)
            phones(&w, c.phones)
            let links = contactLinks[c.id] ?? ([], [], nil)
            w.key("_embedded")
            w.beginObject()
            refs(&w, "leads", links.leads)
            refs(&w, "customers", links.customers)
            refs(&w, "companies", links.company.map { [$0] } ?? [])
            w.endObject()
        }
        files("companies", data.companies) { w, c in
            common(&w, c.id, c.name, c.responsibleUserID, c.createdAt, c.updatedAt, c.isDeleted)
            phones(&w, c.phones)
            let links = companyLinks[c.id] ?? ([], [], [])
            w.key("_embedded")
            w.beginObject()
            refs(&w, "contacts", links.contacts)
            refs(&w, "leads", links.leads)
            refs(&w, "customers", links.customers)
            w.endObject()
        }
        files("leads", data.leads) { w, l in
            common(&w, l.id, l.name, l.responsibleUserID, l.createdAt, l.updatedAt, l.isDeleted)
            w.key("status_id")
            w.integer(l.statusID)
            w.key("pipeline_id")
            w.integer(l.pipelineID)
            let links = leadLinks[l.id] ?? ([], nil)
            w.key("_embedded")
            w.beginObject()
            refs(&w, "contacts", links.contacts.map(\.0), main: links.contacts.map(\.1))
            refs(&w, "companies", links.company.map { [$0] } ?? [])
            w.endObject()
        }
        files("customers", data.customers) { w, k in
            common(&w, k.id, k.name, k.responsibleUserID, k.createdAt, k.updatedAt, k.isDeleted)
            w.key("status_id")
            if let status = k.statusID { w.integer(status) } else { w.null() }
            let links = customerLinks[k.id] ?? ([], nil)
            w.key("_embedded")
            w.beginObject()
            refs(&w, "contacts", links.contacts)
            refs(&w, "companies", links.company.map { [$0] } ?? [])
            w.endObject()
        }
        result.append(
            ("account.json", Array(#"{"id": 1, "country": "RU", "customers_mode": "periodicity"}"#.utf8)))
        var statuses = JSONWriter()
        statuses.beginObject()
        statuses.key("_embedded")
        statuses.beginObject()
        statuses.key("statuses")
        statuses.beginArray()
        for (id, type) in [(Self.closedCustomerStatusID, 3), (1001, 0)] {
            statuses.beginObject()
            statuses.key("id")
            statuses.integer(id)
            statuses.key("type")
            statuses.integer(type)
            statuses.endObject()
        }
        statuses.endArray()
        statuses.endObject()
        statuses.endObject()
        result.append(("statuses.json", statuses.bytes))
        return result
    }
}
