import CallEvents
import HTTPTypes
import Hummingbird
import NIOCore

extension CallEventsError.Code {
    /// A request without the right `Authorization: Bearer` token. HTTP 401.
    public static let unauthorized = CallEventsError.Code(rawValue: "unauthorized")
    /// No such route. HTTP 404.
    public static let notFound = CallEventsError.Code(rawValue: "not_found")
    /// The path has routes, but not for the request's method. HTTP 405 with `Allow`.
    public static let methodNotAllowed = CallEventsError.Code(rawValue: "method_not_allowed")
    /// The server is shutting down. HTTP 503.
    public static let shuttingDown = CallEventsError.Code(rawValue: "shutting_down")
    /// A user, or the server, has the most live streams allowed open. HTTP 429 with `Retry-After`.
    public static let tooManyStreams = CallEventsError.Code(rawValue: "too_many_streams")
    /// The body has a `Transfer-Encoding` other than `chunked`. HTTP 501.
    public static let unsupportedTransferEncoding = CallEventsError.Code(rawValue: "unsupported_transfer_encoding")
    /// The request's account cannot be loaded now (its store is unreachable, say). HTTP 503 with
    /// `Retry-After`; the next request tries again.
    public static let accountUnavailable = CallEventsError.Code(rawValue: "account_unavailable")
    /// A stream ticket this server did not mint (made up, altered, or signed with a key since
    /// changed), or whose user is no longer the account's. HTTP 401.
    public static let invalidTicket = CallEventsError.Code(rawValue: "invalid_ticket")
    /// A stream ticket past its expiry: mint a new one. HTTP 401.
    public static let expiredTicket = CallEventsError.Code(rawValue: "expired_ticket")
    /// A ticket's stream asked for another user's notifications (`user_id`). HTTP 403.
    public static let wrongUser = CallEventsError.Code(rawValue: "wrong_user")
    /// The body has a `Content-Encoding` (gzip, deflate…). HTTP 415.
    public static let unsupportedContentEncoding = CallEventsError.Code(rawValue: "unsupported_content_encoding")
    /// The client's address, or the credential it presented, has been refused too often
    /// (``RefusalLimits``): answered after a delay. HTTP 429 with `Retry-After`.
    public static let tooManyRequests = CallEventsError.Code(rawValue: "too_many_requests")
    /// The request's head (method, target, header names and values) is over
    /// ``ServerConfiguration/maxHeadBytes``. HTTP 431; the connection is closed.
    public static let headersTooLarge = CallEventsError.Code(rawValue: "headers_too_large")
    /// The request's target (path and query) is over ``ServerConfiguration/maxURLBytes``. HTTP 414;
    /// the connection is closed.
    public static let uriTooLong = CallEventsError.Code(rawValue: "uri_too_long")
}

extension CallEventsError {
    /// The HTTP status of the error: 413, 414, 415, 401, 403, 404, 405, 429, 431, 501, 503, or 400 for the rest.
    public var httpStatus: HTTPResponse.Status {
        switch code {
        case .bodyTooLarge: .contentTooLarge
        case .uriTooLong: .uriTooLong
        case .headersTooLarge: .requestHeaderFieldsTooLarge
        case .unsupportedMediaType, .unsupportedContentEncoding: .unsupportedMediaType
        case .tooManyStreams, .tooManyRequests: .tooManyRequests
        case .unsupportedTransferEncoding: .notImplemented
        case .unauthorized, .invalidTicket, .expiredTicket: .unauthorized
        case .wrongUser: .forbidden
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .shuttingDown, .accountUnavailable: .serviceUnavailable
        default: .badRequest
        }
    }

    /// The error as a response: its status, `application/json`, ``CallEvents/CallEventsError/jsonBody()``.
    func response(requestID: String? = nil) -> Response {
        let json = jsonBody()
        var buffer = ByteBuffer()
        buffer.reserveCapacity(json.count)
        buffer.writeBytes(json)
        var headers: HTTPFields = [.contentType: "application/json", .contentLength: String(json.count)]
        if code == .unauthorized { headers[.wwwAuthenticate] = #"Bearer realm="screenpop""# }
        if code == .tooManyStreams { headers[.retryAfter] = "10" }
        if code == .accountUnavailable { headers[.retryAfter] = "5" }
        if let requestID { headers[.requestID] = requestID }
        return Response(status: httpStatus, headers: headers, body: ResponseBody(byteBuffer: buffer))
    }
}

extension HTTPField.Name {
    /// `X-Request-Id`: the request's id in the logs, echoed on every response.
    static let requestID = HTTPField.Name("X-Request-Id")!
}

extension HTTPFields {
    /// The first value of a field, without joining repeated fields (the subscript joins them, and
    /// allocates even when there is one).
    func first(_ name: HTTPField.Name) -> String? {
        for field in self where field.name == name { return field.value }
        return nil
    }
}

extension CallEventsError {
    /// An error response in the same JSON shape as ``response(requestID:)`` with a message of the
    /// caller's (``CallEvents/CallEventsError/message`` has fixed texts for the API's own codes,
    /// which name the API's content types: the webhooks take others).
    static func response(
        status: HTTPResponse.Status, code: Code, message: String, requestID: String? = nil
    ) -> Response {
        let json = jsonBody(code: code.rawValue, message: message)
        var buffer = ByteBuffer()
        buffer.writeBytes(json)
        var headers: HTTPFields = [.contentType: "application/json", .contentLength: String(json.count)]
        if let requestID { headers[.requestID] = requestID }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: buffer))
    }

    /// The JSON error body of `code` with a message of the caller's, for answers made outside a
    /// route (a channel handler's).
    static func jsonBody(code: String, message: String) -> [UInt8] {
        var json = Array(#"{"error":{"code":"#.utf8)
        appendJSONString(code, to: &json)
        json += Array(#","message":"#.utf8)
        appendJSONString(message, to: &json)
        json += Array(#","index":null,"field":null,"path":null}}"#.utf8)
        return json
    }

    /// `text` as a JSON string: quotes, backslashes and control characters escaped.
    static func appendJSONString(_ text: String, to json: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        json.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                json.append(UInt8(ascii: "\\"))
                json.append(byte)
            case 0..<0x20:
                json += Array(#"\u00"#.utf8)
                json.append(hex[Int(byte >> 4)])
                json.append(hex[Int(byte & 0x0F)])
            default:
                json.append(byte)
            }
        }
        json.append(UInt8(ascii: "\""))
    }
}
