/// A query string as its parameters, keys and values percent-decoded (`+` is a space, as in a
/// form), in order: `filter%5Bid%5D%5B%5D=1&filter%5Bid%5D%5B%5D=2` is two `filter[id][]`.
struct StandInQuery {
    struct Item {
        var key: String
        var value: String
        /// `key=value` as it came.
        var raw: Substring
    }

    var items: [Item]

    init(_ query: String) {
        items = query.split(separator: "&", omittingEmptySubsequences: true).map { raw in
            let parts = raw.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return Item(
                key: Self.decode(parts[0]), value: parts.count > 1 ? Self.decode(parts[1]) : "", raw: raw)
        }
    }

    /// The last value of `key`.
    func value(_ key: String) -> String? { items.last { $0.key == key }?.value }

    /// The query without the items of `key`, as it came.
    func rawQuery(dropping key: String) -> String {
        items.filter { $0.key != key }.map { String($0.raw) }.joined(separator: "&")
    }

    /// `%XX` and `+` decoded; a `%` not followed by two hex digits is kept as it is.
    static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        let utf8 = Array(text.utf8)
        var i = 0
        func hex(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        while i < utf8.count {
            let c = utf8[i]
            if c == UInt8(ascii: "%"), i + 2 < utf8.count, let high = hex(utf8[i + 1]), let low = hex(utf8[i + 2]) {
                bytes.append(high << 4 | low)
                i += 3
            } else {
                bytes.append(c == UInt8(ascii: "+") ? UInt8(ascii: " ") : c)
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// What a list request asks for: amoCRM's `limit`, `page`, `with`, and the filters and orders a
/// sync uses.
struct ListRequest {
    enum Order {
        case updatedAt(ascending: Bool)
        case id(ascending: Bool)
    }

    /// amoCRM's default page is 50 entities; its maximum 250.
    var limit = 50
    var page = 1
    var with: Set<String> = []
    var updatedFrom: Int?
    var updatedTo: Int?
    var ids: [Int]?
    var order: Order?

    /// The most ids a request takes (the stand-in's rule: amoCRM's own is not documented).
    static let maxIDs = 250

    /// Reads the parameters; an unknown `filter[...]` or `order[...]`, or a value that is not what
    /// it should be, is a message for a 400.
    init(_ query: StandInQuery) throws(StandInBadRequest) {
        func integer(_ item: StandInQuery.Item) throws(StandInBadRequest) -> Int {
            guard let value = Int(item.value) else {
                throw StandInBadRequest("\(item.key) is not an integer: \(item.value)")
            }
            return value
        }
        for item in query.items {
            switch item.key {
            case "limit": limit = min(250, max(1, try integer(item)))
            case "page": page = max(1, try integer(item))
            case "with": with.formUnion(item.value.split(separator: ",").map { String($0) })
            case "filter[updated_at][from]", "filter[updated_at]": updatedFrom = try integer(item)
            case "filter[updated_at][to]": updatedTo = try integer(item)
            case "filter[id]", "filter[id][]":
                ids = (ids ?? []) + [try integer(item)]
            case "order[updated_at]", "order[id]":
                guard item.value == "asc" || item.value == "desc" else {
                    throw StandInBadRequest("\(item.key) is asc or desc, not \(item.value)")
                }
                let ascending = item.value == "asc"
                order = item.key == "order[id]" ? .id(ascending: ascending) : .updatedAt(ascending: ascending)
            default:
                // filter[id][0]=..., as PHP's http_build_query writes arrays.
                if item.key.hasPrefix("filter[id]["), item.key.hasSuffix("]"),
                    Int(item.key.dropFirst("filter[id][".count).dropLast()) != nil
                {
                    ids = (ids ?? []) + [try integer(item)]
                } else if item.key.hasPrefix("filter[") || item.key.hasPrefix("order[") {
                    throw StandInBadRequest("the stand-in does not know \(item.key)")
                }
            }
        }
        if let ids, ids.count > Self.maxIDs {
            throw StandInBadRequest("\(ids.count) ids in filter[id]; at most \(Self.maxIDs)")
        }
    }
}

/// A request the stand-in answers with 400 and this detail.
struct StandInBadRequest: Error {
    var detail: String
    init(_ detail: String) { self.detail = detail }
}
