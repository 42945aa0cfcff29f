/// An amoCRM lead (deal), as the index takes it in.
///
/// A lead is *active* unless it is deleted or its status is 142 (won) or 143 (lost); those two
/// status ids are the same in every pipeline. The index keeps only whether the lead is deleted and
/// whether its status is one of the two; the other fields are carried for the loader.
public struct Lead: Hashable, Sendable {
    /// amoCRM's "won" status, the same id in every pipeline.
    public static let wonStatusID = 142
    /// amoCRM's "lost" status, the same id in every pipeline.
    public static let lostStatusID = 143

    public var id: Int
    public var name: String
    public var createdAt: Int
    public var updatedAt: Int
    public var isDeleted: Bool
    public var responsibleUserID: Int?
    public var pipelineID: Int
    public var statusID: Int

    public init(
        id: Int, name: String = "", createdAt: Int = 0, updatedAt: Int? = nil, isDeleted: Bool = false,
        responsibleUserID: Int? = nil, pipelineID: Int = 0, statusID: Int
    ) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.isDeleted = isDeleted
        self.responsibleUserID = responsibleUserID
        self.pipelineID = pipelineID
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
