/// How to resolve one call.
public struct ResolveOptions: Sendable {
    /// Whether to try the last-digits fallback when nothing matches exactly; nil for the account's
    /// setting (``SuffixFallback/isEnabled``).
    public var suffixFallback: Bool?
    /// Which candidate to choose.
    public var policy: CandidatePolicy

    public init(suffixFallback: Bool? = nil, policy: CandidatePolicy = .amoCRM) {
        self.suffixFallback = suffixFallback
        self.policy = policy
    }
}
