import AccountIndex

extension AccountAudit {
    /// The report for a terminal: the summary, then the first `limit` entries of each finding.
    public func text(limit: Int = 10) -> String {
        var out = ""
        let s = summary
        out += "Account audit: \(s.contacts) contacts, \(s.companies) companies (\(s.deletedSkipped) deleted skipped), "
        out += "\(s.phoneValues) phone values, \(s.storedNumbers) stored numbers (\(s.distinctNumbers) distinct)"
        out += ", region \(s.region ?? "none")\n"
        let total = max(s.calls.total, 1)
        func percent(_ n: Int) -> String {
            let tenths = (n * 1000 + total / 2) / total
            return "\(tenths / 10).\(tenths % 10) %"
        }
        out += "If every stored number called once: \(percent(s.calls.exact)) exact"
        out +=
            " (\(percent(s.calls.exactAmongSeveral)) among several holders), \(percent(s.calls.suffix)) by last digits, "
        out += "\(percent(s.calls.none)) not at all\n"
        out += "Countries: " + s.byCountry.prefix(8).map { "\($0.region) \($0.count)" }.joined(separator: ", ") + "\n"
        out += "Types: " + s.byType.map { "\($0.type) \($0.count)" }.joined(separator: ", ") + "\n\n"
        out += "Findings:\n"
        for (key, count) in s.findings { out += "  \(key.padding(20)) \(count)\n" }

        func name(_ entity: AuditEntity) -> String {
            var text = "\(entity.ref)"
            if let name = entity.name, !name.isEmpty { text += " «\(name)»" }
            return text
        }
        func more(_ count: Int) {
            if count > limit { out += "  … and \(count - limit) more (--format json lists all)\n" }
        }

        out += "\nDuplicates (a call pops the first; the others' leads are never shown):\n"
        for duplicate in duplicates(limit: limit) {
            out += "  \(duplicate.e164): pops \(name(duplicate.entities[0])) (\(duplicate.rule)), "
            out += "\(duplicate.decision.target); also "
            out += duplicate.entities.dropFirst().map(name).joined(separator: ", ") + "\n"
        }
        more(s.count(of: "duplicates"))
        out += "\nShared numbers (switchboards):\n"
        for number in sharedNumbers(limit: limit) {
            out += "  \(number.e164): company \(number.companyID), \(number.entities.count) holders; pops "
            out += "\(name(number.entities[0]))\n"
        }
        more(s.count(of: "shared_numbers"))
        out += "\nSuffix collisions:\n"
        for collision in suffixCollisions(limit: limit) {
            out += "  last \(collision.digits) digits \(collision.suffix): "
            out += collision.numbers.joined(separator: ", ") + " — "
            out += collision.entities.map(name).joined(separator: ", ") + "\n"
        }
        more(s.count(of: "suffix_collisions"))
        for kind in ValueFinding.Kind.allCases {
            let findings = valueFindings(kind, limit: limit)
            out += "\n\(kind):\n"
            for finding in findings.prefix(limit) {
                out += "  \(name(finding.entity)): \"\(finding.value)\""
                if let e164 = finding.e164 { out += " → \(e164)" }
                if let error = finding.error { out += " (\(error))" }
                if let reason = finding.reason { out += " (\(reason))" }
                if !finding.numbers.isEmpty { out += " → " + finding.numbers.joined(separator: ", ") }
                if finding.emergency { out += " (emergency)" }
                if let international = finding.asInternational { out += "; meant \(international)?" }
                out += "\n"
            }
            more(s.count(of: kind.key))
        }
        return out
    }
}

extension String {
    /// The string padded with spaces to `width` characters.
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
