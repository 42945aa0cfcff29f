import NIOCore
import Synchronization

/// Counts the server's open connections and refuses new ones beyond a maximum.
///
/// A refused connection gets a short `503` and is closed at once, rather than waiting in the
/// listen backlog: a client then learns that the server is full instead of hanging, and the
/// connections already open keep their file descriptors.
public final class ConnectionLimiter: Sendable {
    /// The most connections open at once.
    public let maximum: Int
    private let open = Atomic<Int>(0)
    private let refused = Atomic<Int>(0)
    private let timedOut = Atomic<Int>(0)

    public init(maximum: Int) {
        self.maximum = max(1, maximum)
    }

    /// How many connections are open now.
    public var openCount: Int { open.load(ordering: .relaxed) }
    /// How many connections were refused because ``maximum`` were open.
    public var refusedCount: Int { refused.load(ordering: .relaxed) }
    /// How many connections were closed because a request head, a body or an idle wait took too long.
    public var timedOutCount: Int { timedOut.load(ordering: .relaxed) }

    /// Takes a place for a new connection; false (and counted as refused) when none is free.
    func tryOpen() -> Bool {
        let count = open.wrappingAdd(1, ordering: .relaxed).newValue
        guard count <= maximum else {
            open.wrappingSubtract(1, ordering: .relaxed)
            refused.wrappingAdd(1, ordering: .relaxed)
            return false
        }
        return true
    }

    /// Gives back the place of a closed connection.
    func closed() {
        open.wrappingSubtract(1, ordering: .relaxed)
    }

    func countTimeout() {
        timedOut.wrappingAdd(1, ordering: .relaxed)
    }

    /// The bytes sent to a refused connection before it is closed.
    static let refusal: ByteBuffer = {
        let body = #"{"error":{"code":"too_many_connections","message":"the server has too many open connections; retry later","index":null,"field":null,"path":null}}"#
        var buffer = ByteBuffer()
        buffer.writeString(
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)"
                + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" + body)
        return buffer
    }()
}
