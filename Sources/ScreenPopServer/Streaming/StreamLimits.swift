/// How much the live streams may hold: replay buffers, open streams and their send queues.
///
/// Every bound is in bytes as well as in count where the size of one item depends on the client,
/// so that memory cannot grow with what clients send or with how slowly they read.
public struct StreamLimits: Hashable, Sendable {
    /// The most notifications kept per user for `Last-Event-ID` replay (256).
    public var replayCount: Int
    /// The most bytes of notifications kept per user for replay (128 KiB); the oldest go first.
    public var replayBytes: Int
    /// The most streams open at once for one user (8): a few tabs and devices.
    public var streamsPerUser: Int
    /// The most streams open at once in all (10,000).
    public var streams: Int
    /// The most bytes waiting to be sent on one stream (64 KiB). A stream whose client reads more
    /// slowly than its notifications come is closed when its queue is full; the client reconnects
    /// with `Last-Event-ID` and gets what it missed from the replay buffer.
    public var streamQueueBytes: Int

    public init(
        replayCount: Int = 256, replayBytes: Int = 128 << 10, streamsPerUser: Int = 8, streams: Int = 10_000,
        streamQueueBytes: Int = 64 << 10
    ) {
        self.replayCount = replayCount
        self.replayBytes = replayBytes
        self.streamsPerUser = streamsPerUser
        self.streams = streams
        self.streamQueueBytes = streamQueueBytes
    }
}
