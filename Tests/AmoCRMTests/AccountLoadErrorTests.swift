import AccountIndex
@testable import AmoCRM
import Foundation
import ScreenPopJSON
import Testing

@Suite struct AccountLoadErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let file: String
        let text: String
        let code: AccountLoadError.Code
        let path: String?
        let message: String
        var testDescription: String { name }
    }

    static func contactsPage(_ contact: String) -> String { V4.page("contacts", [V4.contact(1), contact]) }

    static let cases: [Case] = [
        Case(
            name: "syntax", file: "contacts.json", text: #"{"_embedded": {"contacts": [{"id": 1,}]}}"#,
            code: .invalidJSON, path: "$._embedded.contacts[0]", message: "expected a string key after ',', found '}'"),
        Case(
            name: "empty file", file: "leads.json", text: "", code: .invalidJSON, path: "$",
            message: "expected a value, found the end of input"),
        Case(
            name: "truncated", file: "leads.json", text: #"[{"_embedded": {"leads": [{"id": 1, "status_id": 2"#,
            code: .invalidJSON, path: "$[0]._embedded.leads[0]", message: "expected ',' or '}', found the end of input"),
        Case(
            name: "id as a string", file: "contacts.json", text: contactsPage(#"{"id": "2"}"#), code: .invalidData,
            path: "$._embedded.contacts[1].id", message: "expected an integer, found a string"),
        Case(
            name: "negative id", file: "contacts.json", text: contactsPage(#"{"id": -2}"#), code: .invalidData,
            path: "$._embedded.contacts[1].id", message: "expected a positive id, found -2"),
        Case(
            name: "id too large", file: "contacts.json", text: contactsPage(#"{"id": 99999999999999999999}"#),
            code: .invalidData, path: "$._embedded.contacts[1].id",
            message: "expected an integer that fits Int64, found 99999999999999999999"),
        Case(
            name: "fractional id", file: "contacts.json", text: contactsPage(#"{"id": 2.5}"#), code: .invalidData,
            path: "$._embedded.contacts[1].id", message: "expected an integer, found the number 2.5"),
        Case(
            name: "no id", file: "contacts.json", text: contactsPage(#"{"name": "Без id"}"#), code: .invalidData,
            path: "$._embedded.contacts[1]", message: #"expected the key "id" in the contact"#),
        Case(
            name: "name as a number", file: "contacts.json", text: contactsPage(#"{"id": 2, "name": 5}"#),
            code: .invalidData, path: "$._embedded.contacts[1].name", message: "expected a string, found a number"),
        Case(
            name: "is_deleted as a string", file: "contacts.json",
            text: contactsPage(#"{"id": 2, "is_deleted": "no"}"#),
            code: .invalidData, path: "$._embedded.contacts[1].is_deleted",
            message: "expected a boolean, found a string"),
        Case(
            name: "created_at as a string", file: "contacts.json",
            text: contactsPage(#"{"id": 2, "created_at": "2024-01-01"}"#), code: .invalidData,
            path: "$._embedded.contacts[1].created_at", message: "expected an integer, found a string"),
        Case(
            name: "custom fields as an object", file: "contacts.json",
            text: contactsPage(#"{"id": 2, "custom_fields_values": {}}"#), code: .invalidData,
            path: "$._embedded.contacts[1].custom_fields_values", message: "expected an array, found an object"),
        Case(
            name: "phone as a number", file: "contacts.json",
            text: contactsPage(
                #"{"id": 2, "custom_fields_values": [{"field_code": "PHONE", "values": [{"value": "8 916 1"}, {"value": 89161234567}]}]}"#
            ),
            code: .invalidData, path: "$._embedded.contacts[1].custom_fields_values[0].values[1].value",
            message: "expected a phone number string, found a number"),
        Case(
            name: "phone as a number before its field code", file: "contacts.json",
            text: contactsPage(
                #"{"id": 2, "custom_fields_values": [{"values": [{"value": 89161234567}], "field_code": "PHONE"}]}"#),
            code: .invalidData, path: "$._embedded.contacts[1].custom_fields_values[0].values[0].value",
            message: "expected a phone number string, found a number"),
        Case(
            name: "enum_code as a number", file: "contacts.json",
            text: contactsPage(
                #"{"id": 2, "custom_fields_values": [{"field_code": "PHONE", "values": [{"value": "1", "enum_code": 5}]}]}"#
            ),
            code: .invalidData, path: "$._embedded.contacts[1].custom_fields_values[0].values[0].enum_code",
            message: "expected a string, found a number"),
        Case(
            name: "linked leads as an object", file: "contacts.json",
            text: contactsPage(#"{"id": 2, "_embedded": {"leads": {"id": 3}}}"#), code: .invalidData,
            path: "$._embedded.contacts[1]._embedded.leads", message: "expected an array, found an object"),
        Case(
            name: "linked entity without id", file: "leads.json",
            text: V4.page("leads", [#"{"id": 3, "status_id": 1, "_embedded": {"contacts": [{"is_main": true}]}}"#]),
            code: .invalidData, path: "$._embedded.leads[0]._embedded.contacts[0]",
            message: #"expected the key "id" in the linked entity"#),
        Case(
            name: "is_main as a string", file: "leads.json",
            text: V4.page(
                "leads", [#"{"id": 3, "status_id": 1, "_embedded": {"contacts": [{"id": 1, "is_main": "yes"}]}}"#]),
            code: .invalidData, path: "$._embedded.leads[0]._embedded.contacts[0].is_main",
            message: "expected a boolean, found a string"),
        Case(
            name: "lead without status", file: "leads.json", text: V4.page("leads", [#"{"id": 3, "pipeline_id": 1}"#]),
            code: .invalidData, path: "$._embedded.leads[0]", message: #"expected the key "status_id" in the lead"#),
        Case(
            name: "lead with a null status", file: "leads.json",
            text: V4.page("leads", [#"{"id": 3, "status_id": null}"#]),
            code: .invalidData, path: "$._embedded.leads[0].status_id", message: "expected an integer, found null"),
        Case(
            name: "customer status as a string", file: "customers.json",
            text: V4.page("customers", [#"{"id": 3, "status_id": "142"}"#]), code: .invalidData,
            path: "$._embedded.customers[0].status_id", message: "expected an integer, found a string"),
        Case(
            name: "status type as a string", file: "statuses.json",
            text: V4.page("statuses", [#"{"id": 3, "type": "closed"}"#]), code: .invalidData,
            path: "$._embedded.statuses[0].type", message: "expected an integer, found a string"),
        Case(
            name: "price as a string", file: "leads.json",
            text: V4.page("leads", [#"{"id": 3, "status_id": 1, "price": "15 000"}"#]), code: .invalidData,
            path: "$._embedded.leads[0].price", message: "expected an integer, found a string"),
        Case(
            name: "pipeline without id", file: "pipelines.json",
            text: V4.page("pipelines", [#"{"name": "Продажи", "_embedded": {"statuses": []}}"#]), code: .invalidData,
            path: "$._embedded.pipelines[0]", message: #"expected the key "id" in the pipeline"#),
        Case(
            name: "pipeline status without id", file: "pipelines.json",
            text: V4.page("pipelines", [#"{"id": 1, "_embedded": {"statuses": [{"name": "Новая"}]}}"#]),
            code: .invalidData, path: "$._embedded.pipelines[0]._embedded.statuses[0]",
            message: #"expected the key "id" in the pipeline's status"#),
        Case(
            name: "status of another pipeline", file: "pipelines.json",
            text: V4.page(
                "pipelines", [#"{"id": 1, "_embedded": {"statuses": [{"id": 10}, {"id": 11, "pipeline_id": 2}]}}"#]),
            code: .invalidData, path: "$._embedded.pipelines[0]._embedded.statuses[1].pipeline_id",
            message: "expected the pipeline_id of its pipeline, 1, found 2"),
        Case(
            name: "pipeline statuses not objects", file: "pipelines.json",
            text: V4.page("pipelines", [#"{"id": 1, "_embedded": {"statuses": [142]}}"#]), code: .invalidData,
            path: "$._embedded.pipelines[0]._embedded.statuses[0]", message: "expected a status object, found a number"),
        Case(
            name: "user without id", file: "users.json", text: V4.page("users", [#"{"name": "Анна"}"#]),
            code: .invalidData, path: "$._embedded.users[0]", message: #"expected the key "id" in the user"#),
        Case(
            name: "page without _embedded", file: "contacts.json", text: #"[{"_page": 1}]"#, code: .invalidData,
            path: "$[0]", message: #"expected the key "_embedded" in a page"#),
        Case(
            name: "not a page", file: "contacts.json", text: "42", code: .invalidData, path: "$",
            message: "expected a page object or an array of pages, found a number"),
        Case(
            name: "array of non-pages", file: "contacts.json", text: #"[{"_embedded": {}}, "page 2"]"#,
            code: .invalidData, path: "$[1]", message: "expected a page object, found a string"),
        Case(
            name: "entities not objects", file: "contacts.json", text: #"{"_embedded": {"contacts": [1, 2]}}"#,
            code: .invalidData, path: "$._embedded.contacts[0]", message: "expected an object, found a number"),
        Case(
            name: "invalid UTF-8", file: "contacts.json", text: "", code: .invalidJSON,
            path: "$._embedded.contacts[0].name",
            message: "expected UTF-8, found the invalid byte sequence 0xFF 0x22 0x7D 0x5D"),
        Case(
            name: "account: unknown customers mode", file: "account.json", text: V4.account(mode: #""sometimes""#),
            code: .invalidData, path: "$.customers_mode",
            message: #"expected one of disabled, unavailable, segments, dynamic, periodicity, found "sometimes""#),
        Case(
            name: "account: customers mode as a bool", file: "account.json", text: V4.account(mode: "true"),
            code: .invalidData, path: "$.customers_mode", message: "expected a string, found a boolean"),
        Case(
            name: "account: no customers mode", file: "account.json", text: #"{"country": "RU"}"#,
            code: .invalidData, path: "$", message: #"expected the key "customers_mode" in the account object"#),
        Case(
            name: "account: no country", file: "account.json", text: #"{"customers_mode": "disabled"}"#,
            code: .invalidData, path: "$", message: #"expected the key "country" in the account object"#),
        Case(
            name: "account: an array", file: "account.json", text: "[]", code: .invalidData, path: "$",
            message: "expected the account object, found an array"),
        Case(
            name: "account: trailing content", file: "account.json", text: V4.account + " {}", code: .invalidJSON,
            path: "$", message: "expected the end of input, found an object"),
    ]

    @Test(arguments: cases)
    func errorsNameTheFileThePathAndWhatIsWrong(case bad: Case) async throws {
        let directory = try TemporaryDirectory([
            "account.json": V4.account, "companies.json": V4.page("companies", [V4.company(9)]),
        ])
        if bad.name == "invalid UTF-8" {
            try directory.write(
                bad.file,
                bytes: Array(#"{"_embedded": {"contacts": [{"id": 1, "name": ""#.utf8) + [0xFF] + Array(#""}]}}"#.utf8))
        } else {
            try directory.write(bad.file, bad.text)
        }
        let error = try #require(await loadError(directory))
        #expect(error.code == bad.code)
        #expect(error.file == directory.file(bad.file))
        #expect(error.jsonPath == bad.path)
        #expect(error.message == bad.message)
        #expect(error.line != nil && error.column != nil)
        #expect(
            error.description.hasPrefix(
                "\(directory.file(bad.file)):\(error.line!):\(error.column!): \(bad.path ?? ""): "))
    }

    @Test func theDescriptionReadsLikeACompilerError() async throws {
        let directory = try TemporaryDirectory([
            "account.json": V4.account,
            "contacts.json": "{\"_embedded\": {\"contacts\": [\n  {\"id\": 1},\n  {\"id\": -5}\n]}}",
        ])
        let error = try #require(await loadError(directory))
        #expect(
            error.description
                == "\(directory.path)/contacts.json:3:10: $._embedded.contacts[1].id: expected a positive id, found -5")
        #expect(error.line == 3)
        #expect(error.column == 10)
        #expect(error.offset == 51)
    }

    @Test func aMissingAccountFileIsAnError() async throws {
        let directory = try TemporaryDirectory(["contacts.json": V4.page("contacts", [V4.contact(1)])])
        let error = try #require(await loadError(directory))
        #expect(error.code == .missingAccount)
        #expect(error.file == directory.file("account.json"))
        #expect(error.jsonPath == nil)
    }

    @Test func aMissingDirectoryOrAFileInsteadIsAnIOError() async throws {
        let missing = await loadErrorAt("/nonexistent/screenpop-account")
        #expect(missing?.code == .io)
        #expect(
            missing?.description
                == "/nonexistent/screenpop-account: cannot open the account directory: No such file or directory")
        let directory = try TemporaryDirectory(["account.json": V4.account])
        let file = await loadErrorAt(directory.file("account.json"))
        #expect(file?.code == .io)
        #expect(file?.message == "not a directory")
    }

    func loadErrorAt(_ path: String) async -> AccountLoadError? {
        do {
            _ = try await AccountDirectory.load(path, options: .init(progress: .never))
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [1, 2, 4])
    func nothingIsHalfLoadedAndTheFirstBadFileInNameOrderIsReported(parallelism: Int) async throws {
        var files = ["account.json": V4.account]
        for n in 0..<20 {
            files["contacts-\(String(n + 100).dropFirst()).json"] = V4.page("contacts", [V4.contact(n + 1)])
        }
        // Two bad files; the bigger, later one tends to finish first.
        files["contacts-07.json"] = V4.page("contacts", [#"{"id": "seven"}"#])
        files["contacts-15.json"] = V4.page("contacts", (1...2000).map { V4.contact($0 + 100) } + [#"{"id": 0}"#])
        let directory = try TemporaryDirectory(files)
        for _ in 0..<5 {
            let error = try #require(await loadError(directory, parallelism: parallelism))
            #expect(error.file == directory.file("contacts-07.json"))
            #expect(error.jsonPath == "$._embedded.contacts[0].id")
        }
        // Fixed, it loads whole.
        try directory.write("contacts-07.json", V4.page("contacts", [V4.contact(8)]))
        try directory.write("contacts-15.json", V4.page("contacts", [V4.contact(16)]))
        let account = try await load(directory, parallelism: parallelism)
        #expect(account.data.contacts.map(\.id) == Array(1...20))
    }
}

@Suite struct AccountLoadErrorCodeTests {
    @Test func everyCodeHasItsOwnName() {
        let names = AccountLoadError.Code.BackingCode.allCases.map { AccountLoadError.Code(backingCode: $0).description }
        #expect(Set(names).count == names.count)
        #expect(names.allSatisfy { !$0.isEmpty && $0 == $0.lowercased() })
    }
}
