import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request head, request body or keep-alive wait outlasts its limit
/// (``ConnectionTimeouts``).
///
/// It sits after the HTTP decoder and sees request parts; ``InboundBytesSignal``, first in the
/// pipeline, tells it when the bytes of a new head start to arrive on an idle connection, which
/// the decoder does not say until the head is complete. One timer per connection: it is moved
/// earlier when a nearer deadline appears, and when it fires late for a later deadline it is
/// scheduled again, so a request costs no timer churn.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// What the connection is waiting for from its client.
    enum Reading: Equatable {
        /// The head of a request, whose first byte came (or whose connection opened) then.
        case head(since: NIODeadline)
        /// The rest of a body whose head ended then.
        case body(since: NIODeadline)
        /// Nothing: the last request was read then; a keep-alive wait once every answer is sent.
        case idle(since: NIODeadline)
    }

    private let timeouts: ConnectionTimeouts
    private let limiter: ConnectionLimiter?
    private var reading: Reading
    private var answersPending = 0
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?
    /// This handler's context while it is in the pipeline, for ``bytesArrived()``.
    private var context: ChannelHandlerContext?

    init(timeouts: ConnectionTimeouts, limiter: ConnectionLimiter?) {
        self.timeouts = timeouts
        self.limiter = limiter
        self.reading = .head(since: .now())
    }

    /// When the connection must close if nothing changes; nil while an answer is being written
    /// (a live stream may last for hours) or a request is handled.
    var deadline: NIODeadline? {
        switch reading {
        case .head(let since): since + TimeAmount(timeouts.head)
        case .body(let since): since + TimeAmount(timeouts.body)
        case .idle(let since): answersPending == 0 ? since + TimeAmount(timeouts.idle) : nil
        }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        reading = .head(since: .now())
        if context.channel.isActive { schedule(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        schedule(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is InboundBytesSignal.BytesArrived {
            bytesArrived()
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Bytes arrived, before the decoder made a request part of them: on an idle connection they
    /// are the first of a new head (a pipelined one too), whose clock starts now.
    ///
    /// ``InboundBytesSignal`` calls it directly on every read, on the event loop: a user event
    /// would cross every handler between the two.
    func bytesArrived() {
        guard case .idle = reading, let context else { return }
        reading = .head(since: .now())
        schedule(context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            answersPending += 1
            reading = .body(since: .now())
            schedule(context)
        case .body:
            break
        case .end:
            reading = .idle(since: .now())
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            answersPending -= 1
            if answersPending == 0, case .idle = reading {
                reading = .idle(since: .now())
                schedule(context)
            }
        }
        context.write(data, promise: promise)
    }

    /// Makes sure the timer fires no later than the current deadline.
    private func schedule(_ context: ChannelHandlerContext) {
        guard let deadline else { return }
        if let timerDeadline, timerDeadline <= deadline { return }
        timer?.cancel()
        timerDeadline = deadline
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = loopBound.value
            handler.timerFired(context)
        }
    }

    private func timerFired(_ context: ChannelHandlerContext) {
        timer = nil
        timerDeadline = nil
        guard let deadline else { return }
        if deadline <= .now() {
            limiter?.countTimeout()
            context.close(promise: nil)
        } else {
            schedule(context)
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
        timerDeadline = nil
    }
}

/// First in the pipeline: tells ``RequestDeadlineHandler`` that bytes arrived, before the HTTP
/// decoder has made a request part of them.
///
/// It calls the pipeline's deadline handler directly, found on the first read; without one, it
/// sends ``BytesArrived`` down the pipeline as a user event.
final class InboundBytesSignal: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    struct BytesArrived {}

    /// The pipeline's deadline handler; nil before the first read, or when there is none.
    private var deadlines: RequestDeadlineHandler?
    private var lookedUp = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !lookedUp {
            lookedUp = true
            deadlines = try? context.pipeline.syncOperations.handler(type: RequestDeadlineHandler.self)
        }
        if let deadlines {
            deadlines.bytesArrived()
        } else {
            context.fireUserInboundEventTriggered(BytesArrived())
        }
        context.fireChannelRead(data)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadlines = nil
    }
}
