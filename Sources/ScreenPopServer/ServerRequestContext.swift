import Hummingbird

/// The request context of the server: Hummingbird's core context, with the body limit.
public struct ServerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The largest request body accepted (1 MiB unless configured otherwise).
    public var maxUploadSize: Int

    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        maxUploadSize = 1 << 20
    }
}
