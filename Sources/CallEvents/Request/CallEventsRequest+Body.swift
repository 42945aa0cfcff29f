import ScreenPopSupport

/// Choosing the decoder by the request's `Content-Type`.
extension CallEventsRequest {
    /// The two encodings amoCRM's clients use.
    public enum BodyEncoding: Hashable, Sendable {
        /// `application/json`: the JavaScript example (`JSON.stringify`, `charset=utf-8`).
        case json
        /// `application/x-www-form-urlencoded`: the PHP example (`http_build_query`).
        case form
    }

    /// The encoding a `Content-Type` header names.
    ///
    /// The media type is compared without regard to case and may carry parameters; a `charset`
    /// parameter, when present, must be UTF-8 (`utf-8`, `UTF8`, quoted or not).
    ///
    /// ```swift
    /// try CallEventsRequest.encoding(contentType: "application/json; charset=utf-8")   // .json
    /// try CallEventsRequest.encoding(contentType: "text/plain")   // throws unsupported_media_type
    /// ```
    ///
    /// - Throws: ``CallEventsError/Code/unsupportedMediaType`` for a missing (or blank) or other
    ///   type, or another charset.
    public static func encoding(contentType: String?) throws(CallEventsError) -> BodyEncoding {
        guard let contentType else { throw .unsupported(nil) }
        // What the clients send, without allocating.
        switch contentType {
        case "application/json", "application/json; charset=utf-8", "application/json; charset=UTF-8": return .json
        case "application/x-www-form-urlencoded": return .form
        default: break
        }
        // A blank header names no type: the same answer as none.
        guard contentType.utf8.contains(where: { !$0.isASCIIWhitespace }) else { throw .unsupported(nil) }
        var parts = contentType.utf8.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
            .map { trimmed(String(decoding: $0, as: UTF8.self)).lowercased() }
        let mediaType = parts.removeFirst()
        let encoding: BodyEncoding
        switch mediaType {
        case "application/json": encoding = .json
        case "application/x-www-form-urlencoded": encoding = .form
        default: throw .unsupported(contentType)
        }
        for parameter in parts where parameter.hasPrefix("charset=") {
            var value = String(parameter.dropFirst("charset=".count))
            if value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 {
                value = String(value.dropFirst().dropLast())
            }
            guard value == "utf-8" || value == "utf8" else { throw .unsupported(contentType) }
        }
        return encoding
    }

    /// Decodes and validates a body of either encoding, chosen by its `Content-Type`.
    ///
    /// ```swift
    /// let request = try CallEventsRequest(body: bytes, contentType: "application/json; charset=utf-8")
    /// ```
    ///
    /// - Parameters:
    ///   - body: The whole body.
    ///   - contentType: The `Content-Type` header's value.
    ///   - limits: The most events and the largest body.
    /// - Throws: ``CallEventsError``: `unsupported_media_type` first, then `body_too_large`, then
    ///   what ``init(json:limits:)`` or ``init(form:limits:)`` throw. A form body that fails and
    ///   looks like JSON (its first byte after white space is `{` or `[`) gets
    ///   ``jsonSentAsFormHint`` as its ``CallEventsError/hint``: `curl -d` sends JSON that way.
    /// - Complexity: O(n) in the body's length (O(n log n) for a form).
    public init(
        body: some Collection<UInt8>, contentType: String?, limits: CallEventsLimits = CallEventsLimits()
    ) throws(CallEventsError) {
        let encoding = try Self.encoding(contentType: contentType)
        guard body.count <= limits.maxBodyBytes else { throw .bodyTooLarge(limits) }
        switch encoding {
        case .json: try self.init(json: body, limits: limits)
        case .form:
            do {
                try self.init(form: body, limits: limits)
            } catch {
                var error = error
                if Self.looksLikeJSON(body) { error.hint = Self.jsonSentAsFormHint }
                throw error
            }
        }
    }

    /// Why a JSON body sent as a form fails, and the fix: `curl -d '{...}'` sends
    /// `application/x-www-form-urlencoded` unless told otherwise.
    public static let jsonSentAsFormHint =
        "the body looks like JSON but was sent as application/x-www-form-urlencoded (what curl -d sends): "
        + "send Content-Type: application/json (curl: -H 'Content-Type: application/json' or --json)"

    /// Whether the first byte after white space is `{` or `[`: no form body of this API starts so
    /// (its keys start with `add`).
    static func looksLikeJSON(_ body: some Collection<UInt8>) -> Bool {
        guard let first = body.first(where: { !$0.isASCIIWhitespace }) else { return false }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
    }
}

extension CallEventsError {
    @inline(never)
    static func unsupported(_ contentType: String?) -> CallEventsError {
        CallEventsError(code: .unsupportedMediaType, found: contentType.map { quoted($0) })
    }

    /// The body is larger than `limits.maxBodyBytes`.
    @inline(never)
    public static func bodyTooLarge(_ limits: CallEventsLimits) -> CallEventsError {
        let bytes = limits.maxBodyBytes
        let size = bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
        return CallEventsError(code: .bodyTooLarge, detail: size)
    }
}

/// `text` without leading and trailing white space.
func trimmed(_ text: String) -> String { String(text.trimmingASCIIWhitespace) }
