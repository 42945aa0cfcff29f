import AccountIndex
import AccountSynthesis
import AmoCRM
import AmoCRMClient
import AmoCRMStandIn
import Foundation
import Synchronization
import Testing

@Suite struct AmoCRMClientTests {
    static let users = [
        AccountUser(id: 501, name: "Анна Петрова", email: "anna@example.com"),
        AccountUser(id: 502, name: "Boris", email: nil),
        AccountUser(id: 503, name: "Vera \"V\" Sidorova", email: "vera@example.com"),
    ]

    static func client(
        _ standIn: AmoCRMStandIn, token: String? = nil, pageLimit: Int = 250, maxAttempts: Int = 6
    ) -> AmoCRMClient {
        AmoCRMClient(
            configuration: .init(
                baseURL: standIn.base + "/", token: token ?? standIn.token, requestsPerSecond: 200,
                pageLimit: pageLimit, maxAttempts: maxAttempts, backoff: .milliseconds(10),
                timeout: .seconds(30)))
    }

    /// What AccountDirectory loads from the writer's files of `account` (and the users page).
    static func loadDirectory(_ account: SyntheticAccount) async throws -> LoadedAccount {
        let path = NSTemporaryDirectory() + "amocrm-client-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        for file in account.amoCRMPages(users: users) {
            try Data(file.bytes).write(to: URL(fileURLWithPath: path + "/" + file.name))
        }
        return try await AccountDirectory.load(path, options: .init(parallelism: 2, progress: .never))
    }

    static func expectSame(_ pulled: LoadedAccount, _ loaded: LoadedAccount) {
        #expect(pulled.data.settings == loaded.data.settings)
        #expect(pulled.data.contacts == loaded.data.contacts)
        #expect(pulled.data.companies == loaded.data.companies)
        #expect(pulled.data.leads == loaded.data.leads)
        #expect(pulled.data.customers == loaded.data.customers)
        // Links come in the order of the answers (API) or of the file names (directory).
        #expect(pulled.data.links.map(\.description).sorted() == loaded.data.links.map(\.description).sorted())
        #expect(pulled.details == loaded.details)
        #expect(pulled.account == loaded.account)
        #expect(pulled.users == loaded.users)
        #expect(pulled.customerStatuses == loaded.customerStatuses)
        #expect(pulled.pipelines == loaded.pipelines)
        #expect(
            AccountIndex(building: pulled.data).snapshot.dump() == AccountIndex(building: loaded.data).snapshot.dump())
    }

    @Test func fullPullEqualsTheDirectoryLoadOfTheSamePages() async throws {
        let synthetic = SyntheticAccount(seed: 12, contacts: 600)
        let loaded = try await Self.loadDirectory(synthetic)
        #expect(loaded.data.contacts.count == 600)
        #expect(!loaded.data.leads.isEmpty && !loaded.data.customers.isEmpty && !loaded.data.links.isEmpty)
        #expect(loaded.customerStatuses.count == 2 && loaded.users.count == 3)
        let standIn = AmoCRMStandIn(synthetic, users: Self.users)
        try await standIn.run { standIn in
            let pulled = try await Self.client(standIn).pullAccount()
            Self.expectSame(pulled, loaded)
            #expect(pulled.users.count == 3)
            #expect(pulled.pipelines == SyntheticAccount.amoCRMPipelines)
            #expect(pulled.details.leads.contains { $0.price != nil })
            let pipelines = standIn.log.filter { $0.path == "/api/v4/leads/pipelines" }
            #expect(pipelines.map(\.status) == [200] && pipelines.first?.query == "", "one request, unpaged")
            let contacts = standIn.log.filter { $0.path == "/api/v4/contacts" }
            #expect(contacts.map(\.status) == [200, 200, 200], "600 contacts are three pages of 250")
            #expect(contacts.first?.query == "limit=250&with=leads,customers")
            #expect(contacts.last?.query == "page=3&limit=250&with=leads,customers")
            #expect(
                standIn.log.contains {
                    $0.path == "/api/v4/companies" && $0.query.hasSuffix("with=leads,customers,contacts")
                })
            #expect(standIn.log.contains { $0.path == "/api/v4/leads" && $0.query.hasSuffix("with=contacts") })
            #expect(
                standIn.log.contains { $0.path == "/api/v4/customers" && $0.query.hasSuffix("with=contacts,companies") }
            )
        }
    }

    @Test func smallPagesFollowNextLinksToTheSameAccount() async throws {
        let synthetic = SyntheticAccount(seed: 5, contacts: 230)
        let loaded = try await Self.loadDirectory(synthetic)
        let standIn = AmoCRMStandIn(synthetic, users: Self.users)
        try await standIn.run { standIn in
            let pulled = try await Self.client(standIn, pageLimit: 40).pullAccount()
            Self.expectSame(pulled, loaded)
            #expect(standIn.log.filter { $0.path == "/api/v4/contacts" }.count == 6)  // 230 / 40, rounded up
            #expect(standIn.log.filter { $0.path == "/api/v4/users" }.count == 1)
        }
    }

    /// The pipelines as the stand-in has them now, renamed or replaced; none is an empty answer.
    @Test func leadPipelinesAreOneAnswerOfTheStandInsPipelines() async throws {
        let standIn = AmoCRMStandIn(SyntheticAccount(seed: 3, contacts: 20), users: Self.users)
        try await standIn.run { standIn in
            let client = Self.client(standIn)
            #expect(try await client.leadPipelines().pipelines == SyntheticAccount.amoCRMPipelines)
            let renamed = [
                LeadPipeline(
                    id: 7, name: "Сервис \"24/7\"",
                    statuses: [LeadPipelineStatus(id: 70, name: "Заявка"), LeadPipelineStatus(id: 142, name: "Готово")])
            ]
            standIn.setPipelines(renamed)
            let answer = try await client.leadPipelines()
            #expect(answer.pipelines == renamed && answer.itemCount == 1)
            standIn.answerEmpty("leads/pipelines")
            #expect(try await client.leadPipelines().pipelines == [])
        }
    }

    @Test func aBurstOf429IsWaitedOutHonouringRetryAfter() async throws {
        let standIn = AmoCRMStandIn(SyntheticAccount(seed: 3, contacts: 20), users: Self.users)
        try await standIn.run { standIn in
            standIn.fail([.status(429, retryAfter: "1"), .status(429, retryAfter: "1")])
            let start = ContinuousClock.now
            let pages = try await Self.client(standIn).list("/api/v4/contacts", with: "leads,customers")
            // Retry-After: 1, twice: the client cannot have asked again sooner (a lower bound only).
            #expect(ContinuousClock.now - start >= .seconds(2))
            #expect(pages.count == 1)
            #expect(pages.first?.itemCount == 20)
            #expect(standIn.log.map(\.status) == [429, 429, 200])
        }
    }

    @Test func a503AndA500AreRetried() async throws {
        let standIn = AmoCRMStandIn(SyntheticAccount(seed: 3, contacts: 20), users: Self.users)
        try await standIn.run { standIn in
            standIn.fail([.status(503), .status(500), .status(502)])
            let account = try await Self.client(standIn).accountObject()
            #expect(account.account?.country == "RU")
            #expect(standIn.log.map(\.status) == [503, 500, 502, 200])
        }
    }

    @Test func aConnectionDroppedInTheMiddleOfAPageIsRetried() async throws {
        let synthetic = SyntheticAccount(seed: 4, contacts: 120)
        let standIn = AmoCRMStandIn(synthetic, users: Self.users)
        try await standIn.run { standIn in
            standIn.fail([.dropMidPage])
            let pages = try await Self.client(standIn, pageLimit: 50).list("/api/v4/contacts", with: "leads,customers")
            #expect(pages.map(\.itemCount) == [50, 50, 20])
            // The dropped answer (-1), then the same page again, then the rest.
            #expect(standIn.log.map(\.status) == [-1, 200, 200, 200])
            #expect(standIn.log[0].query == standIn.log[1].query)
        }
    }

    @Test func retriesAreBounded() async throws {
        let standIn = AmoCRMStandIn(SyntheticAccount(seed: 3, contacts: 20), users: Self.users)
        try await standIn.run { standIn in
            standIn.fail(Array(repeating: .status(503), count: 5))
            let error = await #expect(throws: AmoCRMClientError.self) {
                try await Self.client(standIn, maxAttempts: 3).accountObject()
            }
            #expect(error?.code == .retriesExhausted)
            #expect(error?.status == 503)
            #expect(standIn.log.count == 3)
        }
    }

    @Test func a401IsAClearErrorAndIsNotRetried() async throws {
        let standIn = AmoCRMStandIn(SyntheticAccount(seed: 3, contacts: 20), users: Self.users)
        try await standIn.run { standIn in
            let error = await #expect(throws: AmoCRMClientError.self) {
                try await Self.client(standIn, token: "wrong").pullAccount()
            }
            #expect(error?.code == .unauthorized)
            #expect(error?.status == 401)
            #expect(error?.description.contains("long-lived token was refused") == true)
            #expect(error?.description.contains("wrong") == true)
            #expect(error?.description.contains("standin-token") == false, "no token in the error")
            #expect(standIn.log.map(\.status) == [401])
        }
    }

    @Test func a204IsAnEmptyList() async throws {
        let synthetic = SyntheticAccount(seed: 3, contacts: 20)
        let standIn = AmoCRMStandIn(synthetic, users: Self.users)
        try await standIn.run { standIn in
            standIn.answerEmpty("customers")
            let client = Self.client(standIn)
            #expect(try await client.list("/api/v4/customers").isEmpty)
            let pulled = try await client.pullAccount()
            #expect(pulled.data.customers.isEmpty)
            #expect(pulled.data.contacts == synthetic.data.contacts)
            #expect(standIn.log.filter { $0.path == "/api/v4/customers" }.map(\.status) == [204, 204])
        }
    }

    @Test func thePageReaderGivesTheNextLink() throws {
        func next(_ json: String) throws -> String? {
            let bytes = Array(json.utf8)
            return try bytes.withUnsafeBytes { buffer in try APIAnswer.page(buffer, source: "test").nextPage }
        }
        #expect(
            try next(
                #"{"_page":1,"_links":{"self":{"href":"a"},"next":{"href":"https://x.amocrm.ru/api/v4/leads?page=2"}},"_embedded":{"leads":[]}}"#
            )
                == "https://x.amocrm.ru/api/v4/leads?page=2")
        #expect(try next(#"{"_links":{"self":{"href":"a"}},"_embedded":{"leads":[]}}"#) == nil)
        // Another shape of _links is skipped, as it was before the client read it.
        #expect(try next(#"{"_links":[1],"_embedded":{"leads":[]}}"#) == nil)
        #expect(try next(#"{"_links":{"next":{"href":null}},"_embedded":{"leads":[]}}"#) == nil)
    }

    @Test func aBadPageNamesTheURL() async throws {
        var account = StandInAccount.empty()
        account.account.customersMode = "disabled"
        account.upsertContact(Contact(id: -4), at: 1_700_000_000)
        let standIn = AmoCRMStandIn(account)
        try await standIn.run { standIn in
            let error = await #expect(throws: AmoCRMClientError.self) {
                try await Self.client(standIn).pullAccount()
            }
            #expect(error?.code == .invalidAnswer)
            #expect(error?.url.hasPrefix(standIn.base + "/api/v4/contacts?limit=250") == true)
            #expect(error?.answerError?.jsonPath == "$._embedded.contacts[0].id")
        }
    }
}

/// A value tests' callbacks write and the test reads.
final class Box<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    var current: Value { value.withLock { $0 } }
    func update(_ body: @Sendable (inout Value) -> Void) { value.withLock { body(&$0) } }
}
