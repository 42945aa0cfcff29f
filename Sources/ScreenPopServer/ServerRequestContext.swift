import Hummingbird
import NIOCore

/// The request context of the server: Hummingbird's core context, with the body limit, the
/// connection and the request's account.
public struct ServerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The largest request body accepted (1 MiB unless configured otherwise).
    public var maxUploadSize: Int
    /// The request's connection: a stream that falls too far behind closes it.
    public let channel: any Channel
    /// The account the request's credential named: set by the bearer-token middleware (or the
    /// webhook route) once the account is loaded; nil before.
    public internal(set) var account: ServedAccount?
    /// The stream ticket the request came with instead of a token, once checked: its user is the
    /// only one whose notifications the request may read.
    public internal(set) var ticket: StreamTicket?
    /// The id of the account the request's token names: set by the bearer-token middleware, even
    /// where it does not load the account (`/metrics`, `/readyz`); nil before.
    public internal(set) var accountID: Int?

    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        maxUploadSize = 1 << 20
        channel = source.channel
        account = nil
        ticket = nil
        accountID = nil
    }
}
