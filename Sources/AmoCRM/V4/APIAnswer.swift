import ScreenPopJSON

/// One answer of amoCRM's API v4 decoded by the page reader that reads saved pages: a list page
/// (contacts, companies, leads, customers, users, customer statuses, lead pipelines) or the account
/// object. The API
/// client (`AmoCRMClient`) decodes what it receives with it, so there is one v4 decoder.
public struct APIAnswer: Sendable {
    let content: PageContent
    /// The body's size in bytes.
    public let bytes: Int

    /// The `href` of the page's `_links.next`: the absolute URL of the next page; nil on the last page.
    public var nextPage: String? { content.nextPage }

    /// Entities, users, statuses and pipelines on the page.
    public var itemCount: Int {
        content.contacts.count + content.companies.count + content.leads.count + content.customers.count
            + content.users.count + content.statuses.count + content.pipelines.count
    }

    /// The account object, when this is the answer of `GET /api/v4/account`.
    public var account: AccountObject? { content.account }

    init(content: PageContent, bytes: Int) {
        self.content = content
        self.bytes = bytes
    }

    /// Decodes a page (`_embedded` and `_links`) from `body`; `source` (the URL) names it in errors.
    public static func page(_ body: UnsafeRawBufferPointer, source: String) throws(AccountLoadError) -> APIAnswer {
        try decode(body, source: source, isAccount: false)
    }

    /// Decodes the object of `GET /api/v4/account` from `body`.
    public static func account(_ body: UnsafeRawBufferPointer, source: String) throws(AccountLoadError) -> APIAnswer {
        try decode(body, source: source, isAccount: true)
    }

    private static func decode(_ body: UnsafeRawBufferPointer, source: String, isAccount: Bool) throws(AccountLoadError)
        -> APIAnswer
    {
        do throws(JSONError) {
            var decoder = PageReader(reader: try JSONReader(body))
            if isAccount {
                try decoder.decodeAccount()
            } else {
                try decoder.decodePages()
            }
            return APIAnswer(content: decoder.content, bytes: body.count)
        } catch {
            throw AccountLoadError(file: source, error)
        }
    }
}

extension AccountDirectory {
    /// Puts answers of the API together as ``load(_:options:)`` puts files together: one entity
    /// per id (the newest), links from both sides united, the settings from the account object and
    /// the customer statuses. ``LoadSummary/files`` counts the answers.
    ///
    /// - Throws: ``AccountLoadError`` with code ``AccountLoadError/Code/missingAccount`` when no
    ///   answer is the account object.
    public static func assemble(_ answers: [APIAnswer], source: String, options: Options = Options())
        throws(AccountLoadError) -> LoadedAccount
    {
        guard answers.contains(where: { $0.content.account != nil }) else {
            throw AccountLoadError(
                code: .missingAccount, file: source, message: "no answer of GET /api/v4/account")
        }
        var summary = LoadSummary()
        summary.files = answers.count
        summary.bytes = answers.reduce(0) { $0 + $1.bytes }
        return assemble(contents: answers.map(\.content), summary: summary, options: options)
    }
}
