import Synchronization

/// At most ``limit`` requests in any window of ``window`` (amoCRM: 7 in any one second, refused
/// requests included), with no burst above it.
///
/// The limiter keeps the instants it granted last, one per slot of the window: a request is given
/// the later of now and the instant `window` after the `limit`-th grant before it, and waits until
/// then. Grants are made in order under a mutex, so any `limit + 1` consecutive grants span at
/// least `window`: no window holds more than `limit` of them, whatever the callers do.
public final class RateLimiter: Sendable {
    public typealias Instant = ContinuousClock.Instant

    /// Requests a window.
    public let limit: Int
    public let window: Duration

    private struct State {
        /// The last `limit` grants, a ring; `next` is the oldest once full.
        var grants: [Instant] = []
        var next = 0
        /// No grant before this (a `Retry-After` that holds every request back).
        var notBefore: Instant?
        /// The latest grant: grants never go back in time, so the ring stays in order.
        var last: Instant?
    }

    private let state = Mutex(State())

    /// - Parameters:
    ///   - limit: Requests a window; at least 1.
    ///   - window: The window; one second for amoCRM.
    public init(limit: Int, window: Duration = .seconds(1)) {
        precondition(limit >= 1, "a rate limit is at least one request a window")
        self.limit = limit
        self.window = window
    }

    /// Reserves the next grant for a request made at `now`, and returns its instant (`now` or later).
    /// ``acquire()`` is this and a sleep until the instant; tests call it with instants of their own.
    public func reserve(at now: Instant) -> Instant {
        state.withLock { state in
            var grant = now
            if let notBefore = state.notBefore, notBefore > grant { grant = notBefore }
            if let last = state.last, last > grant { grant = last }
            if state.grants.count == limit {
                let oldest = state.grants[state.next]
                if oldest + window > grant { grant = oldest + window }
                state.grants[state.next] = grant
                state.next = (state.next + 1) % limit
            } else {
                // Not full yet: grants are appended in order, so the ring's oldest stays at 0.
                state.grants.append(grant)
            }
            state.last = grant
            return grant
        }
    }

    /// Holds every request back until `instant` (after a 429 or 503 with `Retry-After`).
    public func hold(until instant: Instant) {
        state.withLock { state in
            if state.notBefore.map({ $0 < instant }) ?? true { state.notBefore = instant }
        }
    }

    /// Waits for a grant; returns its instant.
    @discardableResult
    public func acquire() async throws -> Instant {
        let clock = ContinuousClock()
        let grant = reserve(at: clock.now)
        if grant > clock.now { try await clock.sleep(until: grant, tolerance: .zero) }
        return grant
    }
}
