import CallEvents
import HTTPTypes
import Hummingbird
import NIOCore

extension CallEventsError.Code {
    /// A request without the right `Authorization: Bearer` token. HTTP 401.
    public static let unauthorized = CallEventsError.Code(rawValue: "unauthorized")
    /// No such route. HTTP 404.
    public static let notFound = CallEventsError.Code(rawValue: "not_found")
    /// The server is shutting down. HTTP 503.
    public static let shuttingDown = CallEventsError.Code(rawValue: "shutting_down")
    /// A user, or the server, has the most live streams allowed open. HTTP 429 with `Retry-After`.
    public static let tooManyStreams = CallEventsError.Code(rawValue: "too_many_streams")
    /// The body has a `Transfer-Encoding` other than `chunked`. HTTP 501.
    public static let unsupportedTransferEncoding = CallEventsError.Code(rawValue: "unsupported_transfer_encoding")
    /// The body has a `Content-Encoding` (gzip, deflate…). HTTP 415.
    public static let unsupportedContentEncoding = CallEventsError.Code(rawValue: "unsupported_content_encoding")
}

extension CallEventsError {
    /// The HTTP status of the error: 413, 415, 401, 404, 429, 501, 503, or 400 for the rest.
    public var httpStatus: HTTPResponse.Status {
        switch code {
        case .bodyTooLarge: .contentTooLarge
        case .unsupportedMediaType, .unsupportedContentEncoding: .unsupportedMediaType
        case .tooManyStreams: .tooManyRequests
        case .unsupportedTransferEncoding: .notImplemented
        case .unauthorized: .unauthorized
        case .notFound: .notFound
        case .shuttingDown: .serviceUnavailable
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
