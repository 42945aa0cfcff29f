import AccountIndex
import AmoCRM

/// A deterministic, realistic amoCRM account for tests and benchmarks.
///
/// The proportions are those of the performance targets: for `contacts` contacts, 0.3× companies, 2× leads and 0.2×
/// customers; 0 to 3 phone values per contact (1.5 on average), mostly Russian numbers with an
/// international share, written the many ways people write them (several numbers in one value,
/// comments, extensions, trunk prefixes, no country code, a foreign number without its `+`).
/// Leads spread over three pipelines (``amoCRMPipelines``) with open, won (142) and lost (143)
/// statuses, most with a price; some entities
/// are deleted, some customers closed; some numbers are on several contacts, some on a contact and
/// its company. Links come from either side, some from both.
///
/// ```swift
/// let account = SyntheticAccount(seed: 42, contacts: 1_000_000)
/// let index = AccountIndex(building: account.data)
/// for caller in account.callerNumbers(count: 1000, seed: 7) { _ = index.resolve(callerNumber: caller) }
/// ```
///
/// The same seed and size give the same account, value for value.
public struct SyntheticAccount: Sendable {
    /// The customer status of type 3 ("closed").
    public static let closedCustomerStatusID = 1005
    /// The pipelines leads are in.
    public static let pipelineIDs = [3_300_100, 3_300_200, 3_300_300]

    public let seed: UInt64
    public let data: AccountData
    /// Names, responsible users, times, pipelines and prices, in the order of ``data``'s arrays.
    public let details: AccountDetails
    /// Every number stored on a contact or company, in E.164, as generated (before any parsing).
    public let storedNumbers: [String]

    /// - Parameters:
    ///   - seed: Any value; the same seed gives the same account.
    ///   - contacts: How many contacts; the other entities follow the ratios above.
    public init(seed: UInt64, contacts contactCount: Int) {
        self.seed = seed
        var rng = SyntheticRandom(seed: seed)
        var settings = AccountSettings(defaultRegion: "RU")
        settings.closedCustomerStatusIDs = [Self.closedCustomerStatusID]
        var data = AccountData(settings: settings)
        var details = AccountDetails()
        var stored: [String] = []
        var writer = PhoneWriter()

        let companyCount = contactCount * 3 / 10
        let leadCount = contactCount * 2
        let customerCount = contactCount / 5
        let epoch = 1_420_000_000  // 2015
        let span = 315_000_000  // ten years

        // Ids grow with time, with gaps, as amoCRM's shared sequences do.
        func ids(_ count: Int, from start: Int) -> [Int] {
            var result: [Int] = []
            result.reserveCapacity(count)
            var id = start
            for _ in 0..<count {
                id += 1 + rng.int(0..<4)
                result.append(id)
            }
            return result
        }
        func createdAt(_ i: Int, of count: Int) -> Int {
            // Mostly increasing with the id; some share a second (same-time imports).
            let base = epoch + Int(Double(i) / Double(max(count, 1)) * Double(span))
            return rng.chance(0.02) ? base - base % 3600 : base + rng.int(0..<600)
        }

        let contactIDs = ids(contactCount, from: 20_000_000)
        let companyIDs = ids(companyCount, from: 40_000_000)
        let leadIDs = ids(leadCount, from: 60_000_000)
        let customerIDs = ids(customerCount, from: 90_000_000)

        // Contacts.
        data.contacts.reserveCapacity(contactCount)
        var contactCompany = [Int?](repeating: nil, count: contactCount)
        for (i, id) in contactIDs.enumerated() {
            var phones: [PhoneValue] = []
            let valueCount = [0, 1, 1, 1, 2, 2, 2, 3][rng.int(0..<8)]
            for _ in 0..<valueCount {
                if !stored.isEmpty && rng.chance(0.02) {
                    // A number already on another contact (family, colleagues, a shared office line).
                    let shared = rng.pick(stored)
                    phones.append(PhoneValue(writer.write(e164: shared, using: &rng), kind: .work))
                    continue
                }
                let (text, numbers) = writer.value(using: &rng)
                stored.append(contentsOf: numbers)
                phones.append(
                    PhoneValue(text, kind: rng.pick([.mobile, .mobile, .work, .home, .workDirect, .other, .fax])))
            }
            let created = createdAt(i, of: contactCount)
            let isDeleted = rng.chance(0.02)
            let responsible = 7_000_000 + rng.int(0..<40)
            data.contacts.append(Contact(id: id, createdAt: created, isDeleted: isDeleted, phones: phones))
            details.contacts.append(
                EntityDetails(name: "Контакт \(i)", createdAt: created, responsibleUserID: responsible))
            if companyCount > 0 && rng.chance(0.4) { contactCompany[i] = rng.int(0..<companyCount) }
        }

        // Companies: an office number, sometimes the same as one of their contacts'.
        var companyPhones = [[PhoneValue]](repeating: [], count: companyCount)
        for (i, company) in contactCompany.enumerated() {
            guard let company, companyPhones[company].isEmpty, rng.chance(0.2),
                let first = data.contacts[i].phones.first
            else { continue }
            companyPhones[company] = [first]
        }
        data.companies.reserveCapacity(companyCount)
        for (i, id) in companyIDs.enumerated() {
            var phones = companyPhones[i]
            if phones.isEmpty {
                let valueCount = [0, 1, 1, 1, 1, 2][rng.int(0..<6)]
                for _ in 0..<valueCount {
                    let (text, numbers) = writer.value(using: &rng, landline: true)
                    stored.append(contentsOf: numbers)
                    phones.append(PhoneValue(text, kind: .work))
                }
            }
            let created = createdAt(i, of: companyCount)
            let isDeleted = rng.chance(0.01)
            let responsible = 7_000_000 + rng.int(0..<40)
            data.companies.append(Company(id: id, createdAt: created, isDeleted: isDeleted, phones: phones))
            details.companies.append(
                EntityDetails(name: "ООО Компания \(i)", createdAt: created, responsibleUserID: responsible))
        }
        for (i, company) in contactCompany.enumerated() {
            guard let company else { continue }
            // From the contact's side or the company's.
            if rng.chance(0.5) {
                data.link(contact: contactIDs[i], company: companyIDs[company])
            } else {
                data.link(company: companyIDs[company], contacts: [contactIDs[i]])
            }
        }

        // Leads: a few contacts have many (a hot 1%), most have a couple. Prices come from a
        // generator of their own, so that an account of a seed is the one it was before they came.
        var prices = SyntheticRandom(seed: seed ^ 0x7072_6963_6573)
        data.leads.reserveCapacity(leadCount)
        for (i, id) in leadIDs.enumerated() {
            let pipeline = rng.pick(Self.pipelineIDs)
            let roll = rng.int(0..<100)
            let status =
                roll < 35 ? pipeline / 100 * 10 + rng.int(1...5) : (roll < 75 ? Lead.wonStatusID : Lead.lostStatusID)
            let isDeleted = rng.chance(0.02)
            let responsible = 7_000_000 + rng.int(0..<40)
            data.leads.append(Lead(id: id, isDeleted: isDeleted, statusID: status))
            details.leads.append(
                EntityDetails(
                    name: "Сделка \(i)", createdAt: createdAt(i, of: leadCount), responsibleUserID: responsible,
                    pipelineID: pipeline, price: prices.chance(0.1) ? nil : 500 * prices.int(1...400)))
            guard contactCount > 0 else { continue }
            let hot = max(1, contactCount / 100)
            let contact = rng.chance(0.2) ? rng.int(0..<hot) : rng.int(0..<contactCount)
            var contacts = [contactIDs[contact]]
            if rng.chance(0.1) { contacts.append(contactIDs[rng.int(0..<contactCount)]) }
            let company: Int? =
                contactCompany[contact].map { companyIDs[$0] }.flatMap { rng.chance(0.7) ? $0 : nil }
                ?? (companyCount > 0 && rng.chance(0.05) ? companyIDs[rng.int(0..<companyCount)] : nil)
            switch rng.int(0..<10) {
            case 0..<6:  // the lead's side
                data.link(lead: id, contacts: contacts, main: contacts[0], company: company)
            case 6..<9:  // the contacts' and company's side
                for c in contacts { data.link(contact: c, leads: [id]) }
                if let company { data.link(company: company, leads: [id]) }
            default:  // both
                data.link(lead: id, contacts: contacts, main: contacts[0], company: company)
                for c in contacts { data.link(contact: c, leads: [id]) }
            }
        }

        // Customers.
        data.customers.reserveCapacity(customerCount)
        for (i, id) in customerIDs.enumerated() {
            let status = rng.chance(0.15) ? Self.closedCustomerStatusID : 1001 + rng.int(0..<4)
            let isDeleted = rng.chance(0.03)
            let responsible = 7_000_000 + rng.int(0..<40)
            data.customers.append(Customer(id: id, isDeleted: isDeleted, statusID: status))
            details.customers.append(
                EntityDetails(
                    name: "Покупатель \(i)", createdAt: createdAt(i, of: customerCount), responsibleUserID: responsible))
            guard contactCount > 0 else { continue }
            let contact = rng.int(0..<contactCount)
            let company = contactCompany[contact].map { companyIDs[$0] }
            if rng.chance(0.5) {
                data.link(customer: id, contacts: [contactIDs[contact]], company: company)
            } else {
                data.link(contact: contactIDs[contact], customers: [id])
                if let company { data.link(company: company, customers: [id]) }
            }
        }

        self.data = data
        self.details = details
        self.storedNumbers = stored
    }

    /// Caller numbers as telephony integrations send them: mostly numbers stored in the account
    /// (in E.164, with or without `+`, with a trunk prefix, as SIP URIs), some unknown numbers,
    /// some junk.
    ///
    /// - Parameters:
    ///   - count: How many.
    ///   - seed: The same seed gives the same list.
    public func callerNumbers(count: Int, seed: UInt64) -> [String] {
        var rng = SyntheticRandom(seed: seed ^ self.seed)
        var writer = PhoneWriter()
        var result: [String] = []
        result.reserveCapacity(count)
        for _ in 0..<count {
            let roll = rng.int(0..<100)
            if roll < 80, !storedNumbers.isEmpty {
                let e164 = rng.pick(storedNumbers)
                switch rng.int(0..<6) {
                case 0, 1: result.append(e164)
                case 2: result.append(String(e164.dropFirst()))
                case 3: result.append("sip:\(e164)@pbx.example.com")
                case 4 where e164.hasPrefix("+7"): result.append("8" + e164.dropFirst(2))
                default: result.append(writer.write(e164: e164, using: &rng))
                }
            } else if roll < 98 {
                result.append(writer.mobileRU(using: &rng))
            } else {
                result.append(rng.chance(0.5) ? "anonymous" : "")
            }
        }
        return result
    }
}

/// Writes phone numbers the ways people type them into a CRM.
struct PhoneWriter {
    /// A Russian mobile number in E.164.
    mutating func mobileRU(using rng: inout SyntheticRandom) -> String {
        "+79" + digits(9, &rng)
    }

    private func digits(_ n: Int, _ rng: inout SyntheticRandom) -> String {
        var s = ""
        for _ in 0..<n { s.append(Character(Unicode.Scalar(UInt8(48 + rng.int(0..<10))))) }
        return s
    }

    /// A new number in E.164.
    mutating func number(using rng: inout SyntheticRandom, landline: Bool = false) -> String {
        let roll = rng.int(0..<100)
        if roll < (landline ? 40 : 80) { return mobileRU(using: &rng) }
        if roll < 90 { return "+7" + rng.pick(["495", "499", "812", "343", "383"]) + digits(7, &rng) }
        switch rng.int(0..<6) {
        case 0: return "+7" + rng.pick(["701", "705", "707", "777"]) + digits(7, &rng)  // Kazakhstan, same code 7
        case 1: return "+380" + rng.pick(["44", "67", "50"]) + digits(7, &rng)  // Ukraine
        case 2: return "+375" + rng.pick(["29", "33", "44"]) + digits(7, &rng)  // Belarus
        case 3: return "+4930" + digits(7, &rng)  // Germany, Berlin
        case 4: return "+1" + rng.pick(["212", "415", "646"]) + "5" + digits(6, &rng)  // USA
        default: return "+998" + rng.pick(["90", "91", "93"]) + digits(7, &rng)  // Uzbekistan
        }
    }

    /// One stored value: its text and the numbers in it (E.164).
    mutating func value(using rng: inout SyntheticRandom, landline: Bool = false) -> (String, [String]) {
        let first = number(using: &rng, landline: landline)
        if rng.chance(0.08) {
            let second = number(using: &rng)
            let separator = rng.pick([", ", "; ", " / ", " или ", "\n"])
            return (write(e164: first, using: &rng) + separator + write(e164: second, using: &rng), [first, second])
        }
        return (write(e164: first, using: &rng), [first])
    }

    /// `e164` as a person might have typed it.
    mutating func write(e164: String, using rng: inout SyntheticRandom) -> String {
        let all = Array(e164.dropFirst())
        let isRU = e164.hasPrefix("+7")
        let national = isRU ? String(all.dropFirst()) : ""
        func grouped(_ s: String, _ sizes: [Int], _ sep: String) -> String {
            var out: [String] = []
            var rest = Substring(s)
            for size in sizes where !rest.isEmpty {
                out.append(String(rest.prefix(size)))
                rest = rest.dropFirst(size)
            }
            if !rest.isEmpty { out.append(String(rest)) }
            return out.joined(separator: sep)
        }
        if isRU && national.count == 10 {
            let code = String(national.prefix(3))
            let rest = String(national.dropFirst(3))
            switch rng.int(0..<14) {
            case 0: return e164
            case 1: return "+7 \(code) \(grouped(rest, [3, 2, 2], "-"))"
            case 2: return "8 (\(code)) \(grouped(rest, [3, 2, 2], "-"))"
            case 3: return "8\(national)"
            case 4: return national  // no country code, no trunk prefix
            case 5: return "+7(\(code))\(rest)"
            case 6: return "7 \(code) \(grouped(rest, [3, 2, 2], " "))"
            case 7:
                return "8-\(code)-\(grouped(rest, [3, 2, 2], "-")) (\(rng.pick(["Иван", "жена", "секретарь", "моб."])))"
            case 8: return "+7 \(code) \(grouped(rest, [3, 2, 2], " ")) доб. \(rng.int(10...999))"
            case 9: return "тел. 8 \(code) \(rest)"
            case 10: return "8 \(code) \(grouped(rest, [3, 2, 2], " ")) (рабочий)"
            case 11: return "+7 (\(code)) \(grouped(rest, [3, 4], "-"))"
            case 12: return "\(e164) ext. \(rng.int(1...99))"
            default: return "+7 \(code) \(rest)"
            }
        }
        switch rng.int(0..<5) {
        case 0: return e164
        case 1: return String(all)  // without the plus: wrong country in a Russian account
        case 2: return "+" + grouped(String(all), [3, 2, 3, 2, 2], " ")
        case 3: return "00" + String(all)
        default: return "+" + grouped(String(all), [2, 3, 3, 4], "-")
        }
    }
}
