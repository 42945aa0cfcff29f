import AccountIndex

/// What the audit looks for and how it names entities.
public struct AuditOptions: Hashable, Sendable {
    /// The last-digits lengths to look for collisions on: 8 (amoCRM's call notification) and 10
    /// (its calls API) by default. Each is clamped to ``AccountIndex/SuffixFallback/digitRange``'s
    /// 6…15; duplicates are dropped.
    public var suffixDigits: [Int] {
        get { storedSuffixDigits }
        set {
            var seen: [Int] = []
            for digits in newValue {
                let clamped = min(max(digits, 6), 15)
                if !seen.contains(clamped) { seen.append(clamped) }
            }
            storedSuffixDigits = seen.sorted()
        }
    }
    private var storedSuffixDigits: [Int] = [8, 10]

    /// The account's amoCRM subdomain (`example` of `example.amocrm.ru`): with it, every entity
    /// of the report links to its page in amoCRM.
    public var subdomain: String?

    /// A shared number (a switchboard) is held by at least this many live entities of one company.
    public var sharedNumberMinimum = 3

    public init(suffixDigits: [Int] = [8, 10], subdomain: String? = nil) {
        self.subdomain = subdomain
        self.suffixDigits = suffixDigits
    }

    /// The amoCRM page of an entity, when the subdomain is known (and is a subdomain: letters,
    /// digits and hyphens, so that a link can never lead to another host).
    public func link(to entity: EntityRef) -> String? {
        guard let subdomain, !subdomain.isEmpty,
            subdomain.utf8.allSatisfy({
                ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || ($0 >= 65 && $0 <= 90)
            })
        else { return nil }
        let section =
            switch entity.kind {
            case .contact: "contacts"
            case .company: "companies"
            case .lead: "leads"
            case .customer: "customers"
            }
        return "https://\(subdomain).amocrm.ru/\(section)/detail/\(entity.id)"
    }
}
