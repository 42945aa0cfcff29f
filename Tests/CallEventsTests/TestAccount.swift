import AccountIndex
import CallEvents
import Synchronization

/// A small account with one number for each kind of answer.
enum TestAccount {
    /// +7 999 888-55-33: contact 1 ("Ivan Petrov") with one active lead 1234565 ("Website order").
    static let leadNumber = "+79998885533"
    /// +7 999 000-11-22: contact 2 with one open customer 55 ("Monthly delivery").
    static let customerNumber = "+79990001122"
    /// +7 999 000-22-33: contact 3 ("Anna") with nothing linked.
    static let contactNumber = "+79990002233"
    /// +7 495 123-45-67: company 4 ("Horns & Hooves") with two active leads.
    static let companyNumber = "+74951234567"
    /// Nobody has it.
    static let unknownNumber = "+79991112233"

    static let users = [88888, 99999, 77777]

    static let data: AccountData = {
        var data = AccountData(settings: AccountSettings(defaultRegion: "RU"))
        data.contacts = [
            Contact(id: 1, name: "Ivan Petrov", createdAt: 100, phones: [PhoneValue("8 (999) 888-55-33")]),
            Contact(id: 2, name: "Olga", createdAt: 100, phones: [PhoneValue("+7 999 000-11-22")]),
            Contact(id: 3, name: "Anna", createdAt: 100, phones: [PhoneValue("89990002233")]),
        ]
        data.companies = [
            Company(id: 4, name: "Horns & Hooves", createdAt: 100, phones: [PhoneValue("+7 495 123-45-67")])
        ]
        data.leads = [
            Lead(id: 1234565, name: "Website order", pipelineID: 1, statusID: 10),
            Lead(id: 20, name: "", pipelineID: 1, statusID: 10),
            Lead(id: 21, name: "Second", pipelineID: 1, statusID: 10),
        ]
        data.customers = [Customer(id: 55, name: "Monthly delivery", statusID: 1)]
        data.link(lead: 1234565, contacts: [1], main: 1)
        data.link(customer: 55, contacts: [2])
        data.link(company: 4, leads: [20, 21])
        return data
    }()

    static let index = AccountIndex(building: data)

    static func configuration(
        clock: @escaping @Sendable () -> NotificationTime = {
            NotificationTime(millisecondsSince1970: 1_764_028_800_123)
        }
    ) -> CallEventsConfiguration {
        CallEventsConfiguration(users: users, names: EntityNames(data), clock: clock)
    }
}

/// A sink that keeps what it gets.
final class RecordingSink: NotificationSink {
    private let batches = Mutex<[[CallNotification]]>([])

    func deliver(_ notifications: [CallNotification]) async {
        batches.withLock { $0.append(notifications) }
    }

    var delivered: [[CallNotification]] { batches.withLock { $0 } }
}

extension Array where Element == UInt8 {
    var text: String { String(decoding: self, as: UTF8.self) }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
