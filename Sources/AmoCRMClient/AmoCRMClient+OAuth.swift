import ScreenPopJSON

/// amoCRM's OAuth 2.0 refresh: `POST {base}/oauth2/access_token` with the integration's id, secret
/// and redirect URI and `grant_type` `refresh_token`; the answer is a new pair, and the refresh
/// token sent is used up.
extension AmoCRMClient {
    /// `{base}/oauth2/access_token`.
    var tokenURL: String { configuration.baseURL + "/oauth2/access_token" }

    /// A token newer than `generation`: one refresh for all the requests that need it.
    func refresh(after generation: Int) async throws -> Authorizer.Grant {
        try await authorizer.refresh(after: generation) { [self] oauth, refreshToken in
            let pair = try await requestTokens(oauth, refreshToken: refreshToken)
            authorizer.remember(pair)
            do {
                try await oauth.storeTokens(pair)
            } catch {
                throw AmoCRMClientError(
                    .tokenStoreFailed, url: tokenURL,
                    message: "the new OAuth pair could not be stored, so it is not used: "
                        + authorizer.redact("\(error)")
                        + " (amoCRM has issued it and the refresh token sent is used up: unless the store kept "
                        + "it after all, the integration must be authorized again)")
            }
            return pair
        }
    }

    /// Sends the refresh token once: never again after it may have reached amoCRM, which accepts it
    /// once (a 429, a refusal before anything was done, is waited out and tried again).
    private func requestTokens(_ oauth: OAuthCredentials, refreshToken: String) async throws -> TokenPair {
        let url = tokenURL
        var w = JSONWriter()
        w.beginObject()
        w.key("client_id")
        w.string(oauth.clientID)
        w.key("client_secret")
        w.string(oauth.clientSecret)
        w.key("grant_type")
        w.string("refresh_token")
        w.key("refresh_token")
        w.string(refreshToken)
        w.key("redirect_uri")
        w.string(oauth.redirectURI)
        w.endObject()
        let answer: Answer
        do {
            answer = try await send(
                Outgoing(method: .post, url: url, body: w.bytes, isIdempotent: false, isAuthorized: false))
        } catch let error as AmoCRMClientError {
            let why =
                switch error.status {
                case 400, 401:
                    "amoCRM refused it: the refresh token was used before, has expired (three months) or was "
                        + "revoked, or the client id, secret or redirect URI is wrong; the integration must be "
                        + "authorized again: "
                default: ""
                }
            throw AmoCRMClientError(
                .refreshFailed, url: url, status: error.status,
                message: "the OAuth refresh failed: " + why + error.message)
        }
        guard case .body(let body) = answer else {
            throw AmoCRMClientError(
                .refreshFailed, url: url, status: 204, message: "the OAuth refresh gave no pair (204)")
        }
        let value: JSONValue
        do {
            value = try json(body, url: url)
        } catch let error as AmoCRMClientError {
            throw AmoCRMClientError(.refreshFailed, url: url, status: 200, message: error.message)
        }
        guard let access = value["access_token"]?.stringValue, !access.isEmpty,
            let refresh = value["refresh_token"]?.stringValue, !refresh.isEmpty,
            value["token_type"]?.stringValue.map({ $0.lowercased() == "bearer" }) ?? true
        else {
            let keys: [String] = if case .object(let object) = value { object.map(\.key) } else { [] }
            throw AmoCRMClientError(
                .refreshFailed, url: url, status: 200,
                message: "the OAuth answer has no Bearer pair (its keys: \(keys.joined(separator: ", ")))")
        }
        return TokenPair(accessToken: access, refreshToken: refresh, expiresIn: value["expires_in"]?.intValue)
    }
}
