/// An amoCRM lead (deal), as the index takes it in.
///
/// A lead is *active* unless it is deleted or its status is 142 (won) or 143 (lost); those two
/// status ids are the same in every pipeline. The index keeps only whether the lead is deleted and
/// whether its status is one of the two; names, pipelines and responsible users live beside it.
public struct Lead: Hashable, Sendable {
    /// amoCRM's "won" status, the same id in every pipeline.
    public static let wonStatusID = 142
    /// amoCRM's "lost" status, the same id in every pipeline.
    public static let lostStatusID = 143

    public var id: Int
    public var isDeleted: Bool
    public var statusID: Int

    public init(id: Int, isDeleted: Bool = false, statusID: Int) {
        self.id = id
        self.isDeleted = isDeleted
        self.statusID = statusID
    }
}

// The rule of what makes a lead active, in one place: the bulk build, the change batches, the
// summaries and the invariant checks all ask here.
extension Lead {
    /// Whether `statusID` is won (142) or lost (143).
    @inlinable
    public static func isClosedStatus(_ statusID: Int) -> Bool {
        statusID == wonStatusID || statusID == lostStatusID
    }

    /// Not deleted, and neither won nor lost.
    @inlinable
    public var isActive: Bool { Lead.isActive(isDeleted: isDeleted, hasClosedStatus: Lead.isClosedStatus(statusID)) }

    /// ``isActive`` from what the index keeps of a lead: its deleted flag, and whether its status is
    /// won or lost (``isClosedStatus(_:)``).
    @inlinable @usableFromInline
    static func isActive(isDeleted: Bool, hasClosedStatus: Bool) -> Bool { !isDeleted && !hasClosedStatus }
}
