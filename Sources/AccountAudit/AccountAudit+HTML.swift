import AccountIndex

extension AccountAudit {
    /// The report as one self-contained HTML page for a CRM administrator: inline CSS, charts as
    /// inline SVG drawn here, no script; the only links go to the account's own amoCRM pages.
    /// Each table shows its first `limit` rows (the JSON report lists all).
    public func html(limit: Int = 500) -> String {
        var page = HTMLPage()
        let s = summary
        page.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        page.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        page.raw("<title>Phone number audit</title><style>\(Self.css)</style></head><body>")
        page.raw("<h1>Phone number audit</h1><p class=\"lead\">")
        page.text("\(s.contacts) contacts and \(s.companies) companies, \(s.phoneValues) phone values, ")
        page.text("\(s.storedNumbers) stored numbers (\(s.distinctNumbers) distinct). Country of the account: ")
        page.text("\(s.region ?? "none"); numbers without a country code are read as its numbers. ")
        page.text("\(s.deletedSkipped) deleted contacts and companies were left out, as calls never find them.")
        page.raw("</p>")

        // The summary: what calls will do, then the findings, then what the numbers are.
        page.raw("<section class=\"charts\"><div class=\"card\"><h2>If every stored number called once</h2>")
        page.raw(
            Self.stackedBar([
                ("Found exactly", s.calls.exact - s.calls.exactAmongSeveral, "#2e7d32"),
                ("Exactly, but several hold it", s.calls.exactAmongSeveral, "#f9a825"),
                ("Only by its last digits", s.calls.suffix, "#ef6c00"),
                ("Not found", s.calls.none, "#c62828"),
            ]))
        page.raw("</div><div class=\"card\"><h2>Findings</h2>")
        page.raw(
            Self.barChart(
                s.findings.map { (Self.title(of: $0.key), $0.count) }, color: "#c62828", anchorPrefix: "#",
                anchors: s.findings.map(\.key)))
        page.raw("</div><div class=\"card\"><h2>Numbers by country</h2>")
        page.raw(Self.barChart(Array(s.byCountry.prefix(10).map { ($0.region, $0.count) }), color: "#1565c0"))
        page.raw("</div><div class=\"card\"><h2>Numbers by type</h2>")
        page.raw(Self.barChart(s.byType.map { ($0.type, $0.count) }, color: "#6a1b9a"))
        page.raw("</div></section>")

        section(
            &page, key: "duplicates", count: s.count(of: "duplicates"), limit: limit, explanation: Self.explanations[0]
        ) {
            page in
            page.raw(
                "<tr><th>Number</th><th>A call opens</th><th>Why this one</th><th>Holders (first is shown)</th></tr>")
            for duplicate in duplicates(limit: limit) {
                page.raw("<tr><td class=\"num\">")
                page.text(duplicate.e164)
                page.raw("</td><td>")
                page.text("\(duplicate.decision.target)")
                page.raw("</td><td>")
                page.text(duplicate.rule.description)
                page.raw("</td><td>")
                entityList(&page, duplicate.entities, withLinks: true)
                page.raw("</td></tr>")
            }
        }
        section(
            &page, key: "shared_numbers", count: s.count(of: "shared_numbers"), limit: limit,
            explanation: Self.explanations[1]
        ) {
            page in
            page.raw("<tr><th>Number</th><th>Company</th><th>A call opens</th><th>Holders</th></tr>")
            for number in sharedNumbers(limit: limit) {
                page.raw("<tr><td class=\"num\">")
                page.text(number.e164)
                page.raw("</td><td>")
                page.link(options.link(to: .company(number.companyID)), "company \(number.companyID)")
                page.raw("</td><td>")
                page.text("\(number.decision.target)")
                page.raw("</td><td>")
                entityList(&page, number.entities, withLinks: false)
                page.raw("</td></tr>")
            }
        }
        section(
            &page, key: "suffix_collisions", count: s.count(of: "suffix_collisions"), limit: limit,
            explanation: Self.explanations[2]
        ) { page in
            page.raw("<tr><th>Last digits</th><th>Numbers</th><th>Holders</th></tr>")
            for collision in suffixCollisions(limit: limit) {
                page.raw("<tr><td class=\"num\">")
                page.text("\(collision.digits): …\(collision.suffix)")
                page.raw("</td><td class=\"num\">")
                page.text(collision.numbers.joined(separator: "\n"))
                page.raw("</td><td>")
                entityList(&page, collision.entities, withLinks: false)
                page.raw("</td></tr>")
            }
        }
        for (offset, kind) in ValueFinding.Kind.allCases.enumerated() {
            let findings = valueFindings(kind, limit: limit)
            section(
                &page, key: kind.key, count: summary.count(of: kind.key), limit: limit,
                explanation: Self.explanations[3 + offset]
            ) {
                page in
                page.raw("<tr><th>Contact or company</th><th>Stored value</th><th>Read as</th><th>Details</th></tr>")
                for finding in findings.prefix(limit) {
                    page.raw("<tr><td>")
                    entityCell(&page, finding.entity)
                    page.raw("</td><td class=\"num\">")
                    page.text(finding.value)
                    page.raw("</td><td class=\"num\">")
                    page.text(finding.numbers.isEmpty ? (finding.e164 ?? "—") : finding.numbers.joined(separator: "\n"))
                    page.raw("</td><td>")
                    var details: [String] = []
                    if let error = finding.error { details.append(error) }
                    if let reason = finding.reason { details.append(reason) }
                    if finding.emergency { details.append("emergency number") }
                    if let international = finding.asInternational { details.append("probably \(international)") }
                    page.text(details.joined(separator: "; "))
                    page.raw("</td></tr>")
                }
            }
        }
        page.raw("<footer>Made by <code>screenpop audit</code>. ")
        page.text("Suffix lengths: \(options.suffixDigits.map(String.init).joined(separator: ", ")); the index's ")
        page.text("last-digits fallback: \(settings.suffixFallback.isEnabled ? "on" : "off"), ")
        page.text("\(settings.suffixFallback.digits) digits.")
        page.raw("</footer></body></html>\n")
        return page.html
    }

    func section(
        _ page: inout HTMLPage, key: String, count: Int, limit: Int, explanation: String,
        rows: (inout HTMLPage) -> Void
    ) {
        page.raw("<section id=\"\(key)\"><h2>")
        page.text("\(Self.title(of: key)) (\(count))")
        page.raw("</h2><p class=\"why\">")
        page.text(explanation)
        page.raw("</p>")
        guard count > 0 else { return page.raw("<p class=\"none\">None found.</p></section>") }
        page.raw("<table>")
        rows(&page)
        page.raw("</table>")
        if count > limit {
            page.raw("<p class=\"more\">")
            page.text("The first \(limit) of \(count); the JSON report (--format json) lists all.")
            page.raw("</p>")
        }
        page.raw("</section>")
    }

    func entityCell(_ page: inout HTMLPage, _ entity: AuditEntity) {
        var label = entity.ref.kind == .contact ? "Contact \(entity.ref.id)" : "Company \(entity.ref.id)"
        if let name = entity.name, !name.isEmpty { label = "\(name) (\(label.lowercased()))" }
        page.link(entity.link, label)
    }

    func entityList(_ page: inout HTMLPage, _ entities: [AuditEntity], withLinks: Bool) {
        page.raw("<ul>")
        for entity in entities {
            page.raw("<li>")
            entityCell(&page, entity)
            if !entity.values.isEmpty {
                page.raw(" <span class=\"value\">")
                page.text(entity.values.joined(separator: ", "))
                page.raw("</span>")
            }
            if withLinks {
                page.raw(" <span class=\"links\">")
                page.text("\(entity.activeLeads.count) active lead\(entity.activeLeads.count == 1 ? "" : "s"), ")
                page.text("\(entity.openCustomers.count) open customer\(entity.openCustomers.count == 1 ? "" : "s")")
                page.raw("</span>")
            }
            page.raw("</li>")
        }
        page.raw("</ul>")
    }

    static func title(of key: String) -> String {
        switch key {
        case "duplicates": "Duplicate numbers"
        case "shared_numbers": "Shared numbers (switchboards)"
        case "suffix_collisions": "Last-digit collisions"
        default: ValueFinding.Kind.allCases.first { $0.key == key }?.description ?? key
        }
    }

    static let explanations = [
        "Several contacts or companies hold the same number. A call opens only the first (contacts before "
            + "companies, then the oldest, then the smallest id); the others' leads never pop up. Merge them, or "
            + "remove the number from the entity that should not get the calls.",
        "A company's number held by the company and its contacts: a switchboard. Calls from it open one card; "
            + "that is usually what you want. Keep the number on the company only if contacts call from their own lines.",
        "Different numbers that end in the same digits. amoCRM's call notification matches the last 8 digits and "
            + "its calls API the last 10: a call from one may open the other's card. Check that each number is "
            + "complete and has its country code.",
        "Values with no phone number in them. Calls can never find these entities by phone. Correct the value "
            + "or move the text to a note.",
        "Numbers that parse but are not valid: the digits are too few or too many, or in no range of the country. "
            + "A call from the real number will not match exactly. When a likely number is shown, it is the value "
            + "read with its own country code.",
        "Numbers written without + or an international prefix, read as numbers of the account's country. Right "
            + "for local numbers; wrong for a foreign number stored without its +. Add the country code.",
        "Short numbers and service codes (112, 900) stored as phones. They never match a real caller; delete them.",
        "Fields that hold several numbers. Each is matched, but amoCRM itself sees one value; split them into "
            + "separate phone values.",
    ]

    /// Horizontal bars with labels and counts.
    static func barChart(
        _ rows: [(String, Int)], color: String, anchorPrefix: String? = nil, anchors: [String] = []
    ) -> String {
        let maximum = max(rows.map(\.1).max() ?? 1, 1)
        let rowHeight = 24
        let height = rows.count * rowHeight + 4
        var svg = "<svg class=\"chart\" viewBox=\"0 0 560 \(height)\" width=\"560\" height=\"\(height)\" role=\"img\">"
        for (index, (label, count)) in rows.enumerated() {
            let y = index * rowHeight + 2
            let width = count == 0 ? 0 : max(2, count * 260 / maximum)
            var text = "<text x=\"0\" y=\"\(y + 16)\">\(HTMLPage.escape(label))</text>"
            if let anchorPrefix, index < anchors.count {
                text = "<a href=\"\(anchorPrefix)\(HTMLPage.escape(anchors[index]))\">\(text)</a>"
            }
            svg += text
            svg += "<rect x=\"240\" y=\"\(y + 3)\" width=\"\(width)\" height=\"16\" rx=\"2\" fill=\"\(color)\"/>"
            svg += "<text x=\"\(246 + width)\" y=\"\(y + 16)\" class=\"count\">\(count)</text>"
        }
        return svg + "</svg>"
    }

    /// One bar split in parts, with a legend and percentages.
    static func stackedBar(_ parts: [(String, Int, String)]) -> String {
        let total = max(parts.reduce(0) { $0 + $1.1 }, 1)
        let height = 40 + parts.count * 22
        var svg = "<svg class=\"chart\" viewBox=\"0 0 560 \(height)\" width=\"560\" height=\"\(height)\" role=\"img\">"
        var x = 0
        for (_, count, color) in parts {
            let width = count * 560 / total
            svg += "<rect x=\"\(x)\" y=\"0\" width=\"\(width)\" height=\"24\" fill=\"\(color)\"/>"
            x += width
        }
        for (index, (label, count, color)) in parts.enumerated() {
            let y = 40 + index * 22
            let tenths = (count * 1000 + total / 2) / total
            svg += "<rect x=\"0\" y=\"\(y)\" width=\"14\" height=\"14\" fill=\"\(color)\"/>"
            svg +=
                "<text x=\"22\" y=\"\(y + 12)\">\(HTMLPage.escape(label)): \(count) (\(tenths / 10).\(tenths % 10) %)</text>"
        }
        return svg + "</svg>"
    }

    static let css = """
        body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;margin:0 auto;\
        max-width:1180px;padding:24px}h1{font-size:26px;margin:0 0 6px}h2{font-size:19px;margin:0 0 8px}\
        .lead{color:#57606a;margin:0 0 18px}.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(540px,1fr));\
        gap:16px;margin-bottom:24px}.card{border:1px solid #d0d7de;border-radius:8px;padding:14px 16px;background:#f6f8fa}\
        .chart{max-width:100%;height:auto;font-size:13px}.chart text{fill:#1f2328}.chart .count{fill:#57606a}\
        .chart a text{fill:#0969da}section{margin:28px 0}.why{color:#57606a;max-width:900px}table{border-collapse:collapse;\
        width:100%;font-size:14px}th,td{border-bottom:1px solid #d0d7de;padding:6px 8px;text-align:left;vertical-align:top}\
        th{background:#f6f8fa}.num{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap}\
        td ul{margin:0;padding-left:18px}.value{font-family:ui-monospace,Menlo,Consolas,monospace;color:#57606a}\
        .links{color:#57606a;font-size:13px}.none{color:#2e7d32}.more{color:#9a6700}a{color:#0969da}\
        footer{color:#57606a;font-size:13px;margin-top:36px}
        """
}

/// HTML written as text, escaped where it is text.
struct HTMLPage {
    var html = ""

    mutating func raw(_ markup: String) { html += markup }

    mutating func text(_ text: String) { html += Self.escape(text) }

    /// A link to `href` (an amoCRM page) when there is one, else the text alone.
    mutating func link(_ href: String?, _ label: String) {
        guard let href else { return text(label) }
        html += "<a href=\"\(Self.escape(href))\">\(Self.escape(label))</a>"
    }

    /// `&`, `<`, `>`, `"` and `'` as entities: safe in text and in quoted attributes.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
