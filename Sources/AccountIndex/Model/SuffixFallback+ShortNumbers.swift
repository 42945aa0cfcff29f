import PhoneNumbers

extension SuffixFallback {
    /// Whether `number`, read with the account's region, is a short number that never takes part
    /// in the last-digits fallback (`112`, `900`): the rule the index applies to callers, for the
    /// account audit, which reports such numbers stored as phones with the same rule.
    ///
    /// - Complexity: a few DFA steps; no allocation.
    public static func isShortNumber(_ number: PhoneNumber, region: String?) -> Bool {
        isShortCaller(number, region: region)
    }
}
