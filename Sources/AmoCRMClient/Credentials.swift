/// Who the client is to amoCRM: a long-lived token, or an OAuth 2.0 integration whose access token
/// the client refreshes when amoCRM refuses it.
///
/// Neither prints its secrets: `description`, `debugDescription` and reflection (`dump`) show
/// what kind of credentials they are, never a token or the client secret.
public enum Credentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// A long-lived token (amoCRM's "долгосрочный токен"), sent as `Authorization: Bearer`; it is
    /// not refreshed: a 401 fails.
    case longLivedToken(String)
    /// An OAuth 2.0 integration: on a 401 the client refreshes the pair once, hands the new pair
    /// to ``OAuthCredentials/storeTokens`` and retries with the new access token.
    case oauth(OAuthCredentials)

    public var description: String {
        switch self {
        case .longLivedToken: "a long-lived token"
        case .oauth(let oauth): oauth.description
        }
    }

    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .enum) }
}

/// An OAuth 2.0 integration of amoCRM (Kommo): what `POST /oauth2/access_token` takes, the pair in
/// use, and where a new pair is kept.
public struct OAuthCredentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The integration's id ("ID интеграции").
    public var clientID: String
    /// The integration's secret key.
    public var clientSecret: String
    /// The integration's redirect URI, exactly as registered.
    public var redirectURI: String
    /// The pair to start with (the last one stored).
    public var tokens: TokenPair
    /// Stores a new pair before the client uses it: amoCRM's refresh token works once, so a pair
    /// not stored is lost with the process. If it throws, the refresh fails with
    /// ``AmoCRMClientError/Code/tokenStoreFailed`` and the new access token is not used.
    public var storeTokens: @Sendable (TokenPair) async throws -> Void

    public init(
        clientID: String, clientSecret: String, redirectURI: String, tokens: TokenPair,
        storeTokens: @escaping @Sendable (TokenPair) async throws -> Void
    ) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.redirectURI = redirectURI
        self.tokens = tokens
        self.storeTokens = storeTokens
    }

    /// `OAuth integration <client id>`: the id is not a secret; the rest is not shown.
    public var description: String { "OAuth integration \(clientID)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["clientID": clientID], displayStyle: .struct) }
}

/// An OAuth 2.0 pair as amoCRM issues it: an access token (a day, `expires_in` 86400) and a
/// refresh token (three months, and once).
///
/// It does not print its tokens (``description`` says "TokenPair(redacted)").
public struct TokenPair: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var accessToken: String
    public var refreshToken: String
    /// amoCRM's `expires_in`: seconds the access token lives from its issue; nil when unknown.
    public var expiresIn: Int?

    public init(accessToken: String, refreshToken: String, expiresIn: Int? = nil) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresIn = expiresIn
    }

    public var description: String { "TokenPair(redacted\(expiresIn.map { ", expires in \($0) s" } ?? ""))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
