import CallEvents
import HTTPTypes
import Hummingbird
import NIOCore
import ScreenPopJSON

/// `POST /api/v2/events/stream-tickets` (with the integration's token): mints a ticket with which a
/// browser opens one user's stream; `GET /api/v2/events/ticket?ticket=…`: what a ticket is for,
/// so that a page can greet its agent and tell an expired ticket from a network error.
struct StreamTicketController: Sendable {
    let signer: StreamTicketSigner
    let settings: StreamTicketSettings

    /// The largest mint request body: `{"user_id": …, "expires_in": …}` needs a few dozen bytes.
    static let maxBodyBytes = 4096

    func addMintRoute(to router: some RouterMethods<ServerRequestContext>) {
        router.post("/api/v2/events/stream-tickets", use: mint)
    }

    func addDescribeRoute(to router: some RouterMethods<ServerRequestContext>) {
        router.get("/api/v2/events/ticket", use: describe)
    }

    @Sendable
    func mint(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let account = try EventsController.account(context)
        do throws(CallEventsError) {
            // The body is read as JSON whatever its content type says: `curl -d` sends JSON as a form.
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: Self.maxBodyBytes)
            } catch {
                throw CallEventsError(code: .bodyTooLarge, detail: "\(Self.maxBodyBytes) bytes")
            }
            let (user, lifetime) = try Self.decode(Array(body.readableBytesView), settings: settings)
            guard account.events.isUser(user) else {
                throw CallEventsError(code: .unknownUser, field: "user_id", path: "user_id", found: String(user))
            }
            // Rounded up to the next second: a ticket lives at least its lifetime, never less.
            let milliseconds = Int(NotificationTime.now().millisecondsSince1970)
            let expiresAt = (milliseconds + lifetime * 1000 + 999) / 1000
            let text = signer.mint(StreamTicket(accountID: account.id, userID: user, expiresAt: expiresAt))
            var writer = JSONWriter(capacity: 256)
            writer.beginObject()
            writer.key("ticket")
            writer.string(text)
            writer.key("expires_in")
            writer.integer(lifetime)
            writer.key("user_id")
            writer.integer(user)
            writer.key("page_url")
            writer.string("/?ticket=\(text)")
            writer.endObject()
            context.logger.info("stream ticket minted", metadata: ["user_id": "\(user)", "expires_in": "\(lifetime)"])
            return Self.json(writer.bytes)
        } catch {
            context.logger.info("refused: \(error.code)", metadata: ["error.field": "\(error.field ?? "-")"])
            return error.response(requestID: context.id)
        }
    }

    @Sendable
    func describe(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let account = try EventsController.account(context)
        guard let ticket = context.ticket else {
            return CallEventsError(
                code: .missingField, field: "ticket", path: "ticket",
                detail: "send the ticket as ?ticket=…; this route describes a stream ticket"
            ).response(requestID: context.id)
        }
        let labels = account.events.roster.labels
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        writer.key("account_id")
        writer.integer(ticket.accountID)
        writer.key("user_id")
        writer.integer(ticket.userID)
        writer.key("user_name")
        writer.string(orNull: labels.userNames[ticket.userID])
        writer.key("expires_in")
        writer.integer(max(0, ticket.expiresAt - Self.unixNow()))
        writer.key("amocrm_url")
        writer.string(orNull: labels.amocrmURL)
        writer.endObject()
        return Self.json(writer.bytes)
    }

    /// The user and the lifetime in seconds of a mint request's body.
    static func decode(_ body: [UInt8], settings: StreamTicketSettings) throws(CallEventsError) -> (user: Int, lifetime: Int) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: body)
        } catch {
            throw CallEventsError(code: .malformedBody, detail: "\(error)")
        }
        guard case .object(let object) = value else {
            throw CallEventsError(code: .malformedBody, detail: #"send a JSON object: {"user_id": 88888}"#)
        }
        let user: Int
        switch object["user_id"] {
        case nil:
            throw CallEventsError(code: .missingField, field: "user_id", path: "user_id")
        case .integer(let number)?:
            guard number >= 0, let id = Int(exactly: number) else {
                throw CallEventsError(code: .invalidUserID, field: "user_id", path: "user_id", found: String(number))
            }
            user = id
        case .string(let text)?:
            guard let id = CallEventsRequest.parseUserID(text) else {
                throw CallEventsError(code: .invalidUserID, field: "user_id", path: "user_id", found: "\"\(text)\"")
            }
            user = id
        case let other?:
            throw CallEventsError(code: .invalidUserID, field: "user_id", path: "user_id", found: "\(other.kind)")
        }
        let maximum = Int(settings.maximumLifetime.components.seconds)
        var lifetime = Int(settings.defaultLifetime.components.seconds)
        if let requested = object["expires_in"], !requested.isNull {
            guard let seconds = requested.intValue, seconds >= 1, seconds <= maximum else {
                throw CallEventsError(
                    code: .invalidField, field: "expires_in", path: "expires_in", found: requested.jsonText,
                    detail: "a number of seconds from 1 to \(maximum)")
            }
            lifetime = seconds
        }
        return (user, min(lifetime, maximum))
    }

    static func unixNow() -> Int { Int(NotificationTime.now().millisecondsSince1970 / 1000) }

    static func json(_ bytes: [UInt8]) -> Response {
        var buffer = ByteBuffer()
        buffer.writeBytes(bytes)
        return Response(
            status: .ok,
            headers: [.contentType: "application/json", .contentLength: String(bytes.count), .cacheControl: "no-store"],
            body: .init(byteBuffer: buffer))
    }
}
