/// How long a client may take over each part of a connection's life.
///
/// A connection that holds a place without finishing its request (a slow-header or slow-body
/// client) is closed when its limit passes, so that a few thousand of them cannot hold every
/// file descriptor. Limits are wall-clock totals, not reset by progress: a client that sends one
/// byte a second gets no more time than one that sends nothing.
public struct ConnectionTimeouts: Hashable, Sendable {
    /// The whole request head, from its first byte (or from the connection's opening) to its
    /// blank line (30 s).
    public var head: Duration
    /// The whole request body, from the end of the head to the body's last byte (120 s).
    public var body: Duration
    /// A keep-alive connection with no request in flight (75 s).
    public var idle: Duration

    public init(head: Duration = .seconds(30), body: Duration = .seconds(120), idle: Duration = .seconds(75)) {
        self.head = head
        self.body = body
        self.idle = idle
    }
}
