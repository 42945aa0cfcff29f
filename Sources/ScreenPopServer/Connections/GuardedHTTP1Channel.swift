import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// The limits of a request's head, checked before any route: its size and its target's.
struct HeadLimits: Sendable {
    var maxHeadBytes: Int
    var maxURLBytes: Int
    /// Where refusals are logged, once per client and window.
    var notices: LimitNotices?
}

/// Hummingbird's HTTP/1 child channel with the server's connection limits in front: at most
/// ``ConnectionLimiter/maximum`` open connections, the time limits of ``ConnectionTimeouts``, and
/// the head limits of ``RequestHeadLimitHandler``.
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel
    let limiter: ConnectionLimiter
    let notices: LimitNotices?

    init(
        responder: @escaping HTTPChannelHandler.Responder, timeouts: ConnectionTimeouts, limiter: ConnectionLimiter,
        head: HeadLimits
    ) {
        self.limiter = limiter
        self.notices = head.notices
        self.base = HTTP1Channel(
            responder: responder,
            configuration: HTTP1Channel.Configuration(
                additionalChannelHandlers: [
                    RequestDeadlineHandler(timeouts: timeouts, limiter: limiter),
                    RequestHeadLimitHandler(
                        maxHeadBytes: head.maxHeadBytes, maxURLBytes: head.maxURLBytes, notices: head.notices),
                ]))
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        // The channel is not active yet: the first handler answers or signals once it is.
        do {
            if limiter.tryOpen() {
                let limiter = limiter
                channel.closeFuture.whenComplete { _ in limiter.closed() }
                // What NIO holds for a client that does not read, beyond the stream's own queue:
                // 16 KiB rather than NIO's 64 KiB, since thousands of streams may be stuck at once.
                try channel.syncOptions?.setOption(
                    ChannelOptions.writeBufferWaterMark,
                    value: ChannelOptions.Types.WriteBufferWaterMark(low: 8 << 10, high: 16 << 10))
                try channel.pipeline.syncOperations.addHandler(InboundBytesSignal())
            } else {
                logger.debug("refused a connection: too many open", metadata: ["connections.max": "\(limiter.maximum)"])
                try channel.pipeline.syncOperations.addHandler(
                    RefuseConnectionHandler(notices: notices, maximum: limiter.maximum))
            }
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return base.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }

}

/// First and only active handler of a connection beyond the maximum: answers 503 as soon as the
/// connection is active, closes it, and passes nothing on.
final class RefuseConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    let notices: LimitNotices?
    let maximum: Int

    init(notices: LimitNotices?, maximum: Int) {
        self.notices = notices
        self.maximum = maximum
    }

    func channelActive(context: ChannelHandlerContext) {
        notices?.refused(
            "too_many_connections", limit: "max_connections=\(maximum)", address: context.channel.remoteAddress)
        context.fireChannelActive()
        context.writeAndFlush(NIOAny(ConnectionLimiter.refusal), promise: nil)
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}

extension HTTPServerBuilder {
    /// HTTP/1 with ScreenPop's connection limits.
    static func guardedHTTP1(timeouts: ConnectionTimeouts, limiter: ConnectionLimiter, head: HeadLimits)
        -> HTTPServerBuilder
    {
        HTTPServerBuilder { responder in
            GuardedHTTP1Channel(responder: responder, timeouts: timeouts, limiter: limiter, head: head)
        }
    }
}
