import AccountSynthesis
import AmoCRM
import AmoCRMClient
import AmoCRMStandIn
import Testing

/// The OAuth 2.0 refresh against the stand-in's `POST /oauth2/access_token`, whose refresh tokens
/// work once, as amoCRM's do.
@Suite struct OAuthTests {
    static func client(
        _ standIn: AmoCRMStandIn, app: AmoCRMStandIn.OAuthApp? = nil,
        store: @escaping @Sendable (TokenPair) async throws -> Void
    ) -> AmoCRMClient {
        let app = app ?? standIn.oauthApp
        let tokens = standIn.tokens
        let oauth = OAuthCredentials(
            clientID: app.clientID, clientSecret: app.clientSecret, redirectURI: app.redirectURI,
            tokens: TokenPair(accessToken: tokens.accessToken, refreshToken: tokens.refreshToken), storeTokens: store)
        return AmoCRMClient(
            configuration: .init(
                baseURL: standIn.base, credentials: .oauth(oauth), requestsPerSecond: 200, backoff: .milliseconds(10),
                timeout: .seconds(30)))
    }

    static func standIn() -> AmoCRMStandIn {
        AmoCRMStandIn(SyntheticAccount(seed: 3, contacts: 20), users: AmoCRMClientTests.users)
    }

    /// No token of `tokens` and not the client secret in `text`.
    static func expectNoSecrets(_ text: String, _ tokens: [AmoCRMStandIn.Tokens], _ standIn: AmoCRMStandIn) {
        for secret in tokens.flatMap({ [$0.accessToken, $0.refreshToken] }) + [standIn.oauthApp.clientSecret] {
            #expect(!text.contains(secret), "a secret in: \(text)")
        }
    }

    @Test func anExpiredTokenIsRefreshedOnceAndStoredBeforeItIsUsed() async throws {
        try await Self.standIn().run { standIn in
            let old = standIn.tokens
            let stored = Box<[TokenPair]>([])
            let client = Self.client(standIn) { pair in
                standIn.mark("stored")
                stored.update { $0.append(pair) }
            }
            let before = try await client.accountObject()
            #expect(before.account?.country == "RU")
            #expect(standIn.log.map(\.status) == [200], "a valid token is used as it is")
            standIn.expireAccessToken()
            let after = try await client.accountObject()
            #expect(after.account?.country == "RU")
            let new = standIn.tokens
            #expect(new != old)
            #expect(
                stored.current == [
                    TokenPair(accessToken: new.accessToken, refreshToken: new.refreshToken, expiresIn: 86_400)
                ])
            #expect(client.tokens.accessToken == new.accessToken && client.tokens.refreshToken == new.refreshToken)
            // The refused request, the refresh, the store, then the same request with the new token.
            let log = standIn.log.dropFirst()
            #expect(
                log.map(\.description) == [
                    "GET /api/v4/account → 401", "POST /oauth2/access_token → 200", "MARK stored",
                    "GET /api/v4/account → 200",
                ])
            #expect(log.map(\.bearer) == [old.accessToken, nil, nil, new.accessToken])
        }
    }

    @Test func aStoreThatFailsKeepsTheNewTokenUnusedAndTheErrorSaysSo() async throws {
        try await Self.standIn().run { standIn in
            let old = standIn.tokens
            struct DiskFull: Error {}
            let client = Self.client(standIn) { _ in throw DiskFull() }
            standIn.expireAccessToken()
            let error = await #expect(throws: AmoCRMClientError.self) { try await client.accountObject() }
            let issued = standIn.tokens
            #expect(issued != old, "the stand-in issued a pair")
            #expect(error?.code == .tokenStoreFailed)
            #expect(error?.description.contains("could not be stored, so it is not used") == true)
            #expect(error?.description.contains("DiskFull") == true)
            #expect(!standIn.log.contains { $0.bearer == issued.accessToken }, "the new token was never sent")
            #expect(standIn.log.map(\.status) == [401, 200])
            #expect(client.tokens.accessToken == old.accessToken)
            // The refresh token sent is used up: the next refresh is refused, clearly.
            let again = await #expect(throws: AmoCRMClientError.self) { try await client.accountObject() }
            #expect(again?.code == .refreshFailed)
            #expect(again?.status == 401)
            #expect(again?.description.contains("authorized again") == true)
            #expect(again?.description.contains("Token has been revoked") == true)
            #expect(standIn.log.map(\.status) == [401, 200, 401, 401])
            Self.expectNoSecrets("\(error!) \(again!)", [old, issued], standIn)
        }
    }

    @Test func a401AfterTheRefreshIsAClearErrorAndNotAnotherRefresh() async throws {
        try await Self.standIn().run { standIn in
            let client = Self.client(standIn) { _ in }
            standIn.expireAccessToken()
            standIn.fail([.status(401)], on: "/api/v4/account")
            let error = await #expect(throws: AmoCRMClientError.self) { try await client.accountObject() }
            #expect(error?.code == .unauthorized)
            #expect(error?.status == 401)
            #expect(error?.description.contains("refused again after a refresh") == true)
            #expect(error?.description.contains("did not help") == true)
            #expect(
                standIn.log.map(\.description) == [
                    "GET /api/v4/account → 401", "POST /oauth2/access_token → 200", "GET /api/v4/account → 401",
                ])
            Self.expectNoSecrets("\(error!)", [standIn.tokens], standIn)
        }
    }

    @Test func tenRequestsRefusedTogetherRefreshOnce() async throws {
        try await Self.standIn().run { standIn in
            let stores = Box(0)
            let client = Self.client(standIn) { _ in stores.update { $0 += 1 } }
            standIn.expireAccessToken()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        let answer = try await client.accountObject()
                        #expect(answer.account?.country == "RU")
                    }
                }
                try await group.waitForAll()
            }
            let refreshes = standIn.log.filter { $0.path == "/oauth2/access_token" }
            #expect(refreshes.count == 1)
            #expect(stores.current == 1)
            let answered = standIn.log.filter { $0.path == "/api/v4/account" && $0.status == 200 }
            #expect(answered.count == 10)
            #expect(answered.allSatisfy { $0.bearer == standIn.tokens.accessToken })
        }
    }

    @Test func aRefreshWhoseAnswerIsLostIsNotSentAgain() async throws {
        try await Self.standIn().run { standIn in
            let old = standIn.tokens
            let stores = Box(0)
            let client = Self.client(standIn) { _ in stores.update { $0 += 1 } }
            standIn.expireAccessToken()
            standIn.fail([.dropMidPage], on: "/oauth2/access_token")
            let error = await #expect(throws: AmoCRMClientError.self) { try await client.accountObject() }
            #expect(error?.code == .refreshFailed)
            #expect(error?.description.contains("not retried") == true)
            // The stand-in handled the refresh (its refresh token is used up), the answer was lost:
            // sending the old refresh token again could not help, and the client does not.
            #expect(standIn.tokens != old)
            #expect(standIn.log.map(\.status) == [401, -1])
            #expect(stores.current == 0)
            Self.expectNoSecrets("\(error!)", [old, standIn.tokens], standIn)
        }
    }

    @Test func aWrongSecretOrRedirectIsRefusedAndNamedWithoutTheSecret() async throws {
        try await Self.standIn().run { standIn in
            var app = standIn.oauthApp
            app.clientSecret = "not-the-secret-3e1"
            let wrongSecret = Self.client(standIn, app: app) { _ in }
            standIn.expireAccessToken()
            let error = await #expect(throws: AmoCRMClientError.self) { try await wrongSecret.accountObject() }
            #expect(error?.code == .refreshFailed)
            #expect(error?.status == 401)
            #expect(error?.description.contains("Авторизация клиента не прошла") == true)
            #expect(error?.description.contains("not-the-secret-3e1") == false)

            app = standIn.oauthApp
            app.redirectURI = "https://elsewhere.example/"
            let wrongRedirect = Self.client(standIn, app: app) { _ in }
            let refused = await #expect(throws: AmoCRMClientError.self) { try await wrongRedirect.accountObject() }
            #expect(refused?.code == .refreshFailed)
            #expect(refused?.status == 400)
            Self.expectNoSecrets("\(error!) \(refused!)", [standIn.tokens], standIn)
        }
    }

    @Test func credentialsDoNotShowTheirSecrets() {
        let pair = TokenPair(accessToken: "access-9a1", refreshToken: "refresh-7c2", expiresIn: 86_400)
        let oauth = OAuthCredentials(
            clientID: "client-1", clientSecret: "secret-5b3", redirectURI: "https://r.example", tokens: pair,
            storeTokens: { _ in })
        let configuration = AmoCRMClient.Configuration(baseURL: "https://x.amocrm.ru", credentials: .oauth(oauth))
        var dumped = ""
        dump(configuration, to: &dumped)
        dump(pair, to: &dumped)
        let longLived = AmoCRMClient.Configuration(baseURL: "https://x.amocrm.ru", token: "long-lived-4d4")
        dump(longLived, to: &dumped)
        let texts = [
            "\(pair)", String(reflecting: pair), "\(oauth)", String(reflecting: oauth), "\(Credentials.oauth(oauth))",
            String(reflecting: configuration), "\(longLived)", dumped,
        ]
        for text in texts {
            for secret in ["access-9a1", "refresh-7c2", "secret-5b3", "long-lived-4d4"] {
                #expect(!text.contains(secret), "\(secret) in \(text)")
            }
        }
        #expect("\(oauth)".contains("client-1"))
    }
}
