import AccountIndex
import AmoCRM
import NIOCore

extension AmoCRMClient {
    // MARK: The whole account

    /// Reads the whole account: the account object, users, the lead pipelines, and (when customers
    /// are on) the customer statuses, then contacts, companies, leads and customers, with their links, and puts
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
        answers.append(try await leadPipelines())
        if customers { answers += try await list("/api/v4/customers/statuses") }
        for kind in [EntityKind.contact, .company, .lead] + (customers ? [.customer] : []) {
            answers += try await list(Self.path(of: kind), with: Self.with(of: kind))
        }
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

    /// `GET /api/v4/leads/pipelines`, decoded: every pipeline with its statuses, in one answer
    /// (amoCRM does not page it; an account has at most 50). A 204 is an answer without pipelines.
    public func leadPipelines() async throws -> APIAnswer {
        let url = configuration.baseURL + "/api/v4/leads/pipelines"
        switch try await get(url) {
        case .noContent:
            return try decode(ByteBuffer(string: #"{"_embedded":{"pipelines":[]}}"#), url: url, isAccount: false)
        case .body(let body):
            return try decode(body, url: url, isAccount: false)
        }
    }

    // MARK: Lists

    /// The list of an entity kind: `/api/v4/contacts`, `/api/v4/companies`, `/api/v4/leads`,
    /// `/api/v4/customers`.
    public static func path(of kind: EntityKind) -> String {
        "/api/v4/" + EmbeddedLinks.Key(listing: kind).rawValue
    }

    /// The `with` that makes a page of `kind` list every link the account keeps: contacts
    /// `leads,customers`, companies `leads,customers,contacts`, leads `contacts`, customers
    /// `contacts,companies` (a contact's and a lead's company come without asking).
    public static func with(of kind: EntityKind) -> String {
        switch kind {
        case .contact: "leads,customers"
        case .company: "leads,customers,contacts"
        case .lead: "contacts"
        case .customer: "contacts,companies"
        }
    }

    /// Every page of a list: `path` at ``Configuration/pageLimit`` a page, following
    /// `_links.next` until a page has none; a 204 ends the list (an empty list is one 204).
    ///
    /// - Parameters:
    ///   - path: `/api/v4/contacts`.
    ///   - with: The `with` parameter (`leads,customers`), or nil.
    public func list(_ path: String, with: String? = nil) async throws -> [APIAnswer] {
        var answers: [APIAnswer] = []
        for try await page in pages(path, with: with) { answers.append(page.answer) }
        return answers
    }

    /// The pages of a list as they come, one request each: `path` at ``Configuration/pageLimit`` a
    /// page from page `page`, following `_links.next`.
    ///
    /// - Parameters:
    ///   - path: `/api/v4/contacts`.
    ///   - with: The `with` parameter, or nil.
    ///   - parameters: More parameters, unencoded (`("filter[updated_at][from]", "1700000000")`).
    ///   - page: The page to start at (to resume a list read before).
    public func pages(
        _ path: String, with: String? = nil, parameters: [(String, String)] = [], startingAt page: Int = 1
    ) -> EntityPages {
        EntityPages(client: self, starts: [.init(url: listURL(path, with: with, parameters, page: page), page: page)])
    }

    /// The pages of contacts, companies, leads or customers, each with the `with` that lists its
    /// links (``with(of:)``); with `updatedFrom` or `updatedTo`, only those changed in that span,
    /// oldest change first.
    ///
    /// The query is `filter[updated_at][from]` and `filter[updated_at][to]` (Unix seconds, both
    /// ends included) and `order[updated_at]=asc`. A sync stores page by page and can resume from
    /// a page number (``ListPage/number``); but entities changed while it reads move to the end of
    /// the order, so pages by number may then skip some: resuming from the `updated_at` of the last
    /// entity stored is the safer cursor (docs/live-account.md).
    ///
    /// ```swift
    /// for try await page in client.pages(of: .lead, updatedFrom: cursor) {
    ///     try await store.apply(page.updates)
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - kind: Contacts, companies, leads or customers.
    ///   - updatedFrom: The earliest `updated_at`, included.
    ///   - updatedTo: The latest `updated_at`, included.
    ///   - page: The page to start at.
    /// - Complexity: One request a page (``Configuration/pageLimit`` entities), through the limiter.
    public func pages(of kind: EntityKind, updatedFrom: Int? = nil, updatedTo: Int? = nil, startingAt page: Int = 1)
        -> EntityPages
    {
        var parameters: [(String, String)] = []
        if let updatedFrom { parameters.append(("filter[updated_at][from]", String(updatedFrom))) }
        if let updatedTo { parameters.append(("filter[updated_at][to]", String(updatedTo))) }
        if !parameters.isEmpty { parameters.append(("order[updated_at]", "asc")) }
        return pages(Self.path(of: kind), with: Self.with(of: kind), parameters: parameters, startingAt: page)
    }

    /// The entities of `kind` with these ids, as pages: `filter[id][]=…` with at most
    /// `idsPerRequest` ids a request (amoCRM's page holds 250), each with ``with(of:)``. Ids
    /// amoCRM does not have (deleted) are not on any page. Repeated ids are asked for once.
    ///
    /// - Complexity: ⌈distinct ids / idsPerRequest⌉ requests, or more if amoCRM pages an answer.
    public func pages(of kind: EntityKind, ids: some Sequence<Int>, idsPerRequest: Int = 250) -> EntityPages {
        var seen: Set<Int> = []
        let distinct = ids.filter { seen.insert($0).inserted }
        let chunk = max(1, min(idsPerRequest, 250))
        let starts = stride(from: 0, to: distinct.count, by: chunk).map { start in
            let parameters = distinct[start..<min(distinct.count, start + chunk)].map { ("filter[id][]", String($0)) }
            return EntityPages.Start(
                url: listURL(Self.path(of: kind), with: Self.with(of: kind), parameters, page: 1, limit: 250), page: 1)
        }
        return EntityPages(client: self, starts: starts)
    }

    /// `<base><path>?[page=N&]limit=L[&with=W][&k=v...]`, keys' brackets percent-encoded.
    func listURL(_ path: String, with: String?, _ parameters: [(String, String)], page: Int, limit: Int? = nil)
        -> String
    {
        var url = configuration.baseURL + path + "?"
        if page > 1 { url += "page=\(page)&" }
        url += "limit=\(limit ?? configuration.pageLimit)"
        if let with { url += "&with=" + with }
        for (key, value) in parameters { url += "&" + Self.encode(key) + "=" + Self.encode(value) }
        return url
    }

    /// Percent-encodes what is not unreserved (RFC 3986) or a comma: `filter[id][]` is
    /// `filter%5Bid%5D%5B%5D`.
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: ","):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 15)]], as: UTF8.self)
            }
        }
        return out
    }

    /// An absolute `_links.next` under the base URL, or a path on it.
    func resolve(_ next: String, from url: String) throws -> String {
        if next.hasPrefix("/") { return configuration.baseURL + next }
        let base = configuration.baseURL
        if next.hasPrefix(base + "/") || next.hasPrefix(base + "?") { return next }
        // Only the base URL is trusted with the token (the same host on another scheme is not).
        throw AmoCRMClientError(
            .foreignNextLink, url: url, message: "_links.next leaves \(base): \(next); the token is not sent there")
    }
}

/// One page of a list as it came.
public struct ListPage: Sendable {
    /// Its number in its list (1 for the first page of each request of ids).
    public let number: Int
    /// The URL it was read from.
    public let url: String
    public let answer: APIAnswer

    /// The page's entities as complete updates, with the links each lists.
    public var updates: [EntityUpdate] { answer.updates }
}

/// The pages of one or more lists, read one request at a time as they are iterated: each list
/// from its first URL, following `_links.next` until a page has none or the answer is 204.
///
/// It fails with ``AmoCRMClientError`` as the requests do; a `_links.next` that leaves the base URL
/// (``AmoCRMClientError/Code/foreignNextLink``) or points to a page already read
/// (``AmoCRMClientError/Code/invalidAnswer``) ends it with an error.
public struct EntityPages: AsyncSequence, Sendable {
    public typealias Element = ListPage

    struct Start: Sendable {
        var url: String
        var page: Int
    }

    let client: AmoCRMClient
    let starts: [Start]

    public func makeAsyncIterator() -> Iterator {
        Iterator(client: client, starts: starts[...])
    }

    public struct Iterator: AsyncIteratorProtocol, Sendable {
        let client: AmoCRMClient
        var starts: ArraySlice<Start>
        var next: Start?
        var seen: Set<String> = []

        init(client: AmoCRMClient, starts: ArraySlice<Start>) {
            self.client = client
            self.starts = starts
        }

        public mutating func next() async throws -> ListPage? {
            while true {
                if next == nil {
                    guard let start = starts.popFirst() else { return nil }
                    next = start
                    seen = []
                }
                let current = next!
                seen.insert(current.url)
                guard case .body(let body) = try await client.get(current.url) else {
                    next = nil
                    continue
                }
                let answer = try client.decode(body, url: current.url, isAccount: false)
                next = nil
                if let link = answer.nextPage {
                    let resolved = try client.resolve(link, from: current.url)
                    // A next link that points back would loop for ever.
                    guard !seen.contains(resolved) else {
                        throw AmoCRMClientError(
                            .invalidAnswer, url: current.url,
                            message: "_links.next points to a page already read: \(resolved)")
                    }
                    next = Start(url: resolved, page: current.page + 1)
                }
                return ListPage(number: current.page, url: current.url, answer: answer)
            }
        }
    }
}
