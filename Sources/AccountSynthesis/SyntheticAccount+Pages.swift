import AccountIndex
import AmoCRM

extension SyntheticAccount {
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
            of: data, details: details, account: AccountObject(id: 1, country: "RU", customersMode: "periodicity"),
            customerStatuses: [
                CustomerStatus(id: Self.closedCustomerStatusID, type: CustomerStatus.closedType),
                CustomerStatus(id: 1001, type: 0),
            ], users: users, perPage: perPage, perFile: perFile)
    }
}
