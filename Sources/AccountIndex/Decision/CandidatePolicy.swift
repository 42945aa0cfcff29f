/// The order in which the contacts and companies that have a number are considered; the first one
/// is chosen.
///
/// amoCRM's order, ``amoCRM``: contacts before companies, then the oldest (`created_at`), then the
/// smallest id. A caller can put in its own:
///
/// ```swift
/// let newestFirst = CandidatePolicy(name: "newest first") { $0.createdAt > $1.createdAt }
/// index.resolve(callerNumber: "+79998885533", options: ResolveOptions(policy: newestFirst))
/// ```
///
/// Ties the policy leaves are broken by ``amoCRM``'s order, so the choice is always deterministic.
public struct CandidatePolicy: Sendable, CustomStringConvertible {
    /// A name for logs and descriptions.
    public let name: String
    @usableFromInline
    let areInIncreasingOrder: @Sendable (Candidate, Candidate) -> Bool

    /// - Parameters:
    ///   - name: A name for logs.
    ///   - areInIncreasingOrder: Whether the first candidate comes before the second; a strict weak order.
    public init(name: String, by areInIncreasingOrder: @escaping @Sendable (Candidate, Candidate) -> Bool) {
        self.name = name
        self.areInIncreasingOrder = areInIncreasingOrder
    }

    /// Contacts before companies, then the oldest `created_at`, then the smallest id.
    public static let amoCRM = CandidatePolicy(name: "amoCRM") { a, b in Self.amoCRMOrder(a, b) }

    @inline(__always)
    static func amoCRMOrder(_ a: Candidate, _ b: Candidate) -> Bool {
        let aCompany = a.entity.kind == .company
        let bCompany = b.entity.kind == .company
        if aCompany != bCompany { return !aCompany }
        if a.createdAt != b.createdAt { return a.createdAt < b.createdAt }
        return a.entity.id < b.entity.id
    }

    /// The candidates in this policy's order.
    ///
    /// - Complexity: O(n log n).
    public func sorted(_ candidates: [Candidate]) -> [Candidate] {
        guard candidates.count > 1 else { return candidates }
        return candidates.sorted { a, b in
            if areInIncreasingOrder(a, b) { return true }
            if areInIncreasingOrder(b, a) { return false }
            return Self.amoCRMOrder(a, b)
        }
    }

    public var description: String { name }
}
