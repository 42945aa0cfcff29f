import AccountIndex
import PhoneNumbers

/// Audits an account's phone numbers as its entities stream past: the builder of an ``AccountAudit``.
///
/// Feed it every contact and company (with their names), every lead and customer, then say
/// ``entitiesComplete()`` and feed the links; ``finish()`` gives the report. It keeps only compact
/// state per stored number (a key, an owner, an offset into one byte buffer of raw values), so a
/// million-contact account is audited in a fraction of the memory its ``AccountData`` takes, and
/// the store or the directory can be read row by row.
///
/// ```swift
/// var auditor = AccountAuditor(settings: data.settings, options: AuditOptions(subdomain: "example"))
/// for contact in data.contacts { auditor.add(contact, name: nil) }
/// for company in data.companies { auditor.add(company, name: nil) }
/// for lead in data.leads { auditor.add(lead) }
/// for customer in data.customers { auditor.add(customer) }
/// auditor.entitiesComplete()
/// for link in data.links { auditor.add(link) }
/// let audit = auditor.finish()
/// audit.duplicates.first?.chosen     // the entity a call from that number pops today
/// ```
///
/// Numbers are read exactly as the index reads them (``PhoneKey/keys(inStoredValue:defaultRegion:)``
/// with the account's region), and which entity a call pops is ``CallTargetDecision``'s answer over
/// the same candidates, so the audit and `screenpop resolve` cannot disagree.
///
/// Links added before ``entitiesComplete()`` are kept whole until the end; after it, only those
/// that touch an entity of a duplicate or shared number are kept. Entities added after
/// ``entitiesComplete()`` are not audited (``AuditSummary/entitiesAddedLate`` counts them).
public struct AccountAuditor: Sendable {
    public let settings: AccountSettings
    public let options: AuditOptions
    /// The calling code of the account's country, for "written without a country code".
    let regionCallingCode: Int?

    // Live contacts and companies, by party index.
    var partyRefs = PartyRefs()
    var partyCreatedAt = CompactIntegers()
    var names = TextArena()
    var partyHasName: [Bool] = []
    // Phone values of live parties, by value index.
    var values = TextArena()
    var valueParty: [UInt32] = []
    /// One per distinct number of each live party: what the index holds.
    var postings: [Posting] = []
    var valueFindings: [ValueRecord] = []
    /// The foreign reading of a value (``asInternational(_:)``), by value index: few values have one.
    var hints: [UInt32: UInt64] = [:]
    var errorNames: [String] = []

    // What links need.
    var activeLeadIDs: [Int] = []
    var openCustomerIDs: [Int] = []
    /// Every company, deleted too: the index accepts links to a deleted company.
    var companyIDs: [Int] = []
    var earlyLinks: [AccountLink] = []
    var links: LinkState?

    var tally = Tally()

    /// - Parameters:
    ///   - settings: The account's settings: its region reads numbers written without a country
    ///     code, its last-digits fallback and customers setting are those of the index.
    ///   - options: Suffix lengths, the subdomain for links.
    public init(settings: AccountSettings, options: AuditOptions = AuditOptions()) {
        self.settings = settings
        self.options = options
        regionCallingCode = settings.defaultRegion.flatMap { PhoneNumber.callingCode(ofRegion: $0) }
    }

    /// Contacts, companies, leads and customers added so far: for progress lines.
    public var entityCount: Int { tally.entities }

    // MARK: Entities

    /// Adds a contact. A deleted one is counted and otherwise skipped, as the index skips it.
    ///
    /// - Complexity: O(v) in the contact's phone values, each parsed once or twice.
    public mutating func add(_ contact: Contact, name: String?) {
        addParty(
            contact.ref, createdAt: contact.createdAt, isDeleted: contact.isDeleted, phones: contact.phones, name: name)
    }

    /// Adds a company. A deleted one is counted and otherwise skipped.
    public mutating func add(_ company: Company, name: String?) {
        guard links == nil else { return tally.late += 1 }
        companyIDs.appendGrowingGently(company.id)
        addParty(
            company.ref, createdAt: company.createdAt, isDeleted: company.isDeleted, phones: company.phones, name: name)
    }

    /// Adds a lead: only whether it is active matters.
    public mutating func add(_ lead: Lead) {
        guard links == nil else { return tally.late += 1 }
        tally.entities += 1
        if lead.isActive { activeLeadIDs.appendGrowingGently(lead.id) }
    }

    /// Adds a customer: only whether it is open matters.
    public mutating func add(_ customer: Customer) {
        guard links == nil else { return tally.late += 1 }
        tally.entities += 1
        if customer.isOpen(closedStatuses: settings.closedCustomerStatusIDs) { openCustomerIDs.appendGrowingGently(customer.id) }
    }

    mutating func addParty(_ ref: EntityRef, createdAt: Int, isDeleted: Bool, phones: [PhoneValue], name: String?) {
        guard links == nil else { return tally.late += 1 }
        tally.entities += 1
        guard !isDeleted else { return tally.deleted += 1 }
        let party = UInt32(truncatingIfNeeded: partyRefs.count)
        partyRefs.appendGrowingGently(ref)
        partyCreatedAt.appendGrowingGently(createdAt)
        names.append(name ?? "")
        partyHasName.appendGrowingGently(name != nil)
        if ref.kind == .contact { tally.contacts += 1 } else { tally.companies += 1 }
        let firstPosting = postings.count
        for phone in phones {
            let value = UInt32(truncatingIfNeeded: values.append(phone.value))
            valueParty.appendGrowingGently(party)
            analyse(phone.value, value: value, party: party, partyPostingsFrom: firstPosting)
        }
    }

    /// Reads one stored value as the index does, records its postings and what is wrong with it.
    ///
    /// The order is `PhoneKey.keys(inStoredValue:defaultRegion:)`'s: strict parsing first, whose
    /// number is the one key; the free-text finder only when it fails (`agreesWithResolve` and
    /// `findsExactlyWhatWasPlanted` hold the two together). Each number is parsed and validated
    /// once: this is most of an audit's time.
    mutating func analyse(_ text: String, value: UInt32, party: UInt32, partyPostingsFrom firstPosting: Int) {
        tally.values += 1
        let region = settings.defaultRegion
        let strictError: PhoneNumberParseError
        do {
            let number = try PhoneNumber(parsing: text, defaultRegion: region)
            guard let key = PhoneKey(number) else {
                return unparseable(value, "TOO_LONG")  // more digits than any key holds (E.164 allows 15)
            }
            let status = record(key, number, value: value, party: party, partyPostingsFrom: firstPosting)
            classify(text, number, key: key, status: status, value: value)
            return
        } catch {
            strictError = error
        }
        let keys = PhoneKey.keys(inStoredValue: text, defaultRegion: region)
        guard !keys.isEmpty else { return unparseable(value, strictError.code.name) }
        if keys.count > 1 {
            valueFindings.appendGrowingGently(ValueRecord(kind: .multiNumberField, value: value, code: UInt8(min(keys.count, 255))))
        }
        for key in keys {
            let number = key.number
            let status = record(key, number, value: value, party: party, partyPostingsFrom: firstPosting)
            if keys.count == 1, let number { classify(text, number, key: key, status: status, value: value) }
        }
    }

    mutating func unparseable(_ value: UInt32, _ error: String) {
        let index = errorIndex(error)
        valueFindings.appendGrowingGently(ValueRecord(kind: .unparseable, value: value, code: index))
        tally.calls.none += 1
    }

    /// Whether a number is valid, or else a short number.
    struct NumberStatus {
        var valid: Bool
        var short: Bool
    }

    /// Adds the posting (once per entity, as the index keeps it) and the summary's counts: the
    /// number's country and type, and how a call from it would be found.
    mutating func record(
        _ key: PhoneKey, _ number: PhoneNumber?, value: UInt32, party: UInt32, partyPostingsFrom firstPosting: Int
    ) -> NumberStatus {
        guard let number else { return NumberStatus(valid: false, short: false) }
        let valid = number.isValid
        // A valid number is never a short one (short numbers are shorter than any valid number).
        let short = !valid && SuffixFallback.isShortNumber(number, region: settings.defaultRegion)
        let status = NumberStatus(valid: valid, short: short)
        if postings[firstPosting...].contains(where: { $0.key == key.rawValue }) { return status }
        postings.appendGrowingGently(Posting(key: key.rawValue, party: party, value: value))
        tally.storedNumbers += 1
        tally.countries[number.regionCode ?? "ZZ", default: 0] += 1
        tally.types[valid ? number.type : .unknown, default: 0] += 1
        if valid || short {
            tally.calls.exact += 1
        } else if settings.suffixFallback.isEnabled && key.digitCount >= settings.suffixFallback.digits {
            tally.calls.suffix += 1
        } else {
            tally.calls.none += 1
        }
        return status
    }

    /// The findings of a value that holds one number.
    mutating func classify(_ text: String, _ number: PhoneNumber, key: PhoneKey, status: NumberStatus, value: UInt32) {
        let region = settings.defaultRegion
        if status.short {
            let emergency = region.map { ShortNumbers.isEmergencyNumber(text, region: $0) } ?? false
            valueFindings.appendGrowingGently(
                ValueRecord(kind: .shortNumber, value: value, key: key.rawValue, code: emergency ? 1 : 0))
            return
        }
        let withoutCountryCode = number.countryCode == regionCallingCode && !Self.writtenWithPlus(text)
        guard withoutCountryCode || !status.valid else { return }
        // Only a number the account's country cannot have gets a foreign reading: `8 495 ...` is
        // valid in Russia, and also reads as a Vietnamese `+84 95 ...`, which nobody meant.
        let hint = status.valid ? 0 : asInternational(text)?.rawValue ?? 0
        if hint != 0 { hints[value] = hint }
        if !status.valid {
            let reason = number.possibleLength
            valueFindings.appendGrowingGently(
                ValueRecord(
                    kind: .invalid, value: value, key: key.rawValue,
                    code: UInt8(PhoneNumber.PossibleLength.allCases.firstIndex(of: reason) ?? 0), hint: hint))
        }
        if withoutCountryCode {
            valueFindings.appendGrowingGently(ValueRecord(kind: .noCountryCode, value: value, key: key.rawValue, hint: hint))
        }
    }

    /// The value's digits read as an international number (`49 30 1234567` → `+49301234567`),
    /// when that is a valid number of another country than the account's.
    func asInternational(_ text: String) -> PhoneKey? {
        guard let number = try? PhoneNumber(parsing: "+" + text, defaultRegion: nil), number.isValid,
            number.countryCode != regionCallingCode
        else { return nil }
        return PhoneKey(number)
    }

    /// Whether the number in `text` starts with `+`: the first `+` or decimal digit is a `+`.
    static func writtenWithPlus(_ text: String) -> Bool {
        for scalar in text.unicodeScalars {
            if scalar == "+" || scalar == "\u{FF0B}" { return true }
            if scalar.properties.numericType == .decimal { return false }
        }
        return false
    }

    mutating func errorIndex(_ name: String) -> UInt8 {
        if let index = errorNames.firstIndex(of: name) { return UInt8(index) }
        errorNames.append(name)
        return UInt8(errorNames.count - 1)
    }
}

/// One distinct number of one live contact or company.
struct Posting: Sendable {
    var key: UInt64
    var party: UInt32
    var value: UInt32
}

/// A finding about one stored value, compact (16 bytes; a million at a million contacts): strings
/// are made when the report is read.
struct ValueRecord: Sendable {
    /// The number's key (0 for unparseable values).
    var key: UInt64
    var value: UInt32
    var kind: ValueFinding.Kind
    /// Unparseable: the error's index; invalid: the possible-length reason's; short: 1 for an
    /// emergency number; several numbers: how many.
    var code: UInt8
    /// Whether the value reads as another country's number (``AccountAuditor/hints``).
    var hasHint: Bool

    init(kind: ValueFinding.Kind, value: UInt32, key: UInt64 = 0, code: UInt8 = 0, hint: UInt64 = 0) {
        self.key = key
        self.value = value
        self.kind = kind
        self.code = code
        hasHint = hint != 0
    }
}

extension Array {
    /// Appends, growing by a quarter instead of doubling when full: the big arrays of an audit
    /// waste at most a fifth of their memory (doubling wastes up to half, and holds three times
    /// the array while it copies).
    @inline(__always)
    mutating func appendGrowingGently(_ element: Element) {
        if count == capacity { reserveCapacity(Swift.max(1024, capacity + capacity / 4)) }
        append(element)
    }
}

/// The counts the summary is made of.
struct Tally: Sendable {
    var entities = 0
    var contacts = 0
    var companies = 0
    var deleted = 0
    var late = 0
    var values = 0
    var storedNumbers = 0
    var countries: [String: Int] = [:]
    var types: [PhoneNumberType: Int] = [:]
    var calls = AuditSummary.Calls()
}
