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
    /// Reads the values added without a reading.
    let reader: ValueReader

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
        reader = ValueReader(settings: settings)
    }

    /// Contacts, companies, leads and customers added so far: for progress lines.
    public var entityCount: Int { tally.entities }

    // MARK: Entities

    /// Adds a contact. A deleted one is counted and otherwise skipped.
    ///
    /// - Complexity: O(v) in the contact's phone values, each parsed once or twice.
    public mutating func add(_ contact: Contact, name: String?) {
        add(contact, name: name, readings: nil)
    }

    /// Adds a contact whose values were read already (``ValueReader/read(_:)``, one reading per
    /// phone value, in order), on another thread: what is left here is the bookkeeping.
    public mutating func add(_ contact: Contact, name: String?, readings: [ValueReading]?) {
        addParty(
            contact.ref, createdAt: contact.createdAt, isDeleted: contact.isDeleted, phones: contact.phones, name: name,
            readings: readings)
    }

    /// Adds a company. A deleted one is counted and otherwise skipped.
    public mutating func add(_ company: Company, name: String?) {
        add(company, name: name, readings: nil)
    }

    /// Adds a company whose values were read already, as for a contact.
    public mutating func add(_ company: Company, name: String?, readings: [ValueReading]?) {
        guard links == nil else { return tally.late += 1 }
        companyIDs.appendGrowingGently(company.id)
        addParty(
            company.ref, createdAt: company.createdAt, isDeleted: company.isDeleted, phones: company.phones, name: name,
            readings: readings)
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
        if customer.isOpen(closedStatuses: settings.closedCustomerStatusIDs) {
            openCustomerIDs.appendGrowingGently(customer.id)
        }
    }

    mutating func addParty(
        _ ref: EntityRef, createdAt: Int, isDeleted: Bool, phones: [PhoneValue], name: String?,
        readings: [ValueReading]?
    ) {
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
        for (index, phone) in phones.enumerated() {
            let value = UInt32(truncatingIfNeeded: values.append(phone.value))
            valueParty.appendGrowingGently(party)
            let reading: ValueReading
            if let readings, index < readings.count {
                reading = readings[index]
            } else {
                reading = reader.read(phone.value)
            }
            record(reading, value: value, party: party, partyPostingsFrom: firstPosting)
        }
    }

    /// Records a value's postings (once per entity, as the index keeps them), the summary's counts
    /// and its findings.
    mutating func record(_ reading: ValueReading, value: UInt32, party: UInt32, partyPostingsFrom firstPosting: Int) {
        tally.values += 1
        if let error = reading.error { return unparseable(value, error) }
        if reading.numbers.count > 1 {
            valueFindings.appendGrowingGently(
                ValueRecord(kind: .multiNumberField, value: value, code: UInt8(min(reading.numbers.count, 255))))
        }
        for number in reading.numbers {
            record(number, value: value, party: party, partyPostingsFrom: firstPosting)
            guard let finding = number.finding else { continue }
            if number.short {
                valueFindings.appendGrowingGently(
                    ValueRecord(kind: .shortNumber, value: value, key: number.key, code: finding.emergency ? 1 : 0))
                continue
            }
            if finding.hint != 0 { hints[value] = finding.hint }
            if !number.valid {
                valueFindings.appendGrowingGently(
                    ValueRecord(kind: .invalid, value: value, key: number.key, code: finding.reason, hint: finding.hint)
                )
            }
            if finding.withoutCountryCode {
                valueFindings.appendGrowingGently(
                    ValueRecord(kind: .noCountryCode, value: value, key: number.key, hint: finding.hint))
            }
        }
    }

    mutating func unparseable(_ value: UInt32, _ error: String) {
        let index = errorIndex(error)
        valueFindings.appendGrowingGently(ValueRecord(kind: .unparseable, value: value, code: index))
        tally.calls.none += 1
    }

    /// Adds the posting and the summary's counts: the number's country and type, and how a call
    /// from it would be found.
    mutating func record(_ number: NumberReading, value: UInt32, party: UInt32, partyPostingsFrom firstPosting: Int) {
        guard number.parsed else { return }
        if postings[firstPosting...].contains(where: { $0.key == number.key }) { return }
        postings.appendGrowingGently(Posting(key: number.key, party: party, value: value))
        tally.storedNumbers += 1
        tally.countries[number.region, default: 0] += 1
        tally.types[number.type, default: 0] += 1
        if number.valid || number.short {
            tally.calls.exact += 1
        } else if settings.suffixFallback.isEnabled && number.digitCount >= settings.suffixFallback.digits {
            tally.calls.suffix += 1
        } else {
            tally.calls.none += 1
        }
    }

    mutating func errorIndex(_ name: String) -> UInt8 {
        if let index = errorNames.firstIndex(of: name) { return UInt8(index) }
        errorNames.append(name)
        return UInt8(errorNames.count - 1)
    }
}

/// Reads stored values as the index does, and says what is wrong with them: the part of an audit
/// that depends on nothing but the value and the account's country, so that another thread can do
/// it while the auditor records the values before.
public struct ValueReader: Sendable {
    let region: String?
    /// The calling code of the account's country, for "written without a country code".
    let regionCallingCode: Int?

    public init(settings: AccountSettings) {
        region = settings.defaultRegion
        regionCallingCode = region.flatMap { PhoneNumber.callingCode(ofRegion: $0) }
    }

    /// How `text` reads. The order is `PhoneKey.keys(inStoredValue:defaultRegion:)`'s: strict
    /// parsing first, whose number is the one key; the free-text finder only when it fails
    /// (`agreesWithResolve` and `findsExactlyWhatWasPlanted` hold the two together). Each number is
    /// parsed and validated once: this is most of an audit's time.
    public func read(_ text: String) -> ValueReading {
        let strictError: PhoneNumberParseError
        do {
            let number = try PhoneNumber(parsing: text, defaultRegion: region)
            guard let key = PhoneKey(number) else {
                return ValueReading(error: "TOO_LONG")  // more digits than any key holds (E.164 allows 15)
            }
            return ValueReading(numbers: [reading(key, number, text: text, single: true)])
        } catch {
            strictError = error
        }
        let keys = PhoneKey.keys(inStoredValue: text, defaultRegion: region)
        guard !keys.isEmpty else { return ValueReading(error: strictError.code.name) }
        return ValueReading(numbers: keys.map { reading($0, $0.number, text: text, single: keys.count == 1) })
    }

    func reading(_ key: PhoneKey, _ number: PhoneNumber?, text: String, single: Bool) -> NumberReading {
        guard let number else {
            return NumberReading(
                key: key.rawValue, digitCount: key.digitCount, parsed: false, valid: false, short: false, region: "ZZ",
                type: .unknown, finding: nil)
        }
        let valid = number.isValid
        // A valid number is never a short one (short numbers are shorter than any valid number).
        let short = !valid && SuffixFallback.isShortNumber(number, region: region)
        var reading = NumberReading(
            key: key.rawValue, digitCount: key.digitCount, parsed: true, valid: valid, short: short,
            region: number.regionCode ?? "ZZ", type: valid ? number.type : .unknown, finding: nil)
        guard single else { return reading }  // a field of several numbers is reported as such
        if short {
            let emergency = region.map { ShortNumbers.isEmergencyNumber(text, region: $0) } ?? false
            reading.finding = NumberReading.Finding(emergency: emergency)
            return reading
        }
        let withoutCountryCode = number.countryCode == regionCallingCode && !Self.writtenWithPlus(text)
        guard withoutCountryCode || !valid else { return reading }
        // Only a number the account's country cannot have gets a foreign reading: `8 495 ...` is
        // valid in Russia, and also reads as a Vietnamese `+84 95 ...`, which nobody meant.
        let hint = valid ? 0 : asInternational(text)?.rawValue ?? 0
        let reason =
            valid ? 0 : UInt8(PhoneNumber.PossibleLength.allCases.firstIndex(of: number.possibleLength) ?? 0)
        reading.finding = NumberReading.Finding(withoutCountryCode: withoutCountryCode, hint: hint, reason: reason)
        return reading
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
}

/// How one stored value reads (``ValueReader/read(_:)``): an error, or its numbers.
public struct ValueReading: Sendable {
    /// libphonenumber's error when the value holds no number.
    var error: String?
    var numbers: [NumberReading] = []
}

/// One number of a value, as the auditor records it.
struct NumberReading: Sendable {
    /// What is wrong with the number of a one-number value.
    struct Finding: Sendable {
        var emergency = false
        var withoutCountryCode = false
        var hint: UInt64 = 0
        /// The index of the possible-length reason, for an invalid number.
        var reason: UInt8 = 0
    }

    var key: UInt64
    var digitCount: Int
    /// Whether the key is a number at all (a key without one is not held).
    var parsed: Bool
    var valid: Bool
    var short: Bool
    var region: String
    var type: PhoneNumberType
    var finding: Finding?
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
