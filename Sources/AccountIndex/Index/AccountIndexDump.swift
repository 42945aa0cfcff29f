/// Everything an index holds, in a canonical order (``AccountSnapshot/dump()``).
public struct AccountIndexDump: Hashable, Sendable, CustomStringConvertible {
    /// One stored number of one contact or company.
    public struct StoredNumber: Hashable, Sendable {
        public let number: PhoneKey
        public let owner: EntityRef
    }

    public let settings: AccountSettings
    public let contacts: [PhoneHolderSummary]
    public let companies: [PhoneHolderSummary]
    public let leads: [LeadSummary]
    public let customers: [CustomerSummary]
    /// Every stored number, sorted by number, then owner.
    public let storedNumbers: [StoredNumber]

    /// One line per entity and stored number.
    public var description: String {
        var lines: [String] = []
        lines.append(
            "settings region=\(settings.defaultRegion ?? "none") customers=\(settings.customersEnabled) "
                + "closed=\(settings.closedCustomerStatusIDs.sorted()) fallback=\(settings.suffixFallback.isEnabled)/\(settings.suffixFallback.digits)"
        )
        lines += contacts.map(\.description)
        lines += companies.map(\.description)
        lines += leads.map(\.description)
        lines += customers.map(\.description)
        lines += storedNumbers.map { "number \($0.number) \($0.owner)" }
        return lines.joined(separator: "\n")
    }
}
