/// What keeps the account current behind the server: the receiver of amoCRM's webhooks and the
/// source of the sync's status. The server checks the webhook path's secret and the API token; the
/// feed decodes, applies and answers. (`AccountSync.LiveFeed` is the feed of a live account; the
/// server itself knows nothing of stores or of amoCRM's formats.)
public protocol AccountFeed: Sendable {
    /// Applies one webhook body (amoCRM's form encoding) whose secret the server has checked, and
    /// answers: 200 when what it carries is durable, 4xx when it is refused (nothing applied), 503
    /// when the store cannot take it now (amoCRM will send it again).
    func receiveWebhook(body: [UInt8], contentType: String?) async -> FeedAnswer

    /// The sync's status as a JSON object (`GET /api/v2/sync/status`).
    func syncStatus() async -> FeedAnswer
}

/// A feed's answer: the status and a JSON body.
public struct FeedAnswer: Sendable, Hashable {
    public var status: Int
    public var json: [UInt8]

    public init(status: Int, json: [UInt8]) {
        self.status = status
        self.json = json
    }
}
