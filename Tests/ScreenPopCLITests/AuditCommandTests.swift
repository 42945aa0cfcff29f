import Foundation
import Testing

/// `screenpop audit` on the real executable and the demo account (docs/audit.md).
@Suite struct AuditCommandTests {
    static let demo = ResolveCommandTests.demo

    static func report(_ arguments: [String]) throws -> [String: Any] {
        let result = try CLI.run(["audit"] + arguments)
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8))
        return try #require(object as? [String: Any])
    }

    @Test func theJSONHasTheContractKeys() throws {
        let report = try Self.report(["--account", Self.demo])
        #expect(
            Set(report.keys) == [
                "summary", "duplicates", "shared_numbers", "suffix_collisions", "unparseable", "invalid",
                "no_country_code", "short_numbers", "multi_number_fields",
            ])
        // The demo's +7 495 123-45-67 is on contact 21000009 and company 51000001: the contact pops.
        let duplicates = try #require(report["duplicates"] as? [[String: Any]])
        let office = try #require(duplicates.first { $0["e164"] as? String == "+74951234567" })
        let chosen = try #require(office["chosen"] as? [String: Any])
        #expect(chosen["type"] as? Int == 1)
        #expect(chosen["id"] as? Int == 21_000_009)
        #expect(office["rule"] as? String == "contact_before_company")
        let entities = try #require(office["entities"] as? [[String: Any]])
        #expect(entities.map { $0["type"] as? Int } == [1, 3])
        #expect(entities.allSatisfy { ($0["link"] as? String)?.hasPrefix("https://okna-plus-demo.amocrm.ru/") == true })
        for key in ["unparseable", "invalid", "no_country_code", "short_numbers", "multi_number_fields"] {
            for finding in try #require(report[key] as? [[String: Any]]) {
                let entity = try #require(finding["entity"] as? [String: Any])
                #expect([1, 3].contains(entity["type"] as? Int))
                #expect(entity["id"] is Int)
                #expect(finding["value"] is String)
            }
        }
        let summary = try #require(report["summary"] as? [String: Any])
        #expect((summary["contacts"] as? Int ?? 0) > 0)
    }

    @Test func aStoreGivesTheReportOfItsDirectory() async throws {
        try await StoreCommandTests.withTemporaryDirectory { directory in
            let store = directory.appendingPathComponent("account.sqlite").path
            #expect(try CLI.run(["import", "--store", store, "--account", Self.demo]).status == 0)
            let fromDirectory = try CLI.run(["audit", "--account", Self.demo])
            let fromStore = try CLI.run(["audit", "--store", store])
            #expect(fromStore.status == 0)
            #expect(fromStore.output == fromDirectory.output)
        }
    }

    @Test func theHTMLIsOneSelfContainedFile() async throws {
        try await StoreCommandTests.withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("audit.html").path
            let result = try CLI.run(["audit", "--account", Self.demo, "--format", "html", "--out", file])
            #expect(result.status == 0)
            #expect(result.output.isEmpty)
            let html = try String(contentsOfFile: file, encoding: .utf8)
            #expect(html.hasPrefix("<!DOCTYPE html>"))
            #expect(html.contains("<svg"))
            #expect(!html.contains("src="))
            #expect(!html.contains("<script"))
            #expect(!html.contains("<link"))
            #expect(!html.contains("@import"))
            #expect(!html.contains("url("))
            // Every link is to the account's own amoCRM pages, or within the page.
            var hrefs: [String] = []
            var rest = html[...]
            while let range = rest.range(of: "href=\"") {
                let tail = rest[range.upperBound...]
                guard let end = tail.firstIndex(of: "\"") else { break }
                hrefs.append(String(tail[..<end]))
                rest = tail[end...]
            }
            #expect(!hrefs.isEmpty)
            for href in hrefs {
                #expect(href.hasPrefix("https://okna-plus-demo.amocrm.ru/") || href.hasPrefix("#"), "\(href)")
            }
        }
    }

    @Test func theTextIsForATerminal() throws {
        let result = try CLI.run(["audit", "--account", Self.demo, "--format", "text"])
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("Account audit: "))
        #expect(result.output.contains("+74951234567: pops contact 21000009"))
    }

    @Test(arguments: [["--suffix-digits", "5"], ["--suffix-digits", "8,x"], ["--format", "pdf"], []])
    func usageErrors(arguments: [String]) throws {
        let result = try CLI.standardError(["audit", "--account", Self.demo] + arguments.filter { !$0.isEmpty })
        if arguments.isEmpty {
            #expect(result.status == 0)
        } else {
            #expect(result.status == 64)
            #expect(result.text.contains("Error:"))
        }
    }
}
