import CallEvents
import EventsFuzzSupport
import FuzzSupport

/// `CallEventsRequest(form:limits:)` on any bytes (PHP's `http_build_query` bodies), with the default
/// limits and small ones: the promises of every decoded request and every refusal
/// (EventsFuzzSupport); an accepted request written again in either encoding reads back the same;
/// the decoder chosen by the content type gives the same answer, and so does the body with its
/// brackets percent-encoded.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEventsForm(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    for limits in fuzzLimits {
        let answer = Result { () throws(CallEventsError) in try CallEventsRequest(form: bytes, limits: limits) }
        switch answer {
        case .success(let request):
            checkAccepted(request, limits, bytes)
            checkRoundTrips(request, limits)
        case .failure(let error):
            checkRefused(error, bytes)
        }
        let byContentType = Result { () throws(CallEventsError) in
            try CallEventsRequest(body: bytes, contentType: "application/x-www-form-urlencoded", limits: limits)
        }
        switch (answer, byContentType) {
        case (.success(let a), .success(let b)):
            require(identical(a, b), "the form decoder reads \(a), by content type \(b)")
        case (.failure(let a), .failure(let b)):
            require(a.code == b.code && a.path == b.path, "the form decoder refuses with \(a), by content type \(b)")
        default:
            require(false, "the form decoder gives \(answer), by content type \(byContentType)")
        }
        let encoded = Result { () throws(CallEventsError) in
            try CallEventsRequest(form: bracketsEncoded(bytes), limits: limits)
        }
        switch (answer, encoded) {
        case (.success(let a), .success(let b)):
            require(identical(a, b), "the body reads \(a), with its brackets encoded \(b)")
        case (.failure(let a), .failure(let b)):
            require(
                a.code == b.code && a.path == b.path, "the body is refused with \(a), with its brackets encoded \(b)")
        default:
            require(false, "the body gives \(answer), with its brackets encoded \(encoded)")
        }
    }
    return 0
}
