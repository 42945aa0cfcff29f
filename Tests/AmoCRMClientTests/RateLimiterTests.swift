import AmoCRMClient
import Testing

@Suite struct RateLimiterTests {
    typealias Instant = ContinuousClock.Instant

    /// No window of `window` holds more than `limit` of `grants` (sorted): grant i+limit is at
    /// least `window` after grant i.
    static func check(_ grants: [Instant], limit: Int, window: Duration) {
        #expect(grants == grants.sorted(), "grants go forward in time")
        for i in grants.indices.dropLast(limit) {
            #expect(grants[i + limit] - grants[i] >= window, "grants \(i)...\(i + limit) fall within one window")
        }
    }

    @Test func noWindowHoldsMoreThanTheLimitWhateverTheArrivals() {
        let base = ContinuousClock.now
        let limiter = RateLimiter(limit: 7)
        // Bursts, a trickle and a pause, as instants of the test's own (the limiter only compares them).
        var arrivals: [Instant] = Array(repeating: base, count: 30)
        var t = base + .milliseconds(100)
        var random = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            t = t + .milliseconds(Int.random(in: 0...300, using: &random))
            arrivals.append(t)
        }
        arrivals += Array(repeating: t + .seconds(10), count: 20)
        var grants: [Instant] = []
        for arrival in arrivals {
            let grant = limiter.reserve(at: arrival)
            #expect(grant >= arrival)
            grants.append(grant)
        }
        Self.check(grants, limit: 7, window: .seconds(1))
        // No waiting when there is room: the first 7 of a burst go at once, the 8th a second later.
        #expect(grants[0..<7].allSatisfy { $0 == base })
        #expect(grants[7] == base + .seconds(1))
        // After a long pause, a burst of 7 goes at once again.
        #expect(grants[230..<237].allSatisfy { $0 == t + .seconds(10) })
    }

    @Test func holdDelaysEveryGrant() {
        let base = ContinuousClock.now
        let limiter = RateLimiter(limit: 3)
        #expect(limiter.reserve(at: base) == base)
        limiter.hold(until: base + .seconds(2))
        #expect(limiter.reserve(at: base + .milliseconds(10)) == base + .seconds(2))
        #expect(limiter.reserve(at: base + .milliseconds(20)) == base + .seconds(2))
        // The 4th grant is a window after the 1st at the earliest, and not before the hold.
        #expect(limiter.reserve(at: base + .milliseconds(30)) == base + .seconds(2))
        #expect(limiter.reserve(at: base + .milliseconds(40)) == base + .seconds(3))
    }

    /// Concurrent callers through `acquire()`: the grants they get (recorded from the limiter, not
    /// from a clock after the fact) keep the property, and no one returns before its grant.
    @Test func concurrentAcquiresKeepTheWindow() async throws {
        let limiter = RateLimiter(limit: 5, window: .milliseconds(200))
        let grants = try await withThrowingTaskGroup(of: Instant.self) { group in
            for _ in 0..<24 {
                group.addTask {
                    let grant = try await limiter.acquire()
                    #expect(ContinuousClock.now >= grant)
                    return grant
                }
            }
            var all: [Instant] = []
            for try await grant in group { all.append(grant) }
            return all.sorted()
        }
        #expect(grants.count == 24)
        Self.check(grants, limit: 5, window: .milliseconds(200))
    }
}
