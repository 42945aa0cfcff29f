import AmoCRM

/// Why a request to amoCRM failed: what was asked, what came back, what is wrong.
public struct AmoCRMClientError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public enum Code: String, Sendable {
        /// 401: the token is wrong, expired or revoked. (The OAuth refresh flow is a later slice:
        /// today the client fails here.)
        case unauthorized
        /// A status the client does not retry (400, 403, 404...), or a 3xx.
        case unexpectedStatus = "unexpected_status"
        /// 429, 503 or another 5xx, or a transport error, on every attempt.
        case retriesExhausted = "retries_exhausted"
        /// The connection failed (refused, reset, timed out) and was not retried.
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
