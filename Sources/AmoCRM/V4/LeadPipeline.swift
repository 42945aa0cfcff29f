/// A lead pipeline of the account (`GET /api/v4/leads/pipelines`) with its statuses: what a lead's
/// `pipeline_id` and `status_id` are called on an agent's card.
///
/// amoCRM lists won (142) and lost (143) in every pipeline, each time with that pipeline's id: a
/// status is named by both ids.
public struct LeadPipeline: Hashable, Sendable {
    public var id: Int
    public var name: String
    /// In amoCRM's order (its `sort`).
    public var statuses: [LeadPipelineStatus]

    public init(id: Int, name: String = "", statuses: [LeadPipelineStatus] = []) {
        self.id = id
        self.name = name
        self.statuses = statuses
    }
}

/// A status (a stage) of a lead pipeline.
public struct LeadPipelineStatus: Hashable, Sendable {
    public var id: Int
    public var name: String

    public init(id: Int, name: String = "") {
        self.id = id
        self.name = name
    }
}

extension LeadPipeline {
    /// One pipeline per id and one status per id within each, the later one kept in the place of
    /// the first: what a store that keys them by id holds after writing them in order.
    public static func normalized(_ pipelines: [LeadPipeline]) -> [LeadPipeline] {
        keepingLast(pipelines, id: \.id).map { pipeline in
            var pipeline = pipeline
            pipeline.statuses = keepingLast(pipeline.statuses, id: \.id)
            return pipeline
        }
    }

    private static func keepingLast<T>(_ items: [T], id: (T) -> Int) -> [T] {
        var position: [Int: Int] = [:]
        var result: [T] = []
        for item in items {
            if let at = position[id(item)] {
                result[at] = item
            } else {
                position[id(item)] = result.count
                result.append(item)
            }
        }
        return result
    }
}
