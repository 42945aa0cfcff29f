import Hummingbird
import NIOCore

/// The request context of the server: Hummingbird's core context, with the body limit and the
/// connection.
public struct ServerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The largest request body accepted (1 MiB unless configured otherwise).
    public var maxUploadSize: Int
    /// The request's connection: a stream that falls too far behind closes it.
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        maxUploadSize = 1 << 20
        channel = source.channel
    }
}
