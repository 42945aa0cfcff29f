import AmoCRM
import AsyncHTTPClient
import NIOCore
import ScreenPopJSON

/// A client of amoCRM's API v4 (and Kommo's, the same API): a long-lived token or an OAuth 2.0
/// integration (refreshed on a 401), at most ``Configuration/requestsPerSecond`` requests in any
/// one-second window, retries of 429, 503 and other 5xx, and lists read page by page following
/// `_links.next`.
///
/// ```swift
/// let client = AmoCRMClient(configuration: .init(baseURL: "https://example.amocrm.ru", token: token))
/// let account = try await client.pullAccount()   // a LoadedAccount, as AccountDirectory.load gives
/// for try await page in client.pages(of: .contact, updatedFrom: cursor) {
///     try await store.apply(page.updates)          // changed contacts, page by page
/// }
/// ```
///
/// Answers are decoded by `AmoCRM`'s page reader (``AmoCRM/APIAnswer``), the decoder of saved
/// pages, and put together by ``AmoCRM/AccountDirectory/assemble(_:source:options:)``.
public struct AmoCRMClient: Sendable {
    public struct Configuration: Sendable {
        /// `https://example.amocrm.ru` or `https://example.kommo.com`; `/api/v4/...` is appended.
        public var baseURL: String
        /// A long-lived token, or an OAuth 2.0 integration with its pair.
        public var credentials: Credentials
        /// Requests in any one-second window, refused ones included (amoCRM allows 7).
        public var requestsPerSecond: Int
        /// Entities a page asked for (amoCRM's maximum is 250).
        public var pageLimit: Int
        /// Tries of one request before giving up on 429, 5xx and transport errors.
        public var maxAttempts: Int
        /// The first backoff of a 5xx without `Retry-After`; doubled each attempt, jittered.
        public var backoff: Duration
        /// The longest wait between two attempts, `Retry-After` included.
        public var maxBackoff: Duration
        /// The time allowed for one request and its body.
        public var timeout: Duration
        /// The largest body read.
        public var maxBodyBytes: Int

        /// A client with a long-lived token, sent as `Authorization: Bearer <token>`.
        public init(
            baseURL: String, token: String, requestsPerSecond: Int = 7, pageLimit: Int = 250, maxAttempts: Int = 6,
            backoff: Duration = .milliseconds(500), maxBackoff: Duration = .seconds(60),
            timeout: Duration = .seconds(60),
            maxBodyBytes: Int = 64 << 20
        ) {
            self.init(
                baseURL: baseURL, credentials: .longLivedToken(token), requestsPerSecond: requestsPerSecond,
                pageLimit: pageLimit, maxAttempts: maxAttempts, backoff: backoff, maxBackoff: maxBackoff,
                timeout: timeout, maxBodyBytes: maxBodyBytes)
        }

        /// A client with `credentials`: a long-lived token, or an OAuth integration.
        public init(
            baseURL: String, credentials: Credentials, requestsPerSecond: Int = 7, pageLimit: Int = 250,
            maxAttempts: Int = 6, backoff: Duration = .milliseconds(500), maxBackoff: Duration = .seconds(60),
            timeout: Duration = .seconds(60), maxBodyBytes: Int = 64 << 20
        ) {
            var base = baseURL
            while base.hasSuffix("/") { base.removeLast() }
            self.baseURL = base
            self.credentials = credentials
            self.requestsPerSecond = max(1, requestsPerSecond)
            self.pageLimit = max(1, pageLimit)
            self.maxAttempts = max(1, maxAttempts)
            self.backoff = backoff
            self.maxBackoff = maxBackoff
            self.timeout = timeout
            self.maxBodyBytes = maxBodyBytes
        }
    }

    /// What one request gave: a body, or nothing (204).
    public enum Answer: Sendable {
        case body(ByteBuffer)
        case noContent
    }

    public let configuration: Configuration
    /// The limiter every request (retries and refreshes included) passes through.
    public let limiter: RateLimiter
    let http: HTTPClient
    let authorizer: Authorizer

    /// - Parameters:
    ///   - configuration: Where, with what credentials, how fast.
    ///   - httpClient: The HTTP client; `HTTPClient.shared` by default.
    ///   - limiter: Shared by clients of the same integration; by default one of
    ///     ``Configuration/requestsPerSecond``.
    public init(configuration: Configuration, httpClient: HTTPClient = .shared, limiter: RateLimiter? = nil) {
        self.configuration = configuration
        self.http = httpClient
        self.limiter = limiter ?? RateLimiter(limit: configuration.requestsPerSecond)
        self.authorizer = Authorizer(configuration.credentials)
    }

    /// The OAuth pair in use (the last one refreshed and stored), or the long-lived token as
    /// ``TokenPair/accessToken`` with an empty refresh token.
    public var tokens: TokenPair { authorizer.tokens }

    // MARK: One request

    /// A request as the client sends it.
    struct Outgoing: Sendable {
        enum Method: Sendable { case get, post }
        var method = Method.get
        var url: String
        /// A JSON body.
        var body: [UInt8]?
        /// Whether doing it twice is doing it once: then a transport error, which may come after
        /// the server has acted, is retried, and so is a 5xx.
        var isIdempotent = true
        /// Sends the bearer token; a 401 then refreshes an OAuth pair once and tries again.
        var isAuthorized = true
    }

    /// One GET with the token, through the rate limiter, with retries: 429 and 503 wait for
    /// `Retry-After` (seconds or an HTTP date) or the backoff, other 5xx and transport errors the
    /// jittered exponential backoff, up to ``Configuration/maxAttempts`` tries; a 401 refreshes an
    /// OAuth pair once (with a long-lived token it fails at once).
    public func get(_ url: String) async throws -> Answer {
        try await send(Outgoing(url: url))
    }

    /// Sends `outgoing` until an answer, a failure that is not retried, or the last attempt.
    func send(_ outgoing: Outgoing) async throws -> Answer {
        let url = outgoing.url
        var request = HTTPClientRequest(url: url)
        request.method = outgoing.method == .post ? .POST : .GET
        request.headers.add(name: "Accept", value: "application/hal+json, application/json")
        if let body = outgoing.body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(body)
        }
        let timeout = TimeAmount.nanoseconds(Self.nanoseconds(configuration.timeout))
        var grant = authorizer.current
        var refreshed = false
        var lastFailure = ""
        var lastStatus: Int?
        var attempt = 0
        while attempt < configuration.maxAttempts {
            attempt += 1
            if outgoing.isAuthorized {
                request.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(grant.accessToken)")
            }
            try await limiter.acquire()
            var wait = Duration.zero
            do {
                let response = try await http.execute(request, timeout: timeout)
                let status = Int(response.status.code)
                switch status {
                case 204:
                    return .noContent
                case 200..<300:
                    return .body(try await response.body.collect(upTo: configuration.maxBodyBytes))
                case 401 where outgoing.isAuthorized:
                    let body = try await excerpt(response)
                    if authorizer.oauth != nil, !refreshed {
                        // The access token has expired (a day) or was replaced: refresh once, try again.
                        refreshed = true
                        grant = try await refresh(after: grant.generation)
                        attempt -= 1
                        continue
                    }
                    throw AmoCRMClientError(
                        .unauthorized, url: url, status: 401,
                        message: (authorizer.oauth == nil
                            ? "the long-lived token was refused (wrong, expired or revoked): give a valid one, "
                                + "or OAuth credentials, which the client refreshes"
                            : "refused again after a refresh of the OAuth token: the refresh did not help "
                                + "(the integration may be disabled, or its access revoked)") + body)
                case 429,
                    503 where outgoing.isIdempotent:
                    // A 429 is a refusal before anything was done; a 503 may not be, for a request
                    // that must not be done twice.
                    let body = try await excerpt(response)
                    let retryAfter = response.headers.first(name: "Retry-After").flatMap {
                        RetryAfter.delay($0, now: HTTPDate.wallClockNanoseconds())
                    }
                    wait = retryAfter ?? backoff(attempt: attempt)
                    lastFailure = "HTTP \(status)\(body)"
                    lastStatus = status
                case 500..<600 where outgoing.isIdempotent:
                    let body = try await excerpt(response)
                    wait = backoff(attempt: attempt)
                    lastFailure = "HTTP \(status)\(body)"
                    lastStatus = status
                default:
                    let body = try await excerpt(response)
                    throw AmoCRMClientError(
                        .unexpectedStatus, url: url, status: status, message: "HTTP \(status)\(body)")
                }
            } catch let error as AmoCRMClientError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                let failure = authorizer.redact("\(error)")
                guard outgoing.isIdempotent else {
                    throw AmoCRMClientError(
                        .transport, url: url,
                        message: "\(failure); not retried: the request may have reached amoCRM, and it must not be "
                            + "done twice")
                }
                wait = backoff(attempt: attempt)
                lastFailure = failure
                lastStatus = nil
            }
            guard attempt < configuration.maxAttempts else { break }
            let delay = min(wait, configuration.maxBackoff)
            let until = ContinuousClock.now + delay
            // A 429 or 503 is about the integration, not this request: everyone waits.
            if lastStatus == 429 || lastStatus == 503 { limiter.hold(until: until) }
            try await ContinuousClock().sleep(until: until, tolerance: .zero)
        }
        throw AmoCRMClientError(
            .retriesExhausted, url: url, status: lastStatus,
            message: "gave up after \(configuration.maxAttempts) attempts; the last: \(lastFailure)")
    }

    /// The exponential backoff of `attempt` (1-based) with "equal jitter": between half and all of
    /// `backoff * 2^(attempt-1)`, at most ``Configuration/maxBackoff``.
    func backoff(attempt: Int) -> Duration {
        let base = Self.nanoseconds(configuration.backoff)
        let ceiling = Self.nanoseconds(configuration.maxBackoff)
        let full = min(ceiling, base << min(attempt - 1, 20))
        let half = full / 2
        return .nanoseconds(half + Int64.random(in: 0...max(0, full - half)))
    }

    /// ": <the first 300 bytes of the body>", tokens and secrets hidden; nothing for an empty body.
    private func excerpt(_ response: HTTPClientResponse) async throws -> String {
        let body = try await response.body.collect(upTo: configuration.maxBodyBytes)
        guard body.readableBytes > 0 else { return "" }
        let text = String(buffer: body.getSlice(at: body.readerIndex, length: min(300, body.readableBytes))!)
        return ": " + authorizer.redact(text)
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    // MARK: Decoding

    func decode(_ body: ByteBuffer, url: String, isAccount: Bool) throws -> APIAnswer {
        let result = body.withUnsafeReadableBytes { bytes -> Result<APIAnswer, AccountLoadError> in
            do throws(AccountLoadError) {
                return .success(
                    isAccount ? try APIAnswer.account(bytes, source: url) : try APIAnswer.page(bytes, source: url))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let answer): return answer
        case .failure(let error):
            throw AmoCRMClientError(
                .invalidAnswer, url: url, status: 200, message: error.description, answerError: error)
        }
    }

    /// A body as a JSON tree, or ``AmoCRMClientError/Code/invalidAnswer``.
    func json(_ body: ByteBuffer, url: String) throws -> JSONValue {
        do throws(JSONError) {
            return try JSONValue(parsing: Array(buffer: body))
        } catch {
            throw AmoCRMClientError(.invalidAnswer, url: url, status: 200, message: "not JSON: \(error)")
        }
    }
}
