import HTTPTypes
import NIOCore
import ScreenPopJSON

/// amoCRM's OAuth 2.0 as an integration's server sees it: `POST /oauth2/access_token` with
/// `grant_type` `refresh_token` gives a new pair; a refresh token works once; the new access token
/// replaces the old one.
extension AmoCRMStandIn {
    /// The OAuth pair now valid: ``Tokens/accessToken`` is accepted by the API (until
    /// ``expireAccessToken()``), ``Tokens/refreshToken`` by the token endpoint, once.
    public var tokens: Tokens { state.withLock { $0.tokens } }

    /// The access token expires now: API requests with it get 401 until a refresh.
    public func expireAccessToken() { state.withLock { $0.accessTokenExpired = true } }

    /// amoCRM's "invalid request" body (`OAuthProblemJson`), with a hint.
    private static func oauthProblem(_ status: HTTPResponse.Status, title: String, detail: String, hint: String?)
        -> Answer
    {
        Answer(
            status: status,
            body: problem(
                title: title, status: Int(status.code), detail: detail, hint: hint,
                type: "https://developers.amocrm.ru/v3/errors/OAuthProblemJson"),
            type: "application/problem+json")
    }

    private static func invalidRequest(_ hint: String?, status: HTTPResponse.Status = .badRequest) -> Answer {
        oauthProblem(
            status, title: "Некорректный запрос",
            detail: "В запросе отсутствует ряд параметров или параметры невалидны",
            hint: hint)
    }

    /// The answer to `POST /oauth2/access_token`: a JSON body (or a form), as amoCRM's
    /// documentation and its PHP library send it.
    func tokenAnswer(_ body: ByteBuffer, _ headers: HTTPFields) -> Answer {
        let bytes = Array(buffer: body)
        var fields: [String: String] = [:]
        if headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true {
            for item in StandInQuery(String(decoding: bytes, as: UTF8.self)).items { fields[item.key] = item.value }
        } else {
            guard let value = try? JSONValue(parsing: bytes), case .object(let object) = value else {
                return Self.invalidRequest("the body is not a JSON object")
            }
            for member in object { if let text = member.value.stringValue { fields[member.key] = text } }
        }
        for name in ["client_id", "client_secret", "grant_type", "redirect_uri"] where fields[name] == nil {
            return Self.invalidRequest("\(name) is missing")
        }
        guard fields["client_id"] == oauthApp.clientID, fields["client_secret"] == oauthApp.clientSecret else {
            return Self.oauthProblem(
                .unauthorized, title: "Некорректный клиент", detail: "Авторизация клиента не прошла", hint: nil)
        }
        guard fields["grant_type"] == "refresh_token" else {
            return Self.invalidRequest("the stand-in refreshes only (grant_type refresh_token)")
        }
        guard fields["redirect_uri"] == oauthApp.redirectURI else {
            return Self.invalidRequest("redirect_uri is not the integration's")
        }
        guard let refreshToken = fields["refresh_token"] else { return Self.invalidRequest("refresh_token is missing") }
        let issued: Tokens? = state.withLock { state in
            guard refreshToken == state.tokens.refreshToken else { return nil }
            state.tokenGeneration += 1
            state.tokens = Self.tokens(generation: state.tokenGeneration)
            state.accessTokenExpired = false
            return state.tokens
        }
        guard let issued else {
            // Used before, or never issued: what amoCRM answers for a refresh token used twice.
            return Self.invalidRequest("Token has been revoked", status: .unauthorized)
        }
        var w = JSONWriter()
        w.beginObject()
        w.key("token_type")
        w.string("Bearer")
        w.key("expires_in")
        w.integer(86_400)
        w.key("access_token")
        w.string(issued.accessToken)
        w.key("refresh_token")
        w.string(issued.refreshToken)
        w.endObject()
        return Answer(status: .ok, body: w.bytes, type: "application/json")
    }
}

/// `POST /api/v4/webhooks`: a webhook for a destination and its events; the same destination
/// again replaces its events (the same webhook, a new `updated_at`).
extension AmoCRMStandIn {
    /// The webhooks registered, in the order they were first registered.
    public var webhooks: [Webhook] { state.withLock { $0.webhooks } }

    /// amoCRM's limit of webhooks an account.
    static let maxWebhooks = 100

    func webhookAnswer(_ body: ByteBuffer) -> Answer {
        guard let value = try? JSONValue(parsing: Array(buffer: body)) else {
            return Self.badRequest("the body is not JSON")
        }
        guard let destination = value["destination"]?.stringValue,
            destination.hasPrefix("https://") || destination.hasPrefix("http://")
        else {
            return Self.badRequest("destination is not a URL")
        }
        guard case .array(let list) = value["settings"], !list.isEmpty,
            case let settings = list.compactMap(\.stringValue), settings.count == list.count,
            settings.allSatisfy({
                !$0.isEmpty && $0.utf8.allSatisfy { $0 == UInt8(ascii: "_") || (0x61...0x7A).contains($0) }
            })
        else {
            return Self.badRequest("settings is not a list of events such as add_contact")
        }
        let instant = now
        let webhook: Webhook? = state.withLock { state in
            if let i = state.webhooks.firstIndex(where: { $0.destination == destination }) {
                state.webhooks[i].settings = settings
                state.webhooks[i].updatedAt = instant
                return state.webhooks[i]
            }
            guard state.webhooks.count < Self.maxWebhooks else { return nil }
            let webhook = Webhook(
                id: state.nextWebhookID, destination: destination, settings: settings, createdAt: instant,
                updatedAt: instant)
            state.nextWebhookID += 1
            state.webhooks.append(webhook)
            return webhook
        }
        guard let webhook else { return Self.badRequest("an account has at most \(Self.maxWebhooks) webhooks") }
        let (accountID, userID) = state.withLock { ($0.account.account.id ?? 0, $0.account.users.first?.id ?? 0) }
        var w = JSONWriter()
        w.beginObject()
        w.key("id")
        w.integer(webhook.id)
        w.key("destination")
        w.string(webhook.destination)
        w.key("created_at")
        w.integer(webhook.createdAt)
        w.key("updated_at")
        w.integer(webhook.updatedAt)
        w.key("account_id")
        w.integer(accountID)
        w.key("created_by")
        w.integer(userID)
        w.key("sort")
        w.integer(1)
        w.key("disabled")
        w.bool(false)
        w.key("settings")
        w.beginArray()
        for event in webhook.settings { w.string(event) }
        w.endArray()
        w.endObject()
        return Answer(status: .ok, body: w.bytes)
    }
}
