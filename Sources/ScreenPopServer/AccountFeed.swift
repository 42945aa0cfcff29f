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

    /// How far behind the sync is, and how often it failed: for `GET /readyz` and `GET /metrics`,
    /// which ask often, so it should answer from memory. By default: no sync, no errors.
    func syncHealth() async -> SyncHealth
}

extension AccountFeed {
    public func syncHealth() async -> SyncHealth { SyncHealth(lagSeconds: nil, errorCount: 0) }
}

/// How a feed's sync is doing, in numbers (``AccountFeed/syncHealth()``).
public struct SyncHealth: Sendable, Hashable {
    /// Seconds since the last successful sync with amoCRM started (a poll or a listing), or since
    /// the feed started when none has succeeded yet; nil when no sync runs (webhooks only, or a
    /// fixed account), which is never a reason to be not ready.
    public var lagSeconds: Int?
    /// The sync's failures since the feed started (polls, re-reads, webhooks that could not be stored).
    public var errorCount: Int

    public init(lagSeconds: Int?, errorCount: Int) {
        self.lagSeconds = lagSeconds
        self.errorCount = errorCount
    }
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
