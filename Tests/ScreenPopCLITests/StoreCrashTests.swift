import AccountIndex
import AccountSynthesis
import AmoCRM
import Foundation
import ScreenPopStore
import Testing

/// `kill -9` during `screenpop import`, at random points: the store must hold the account as it was
/// before the import or as the import wrote it, whole, never a mix, and must open afterwards.
@Suite(.serialized) struct StoreCrashTests {
    /// A synthetic account's pages under the demo account's id, so that importing them replaces it.
    static func writeSyntheticPages(to directory: URL, accountID: Int) throws {
        let synthetic = SyntheticAccount(seed: 5, contacts: 20_000)
        for (name, bytes) in synthetic.amoCRMPages() where name != "account.json" {
            try Data(bytes).write(to: directory.appendingPathComponent(name))
        }
        let account = #"{"id": \#(accountID), "country": "RU", "customers_mode": "periodicity"}"#
        try Data(account.utf8).write(to: directory.appendingPathComponent("account.json"))
    }

    @Test func killedImportsLeaveTheOldAccountOrTheNewOneWhole() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("screenpop-crash-\(UUID())")
        let pages = root.appendingPathComponent("pages")
        try FileManager.default.createDirectory(at: pages, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let store = root.appendingPathComponent("account.sqlite").path

        let demo = try await AccountDirectory.load(
            StoreCommandTests.demo, options: AccountDirectory.Options(progress: .never))
        let before = StoredAccount(demo)
        try Self.writeSyntheticPages(to: pages, accountID: before.accountID)
        let after = StoredAccount(
            try await AccountDirectory.load(pages.path, options: AccountDirectory.Options(progress: .never)))

        // How long a whole import takes here, so that the kills land across its run, most of them
        // in its write (what they land on changes how much they test, never what must hold).
        let start = ContinuousClock.now
        let whole = try Self.startImport(store: store, pages: pages)
        whole.waitUntilExit()
        #expect(whole.terminationStatus == 0)
        let importTime = ContinuousClock.now - start
        // The store keeps links as a set (a pair once): what it holds of each account is compared.
        let afterStored = try await #require(try SQLiteAccountStore(path: store).loadOnlyAccount())
        #expect(afterStored.data.contacts == after.data.contacts && afterStored.details == after.details)
        #expect(Set(afterStored.data.links.map(Self.withoutMain)) == Set(after.data.links.map(Self.withoutMain)))
        try await SQLiteAccountStore(path: store).replace(with: before)
        let beforeStored = try await #require(try SQLiteAccountStore(path: store).loadOnlyAccount())

        var generator = SystemRandomNumberGenerator()
        for round in 0..<6 {
            // Start from the old account, then kill an import of the new one somewhere in its run.
            try await SQLiteAccountStore(path: store).replace(with: before)
            let process = try Self.startImport(store: store, pages: pages)
            let delay = importTime * Double.random(in: 0.5...1.6, using: &generator)
            try await Task.sleep(for: delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()

            let reopened = try SQLiteAccountStore(path: store)
            let stored = try #require(try await reopened.loadOnlyAccount(), "round \(round): the account is gone")
            // Either outcome is fine; a mix of the two, or anything else, is not.
            #expect(
                stored == beforeStored || stored == afterStored,
                "round \(round) (killed after \(delay)): neither the old account nor the new")
        }
    }

    static func withoutMain(_ link: AccountLink) -> AccountLink {
        if case .contactLead(let contact, let lead, _) = link { return .contactLead(contactID: contact, leadID: lead) }
        return link
    }

    static func startImport(store: String, pages: URL) throws -> Process {
        let process = Process()
        process.executableURL = try CLI.executable()
        process.arguments = ["import", "--store", store, "--account", pages.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}

