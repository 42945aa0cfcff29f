import NIOCore
import Synchronization

/// How many refused requests (a wrong or missing token, a forged ticket, a wrong webhook secret)
/// one address, or one credential, may cause before its refusals turn into slow `429`s.
///
/// Only refusals are counted: a request whose credential is right never touches the limit, so a
/// good client behind the same address (or proxy) as a prober still gets through.
public struct RefusalLimits: Hashable, Sendable {
    /// Refusals a minute allowed on average to one address and to one credential (30); 0 turns
    /// the limit off.
    public var perMinute: Int
    /// Refusals allowed in a row before the rate applies (30).
    public var burst: Int
    /// The most addresses and credentials tracked at once (10,000); beyond it the one refused
    /// least recently is forgotten.
    public var trackedKeys: Int
    /// How long a limited request waits before its `429` (1 s): a prober never gets answers
    /// faster than a good client gets its own.
    public var delay: Duration

    public init(perMinute: Int = 30, burst: Int = 30, trackedKeys: Int = 10_000, delay: Duration = .seconds(1)) {
        self.perMinute = perMinute
        self.burst = burst
        self.trackedKeys = trackedKeys
        self.delay = delay
    }

    /// Whether refusals are limited at all.
    public var isEnabled: Bool { perMinute > 0 && burst > 0 }
}

/// What to do with a request whose credential was refused.
enum RefusalDecision: Equatable, Sendable {
    /// Answer the refusal as usual (401, or the 404 of a wrong webhook secret).
    case answer
    /// Wait ``RefusalLimits/delay``, then answer `429 too_many_requests` with `Retry-After`.
    case limited(retryAfterSeconds: Int, address: Bool, credential: Bool)
}

/// Counts refused requests per client address and per presented credential, in token buckets
/// (``RefusalLimits``): each refusal takes a token from the address's bucket and from the
/// credential's; a refusal that finds either empty is limited.
///
/// The buckets live in one ``RecentTable`` of at most ``RefusalLimits/trackedKeys`` keys behind
/// one lock, which only refused requests take: requests with a right credential never look here.
public final class RefusalLimiter: Sendable {
    public let limits: RefusalLimits
    private let buckets: Mutex<RecentTable<ClientKey, Bucket>>
    private let limitedRequests = Atomic<Int>(0)

    struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    public init(limits: RefusalLimits) {
        self.limits = limits
        self.buckets = Mutex(RecentTable(capacity: limits.trackedKeys))
    }

    /// How many refused requests were limited (answered 429) since the start.
    public var limitedCount: Int { limitedRequests.load(ordering: .relaxed) }

    /// How many addresses and credentials are tracked now (at most ``RefusalLimits/trackedKeys``).
    public var trackedCount: Int { buckets.withLock { $0.count } }

    /// Counts one refusal of a request from `address` that presented a credential whose SHA-256 is
    /// `credentialHash` (nil: it presented none), and says how to answer it.
    ///
    /// - Complexity: O(1): two lookups in the table.
    func refuse(
        address: SocketAddress?, credentialHash: [UInt8]?, now: ContinuousClock.Instant = .now
    ) -> RefusalDecision {
        guard limits.isEnabled else { return .answer }
        let addressKey = ClientKey(address: address)
        let credentialKey = credentialHash.map(ClientKey.init(credentialHash:))
        let (addressWait, credentialWait) = buckets.withLock { table in
            (take(addressKey, from: &table, now: now), credentialKey.flatMap { take($0, from: &table, now: now) })
        }
        guard addressWait != nil || credentialWait != nil else { return .answer }
        limitedRequests.wrappingAdd(1, ordering: .relaxed)
        let wait = max(addressWait ?? 0, credentialWait ?? 0)
        return .limited(
            retryAfterSeconds: max(1, Int(wait.rounded(.up))), address: addressWait != nil,
            credential: credentialWait != nil)
    }

    /// Takes a token from the bucket of `key`: nil when there was one, else the seconds until
    /// there is one again.
    private func take(_ key: ClientKey, from table: inout RecentTable<ClientKey, Bucket>, now: ContinuousClock.Instant)
        -> Double?
    {
        let capacity = Double(limits.burst)
        let perMinute = Double(limits.perMinute)
        return table.update(key, orMake: { Bucket(tokens: capacity, updated: now) }) {
            (bucket: inout Bucket) -> Double? in
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            bucket.tokens = min(capacity, bucket.tokens + max(0, seconds) * perMinute / 60)
            bucket.updated = max(bucket.updated, now)
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return (1 - bucket.tokens) * 60 / perMinute
        }
    }
}
