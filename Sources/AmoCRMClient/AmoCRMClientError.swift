import AmoCRM

/// Why a request to amoCRM failed: what was asked, what came back, what is wrong.
///
/// Its text never holds a token or the client secret: they are replaced by `<redacted>` wherever
/// an answer or a transport error would show them.
public struct AmoCRMClientError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public enum Code: String, Sendable {
        /// 401: a long-lived token is wrong, expired or revoked; or an OAuth access token was
        /// refused again after a refresh.
        case unauthorized
        /// The OAuth refresh failed: amoCRM refused it (400, 401: the refresh token was used or
        /// revoked, or the integration's id, secret or redirect URI is wrong), answered something
        /// else, or could not be reached (not retried: a refresh token works once).
        case refreshFailed = "refresh_failed"
        /// The new OAuth pair could not be stored (``OAuthCredentials/storeTokens`` threw), so the
        /// client does not use it.
        case tokenStoreFailed = "token_store_failed"
        /// A status the client does not retry (400, 403, 404...), or a 3xx.
        case unexpectedStatus = "unexpected_status"
        /// 429, 503 or another 5xx, or a transport error, on every attempt.
        case retriesExhausted = "retries_exhausted"
        /// The connection failed (refused, reset, timed out) on a request that is not retried
        /// because it may have reached amoCRM and must not be done twice.
        case transport
        /// The body is not the JSON the API v4 answers with (the page reader's error).
        case invalidAnswer = "invalid_answer"
        /// A `_links.next` that leaves the base URL: the token is not sent there.
        case foreignNextLink = "foreign_next_link"
    }

    public let code: Code
    /// The URL of the request.
    public let url: String
    /// The HTTP status, when there was an answer.
    public let status: Int?
    public let message: String
    /// The page reader's error, for ``Code/invalidAnswer``.
    public let answerError: AccountLoadError?

    init(_ code: Code, url: String, status: Int? = nil, message: String, answerError: AccountLoadError? = nil) {
        self.code = code
        self.url = url
        self.status = status
        self.message = message
        self.answerError = answerError
    }

    public var description: String {
        let status = status.map { " (HTTP \($0))" } ?? ""
        return "amoCRM \(code.rawValue)\(status): \(url): \(message)"
    }
}
