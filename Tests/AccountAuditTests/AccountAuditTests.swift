import AccountAudit
import AccountIndex
import AccountSynthesis
import PhoneNumbers
import ScreenPopJSON
import Testing

/// A generated account made clean (one valid, distinct number per contact and company), then
/// each kind of finding planted: the audit must find exactly the planted ones.
@Suite struct AccountAuditTests {
    /// The synthetic account's entities and links, with every phone replaced by a clean one:
    /// `+7 916 3xxxxxx` for contacts, `+7 925 3xxxxxx` for companies, distinct on their last 8 digits.
    static func cleanAccount(contacts: Int = 2_000) -> AccountData {
        var data = SyntheticAccount(seed: 18, contacts: contacts).data
        for i in data.contacts.indices {
            data.contacts[i].phones = [PhoneValue("+7 916 \(3_000_000 + i)", kind: .mobile)]
        }
        for i in data.companies.indices {
            data.companies[i].phones = [PhoneValue("+7 925 \(3_000_000 + i)")]
        }
        return data
    }

    /// The live contacts' positions, oldest first in the array: where findings are planted.
    static func liveContacts(_ data: AccountData) -> [Int] {
        data.contacts.indices.filter { !data.contacts[$0].isDeleted }
    }

    @Test func aCleanAccountHasNoFinding() {
        let audit = AccountAudit(data: Self.cleanAccount())
        #expect(audit.duplicates.isEmpty)
        #expect(audit.sharedNumbers.isEmpty)
        #expect(audit.suffixCollisions.isEmpty)
        for kind in ValueFinding.Kind.allCases { #expect(audit.valueFindings(kind).isEmpty, "\(kind)") }
        #expect(audit.summary.calls.exact == audit.summary.storedNumbers)
        #expect(audit.summary.calls.none == 0)
        #expect(audit.summary.byCountry.map(\.region) == ["RU"])
    }

    /// What was planted, and where.
    struct Planted {
        var data: AccountData
        var duplicates: Set<String> = []
        var shared: Set<String> = []
        var collisions: Set<String> = []  // "digits:suffix"
        var values: [ValueFinding.Kind: Set<Pair>] = [:]

        struct Pair: Hashable, CustomStringConvertible {
            let entity: EntityRef
            let value: String
            var description: String { "\(entity): \(value)" }
        }

        mutating func set(contact index: Int, _ value: String, findings: [ValueFinding.Kind] = []) {
            data.contacts[index].phones = [PhoneValue(value)]
            for kind in findings {
                values[kind, default: []].insert(Pair(entity: data.contacts[index].ref, value: value))
            }
        }
    }

    static func plantedAccount() -> Planted {
        var planted = Planted(data: cleanAccount())
        let live = liveContacts(planted.data)
        // Two contacts with one number (written two ways): a duplicate.
        planted.set(contact: live[0], "+7 916 700-00-02")
        planted.set(contact: live[1], "+7(916)7000002")
        planted.duplicates.insert("+79167000002")
        // A contact's number on a company too: contact before company.
        let company = planted.data.companies.firstIndex { !$0.isDeleted }!
        planted.set(contact: live[2], "+7 916 700-00-03")
        planted.data.companies[company].phones = [PhoneValue("+7 916 700 00 03")]
        planted.duplicates.insert("+79167000003")
        // A switchboard: another company and two of its contacts.
        let board = planted.data.companies.lastIndex { !$0.isDeleted }!
        let boardID = planted.data.companies[board].id
        planted.data.companies[board].phones = [PhoneValue("+7 495 123-45-67")]
        for index in [live[3], live[4]] {
            planted.set(contact: index, "+7 (495) 123-45-67")
            planted.data.links.append(.contactCompany(contactID: planted.data.contacts[index].id, companyID: boardID))
        }
        planted.shared.insert("+74951234567")
        // Equal on the last 8 digits only.
        planted.set(contact: live[5], "+7 999 123-45-67")
        planted.set(contact: live[6], "+7 909 123-45-67")
        planted.collisions.insert("8:91234567")
        // A German number stored without its +, and the same number with it: equal on the last 10
        // (and 8) digits; the first is invalid as a Russian number, and written without a country code.
        planted.set(contact: live[7], "49 30 1234567", findings: [.invalid, .noCountryCode])
        planted.set(contact: live[8], "+49 30 1234567")
        planted.collisions.insert("10:9301234567")
        planted.collisions.insert("8:01234567")
        // One of each value finding.
        planted.set(contact: live[9], "звонить в офис", findings: [.unparseable])
        planted.set(contact: live[10], "+7 916 123 45", findings: [.invalid])
        planted.set(contact: live[11], "8 (916) 700-00-11", findings: [.noCountryCode])
        planted.set(contact: live[12], "112", findings: [.shortNumber])
        planted.set(contact: live[13], "+7 916 000 11 22, +7 916 000 33 44", findings: [.multiNumberField])
        return planted
    }

    static func pairs(_ findings: [ValueFinding]) -> Set<Planted.Pair> {
        Set(findings.map { Planted.Pair(entity: $0.entity.ref, value: $0.value) })
    }

    @Test func findsExactlyWhatWasPlanted() {
        let planted = Self.plantedAccount()
        let audit = AccountAudit(data: planted.data)
        #expect(Set(audit.duplicates.map(\.e164)) == planted.duplicates)
        #expect(Set(audit.sharedNumbers.map(\.e164)) == planted.shared)
        #expect(Set(audit.suffixCollisions.map { "\($0.digits):\($0.suffix)" }) == planted.collisions)
        for kind in ValueFinding.Kind.allCases {
            #expect(Self.pairs(audit.valueFindings(kind)) == planted.values[kind] ?? [], "\(kind)")
        }
        #expect(audit.summary.count(of: "duplicates") == 2)
        #expect(audit.summary.count(of: "unparseable") == 1)
    }

    @Test func theDetailsOfEachFinding() throws {
        let audit = AccountAudit(data: Self.plantedAccount().data)
        let german = try #require(audit.invalid.first { $0.value == "49 30 1234567" })
        #expect(german.e164 == "+749301234567")
        #expect(german.reason == "INVALID_LENGTH")  // 11 national digits: Russia has 10, and 13 for some
        #expect(german.asInternational == "+49301234567")
        // The likely foreign number comes first: a call from it goes astray.
        #expect(audit.invalid.first?.value == "49 30 1234567")
        let short = try #require(audit.invalid.first { $0.value == "+7 916 123 45" })
        #expect(short.reason == "TOO_SHORT")
        #expect(audit.unparseable.first?.error == "NOT_A_NUMBER")
        #expect(audit.shortNumbers.first?.e164 == "+7112")
        #expect(audit.shortNumbers.first?.emergency == true)
        #expect(audit.multiNumberFields.first?.numbers == ["+79160001122", "+79160003344"])
        #expect(audit.noCountryCode.first { $0.value == "8 (916) 700-00-11" }?.e164 == "+79167000011")
        let contactAndCompany = try #require(audit.duplicates.first { $0.e164 == "+79167000003" })
        #expect(contactAndCompany.rule == .contactBeforeCompany)
        #expect(contactAndCompany.chosen.kind == .contact)
        let twoContacts = try #require(audit.duplicates.first { $0.e164 == "+79167000002" })
        #expect(twoContacts.rule == .oldest || twoContacts.rule == .smallestID)
        #expect(twoContacts.entities.map(\.values) == [["+7 916 700-00-02"], ["+7(916)7000002"]])
        let board = try #require(audit.sharedNumbers.first)
        #expect(board.entities.count == 3)
        #expect(board.entities.last?.ref == .company(board.companyID))
    }

    /// The audit's decision for every number several entities hold is what the index answers
    /// for a call from it, on the synthetic account as generated (with its own duplicates and
    /// linked leads and customers).
    @Test(arguments: [UInt64(1), 7, 18])
    func agreesWithResolve(seed: UInt64) {
        let data = SyntheticAccount(seed: seed, contacts: 3_000).data
        let audit = AccountAudit(data: data)
        let index = AccountIndex(building: data)
        let groups =
            audit.duplicates.map { ($0.e164, $0.decision, $0.entities.map(\.ref)) }
            + audit.sharedNumbers.map { ($0.e164, $0.decision, $0.entities.map(\.ref)) }
        #expect(!groups.isEmpty)
        for (e164, decision, entities) in groups {
            let resolved = index.resolve(callerNumber: e164).decision
            #expect(resolved.target == decision.target, "\(e164)")
            #expect(resolved.reason == decision.reason, "\(e164)")
            #expect(resolved.candidates.map(\.entity) == entities, "\(e164)")
        }
    }

    /// Links given before the entities are complete (kept whole) give the same report as links
    /// given after (kept only for the entities that need them).
    @Test func linksBeforeOrAfterTheEntitiesGiveOneReport() {
        let data = SyntheticAccount(seed: 3, contacts: 2_000).data
        var early = AccountAuditor(settings: data.settings)
        for link in data.links { early.add(link) }
        for contact in data.contacts { early.add(contact, name: nil) }
        for company in data.companies { early.add(company, name: nil) }
        for lead in data.leads { early.add(lead) }
        for customer in data.customers { early.add(customer) }
        let a = early.finish()
        let b = AccountAudit(data: data)
        #expect(a.duplicates == b.duplicates)
        #expect(a.sharedNumbers == b.sharedNumbers)
        #expect(a.suffixCollisions == b.suffixCollisions)
    }

    @Test func anEntityAfterTheLinksIsCountedNotAudited() {
        var auditor = AccountAuditor(settings: AccountSettings(defaultRegion: "RU"))
        auditor.entitiesComplete()
        auditor.add(Contact(id: 1, phones: [PhoneValue("нет")]), name: nil)
        let audit = auditor.finish()
        #expect(audit.summary.entitiesAddedLate == 1)
        #expect(audit.unparseable.isEmpty)
    }

    /// The JSON made in pieces on several tasks is the JSON made in one, and one document: runs
    /// of an array join with their commas, and the value findings, which are written straight from
    /// the audit's tables, say what the API's findings say (names with quotes and line breaks too).
    @Test func theJSONMadeInPiecesIsOneDocument() async throws {
        let data = SyntheticAccount(seed: 5, contacts: 15_000).data
        let audit = AccountAudit(
            data: data, names: { "name \"\($0.id)\"\n" }, options: AuditOptions(subdomain: "example"))
        #expect(audit.noCountryCode.count > 8_192)  // several pieces
        var pieces: [UInt8] = []
        try await audit.writeJSON(concurrently: { pieces.append(contentsOf: $0) })
        #expect(pieces == audit.json())
        let json = try JSONValue(parsing: pieces)
        for kind in ValueFinding.Kind.allCases {
            let findings = audit.valueFindings(kind)
            guard case .array(let elements)? = json[kind.key] else {
                Issue.record("\(kind.key) is not an array")
                continue
            }
            #expect(elements.map { $0["entity"]?["id"]?.intValue } == findings.map(\.entity.ref.id), "\(kind)")
            #expect(elements.map { $0["entity"]?["name"]?.stringValue } == findings.map(\.entity.name), "\(kind)")
            #expect(elements.map { $0["entity"]?["link"]?.stringValue } == findings.map(\.entity.link), "\(kind)")
            #expect(elements.map { $0["value"]?.stringValue } == findings.map(\.value), "\(kind)")
            if kind != .unparseable && kind != .multiNumberField {
                #expect(elements.map { $0["e164"]?.stringValue } == findings.map(\.e164), "\(kind)")
            }
            if kind == .invalid || kind == .noCountryCode {
                #expect(
                    elements.map { $0["as_international"]?.stringValue } == findings.map(\.asInternational), "\(kind)")
            }
        }
    }

    /// Ids and times are held in 4 bytes while they fit: one that does not is kept whole.
    @Test func idsAndTimesBeyond32BitsAreKept() throws {
        var data = Self.cleanAccount(contacts: 200)
        let first = try #require(Self.liveContacts(data).first)
        let big = Contact(
            id: 5_000_000_000, createdAt: 4_102_444_800, isDeleted: false,
            phones: [PhoneValue("+7 916 \(3_000_000 + first)")])
        data.contacts.append(big)
        let audit = AccountAudit(data: data)
        let duplicate = try #require(audit.duplicates.first)
        #expect(audit.duplicates.count == 1)
        #expect(duplicate.entities.map(\.ref) == [data.contacts[first].ref, .contact(5_000_000_000)])
        #expect(duplicate.entities.last?.createdAt == 4_102_444_800)
        #expect(audit.summary.contacts == Self.liveContacts(data).count)
    }
}
