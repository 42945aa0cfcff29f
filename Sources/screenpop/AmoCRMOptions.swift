import AccountSync
import AmoCRMClient
import ArgumentParser
import ScreenPopStore
import ScreenPopSupport

/// Where amoCRM is and who we are to it: `--amocrm URL`, and a long-lived token
/// (`SCREENPOP_AMOCRM_TOKEN` or `--amocrm-token-file`) or an OAuth integration
/// (`SCREENPOP_AMOCRM_CLIENT_ID`, `_CLIENT_SECRET`, `_REFRESH_TOKEN`, `_REDIRECT_URI`).
struct AmoCRMOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "amoCRM's (or Kommo's) base URL, such as https://example.amocrm.ru; /api/v4/... is appended.",
            valueName: "URL"))
    var amocrm: String?

    @Option(help: ArgumentHelp("A file holding the long-lived token (instead of SCREENPOP_AMOCRM_TOKEN).", valueName: "FILE"))
    var amocrmTokenFile: String?

    @Option(help: ArgumentHelp("Requests to amoCRM in any one second (amoCRM allows 7).", valueName: "N"))
    var rate = 7

    static let tokenVariable = "SCREENPOP_AMOCRM_TOKEN"
    static let oauthVariables = (
        clientID: "SCREENPOP_AMOCRM_CLIENT_ID", clientSecret: "SCREENPOP_AMOCRM_CLIENT_SECRET",
        refreshToken: "SCREENPOP_AMOCRM_REFRESH_TOKEN", redirectURI: "SCREENPOP_AMOCRM_REDIRECT_URI"
    )

    func validate() throws {
        guard rate > 0 else { throw ValidationError("--rate must be positive.") }
        if let amocrm, !(amocrm.hasPrefix("https://") || amocrm.hasPrefix("http://")) {
            throw ValidationError("--amocrm must be an http(s) URL, such as https://example.amocrm.ru.")
        }
    }

    /// A small text file (a token), read whole.
    static func readSmallFile(_ path: String) throws -> String {
        guard let file = fopen(path, "rb") else { throw CLIError("\(path): cannot open: \(String(cString: strerror(errno)))") }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let count = fread(&chunk, 1, chunk.count, file)
            if count == 0 { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(String(cString: value).trimmingASCIIWhitespace)
        return text.isEmpty ? nil : text
    }

    /// The client, its credentials from the environment, a file, or (OAuth) the pair last stored:
    /// a refresh token works once, so the stored pair wins over the one in the environment.
    func client(store: any AccountStore, accountID: Int?) async throws -> AmoCRMClient {
        guard let amocrm else { throw ValidationError("Give amoCRM's base URL: --amocrm URL.") }
        let credentials: Credentials
        if let file = amocrmTokenFile {
            let token = String(try Self.readSmallFile(file).trimmingASCIIWhitespace)
            guard !token.isEmpty else { throw CLIError("\(file): the token file is empty") }
            credentials = .longLivedToken(token)
        } else if let token = Self.environment(Self.tokenVariable) {
            credentials = .longLivedToken(token)
        } else if let accountID, let token = try await store.syncState(accountID: accountID)[SyncStateKey.longLivedToken] {
            credentials = .longLivedToken(token)
        } else if let clientID = Self.environment(Self.oauthVariables.clientID) {
            guard let secret = Self.environment(Self.oauthVariables.clientSecret),
                let redirect = Self.environment(Self.oauthVariables.redirectURI)
            else {
                throw CLIError(
                    "OAuth needs \(Self.oauthVariables.clientSecret) and \(Self.oauthVariables.redirectURI) "
                        + "beside \(Self.oauthVariables.clientID)")
            }
            // Before the account's id is known (a first sync), a refreshed pair is kept under id 0.
            let state = try await store.syncState(accountID: accountID ?? 0)
            let stored = state[SyncStateKey.oauthRefreshToken].flatMap { refresh in
                state[SyncStateKey.oauthAccessToken].map { TokenPair(accessToken: $0, refreshToken: refresh) }
            }
            guard let tokens = stored ?? Self.environment(Self.oauthVariables.refreshToken).map({
                // No access token yet: the first request is refused and the refresh token used.
                TokenPair(accessToken: "", refreshToken: $0)
            }) else {
                throw CLIError("OAuth needs \(Self.oauthVariables.refreshToken) (or a pair stored by an earlier run)")
            }
            credentials = .oauth(
                OAuthCredentials(
                    clientID: clientID, clientSecret: secret, redirectURI: redirect, tokens: tokens,
                    storeTokens: { pair in
                        // Stored before use.
                        let batch = StoreBatch(syncState: [
                            SyncStateKey.oauthAccessToken: pair.accessToken,
                            SyncStateKey.oauthRefreshToken: pair.refreshToken,
                        ])
                        _ = try await store.apply([batch], accountID: accountID ?? 0)
                    }))
        } else {
            throw CLIError(
                "no amoCRM credentials: set \(Self.tokenVariable) (a long-lived token), give --amocrm-token-file, "
                    + "or set \(Self.oauthVariables.clientID), \(Self.oauthVariables.clientSecret), "
                    + "\(Self.oauthVariables.refreshToken) and \(Self.oauthVariables.redirectURI)")
        }
        return AmoCRMClient(configuration: .init(baseURL: amocrm, credentials: credentials, requestsPerSecond: rate))
    }
}

extension AmoCRMOptions {
    /// Keeps the credentials this command was given in the store, under `accountID`: the long-lived
    /// token, or the OAuth pair (refreshed under id 0 before the id was known, or the refresh
    /// token of the environment). A server that serves several accounts syncs each with its own.
    func keepCredentials(in store: any AccountStore, accountID: Int) async throws {
        var state: [String: String] = [:]
        if let file = amocrmTokenFile {
            state[SyncStateKey.longLivedToken] = String(try Self.readSmallFile(file).trimmingASCIIWhitespace)
        } else if let token = Self.environment(Self.tokenVariable) {
            state[SyncStateKey.longLivedToken] = token
        } else {
            let early = try await store.syncState(accountID: 0)
            if let access = early[SyncStateKey.oauthAccessToken], let refresh = early[SyncStateKey.oauthRefreshToken] {
                state[SyncStateKey.oauthAccessToken] = access
                state[SyncStateKey.oauthRefreshToken] = refresh
            } else if let refresh = Self.environment(Self.oauthVariables.refreshToken) {
                state[SyncStateKey.oauthAccessToken] = ""
                state[SyncStateKey.oauthRefreshToken] = refresh
            }
        }
        guard !state.isEmpty else { return }
        _ = try await store.apply([StoreBatch(syncState: state)], accountID: accountID)
    }
}

/// A failure the command explains in one line.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
