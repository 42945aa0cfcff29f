import AccountIndex
import AmoCRM
import Foundation
import ScreenPopJSON
import Testing

/// A directory of files under the system's temporary directory, removed when the test is done.
final class TemporaryDirectory {
    let path: String

    init(_ files: [String: String] = [:]) throws {
        path = NSTemporaryDirectory() + "amocrm-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files { try write(name, text) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ name: String, _ text: String) throws {
        try write(name, bytes: Array(text.utf8))
    }

    func write(_ name: String, bytes: [UInt8]) throws {
        let url = URL(fileURLWithPath: path).appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    func file(_ name: String) -> String { path + "/" + name }
}

/// amoCRM API v4 JSON, written the way the API writes it.
enum V4 {
    static let account =
        #"{"id": 1, "name": "Test", "subdomain": "test", "country": "RU", "customers_mode": "periodicity", "currency": "RUB"}"#

    static func account(country: String = #""RU""#, mode: String = #""segments""#) -> String {
        #"{"id": 1, "country": \#(country), "customers_mode": \#(mode)}"#
    }

    static func page(_ kind: String, _ items: [String], number: Int = 1) -> String {
        #"{"_page": \#(number), "_links": {"self": {"href": "https://test.amocrm.ru/api/v4/\#(kind)"}}, "_embedded": {"\#(kind)": [\#(items.joined(separator: ", "))]}}"#
    }

    static func refs(_ kind: String, _ ids: [Int], main: Int? = nil) -> String {
        let items = ids.map { id in
            let isMain = main.map { #", "is_main": \#($0 == id)"# } ?? ""
            return
                #"{"id": \#(id)\#(isMain), "_links": {"self": {"href": "https://test.amocrm.ru/api/v4/\#(kind)/\#(id)"}}}"#
        }
        return #""\#(kind)": [\#(items.joined(separator: ", "))]"#
    }

    static func phones(_ values: [(String, String)]) -> String {
        guard !values.isEmpty else { return "null" }
        let items = values.map { #"{"value": \#(JSONWriter.quoted($0.0)), "enum_id": 1, "enum_code": "\#($0.1)"}"# }
        return
            #"[{"field_id": 10, "field_name": "Телефон", "field_code": "PHONE", "field_type": "multitext", "values": [\#(items.joined(separator: ", "))]}]"#
    }

    static func contact(
        _ id: Int, name: String = "Контакт", createdAt: Int = 1_600_000_000, updatedAt: Int? = nil,
        deleted: Bool = false, phones: [(String, String)] = [], leads: [Int] = [], customers: [Int] = [],
        companies: [Int] = []
    ) -> String {
        #"{"id": \#(id), "name": \#(JSONWriter.quoted(name)), "responsible_user_id": 7, "created_at": \#(createdAt), "updated_at": \#(updatedAt ?? createdAt), "is_deleted": \#(deleted), "custom_fields_values": \#(V4.phones(phones)), "_links": {}, "_embedded": {"tags": [], \#(refs("leads", leads)), \#(refs("customers", customers)), \#(refs("companies", companies))}}"#
    }

    static func company(
        _ id: Int, createdAt: Int = 1_600_000_000, phones: [(String, String)] = [], contacts: [Int] = [],
        leads: [Int] = [], customers: [Int] = []
    ) -> String {
        #"{"id": \#(id), "name": "ООО Компания", "created_at": \#(createdAt), "updated_at": \#(createdAt), "is_deleted": false, "custom_fields_values": \#(V4.phones(phones)), "_embedded": {\#(refs("contacts", contacts)), \#(refs("leads", leads)), \#(refs("customers", customers))}}"#
    }

    static func lead(
        _ id: Int, status: Int = 100, pipeline: Int = 10, deleted: Bool = false, contacts: [Int] = [],
        main: Int? = nil, mainFlag: Bool = true, companies: [Int] = []
    ) -> String {
        let contactRefs = refs("contacts", contacts, main: mainFlag ? main ?? contacts.first : nil)
        return
            #"{"id": \#(id), "name": "Сделка", "price": 1000, "status_id": \#(status), "pipeline_id": \#(pipeline), "created_at": 1600000000, "updated_at": 1600000000, "is_deleted": \#(deleted), "custom_fields_values": null, "_embedded": {"tags": [], \#(refs("companies", companies)), \#(contactRefs)}}"#
    }

    static func customer(
        _ id: Int, status: Int? = 200, deleted: Bool = false, contacts: [Int] = [], companies: [Int] = []
    )
        -> String
    {
        #"{"id": \#(id), "name": "Покупатель", "status_id": \#(status.map(String.init) ?? "null"), "created_at": 1600000000, "is_deleted": \#(deleted), "_embedded": {"segments": [], \#(refs("contacts", contacts)), \#(refs("companies", companies))}}"#
    }

    static func status(_ id: Int, type: Int) -> String {
        ##"{"id": \##(id), "name": "Статус", "sort": 10, "is_default": false, "color": "#fffeb2", "type": \##(type), "conditions": [], "account_id": 1}"##
    }
}

/// Loads `directory`, or records the error.
func load(_ directory: TemporaryDirectory, parallelism: Int? = nil) async throws -> LoadedAccount {
    try await AccountDirectory.load(directory.path, options: .init(parallelism: parallelism, progress: .never))
}

/// The error loading `directory` throws, if any.
func loadError(_ directory: TemporaryDirectory, parallelism: Int? = nil) async -> AccountLoadError? {
    do {
        _ = try await AccountDirectory.load(directory.path, options: .init(parallelism: parallelism, progress: .never))
        return nil
    } catch {
        return error
    }
}
