import AmoCRM
import AsyncHTTPClient
import NIOCore

/// A client of amoCRM's API v4 (and Kommo's, the same API): a long-lived token, at most
/// ``Configuration/requestsPerSecond`` requests in any one-second window, retries of 429, 503
/// and other 5xx, and lists read page by page following `_links.next`.
///
/// ```swift
/// let client = AmoCRMClient(configuration: .init(baseURL: "https://example.amocrm.ru", token: token))
/// let account = try await client.pullAccount()   // a LoadedAccount, as AccountDirectory.load gives
/// ```
///
/// Answers are decoded by `AmoCRM`'s page reader (``AmoCRM/APIAnswer``), the decoder of saved
/// pages, and put together by ``AmoCRM/AccountDirectory/assemble(_:source:options:)``.
public struct AmoCRMClient: Sendable {
    public struct Configuration: Sendable {
        /// `https://example.amocrm.ru` or `https://example.kommo.com`; `/api/v4/...` is appended.
        public var baseURL: String
        /// A long-lived token, sent as `Authorization: Bearer <token>`.
        public var token: String
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

        public init(
            baseURL: String, token: String, requestsPerSecond: Int = 7, pageLimit: Int = 250, maxAttempts: Int = 6,
            backoff: Duration = .milliseconds(500), maxBackoff: Duration = .seconds(60),
            timeout: Duration = .seconds(60),
            maxBodyBytes: Int = 64 << 20
        ) {
            var base = baseURL
            while base.hasSuffix("/") { base.removeLast() }
            self.baseURL = base
            self.token = token
            self.requestsPerSecond = max(1, requestsPerSecond)
            self.pageLimit = max(1, pageLimit)
            self.maxAttempts = max(1, maxAttempts)
            self.backoff = backoff
            self.maxBackoff = maxBackoff
            self.timeout = timeout
            self.maxBodyBytes = maxBodyBytes
        }
    }

    /// What one GET gave: a body, or nothing (204).
    public enum Answer: Sendable {
        case body(ByteBuffer)
        case noContent
    }

    public let configuration: Configuration
    /// The limiter every request (retries included) passes through.
    public let limiter: RateLimiter
    private let http: HTTPClient

    /// - Parameters:
    ///   - configuration: Where, with what token, how fast.
    ///   - httpClient: The HTTP client; `HTTPClient.shared` by default.
    ///   - limiter: Shared by clients of the same integration; by default one of
    ///     ``Configuration/requestsPerSecond``.
    public init(configuration: Configuration, httpClient: HTTPClient = .shared, limiter: RateLimiter? = nil) {
        self.configuration = configuration
        self.http = httpClient
        self.limiter = limiter ?? RateLimiter(limit: configuration.requestsPerSecond)
    }

    // MARK: The whole account

    /// Reads the whole account: the account object, users, and (when customers are on) the
    /// customer statuses, then contacts, companies, leads and customers, with their links, and puts
    /// them together as ``AmoCRM/AccountDirectory/load(_:options:)`` puts saved pages together.
    public func pullAccount(options: AccountDirectory.Options = AccountDirectory.Options(progress: .never))
        async throws -> LoadedAccount
    {
        let start = ContinuousClock.now
        var answers: [APIAnswer] = []
        let account = try await accountObject()
        answers.append(account)
        let customers = account.account?.customersEnabled ?? false
        answers += try await list("/api/v4/users")
        if customers { answers += try await list("/api/v4/customers/statuses") }
        answers += try await list("/api/v4/contacts", with: "leads,customers")
        answers += try await list("/api/v4/companies", with: "leads,customers,contacts")
        answers += try await list("/api/v4/leads", with: "contacts")
        if customers { answers += try await list("/api/v4/customers", with: "contacts,companies") }
        var loaded: LoadedAccount
        do {
            loaded = try AccountDirectory.assemble(answers, source: configuration.baseURL, options: options)
        } catch {
            throw AmoCRMClientError(
                .invalidAnswer, url: configuration.baseURL, message: error.message, answerError: error)
        }
        let elapsed = (ContinuousClock.now - start).components
        loaded.summary.seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
        return loaded
    }

    /// `GET /api/v4/account`, decoded.
    public func accountObject() async throws -> APIAnswer {
        let url = configuration.baseURL + "/api/v4/account"
        switch try await get(url) {
        case .noContent:
            throw AmoCRMClientError(.invalidAnswer, url: url, status: 204, message: "no account object (204)")
        case .body(let body):
            return try decode(body, url: url, isAccount: true)
        }
    }

    /// Every page of a list: `path` at ``Configuration/pageLimit`` a page, following
    /// `_links.next` until a page has none; a 204 ends the list (an empty list is one 204).
    ///
    /// - Parameters:
    ///   - path: `/api/v4/contacts`.
    ///   - with: The `with` parameter (`leads,customers`), or nil.
    public func list(_ path: String, with: String? = nil) async throws -> [APIAnswer] {
        var url = configuration.baseURL + path + "?limit=\(configuration.pageLimit)"
        if let with { url += "&with=" + with }
        var pages: [APIAnswer] = []
        var seen: Set<String> = []
        while true {
            seen.insert(url)
            guard case .body(let body) = try await get(url) else { break }
            let page = try decode(body, url: url, isAccount: false)
            pages.append(page)
            guard let next = page.nextPage else { break }
            let resolved = try resolve(next, from: url)
            // A next link that points back would loop for ever.
            guard !seen.contains(resolved) else {
                throw AmoCRMClientError(
                    .invalidAnswer, url: url, message: "_links.next points to a page already read: \(resolved)")
            }
            url = resolved
        }
        return pages
    }

    /// An absolute `_links.next` under the base URL, or a path on it.
    private func resolve(_ next: String, from url: String) throws -> String {
        if next.hasPrefix("/") { return configuration.baseURL + next }
        let base = configuration.baseURL
        if next.hasPrefix(base + "/") || next.hasPrefix(base + "?") { return next }
        // Only the base URL is trusted with the token (the same host on another scheme is not).
        throw AmoCRMClientError(
            .foreignNextLink, url: url, message: "_links.next leaves \(base): \(next); the token is not sent there")
    }

    private func decode(_ body: ByteBuffer, url: String, isAccount: Bool) throws -> APIAnswer {
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

    // MARK: One request

    /// One GET with the token, through the rate limiter, with retries: 429 and 503 wait for
    /// `Retry-After` (seconds) or the backoff, other 5xx and transport errors the jittered
    /// exponential backoff, up to ``Configuration/maxAttempts`` tries; 401 fails at once.
    public func get(_ url: String) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "Authorization", value: "Bearer \(configuration.token)")
        request.headers.add(name: "Accept", value: "application/hal+json, application/json")
        let timeout = TimeAmount.nanoseconds(Self.nanoseconds(configuration.timeout))
        var lastFailure = ""
        var lastStatus: Int?
        for attempt in 1...configuration.maxAttempts {
            try await limiter.acquire()
            var wait = Duration.zero
            do {
                let response = try await http.execute(request, timeout: timeout)
                let status = Int(response.status.code)
                switch status {
                case 200..<300 where status != 204:
                    return .body(try await response.body.collect(upTo: configuration.maxBodyBytes))
                case 204:
                    return .noContent
                case 401:
                    let body = try await excerpt(response)
                    throw AmoCRMClientError(
                        .unauthorized, url: url, status: 401,
                        message: "the token was refused (wrong, expired or revoked): give a valid long-lived token; "
                            + "the OAuth refresh flow is not implemented yet\(body)")
                case 429, 503:
                    let body = try await excerpt(response)
                    let retryAfter = response.headers.first(name: "Retry-After").flatMap {
                        Int($0.filter { $0 != " " })
                    }
                    wait = retryAfter.map { Duration.seconds(max(0, $0)) } ?? backoff(attempt: attempt)
                    lastFailure = "HTTP \(status)\(body)"
                    lastStatus = status
                case 500..<600:
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
                wait = backoff(attempt: attempt)
                lastFailure = "\(error)"
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

    /// ": <the first 300 bytes of the body>", or nothing for an empty body.
    private func excerpt(_ response: HTTPClientResponse) async throws -> String {
        let body = try await response.body.collect(upTo: configuration.maxBodyBytes)
        guard body.readableBytes > 0 else { return "" }
        return ": " + String(buffer: body.getSlice(at: body.readerIndex, length: min(300, body.readableBytes))!)
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
