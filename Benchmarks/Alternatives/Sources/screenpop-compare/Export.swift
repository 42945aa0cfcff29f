import AccountIndex
import PhoneNumbers

/// `export <size> <seed> <dir> [queries]`: the generated account as TAB-separated files, numbers as
/// ScreenPop keys them, for peers outside this tool (and for reading by eye).
func runExport(_ args: [String]) {
    guard args.count >= 3, let size = Int(args[0]), let seed = UInt64(args[1]) else {
        fail("usage: export <size> <seed> <dir> [queries]")
    }
    let dir = args[2]
    let queries = args.count > 3 ? Int(args[3]) ?? 1000 : 1000
    let workload = Workload(size: size, seed: seed, queries: queries)
    let data = workload.data
    let region = data.settings.defaultRegion
    let digits = data.settings.suffixFallback.digits

    func table(_ name: String, _ header: String, _ rows: () -> [String]) {
        let out = OutputFile("\(dir)/\(name).tsv")
        out.line(header)
        for row in rows() { out.line(row) }
        out.close()
    }
    table("settings", "default_region\tcustomers_enabled\tclosed_customer_statuses\tsuffix_digits\tsuffix_enabled") {
        [
            "\(region ?? "")\t\(data.settings.customersEnabled ? 1 : 0)\t"
                + data.settings.closedCustomerStatusIDs.sorted().map(String.init).joined(separator: ",")
                + "\t\(digits)\t\(data.settings.suffixFallback.isEnabled ? 1 : 0)"
        ]
    }
    table("contacts", "id\tcreated_at\tdeleted") {
        data.contacts.map { "\($0.id)\t\($0.createdAt)\t\($0.isDeleted ? 1 : 0)" }
    }
    table("companies", "id\tcreated_at\tdeleted") {
        data.companies.map { "\($0.id)\t\($0.createdAt)\t\($0.isDeleted ? 1 : 0)" }
    }
    table("leads", "id\tstatus_id\tdeleted") { data.leads.map { "\($0.id)\t\($0.statusID)\t\($0.isDeleted ? 1 : 0)" } }
    table("customers", "id\tstatus_id\tdeleted") {
        data.customers.map { "\($0.id)\t\($0.statusID.map(String.init) ?? "")\t\($0.isDeleted ? 1 : 0)" }
    }
    table("phones", "owner_kind\towner_id\te164\tsuffix") {
        var rows: [String] = []
        for c in data.contacts {
            for key in PhoneKey.keys(inStoredValues: c.phones, defaultRegion: region) {
                rows.append("1\t\(c.id)\t\(key.e164)\t\(suffixText(key, digits: digits) ?? "")")
            }
        }
        for c in data.companies {
            for key in PhoneKey.keys(inStoredValues: c.phones, defaultRegion: region) {
                rows.append("3\t\(c.id)\t\(key.e164)\t\(suffixText(key, digits: digits) ?? "")")
            }
        }
        return rows
    }
    let links = NormalizedLinks(data.links)
    table("contact_leads", "contact_id\tlead_id") { links.contactLeads.map { "\($0.contact)\t\($0.lead)" } }
    table("contact_customers", "contact_id\tcustomer_id") {
        links.contactCustomers.map { "\($0.contact)\t\($0.customer)" }
    }
    table("company_leads", "lead_id\tcompany_id") {
        links.leadCompany.sorted { $0.key < $1.key }.map { "\($0.key)\t\($0.value)" }
    }
    table("company_customers", "customer_id\tcompany_id") {
        links.customerCompany.sorted { $0.key < $1.key }.map { "\($0.key)\t\($0.value)" }
    }
    table("queries", "caller_text\te164") {
        zip(workload.callerTexts, workload.callers).map { text, number in
            "\(text.replacingTabs)\t\(PhoneKey(number)?.e164 ?? "")"
        }
    }
    print(
        "exported \(data.contacts.count) contacts, \(data.companies.count) companies, \(data.leads.count) leads, "
            + "\(data.customers.count) customers, \(workload.callers.count) queries to \(dir)")
}

extension String {
    fileprivate var replacingTabs: String {
        String(unicodeScalars.map { $0 == "\t" || $0 == "\n" ? " " : Character($0) })
    }
}
