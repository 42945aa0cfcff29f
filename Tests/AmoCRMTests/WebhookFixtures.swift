/// Webhook bodies in amoCRM's shape, written for these tests from the documented format (docs/amocrm.md,
/// "Webhooks"): amoCRM posts them as PHP's `http_build_query` writes them, brackets percent-encoded,
/// `+` for spaces, and the legacy API v2 field names. Ids and names are made up.
enum WebhookFixtures {
    /// A lead moved to "won" (142): `leads[status]`, as amoCRM sends it, brackets encoded. It carries
    /// the whole lead (name, price, tags, custom fields) besides the old and new status.
    static let leadStatus =
        "leads%5Bstatus%5D%5B0%5D%5Bid%5D=31926520"
        + "&leads%5Bstatus%5D%5B0%5D%5Bname%5D=%D0%A1%D0%B4%D0%B5%D0%BB%D0%BA%D0%B0+%E2%84%96+7"
        + "&leads%5Bstatus%5D%5B0%5D%5Bstatus_id%5D=142"
        + "&leads%5Bstatus%5D%5B0%5D%5Bprice%5D=24000"
        + "&leads%5Bstatus%5D%5B0%5D%5Bresponsible_user_id%5D=8010001"
        + "&leads%5Bstatus%5D%5B0%5D%5Blast_modified%5D=1700000300"
        + "&leads%5Bstatus%5D%5B0%5D%5Bmodified_user_id%5D=8010001"
        + "&leads%5Bstatus%5D%5B0%5D%5Bcreated_user_id%5D=8010002"
        + "&leads%5Bstatus%5D%5B0%5D%5Bdate_create%5D=1700000000"
        + "&leads%5Bstatus%5D%5B0%5D%5Bpipeline_id%5D=2116"
        + "&leads%5Bstatus%5D%5B0%5D%5Btags%5D%5B0%5D%5Bid%5D=80147"
        + "&leads%5Bstatus%5D%5B0%5D%5Btags%5D%5B0%5D%5Bname%5D=%D1%81%D0%B0%D0%B9%D1%82"
        + "&leads%5Bstatus%5D%5B0%5D%5Baccount_id%5D=10216991"
        + "&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bid%5D=66339"
        + "&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bname%5D=%D0%98%D1%81%D1%82%D0%BE%D1%87%D0%BD%D0%B8%D0%BA"
        + "&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bvalues%5D%5B0%5D%5Bvalue%5D=%D0%A1%D0%B0%D0%B9%D1%82"
        + "&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bvalues%5D%5B0%5D%5Benum%5D=139517"
        + "&leads%5Bstatus%5D%5B0%5D%5Bold_status_id%5D=10216995"
        + "&leads%5Bstatus%5D%5B0%5D%5Bold_pipeline_id%5D=2116"
        + "&account%5Bid%5D=10216991&account%5Bsubdomain%5D=test"

    /// A contact edited: its custom fields (the PHONE field's `code` after its values, as amoCRM
    /// writes it; `enum` is the account's id of the value's kind), its leads (`linked_leads_id`) and
    /// company, and `type=contact`. Brackets as-is, values encoded: the same to the decoder.
    static let contactUpdate =
        "contacts[update][0][id]=22309159"
        + "&contacts[update][0][name]=%D0%98%D0%B2%D0%B0%D0%BD+%D0%9F%D0%B5%D1%82%D1%80%D0%BE%D0%B2"
        + "&contacts[update][0][responsible_user_id]=8010001"
        + "&contacts[update][0][date_create]=1529344388"
        + "&contacts[update][0][last_modified]=1538066975"
        + "&contacts[update][0][modified_user_id]=8010001"
        + "&contacts[update][0][company_name]=%D0%9E%D0%9E%D0%9E+%D0%A0%D0%BE%D0%BC%D0%B0%D1%88%D0%BA%D0%B0"
        + "&contacts[update][0][linked_company_id]=22797025"
        + "&contacts[update][0][custom_fields][0][id]=54667"
        + "&contacts[update][0][custom_fields][0][name]=%D0%A2%D0%B5%D0%BB%D0%B5%D1%84%D0%BE%D0%BD"
        + "&contacts[update][0][custom_fields][0][values][0][value]=%2B7+916+123-45-67"
        + "&contacts[update][0][custom_fields][0][values][0][enum]=114611"
        + "&contacts[update][0][custom_fields][0][values][1][value]=8+(495)+123-45-67+%D0%B4%D0%BE%D0%B1+12"
        + "&contacts[update][0][custom_fields][0][values][1][enum]=114613"
        + "&contacts[update][0][custom_fields][0][code]=PHONE"
        + "&contacts[update][0][custom_fields][1][id]=54669"
        + "&contacts[update][0][custom_fields][1][name]=Email"
        + "&contacts[update][0][custom_fields][1][values][0][value]=ivan%40example.com"
        + "&contacts[update][0][custom_fields][1][values][0][enum]=114621"
        + "&contacts[update][0][custom_fields][1][code]=EMAIL"
        + "&contacts[update][0][custom_fields][2][id]=565515"
        + "&contacts[update][0][custom_fields][2][name]=%D0%94%D0%B0%D1%82%D0%B0+%D1%80%D0%BE%D0%B6%D0%B4%D0%B5%D0%BD%D0%B8%D1%8F"
        + "&contacts[update][0][custom_fields][2][values][0]=1542067200"
        + "&contacts[update][0][tags][0][id]=72289"
        + "&contacts[update][0][tags][0][name]=callback"
        + "&contacts[update][0][linked_leads_id][9982719][ID]=9982719"
        + "&contacts[update][0][linked_leads_id][9982767][ID]=9982767"
        + "&contacts[update][0][linked_leads_id][10060679][ID]=10060679"
        + "&contacts[update][0][type]=contact"
        + "&account[subdomain]=test"

    /// A company added: companies come under `contacts` with `type=company`.
    static let companyAdd =
        "contacts[add][0][id]=22000020"
        + "&contacts[add][0][name]=%D0%9E%D0%9E%D0%9E+%C2%AB%D0%A0%D0%BE%D0%BC%D0%B0%D1%88%D0%BA%D0%B0%C2%BB"
        + "&contacts[add][0][responsible_user_id]=8010001"
        + "&contacts[add][0][date_create]=1483965006"
        + "&contacts[add][0][last_modified]=1483965006"
        + "&contacts[add][0][created_user_id]=8010001"
        + "&contacts[add][0][modified_user_id]=8010001"
        + "&contacts[add][0][custom_fields][0][id]=54667"
        + "&contacts[add][0][custom_fields][0][name]=%D0%A2%D0%B5%D0%BB%D0%B5%D1%84%D0%BE%D0%BD"
        + "&contacts[add][0][custom_fields][0][values][0][value]=%2B7+495+000-00-01"
        + "&contacts[add][0][custom_fields][0][values][0][enum]=114611"
        + "&contacts[add][0][custom_fields][0][code]=PHONE"
        + "&contacts[add][0][type]=company"
        + "&account[subdomain]=test&account[id]=10216991"

    /// Three deletions: a company and a contact (under `contacts`, with `type`) and a lead, which
    /// carry their id only.
    static let deletions =
        "contacts[delete][0][id]=22000020&contacts[delete][0][type]=company"
        + "&contacts[delete][1][id]=21999540&contacts[delete][1][type]=contact"
        + "&leads[delete][0][id]=8000832"
        + "&account[subdomain]=test&account[id]=10216991"

    /// A lead restored from the trash: the whole lead, as on an update.
    static let leadRestore =
        "leads[restore][0][id]=40334183&leads[restore][0][name]=Forbidden+phone+number+error"
        + "&leads[restore][0][status_id]=9931849&leads[restore][0][price]="
        + "&leads[restore][0][responsible_user_id]=654094&leads[restore][0][last_modified]=1457109765"
        + "&leads[restore][0][modified_user_id]=471574&leads[restore][0][created_user_id]=654094"
        + "&leads[restore][0][date_create]=1456394603&leads[restore][0][pipeline_id]=53218"
        + "&leads[restore][0][account_id]=9931843&account[subdomain]=test"

    /// A customer edited, with the v4-style time names that customer webhooks use.
    static let customerUpdate =
        "customers[update][0][id]=41000001&customers[update][0][name]=%D0%9F%D0%BE%D0%BA%D1%83%D0%BF%D0%B0%D1%82%D0%B5%D0%BB%D1%8C"
        + "&customers[update][0][status_id]=7001&customers[update][0][next_price]=5000"
        + "&customers[update][0][next_date]=1700600000&customers[update][0][responsible_user_id]=8010001"
        + "&customers[update][0][created_at]=1690000000&customers[update][0][updated_at]=1700000100"
        + "&account[id]=10216991&account[subdomain]=test"
}
