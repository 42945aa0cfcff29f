import CallEvents
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Refuses a request whose target or head is too large, before any route or middleware sees it:
/// `414 uri_too_long` for a target (path and query) over ``maxURLBytes``, `431
/// headers_too_large` for a head over ``maxHeadBytes``; then the connection is closed.
///
/// It sits after the HTTP decoder, whose own limit (80 KiB of target, names and values) ends a
/// larger head with a bare `400` before this handler sees it. The head's size is what a client
/// chose to send: the method, the target and every field's name and value (`Host` as one), without
/// separators and line ends.
///
/// A refused request's body and anything pipelined after it are dropped; the answer waits for the
/// answers to the requests before it, so pipelined answers keep their order. The output is then
/// shut, and the input drained until the client closes or the connection's deadlines
/// (``RequestDeadlineHandler``) close it, so that the client reads the answer rather than a reset.
final class RequestHeadLimitHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The largest a head can be: NIO's decoder refuses more before this handler sees it.
    static let decoderHeadLimit = 80 << 10
    /// The largest ``maxHeadBytes`` that can take effect: below the decoder's own limit, so that
    /// every head the server refuses with an answer of its own is one it has read whole.
    static let maximumHeadLimit = 64 << 10

    let maxHeadBytes: Int
    let maxURLBytes: Int
    private let notices: LimitNotices?
    /// Requests passed on whose answer has not ended yet.
    private var answersPending = 0
    /// The refusal to send once the answers before it have ended; set once a request is refused.
    private var refusal: Refusal?
    private var refusalSent = false

    struct Refusal {
        var status: HTTPResponse.Status
        var code: CallEventsError.Code
        var message: String
    }

    init(maxHeadBytes: Int, maxURLBytes: Int, notices: LimitNotices?) {
        self.maxHeadBytes = min(max(1, maxHeadBytes), Self.maximumHeadLimit)
        self.maxURLBytes = max(1, maxURLBytes)
        self.notices = notices
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard refusal == nil else { return }  // the refused request's body, and whatever follows
        guard case .head(let head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        let targetBytes = head.path?.utf8.count ?? 0
        if targetBytes > maxURLBytes {
            refuse(
                Refusal(
                    status: .uriTooLong, code: .uriTooLong,
                    message: "the request's target (path and query) has \(targetBytes) bytes, more than the limit of "
                        + "\(maxURLBytes)"),
                limit: "max_url_bytes=\(maxURLBytes)", context: context)
            return
        }
        let headBytes = Self.headBytes(head)
        if headBytes > maxHeadBytes {
            refuse(
                Refusal(
                    status: .requestHeaderFieldsTooLarge, code: .headersTooLarge,
                    message: "the request's head (method, target, header names and values) has \(headBytes) bytes, "
                        + "more than the limit of \(maxHeadBytes)"),
                limit: "max_head_bytes=\(maxHeadBytes)", context: context)
            return
        }
        answersPending += 1
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let ends: Bool
        if case .end = unwrapOutboundIn(data) { ends = true } else { ends = false }
        context.write(data, promise: promise)
        if ends {
            // An answer the server made without a head passed here (the 400 of a head the decoder
            // refused) takes nothing.
            answersPending = max(0, answersPending - 1)
            if answersPending == 0, refusal != nil { sendRefusal(context: context) }
        }
    }

    /// The bytes of a head as this limit counts them: method, target, and each field's name and value.
    static func headBytes(_ head: HTTPRequest) -> Int {
        var bytes = head.method.rawValue.utf8.count + (head.path?.utf8.count ?? 0)
        if let authority = head.authority { bytes += "Host".utf8.count + authority.utf8.count }
        for field in head.headerFields { bytes += field.name.rawName.utf8.count + field.value.utf8.count }
        return bytes
    }

    private func refuse(_ refusal: Refusal, limit: String, context: ChannelHandlerContext) {
        self.refusal = refusal
        notices?.refused(refusal.code.rawValue, limit: limit, address: context.channel.remoteAddress)
        if answersPending == 0 { sendRefusal(context: context) }
    }

    private func sendRefusal(context: ChannelHandlerContext) {
        guard let refusal, !refusalSent else { return }
        refusalSent = true
        let body = CallEventsError.jsonBody(code: refusal.code.rawValue, message: refusal.message)
        var buffer = context.channel.allocator.buffer(capacity: body.count)
        buffer.writeBytes(body)
        let head = HTTPResponse(
            status: refusal.status,
            headerFields: [
                .contentType: "application/json", .contentLength: String(body.count), .connection: "close",
            ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(buffer)), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            // Shut the output only: the client reads the answer and the end, not a reset.
            channel.close(mode: .output).whenFailure { _ in channel.close(promise: nil) }
        }
    }
}
