import AccountIndex
import AmoCRM

/// A five-entity account with one number for each answer of the call-target decision: small
/// enough to read, for tests, examples and the events codec's benchmarks.
public enum SampleAccount {
    /// `+7 999 888-55-33`: contact 1 ("Ivan Petrov") with one active lead, 1234565 ("Website order").
    public static let leadNumber = "+79998885533"
    /// `+7 999 000-11-22`: contact 2 ("Olga") with one open customer, 55 ("Monthly delivery").
    public static let customerNumber = "+79990001122"
    /// `+7 999 000-22-33`: contact 3 ("Anna") with nothing linked: her card.
    public static let contactNumber = "+79990002233"
    /// `+7 495 123-45-67`: company 4 ("Horns & Hooves") with two active leads: its card.
    public static let companyNumber = "+74951234567"
    /// Nobody has it: create a contact.
    public static let unknownNumber = "+79991112233"

    /// The account, region RU; its phone values are written the ways people write them.
    public static let data: AccountData = {
        var data = AccountData(settings: AccountSettings(defaultRegion: "RU"))
        data.contacts = [
            Contact(id: 1, createdAt: 100, phones: [PhoneValue("8 (999) 888-55-33")]),
            Contact(id: 2, createdAt: 100, phones: [PhoneValue("+7 999 000-11-22")]),
            Contact(id: 3, createdAt: 100, phones: [PhoneValue("89990002233")]),
        ]
        data.companies = [Company(id: 4, createdAt: 100, phones: [PhoneValue("+7 495 123-45-67")])]
        data.leads = [Lead(id: 1_234_565, statusID: 10), Lead(id: 20, statusID: 10), Lead(id: 21, statusID: 10)]
        data.customers = [Customer(id: 55, statusID: 1)]
        data.link(lead: 1_234_565, contacts: [1], main: 1)
        data.link(customer: 55, contacts: [2])
        data.link(company: 4, leads: [20, 21])
        return data
    }()

    /// The entities' names, for notifications (lead 20 has none).
    public static let names: [(EntityRef, String)] = [
        (.contact(1), "Ivan Petrov"), (.contact(2), "Olga"), (.contact(3), "Anna"), (.company(4), "Horns & Hooves"),
        (.lead(1_234_565), "Website order"), (.lead(21), "Second"), (.customer(55), "Monthly delivery"),
    ]
}
