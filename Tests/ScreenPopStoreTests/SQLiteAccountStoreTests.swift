import AccountIndex
import AccountSynthesis
import AmoCRM
import Foundation
import ScreenPopStore
import Testing

/// The SQLite store on a real file: what goes in comes out, value for value, and builds the same
/// index.
@Suite struct SQLiteAccountStoreTests {
    static let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples/demo-account").path

    /// A fresh file path in a fresh directory, removed afterwards.
    static func withStorePath<T>(_ body: (String) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("screenpop-store-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(directory.appendingPathComponent("account.sqlite").path)
    }

    /// The links as the store keeps them: each pair once, main when either side says so (these
    /// accounts have no contradicting "at most one" links).
    static func pairs(_ links: [AccountLink]) -> Set<AccountLink> {
        var mains: Set<AccountLink> = []
        for case .contactLead(let contact, let lead, true) in links {
            mains.insert(.contactLead(contactID: contact, leadID: lead))
        }
        return Set(
            links.map { link in
                if case .contactLead(let contact, let lead, _) = link {
                    return .contactLead(
                        contactID: contact, leadID: lead,
                        isMain: mains.contains(.contactLead(contactID: contact, leadID: lead)))
                }
                return link
            })
    }

    @Test func theDemoAccountComesBackAsItWent() async throws {
        let loaded = try await AccountDirectory.load(Self.demo, options: AccountDirectory.Options(progress: .never))
        try await Self.withStorePath { path in
            let stored = StoredAccount(loaded)
            try await SQLiteAccountStore(path: path).replace(with: stored)
            // A new connection: what is on disk, not a cache.
            let back = try await #require(try SQLiteAccountStore(path: path).loadOnlyAccount())
            // Links are kept as a set: a pair once, whichever side listed it.
            var expected = stored
            expected.data.links = back.data.links
            #expect(back == expected)
            #expect(Set(back.data.links) == Self.pairs(stored.data.links))
            #expect(
                AccountIndex(building: back.data).snapshot.dump() == AccountIndex(building: loaded.data).snapshot.dump()
            )
            #expect(back.entityNames.count == loaded.entityNames.count)
        }
    }

    @Test func aSyntheticAccountComesBackAsItWent() async throws {
        let synthetic = SyntheticAccount(seed: 11, contacts: 2_000)
        let stored = StoredAccount(
            account: AccountObject(id: 777, subdomain: "synthetic", country: "RU", customersMode: "periodicity"),
            data: synthetic.data, details: synthetic.details, users: [AccountUser(id: 7_000_001, name: "A")],
            customerStatuses: [
                CustomerStatus(id: SyntheticAccount.closedCustomerStatusID, type: CustomerStatus.closedType),
                CustomerStatus(id: 1001, name: "new", type: 0),
            ])
        try await Self.withStorePath { path in
            let store = try SQLiteAccountStore(path: path)
            try await store.replace(with: stored)
            let back = try #require(try await store.load(accountID: 777, suffixFallback: SuffixFallback()))
            #expect(back.data.contacts == stored.data.contacts)
            #expect(back.data.leads == stored.data.leads)
            #expect(Set(back.data.links) == Self.pairs(stored.data.links))
            #expect(back.details == stored.details)
            #expect(back.data.settings.closedCustomerStatusIDs == [SyntheticAccount.closedCustomerStatusID])
            #expect(
                AccountIndex(building: back.data).snapshot.dump()
                    == AccountIndex(building: synthetic.data).snapshot.dump())
        }
    }

    /// A lead's price is merged as its pipeline is (a complete update says it, a partial one when it
    /// carries it); pipelines are replaced whole, and said changed only when they are.
    @Test func pricesAndPipelinesAreStoredMergedAndReplacedWhole() async throws {
        let pipelines = [
            LeadPipeline(
                id: 1, name: "Продажи",
                statuses: [LeadPipelineStatus(id: 10, name: "Новая"), LeadPipelineStatus(id: 142)]
            ),
            LeadPipeline(id: 2, name: "Сервис", statuses: [LeadPipelineStatus(id: 142, name: "Готово")]),
        ]
        var data = AccountData(settings: AccountSettings(defaultRegion: "RU"))
        data.leads = [Lead(id: 5, statusID: 10)]
        let stored = StoredAccount(
            account: AccountObject(id: 3, subdomain: "x", country: "RU", customersMode: "disabled"), data: data,
            details: AccountDetails(leads: [EntityDetails(name: "Окна", createdAt: 10, pipelineID: 1, price: 1_000)]),
            users: [], customerStatuses: [], pipelines: pipelines)
        try await Self.withStorePath { path in
            let store = try SQLiteAccountStore(path: path)
            try await store.replace(with: stored)
            let imported = try #require(try await store.load(accountID: 3, suffixFallback: SuffixFallback()))
            #expect(imported.details == stored.details && imported.pipelines == pipelines)

            func price(after update: EntityUpdate) async throws -> Int? {
                let changes = try await store.apply([StoreBatch(updates: [update])], accountID: 3)
                let back = try #require(try await store.load(accountID: 3, suffixFallback: SuffixFallback()))
                if let changed = changes.entities.first {
                    #expect(changed.details.price == back.details.leads[0].price)
                }
                return back.details.leads[0].price
            }
            #expect(try await price(after: EntityUpdate(entity: .lead(5), updatedAt: 20, statusID: 142)) == 1_000)
            #expect(try await price(after: EntityUpdate(entity: .lead(5), updatedAt: 30, price: 2_500)) == 2_500)
            #expect(try await price(after: EntityUpdate(entity: .lead(5), updatedAt: 25, price: 9)) == 2_500, "stale")
            #expect(
                try await price(
                    after: EntityUpdate(entity: .lead(5), updatedAt: 40, statusID: 142, isComplete: true)) == nil)
            #expect(
                try await price(
                    after: EntityUpdate(entity: .contact(6), updatedAt: 40, price: 7, isComplete: true)) == nil)

            var changes = try await store.apply([StoreBatch(pipelines: pipelines)], accountID: 3)
            #expect(!changes.pipelinesChanged && changes.pipelines == nil && changes.isEmpty)
            // A pipeline renamed, one gone, a status given twice: the later one, in the first's place.
            let renamed = [
                LeadPipeline(
                    id: 1, name: "Продажи окон",
                    statuses: [
                        LeadPipelineStatus(id: 10, name: "Новая"), LeadPipelineStatus(id: 142),
                        LeadPipelineStatus(id: 10, name: "Первичный контакт"),
                    ])
            ]
            changes = try await store.apply([StoreBatch(pipelines: renamed)], accountID: 3)
            let normalized = [
                LeadPipeline(
                    id: 1, name: "Продажи окон",
                    statuses: [LeadPipelineStatus(id: 10, name: "Первичный контакт"), LeadPipelineStatus(id: 142)])
            ]
            #expect(changes.pipelinesChanged && changes.pipelines == normalized && !changes.isEmpty)
            #expect(try await store.load(accountID: 3, suffixFallback: SuffixFallback())?.pipelines == normalized)
            try await store.removeAccount(accountID: 3)
            try await store.replace(
                with: StoredAccount(
                    account: stored.account, data: data, details: AccountDetails(), users: [], customerStatuses: []))
            #expect(try await store.load(accountID: 3, suffixFallback: SuffixFallback())?.pipelines == [])
        }
    }

    @Test func replacingIsWholeAndOtherAccountsAreUntouched() async throws {
        let sample = StoredAccount(
            account: AccountObject(id: 1, country: "RU", customersMode: "disabled"), data: SampleAccount.data,
            details: AccountDetails(), users: [], customerStatuses: [])
        var other = sample
        other.accountID = 2
        other.account.id = 2
        try await Self.withStorePath { path in
            let store = try SQLiteAccountStore(path: path)
            try await store.replace(with: sample)
            try await store.replace(with: other)
            var smaller = sample
            smaller.data.contacts.removeLast()
            try await store.replace(with: smaller)
            #expect(try await store.accountIDs() == [1, 2])
            #expect(
                try await store.load(accountID: 1, suffixFallback: SuffixFallback())?.data.contacts
                    == smaller.data.contacts)
            #expect(
                try await store.load(accountID: 2, suffixFallback: SuffixFallback())?.data.contacts
                    == sample.data.contacts)
            await #expect(throws: StoreError.self) { try await store.loadOnlyAccount() }
        }
    }

    @Test func aNewStoreIsReadableByItsOwnerOnly() async throws {
        try await Self.withStorePath { path in
            let store = try SQLiteAccountStore(path: path)
            _ = try await store.apply([StoreBatch(syncState: ["oauth.refresh_token": "secret"])], accountID: 1)
            for file in [path, path + "-wal"] where FileManager.default.fileExists(atPath: file) {
                let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
                #expect(mode == 0o600, "\(file)")
            }
        }
    }

    @Test func aServerSecretIsMadeOnceAndKept() async throws {
        try await Self.withStorePath { path in
            let first = try await SQLiteAccountStore(path: path).serverSecret(named: "k", orMake: { [1, 2, 3] })
            let again = try await SQLiteAccountStore(path: path).serverSecret(named: "k", orMake: { [9] })
            let other = try await SQLiteAccountStore(path: path).serverSecret(named: "other", orMake: { [0, 255] })
            #expect(first == [1, 2, 3])
            #expect(again == [1, 2, 3])
            #expect(other == [0, 255])
        }
    }

    @Test func aFileThatIsNotAStoreIsAClearError() async throws {
        try await Self.withStorePath { path in
            try Data("not a database".utf8).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: StoreError.self) { try SQLiteAccountStore(path: path) }
            #expect(error?.description.hasPrefix(path) == true)
        }
    }

    static func registration(_ id: Int, token: UInt8, secret: UInt8) -> AccountRegistration {
        AccountRegistration(
            accountID: id, subdomain: "account\(id)", amocrmURL: id == 1 ? nil : "https://account\(id).amocrm.ru",
            apiTokenHash: Array(repeating: token, count: 32), webhookSecretHash: Array(repeating: secret, count: 32),
            createdAt: 1_700_000_000 + id)
    }

    /// As on PostgreSQL: the same account again replaces its registration; another account with a
    /// hash taken is refused and deletes nothing.
    @Test func registrationsAreUniqueByEachHash() async throws {
        try await Self.withStorePath { path in
            let store = try SQLiteAccountStore(path: path)
            let first = Self.registration(1, token: 1, secret: 2)
            let second = Self.registration(2, token: 3, secret: 4)
            try await store.register(second)
            try await store.register(first)
            #expect(try await store.registrations() == [first, second])
            var renamed = first
            renamed.subdomain = "renamed"
            renamed.apiTokenHash = Array(repeating: 9, count: 32)
            try await store.register(renamed)
            #expect(try await store.registrations() == [renamed, second])
            await #expect(throws: StoreError.self) {
                try await store.register(Self.registration(3, token: 3, secret: 5))
            }
            await #expect(throws: StoreError.self) {
                try await store.register(Self.registration(3, token: 6, secret: 2))
            }
            #expect(try await store.registrations() == [renamed, second])
            try await store.removeAccount(accountID: 2)
            #expect(try await store.registrations() == [renamed])
        }
    }
}
