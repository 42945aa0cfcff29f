import CallEvents
import HTTPTypes
import Hummingbird
import Logging

/// Where the routes send a request whose credential they refused (a wrong or missing token, a
/// forged ticket, a wrong webhook secret), to be answered as usual or, beyond the allowance of
/// ``RefusalLimits``, after a delay with `429 too_many_requests`.
///
/// A request whose credential is right never comes here: the credential is checked first (one
/// hash and one lookup), so good requests take no lock and wait for nobody, whoever else shares
/// their address.
struct RefusalGate: Sendable {
    let limiter: RefusalLimiter
    let notices: LimitNotices

    /// `refusal` (which also logs it), or, when the client's address or the credential it presented
    /// has been refused too often, a `429` after ``RefusalLimits/delay`` (logged once per address
    /// and window).
    ///
    /// - Parameters:
    ///   - credentialHash: The SHA-256 of what the request presented (the token, the ticket, the
    ///     secret), nil when it presented nothing.
    ///   - refusal: The usual answer; it may throw (the 404 of a wrong webhook secret).
    func refuse(
        credentialHash: [UInt8]?, context: ServerRequestContext, _ refusal: () throws -> Response
    ) async throws -> Response {
        let address = context.channel.remoteAddress
        let decision = limiter.refuse(address: address, credentialHash: credentialHash)
        guard case .limited(let retryAfter, let byAddress, let byCredential) = decision else {
            return try refusal()
        }
        let limits = limiter.limits
        let by = [byAddress ? "address" : nil, byCredential ? "credential" : nil].compactMap { $0 }
        notices.refused(
            CallEventsError.Code.tooManyRequests.rawValue,
            limit: "refusals_per_minute=\(limits.perMinute),burst=\(limits.burst),by=\(by.joined(separator: "+"))",
            address: address)
        // The wait is the point: a request that cannot be slept (the server shutting down) is
        // answered at once, which it would be anyway.
        try? await Task.sleep(for: limits.delay)
        var response = CallEventsError.response(
            status: .tooManyRequests, code: .tooManyRequests,
            message: "too many refused credentials from this address or with this credential; retry in "
                + "\(retryAfter) s with the right one",
            requestID: context.id)
        response.headers[.retryAfter] = String(retryAfter)
        return response
    }
}
