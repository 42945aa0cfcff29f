import CallEvents
import HTTPTypes
import Hummingbird
import Logging

/// Lets a request through only with `Authorization: Bearer <token>` of an account, with that
/// account in the context (loaded if need be); answers 401 otherwise, and 503 when the account
/// cannot be loaded now.
///
/// The scheme is matched without regard to case. The token is hashed (SHA-256) and the
/// ``AccountProvider`` asked for the hash, so the token is never kept, compared in the clear or
/// logged; a 401 says nothing of whether some account exists.
struct BearerTokenMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext

    let accounts: ServedAccounts

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard let header = request.headers.first(.authorization), let token = Self.token(in: header),
            let accountID = await accounts.provider.accountID(forAPITokenHash: AccountSecret.sha256(token))
        else {
            context.logger.notice(
                "refused: missing or wrong bearer token",
                metadata: [
                    "http.path": "\(LoggedPath.of(request.uri.path))",
                    "authorization": "\(request.headers[.authorization] == nil ? "absent" : "present")",
                ])
            return CallEventsError(
                code: .unauthorized, detail: "send the header Authorization: Bearer <the account's API token>"
            ).response(requestID: context.id)
        }
        let account: ServedAccount
        do {
            account = try await accounts.beginUse(accountID: accountID)
        } catch {
            return Self.unavailable(accountID: accountID, context: context)
        }
        defer { accounts.endUse(account) }
        var context = context
        context.account = account
        if !accounts.isSingleAccount { context.logger[metadataKey: "account_id"] = "\(accountID)" }
        return try await next(request, context)
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
