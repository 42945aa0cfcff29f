import AccountIndex
import CallEvents
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import ScreenPopSupport

/// The routes of the API: `POST /api/v2/events[/]` and `GET /api/v2/events/stream?user_id=N` (or
/// `?ticket=T`), for the request's account (``ServerRequestContext/account``, which the token
/// middleware sets).
struct EventsController: Sendable {
    let heartbeatInterval: Duration
    let retryMilliseconds: Int

    /// `POST /api/v2/events`: behind the token.
    func addPostRoute(to router: some RouterMethods<ServerRequestContext>) {
        // The router ignores a trailing slash: this serves `/api/v2/events/` too.
        router.post("/api/v2/events", use: post)
    }

    /// `GET /api/v2/events/stream`: behind the token or a stream ticket.
    func addStreamRoute(to router: some RouterMethods<ServerRequestContext>) {
        router.get("/api/v2/events/stream", use: stream)
    }

    // MARK: POST

    @Sendable
    func post(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let account = try Self.account(context)
        let service = account.service
        let limits = service.configuration.limits
        do throws(CallEventsError) {
            // 501 and 415 for codings not decoded, 415 for the content type, all before reading the
            // body; 413 before reading more than the limit.
            try Self.checkCodings(request.headers)
            let contentType = request.headers.first(.contentType)
            _ = try CallEventsRequest.encoding(contentType: contentType)
            if let length = request.headers.first(.contentLength).flatMap({ Int($0) }), length > limits.maxBodyBytes {
                throw .bodyTooLarge(limits)
            }
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: limits.maxBodyBytes)
            } catch is NIOTooManyBytesError {
                throw .bodyTooLarge(limits)
            } catch {
                throw CallEventsError(code: .malformedBody, detail: "the body could not be read")
            }
            let response = try await account.post(body: body.readableBytesView, contentType: contentType)
            let json = response.halJSON()
            var buffer = ByteBuffer()
            buffer.reserveCapacity(json.count)
            buffer.writeBytes(json)
            return Response(
                status: .ok,
                headers: [.contentType: CallEventsResponse.contentType, .contentLength: String(json.count)],
                body: ResponseBody(byteBuffer: buffer))
        } catch {
            context.logger.info(
                "refused: \(error.code)",
                metadata: [
                    "error.code": "\(error.code)", "error.index": "\(error.index.map(String.init) ?? "-")",
                    "error.field": "\(error.field ?? "-")",
                ])
            return error.response(requestID: context.id)
        }
    }

    // MARK: Stream

    @Sendable
    func stream(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let hub = try Self.account(context).hub
        let text = request.uri.queryParameters["user_id"].map(String.init)
        let user: Int
        if let ticket = context.ticket {
            // A ticket's stream is its user's, and only theirs.
            if let text, CallEventsRequest.parseUserID(text) != ticket.userID {
                return CallEventsError(
                    code: .wrongUser, field: "user_id", path: "user_id", found: text,
                    detail: "the ticket is for user \(ticket.userID); leave out user_id"
                ).response(requestID: context.id)
            }
            user = ticket.userID
        } else {
            // The same rule as posted ids: digits only, no sign, no spaces.
            guard let text, let id = CallEventsRequest.parseUserID(text) else {
                return CallEventsError(
                    code: .invalidUserID, field: "user_id", path: "user_id", found: text.map { "\"\($0)\"" } ?? "none"
                ).response(requestID: context.id)
            }
            user = id
        }
        guard hub.hasUser(user) else {
            return CallEventsError(code: .unknownUser, field: "user_id", path: "user_id", found: String(user))
                .response(requestID: context.id)
        }
        var lastEventID: UInt64?
        if let header = request.headers[.lastEventID] ?? request.uri.queryParameters["last_event_id"].map(String.init) {
            lastEventID = UInt64(header.trimmingASCIIWhitespace)
        }
        let subscription: NotificationHub.Subscription
        do {
            let channel = context.channel
            subscription = try hub.subscribe(user: user, lastEventID: lastEventID) {
                // The writer may be stuck in a write to a client that does not read: closing the
                // connection frees it; the client reconnects with Last-Event-ID.
                channel.close(promise: nil)
            }
        } catch {
            let refusal: CallEventsError
            switch error {
            case .unknownUser:
                refusal = CallEventsError(code: .unknownUser, field: "user_id", path: "user_id", found: String(user))
            case .tooManyStreamsForUser(let limit):
                refusal = CallEventsError(
                    code: .tooManyStreams,
                    detail: "user \(user) has \(limit) streams open, the most allowed; close one or retry later")
            case .tooManyStreams(let limit):
                refusal = CallEventsError(
                    code: .tooManyStreams, detail: "the server has \(limit) streams open, the most allowed; retry later")
            case .shuttingDown:
                refusal = CallEventsError(code: .shuttingDown, detail: "the server is shutting down")
            }
            context.logger.info("refused: \(refusal.code)", metadata: ["user_id": "\(user)"])
            return refusal.response(requestID: context.id)
        }
        let retry = retryMilliseconds
        let logger = context.logger
        let expiresAt = context.ticket?.expiresAt
        logger.debug("stream opened", metadata: ["user_id": "\(user)", "replay": "\(subscription.replay.count)"])
        let body = ResponseBody { writer in
            defer {
                hub.unsubscribe(subscription.token)
                logger.debug("stream closed", metadata: ["user_id": "\(user)"])
            }
            var buffer = ByteBuffer()
            ServerSentEvents.retry(milliseconds: retry, into: &buffer)
            ServerSentEvents.comment("connected", into: &buffer)
            for event in subscription.replay { ServerSentEvents.event(event, into: &buffer) }
            try await writer.write(buffer)
            try await request.body.consumeWithInboundCloseHandler { _ in
                try await withGracefulShutdownHandler {
                    for await message in subscription.messages {
                        var buffer = ByteBuffer()
                        switch message {
                        case .event(let event): ServerSentEvents.event(event, into: &buffer)
                        case .heartbeat: ServerSentEvents.comment("heartbeat", into: &buffer)
                        }
                        // A ticket's stream ends at the first heartbeat after its expiry, with an
                        // event that tells the page why (its reconnection would get 401).
                        let expired = expiresAt.map { StreamTicketController.unixNow() >= $0 } ?? false
                        if expired { ServerSentEvents.ticketExpired(into: &buffer) }
                        try await writer.write(buffer)
                        if expired {
                            hub.unsubscribe(subscription.token)
                            break
                        }
                    }
                } onGracefulShutdown: {
                    hub.unsubscribe(subscription.token)
                }
            } onInboundClosed: {
                hub.unsubscribe(subscription.token)
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            // `Connection: close`: the connection ends with the stream (its request's stream was
            // handed to the close watcher), so a client must not pool it for another request.
            headers: [
                .contentType: "text/event-stream", .cacheControl: "no-cache",
                HTTPField.Name("X-Accel-Buffering")!: "no", .connection: "close",
            ],
            body: body)
    }
}

extension EventsController {
    /// The request's account; a route without the token middleware before it is the server's bug.
    static func account(_ context: ServerRequestContext) throws -> ServedAccount {
        guard let account = context.account else {
            context.logger.error("a route of an account was reached without one")
            throw HTTPError(.internalServerError)
        }
        return account
    }

    /// Refuses bodies in a coding the server does not decode: a `Transfer-Encoding` other than
    /// `chunked` (which the HTTP layer removes) gets 501, a `Content-Encoding` other than
    /// `identity` 415. Read as plain bytes they would give misleading errors, or none.
    static func checkCodings(_ headers: HTTPFields) throws(CallEventsError) {
        for field in headers where field.name == .transferEncoding {
            for coding in field.value.split(separator: ",") {
                let name = coding.trimmingASCIIWhitespace.lowercased()
                guard name == "chunked" else {
                    throw CallEventsError(
                        code: .unsupportedTransferEncoding,
                        detail: "the Transfer-Encoding \"\(name)\" is not supported; send the body as is or chunked")
                }
            }
        }
        for field in headers where field.name == .contentEncoding {
            for coding in field.value.split(separator: ",") {
                let name = coding.trimmingASCIIWhitespace.lowercased()
                guard name == "identity" || name.isEmpty else {
                    throw CallEventsError(
                        code: .unsupportedContentEncoding,
                        detail: "the Content-Encoding \"\(name)\" is not supported; send the body uncompressed")
                }
            }
        }
    }
}

extension HTTPField.Name {
    /// `Last-Event-ID`: the id of the last event a reconnecting stream received.
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
}


