import Foundation
import ScreenPopStore
import Testing

/// `screenpop import` and `--store` on the real executable: a store answers as its directory did.
@Suite struct StoreCommandTests {
    static let demo = ResolveCommandTests.demo

    static func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("screenpop-cli-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(directory)
    }

    /// Every rule of the decision, and a suffix match: Examples/demo-account/README.md's numbers.
    static let phones = [
        "+7 916 123-45-67", "+7 985 222-33-44", "8 926 555-66-77", "+7 495 123 45 67", "+7 916 000-11-22",
        "+7 499 346-12-90", "anonymous",
    ]

    @Test func importThenResolveFromTheStoreAnswersAsTheDirectory() async throws {
        try await Self.withTemporaryDirectory { directory in
            let store = directory.appendingPathComponent("account.sqlite").path
            let imported = try CLI.run(["import", "--store", store, "--account", Self.demo])
            #expect(imported.status == 0)
            let summary = try #require(imported.objects.first)
            #expect(summary["store"] as? String == store)
            #expect((summary["contacts"] as? Int ?? 0) > 0)
            let fromDirectory = try CLI.run(["resolve", "--account", Self.demo] + Self.phones)
            let fromStore = try CLI.run(["resolve", "--store", store] + Self.phones)
            #expect(fromStore.status == 0)
            #expect(fromStore.lines == fromDirectory.lines)
            #expect(fromStore.lines.count == Self.phones.count)
            // Importing again replaces, it does not add.
            #expect(try CLI.run(["import", "--store", store, "--account", Self.demo]).status == 0)
            #expect(try CLI.run(["resolve", "--store", store] + Self.phones).lines == fromDirectory.lines)
        }
    }

    @Test func aStoreAndADirectoryAreOneOrTheOther() throws {
        let both = try CLI.runCapturingErrors(["resolve", "--account", Self.demo, "--store", "/tmp/x.sqlite", "1"])
        #expect(both.status != 0)
        #expect(both.errors.contains("--account and --store cannot be used together"))
        let neither = try CLI.runCapturingErrors(["resolve", "1"])
        #expect(neither.status != 0)
        #expect(neither.errors.contains("--account DIR or --store PATH"))
    }

    @Test func anEmptyStoreIsAClearError() async throws {
        try await Self.withTemporaryDirectory { directory in
            let store = directory.appendingPathComponent("empty.sqlite").path
            _ = try SQLiteAccountStore(path: store)
            let result = try CLI.runCapturingErrors(["resolve", "--store", store, "1"])
            #expect(result.status == 1)
            #expect(result.errors.contains("the store holds no account"))
        }
    }

    @Test func aMissingStoreIsAClearErrorAndIsNotCreated() async throws {
        try await Self.withTemporaryDirectory { directory in
            let store = directory.appendingPathComponent("typo.sqlite").path
            for command in [["resolve", "--store", store, "1"], ["serve", "--store", store, "--port", "0"]] {
                let result = try CLI.runCapturingErrors(command, environment: ["SCREENPOP_API_TOKEN": "t"])
                #expect(result.status == 1, "\(command[0])")
                #expect(result.errors.contains("no such store"), "\(command[0]): \(result.errors)")
                #expect(!FileManager.default.fileExists(atPath: store), "\(command[0]) created the store")
            }
        }
    }
}
