import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why the server could not listen, in words a person can act on: NIO's own text names the
/// system call (`bind(descriptor:ptr:bytes:): Address already in use (errno: 98)`), not the address
/// or the option that changes it.
public struct ListenFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The address that was asked for.
    public let host: String
    public let port: Int
    /// What went wrong and what to do, after the address.
    public let reason: String

    /// The failure that `error` is, when it is the listening socket's bind failing for a reason the
    /// user can fix (the address in use, not on this machine, a privileged port); nil otherwise.
    public init?(_ error: any Error, host: String, port: Int) {
        guard let error = error as? IOError else { return nil }
        switch error.errnoCode {
        case EADDRINUSE:
            reason = "the address is in use (another screenpop serve?); choose another with --port"
        case EADDRNOTAVAIL:
            reason = "the address is not one of this machine's; choose another with --host"
        case EACCES:
            reason = "ports below 1024 need privileges; choose another with --port"
        default:
            return nil
        }
        self.host = host
        self.port = port
    }

    /// `cannot listen on 127.0.0.1:8080: the address is in use (another screenpop serve?); choose another with --port`.
    public var description: String {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        return "cannot listen on \(address): \(reason)"
    }
}
