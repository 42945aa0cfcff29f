import AccountIndex
import AmoCRM

extension SyntheticAccount {
    /// The account object its pages have (`account.json`): id 1, country RU, customers on (`periodicity`).
    public static let amoCRMAccountObject = AccountObject(id: 1, country: "RU", customersMode: "periodicity")

    /// The customer statuses its pages have: ``closedCustomerStatusID`` (type 3, closed) and 1001 (type 0).
    public static let amoCRMCustomerStatuses = [
        CustomerStatus(id: closedCustomerStatusID, type: CustomerStatus.closedType),
        CustomerStatus(id: 1001, type: 0),
    ]

    /// The lead pipelines its leads are in (``pipelineIDs``), with the statuses it gives them: five
    /// open ones (`pipeline / 100 * 10 + 1...5`), won (142) and lost (143), as amoCRM lists them.
    public static let amoCRMPipelines: [LeadPipeline] = pipelineIDs.enumerated().map { number, pipeline in
        let open = (1...5).map { LeadPipelineStatus(id: pipeline / 100 * 10 + $0, name: "Этап \($0)") }
        return LeadPipeline(
            id: pipeline, name: "Воронка \(number + 1)",
            statuses: open + [
                LeadPipelineStatus(id: Lead.wonStatusID, name: "Успешно реализовано"),
                LeadPipelineStatus(id: Lead.lostStatusID, name: "Закрыто и не реализовано"),
            ])
    }

    /// The account as the files of amoCRM API v4 pages that `AmoCRM`'s ``AmoCRM/AccountDirectory``
    /// loads (``AmoCRM/PageWriter``): for the loader's tests and benchmark, and the API stand-in.
    ///
    /// - Parameters:
    ///   - perPage: Entities a page (amoCRM gives at most 250).
    ///   - perFile: Entities a file; a file holds an array of pages.
    ///   - users: The account's users, written as users' pages.
    /// - Returns: File names and contents, compact JSON.
    public func amoCRMPages(perPage: Int = 250, perFile: Int = 20_000, users: [AccountUser] = []) -> [(
        name: String, bytes: [UInt8]
    )] {
        PageWriter.files(
            of: data, details: details, account: Self.amoCRMAccountObject,
            customerStatuses: Self.amoCRMCustomerStatuses, users: users, pipelines: Self.amoCRMPipelines,
            perPage: perPage, perFile: perFile)
    }
}
