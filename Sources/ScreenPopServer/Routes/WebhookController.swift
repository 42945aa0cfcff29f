import CallEvents
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ScreenPopSupport

/// `POST /amocrm/webhooks/<secret>`: amoCRM's webhooks, handed to the ``AccountFeed`` of the
/// account whose secret it is.
///
/// amoCRM sends no token: the path's secret is the credential, and says which account. Its
/// SHA-256 goes to the ``AccountProvider`` (which compares hashes in constant time) before
/// anything else is looked at, and a wrong one (or one of an account without a feed) gets exactly
/// the answer of an unknown path (the `not_found` of ``RouteNotFoundMiddleware``, which shows the
/// path with the secret redacted), so the route leaves no trace but a
/// `notice` line that names neither the secret nor the value tried. Then the account is loaded
/// (503 if it cannot be now), and:
/// 501/415 for codings the server does not decode, 415 for a content type other than
/// `application/x-www-form-urlencoded` (none is fine), 413 for a body over the limit (from
/// `Content-Length` before reading, and while reading); else the feed's status and JSON.
///
/// Wrong secrets count as refusals (``RefusalGate``): beyond their allowance, an address or a
/// secret tried too often gets a slow `429 too_many_requests` instead of the 404.
struct WebhookController: Sendable {
    let accounts: ServedAccounts
    let maxBodyBytes: Int
    let gate: RefusalGate

    /// The route's parameter: the secret.
    static let parameter = "secret"

    func addRoutes(to router: some RouterMethods<ServerRequestContext>) {
        router.post("/amocrm/webhooks/{\(Self.parameter)}", use: receive)
    }

    @Sendable
    func receive(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let attempt = context.parameters.get(Self.parameter) ?? ""
        let attemptHash = AccountSecret.sha256(attempt)
        guard !attempt.isEmpty, let accountID = await accounts.provider.accountID(forWebhookSecretHash: attemptHash)
        else {
            return try await gate.refuse(credentialHash: attemptHash, context: context) {
                context.logger.notice(
                    "refused: wrong webhook secret",
                    metadata: [
                        "http.path": "\(LoggedPath.redactedWebhook)",
                        "client.address": "\(context.channel.remoteAddress?.description ?? "-")",
                    ])
                // What the router answers for a path it does not know.
                throw HTTPError(.notFound)
            }
        }
        let account: ServedAccount
        do {
            account = try await accounts.beginUse(accountID: accountID)
        } catch {
            return BearerTokenMiddleware.unavailable(accountID: accountID, context: context)
        }
        defer { accounts.endUse(account) }
        var context = context
        if !accounts.isSingleAccount { context.logger[metadataKey: "account_id"] = "\(accountID)" }
        guard let feed = account.feed else {
            context.logger.notice(
                "refused: the webhook's account has no feed", metadata: ["http.path": "\(LoggedPath.redactedWebhook)"])
            throw HTTPError(.notFound)
        }
        do throws(CallEventsError) {
            try EventsController.checkCodings(request.headers)
        } catch {
            context.logger.info("refused: \(error.code)", metadata: ["error.code": "\(error.code)"])
            return error.response(requestID: context.id)
        }
        let contentType = request.headers.first(.contentType)
        guard Self.isAccepted(contentType: contentType) else {
            context.logger.info(
                "refused: \(CallEventsError.Code.unsupportedMediaType)",
                metadata: ["error.code": "\(CallEventsError.Code.unsupportedMediaType)"])
            return CallEventsError.response(
                status: .unsupportedMediaType, code: .unsupportedMediaType,
                message: "the content type \(Self.quoted(contentType ?? "")) is not supported; "
                    + "amoCRM's webhooks are application/x-www-form-urlencoded",
                requestID: context.id)
        }
        let tooLarge = CallEventsError(code: .bodyTooLarge, detail: Self.describe(bytes: maxBodyBytes))
        if let length = request.headers.first(.contentLength).flatMap({ Int($0) }), length > maxBodyBytes {
            context.logger.info("refused: \(tooLarge.code)", metadata: ["error.code": "\(tooLarge.code)"])
            return tooLarge.response(requestID: context.id)
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxBodyBytes)
        } catch is NIOTooManyBytesError {
            context.logger.info("refused: \(tooLarge.code)", metadata: ["error.code": "\(tooLarge.code)"])
            return tooLarge.response(requestID: context.id)
        }
        let answer = await feed.receiveWebhook(body: Array(body.readableBytesView), contentType: contentType)
        return Self.response(answer, context: context)
    }

    /// `application/x-www-form-urlencoded` with any parameters (the feed sees the header), in any
    /// case; no header, or a blank one, too.
    static func isAccepted(contentType: String?) -> Bool {
        guard let contentType else { return true }
        let mediaType = contentType.utf8.prefix { $0 != UInt8(ascii: ";") }
        let trimmed = String(decoding: mediaType, as: UTF8.self).trimmingASCIIWhitespace
        return trimmed.isEmpty || trimmed.lowercased() == "application/x-www-form-urlencoded"
    }

    /// A feed's answer as a response: its status and JSON. A status no HTTP response can have
    /// (below 200 or over 599) is the feed's bug: 500, logged.
    static func response(_ answer: FeedAnswer, context: ServerRequestContext) -> Response {
        guard (200...599).contains(answer.status) else {
            context.logger.error("the feed answered an impossible status", metadata: ["status": "\(answer.status)"])
            return CallEventsError.response(
                status: .internalServerError, code: CallEventsError.Code(rawValue: "internal_error"),
                message: "the server could not answer", requestID: context.id)
        }
        if answer.status >= 300 {
            context.logger.info("feed answered \(answer.status)", metadata: ["status": "\(answer.status)"])
        }
        var buffer = ByteBuffer()
        buffer.writeBytes(answer.json)
        return Response(
            status: HTTPResponse.Status(code: answer.status),
            headers: [
                .contentType: "application/json", .contentLength: String(answer.json.count),
                .requestID: context.id,
            ],
            body: ResponseBody(byteBuffer: buffer))
    }

    /// `4 MiB`, `1 KiB`, or `100 bytes`.
    static func describe(bytes: Int) -> String {
        if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10 && bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }

    /// A client's header in a message: quoted, at most 100 characters.
    static func quoted(_ text: String) -> String {
        "\"" + (text.count > 100 ? String(text.prefix(100)) + "…" : text) + "\""
    }
}

/// `GET /api/v2/sync/status` (behind the token): the feed's status and JSON; 404 without a feed.
struct SyncStatusController: Sendable {
    func addRoutes(to router: some RouterMethods<ServerRequestContext>) {
        router.get("/api/v2/sync/status", use: status)
    }

    @Sendable
    func status(_ request: Request, context: ServerRequestContext) async throws -> Response {
        guard let feed = try EventsController.account(context).feed else {
            return CallEventsError(
                code: .notFound, detail: "this server serves a fixed account: it has no sync and no sync status"
            ).response(requestID: context.id)
        }
        return WebhookController.response(await feed.syncStatus(), context: context)
    }
}
