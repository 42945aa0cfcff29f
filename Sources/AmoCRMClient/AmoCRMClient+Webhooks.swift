import ScreenPopJSON

/// A webhook as amoCRM answers its registration.
public struct RegisteredWebhook: Hashable, Sendable {
    /// amoCRM's id of the webhook.
    public var id: Int
    public var destination: String
    /// The events it is sent for (`add_contact`, `update_lead`...).
    public var settings: [String]
    public var isDisabled: Bool
    /// Unix seconds, when given.
    public var createdAt: Int?
    public var updatedAt: Int?
}

extension AmoCRMClient {
    /// Registers (or updates) the webhook of `destination`: `POST /api/v4/webhooks` with
    /// `{"destination": ..., "settings": [...]}`. amoCRM keeps one webhook a destination, so this
    /// is safe to repeat, and is retried like a GET.
    ///
    /// ```swift
    /// let hook = try await client.registerWebhook(
    ///     destination: "https://screenpop.example/amocrm/hook",
    ///     settings: ["add_contact", "update_contact", "delete_contact", "status_lead"])
    /// ```
    ///
    /// - Parameters:
    ///   - destination: The URL amoCRM posts events to.
    ///   - settings: The events (amoCRM's names: `add_lead`, `update_contact`, `delete_company`,
    ///     `status_lead`, `responsible_lead`...).
    /// - Returns: The webhook as amoCRM answers it (its id, destination, events).
    /// - Throws: ``AmoCRMClientError``; amoCRM allows it to administrators only (else 403,
    ///   ``AmoCRMClientError/Code/unexpectedStatus``).
    public func registerWebhook(destination: String, settings: [String]) async throws -> RegisteredWebhook {
        let url = configuration.baseURL + "/api/v4/webhooks"
        var w = JSONWriter()
        w.beginObject()
        w.key("destination")
        w.string(destination)
        w.key("settings")
        w.beginArray()
        for event in settings { w.string(event) }
        w.endArray()
        w.endObject()
        guard case .body(let body) = try await send(Outgoing(method: .post, url: url, body: w.bytes)) else {
            throw AmoCRMClientError(.invalidAnswer, url: url, status: 204, message: "no webhook in the answer (204)")
        }
        let value = try json(body, url: url)
        // The webhook object; tolerated inside `_embedded.webhooks`, as the list gives it.
        let object = value["id"] != nil ? value : value["_embedded"]?["webhooks"]?[0]
        guard let object, let id = object["id"]?.intValue else {
            throw AmoCRMClientError(
                .invalidAnswer, url: url, status: 200,
                message: "no webhook id in the answer: \(value.jsonText.prefix(300))")
        }
        let events: [String]? =
            if case .array(let list) = object["settings"] { list.compactMap(\.stringValue) } else { nil }
        return RegisteredWebhook(
            id: id, destination: object["destination"]?.stringValue ?? destination, settings: events ?? settings,
            isDisabled: object["disabled"]?.boolValue ?? false, createdAt: object["created_at"]?.intValue,
            updatedAt: object["updated_at"]?.intValue)
    }
}
