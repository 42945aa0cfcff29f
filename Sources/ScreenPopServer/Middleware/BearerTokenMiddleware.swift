import CallEvents
import HTTPTypes
import Hummingbird
import Logging

/// Lets a request through only with `Authorization: Bearer <token>` of an account, with that
/// account in the context (loaded if need be); answers 401 otherwise, and 503 when the account
/// cannot be loaded now.
///
/// On the routes a browser opens (the stream, the ticket's description), a `ticket` query
/// parameter may stand for the token (``tickets`` set): a valid one puts its account and
/// ``ServerRequestContext/ticket`` in the context, a forged or expired one gets 401 whatever the
/// other headers say.
///
/// The scheme is matched without regard to case. The token is hashed (SHA-256) and the
/// ``AccountProvider`` asked for the hash, so the token is never kept, compared in the clear or
/// logged; a 401 says nothing of whether some account exists.
///
/// Every refusal but that of a ticket whose user has left the account goes through ``gate``: an
/// address or a credential refused too often is slowed and answered `429 too_many_requests`
/// (``RefusalLimits``). A right token is checked first and never counted, even from an address
/// that is being limited.
///
/// Without ``loadsAccount`` (`/metrics`, `/readyz`) it only checks the token: the context gets
/// the account's id (``ServerRequestContext/accountID``), and a scrape never loads an account.
struct BearerTokenMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext

    let accounts: ServedAccounts
    /// Counts the refusals, and turns them into slow 429s beyond their allowance.
    let gate: RefusalGate
    /// Checks the tickets of the routes that take them; nil on the others.
    var tickets: StreamTicketSigner? = nil
    /// Loads the account (off for `/metrics` and `/readyz`, which only check the token).
    var loadsAccount = true

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        if let tickets, let text = request.uri.queryParameters["ticket"] {
            return try await withTicket(String(text), signer: tickets, request: request, context: context, next: next)
        }
        let header = request.headers.first(.authorization)
        let tokenHash = header.flatMap(Self.token(in:)).map { AccountSecret.sha256($0) }
        guard let tokenHash, let accountID = await accounts.provider.accountID(forAPITokenHash: tokenHash) else {
            // What was presented is counted by its hash: the token, or the header of another scheme.
            return try await gate.refuse(
                credentialHash: tokenHash ?? header.map { AccountSecret.sha256($0) }, context: context
            ) {
                context.logger.notice(
                    "refused: missing or wrong bearer token",
                    metadata: [
                        "http.path": "\(LoggedPath.of(request.uri.path))",
                        "authorization": "\(header == nil ? "absent" : "present")",
                    ])
                return CallEventsError(
                    code: .unauthorized, detail: "send the header Authorization: Bearer <the account's API token>"
                ).response(requestID: context.id)
            }
        }
        guard loadsAccount else {
            var context = context
            context.accountID = accountID
            return try await next(request, context)
        }
        return try await withAccount(accountID, ticket: nil, request: request, context: context, next: next)
    }

    /// Runs `next` with the account loaded and in use, in the context with its id (and the ticket's
    /// user): 503 when it cannot be loaded now, 401 when a ticket's user is no longer the account's.
    private func withAccount(
        _ accountID: Int, ticket: StreamTicket?, request: Request, context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let account: ServedAccount
        do {
            account = try await accounts.beginUse(accountID: accountID)
        } catch {
            return Self.unavailable(accountID: accountID, context: context)
        }
        defer { accounts.endUse(account) }
        // A user removed from the account since the ticket was minted is no longer let in.
        if let ticket, !account.events.isUser(ticket.userID) { return Self.refuseTicket(.invalid, context: context) }
        var context = context
        context.account = account
        context.accountID = accountID
        context.ticket = ticket
        if !accounts.isSingleAccount { context.logger[metadataKey: "account_id"] = "\(accountID)" }
        if let ticket { context.logger[metadataKey: "user_id"] = "\(ticket.userID)" }
        return try await next(request, context)
    }

    private func withTicket(
        _ text: String, signer: StreamTicketSigner, request: Request, context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let ticket: StreamTicket
        do {
            ticket = try signer.verify(text, now: StreamTicketController.unixNow())
        } catch {
            return try await gate.refuse(credentialHash: AccountSecret.sha256(text), context: context) {
                Self.refuseTicket(error, context: context)
            }
        }
        guard await accounts.provider.hasAccount(ticket.accountID) else {
            return try await gate.refuse(credentialHash: AccountSecret.sha256(text), context: context) {
                Self.refuseTicket(.invalid, context: context)
            }
        }
        return try await withAccount(ticket.accountID, ticket: ticket, request: request, context: context, next: next)
    }

    /// The 401 of a refused ticket; the ticket itself is never logged.
    static func refuseTicket(_ error: StreamTicketError, context: Context) -> Response {
        let refusal: CallEventsError
        switch error {
        case .invalid:
            refusal = CallEventsError(
                code: .invalidTicket,
                detail: "the stream ticket is not valid here; ask the integration for a new one")
        case .expired:
            refusal = CallEventsError(
                code: .expiredTicket, detail: "the stream ticket has expired; ask the integration for a new one")
        }
        context.logger.notice("refused: \(refusal.code)")
        return refusal.response(requestID: context.id)
    }

    /// The 503 of an account that cannot be loaded now.
    static func unavailable(accountID: Int, context: Context) -> Response {
        let error = CallEventsError(
            code: .accountUnavailable, detail: "the account cannot be loaded now; retry in a few seconds")
        context.logger.warning("refused: \(error.code)", metadata: ["account_id": "\(accountID)"])
        return error.response(requestID: context.id)
    }

    /// The token of `Bearer <token>` (any case of `Bearer`, one or more spaces), as sent; nil for
    /// another scheme or an empty token.
    static func token(in header: String) -> Substring.UTF8View? {
        let utf8 = header.utf8
        let scheme = "bearer".utf8
        guard utf8.count > scheme.count else { return nil }
        var index = utf8.startIndex
        for expected in scheme {
            guard utf8[index] | 0x20 == expected else { return nil }
            index = utf8.index(after: index)
        }
        guard utf8[index] == UInt8(ascii: " ") else { return nil }
        while index < utf8.endIndex && utf8[index] == UInt8(ascii: " ") { index = utf8.index(after: index) }
        guard index < utf8.endIndex else { return nil }
        return Substring(header)[index...].utf8
    }
}
