import AccountIndex
import AccountSynthesis
import CallEvents
import Synchronization

/// `SampleAccount`: one number for each kind of answer.
enum TestAccount {
    static let leadNumber = SampleAccount.leadNumber
    static let customerNumber = SampleAccount.customerNumber
    static let contactNumber = SampleAccount.contactNumber
    static let companyNumber = SampleAccount.companyNumber
    static let unknownNumber = SampleAccount.unknownNumber

    static let users = [88888, 99999, 77777]

    static let data = SampleAccount.data

    static let index = AccountIndex(building: data)

    static func configuration(
        clock: @escaping @Sendable () -> NotificationTime = {
            NotificationTime(millisecondsSince1970: 1_764_028_800_123)
        }
    ) -> CallEventsConfiguration {
        CallEventsConfiguration(users: users, names: EntityNames(SampleAccount.names), clock: clock)
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
