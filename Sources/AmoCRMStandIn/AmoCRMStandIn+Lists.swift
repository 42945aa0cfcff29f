import AccountIndex
import AmoCRM
import ScreenPopJSON

/// What the lists need of the account beyond its arrays, rebuilt after a change.
struct Derived {
    var version: Int
    /// Positions in the kind's array, in the order of the ids.
    var byID: [EntityKind: [Int]] = [:]
    /// Id to position in the kind's array.
    var position: [EntityKind: [Int: Int]] = [:]
    /// Each entity's links (positions in `data.links`).
    var linksOf: [EntityRef: [Int]] = [:]

    init(_ account: StandInAccount, version: Int) {
        self.version = version
        for kind in EntityKind.allCases {
            let ids = account.ids(kind)
            var position: [Int: Int] = [:]
            position.reserveCapacity(ids.count)
            for (i, id) in ids.enumerated() { position[id] = i }
            self.position[kind] = position
            byID[kind] = ids.indices.sorted { ids[$0] < ids[$1] }
        }
        for (i, link) in account.data.links.enumerated() {
            let (a, b) = link.ends
            linksOf[a, default: []].append(i)
            linksOf[b, default: []].append(i)
        }
    }
}

extension AmoCRMStandIn {
    /// The `_embedded` keys amoCRM gives without `with`: a contact's and a lead's company.
    static func alwaysEmbedded(_ kind: EntityKind) -> Set<EmbeddedLinks.Key> {
        kind == .contact || kind == .lead ? [.companies] : []
    }

    /// The answer to `GET /api/v4/<list>?<query>`.
    func listAnswer(_ list: String, query: String) -> Answer {
        let parameters = StandInQuery(query)
        let request: ListRequest
        do {
            request = try ListRequest(parameters)
        } catch {
            return Self.badRequest(error.detail)
        }
        if state.withLock({ $0.emptyLists.contains(list) }) { return Answer(status: .noContent) }
        let written: (page: [UInt8], hasNext: Bool)?
        switch list {
        case "account":
            return Answer(status: .ok, body: singleFile("account.json"))
        case "customers/statuses":
            written = request.page == 1 ? (singleFile("statuses.json"), false) : nil
        case "leads/pipelines":
            // amoCRM gives every pipeline at once (an account has at most 50).
            written = request.page == 1 ? (singleFile("pipelines.json"), false) : nil
        case "users":
            written = usersPage(request)
        default:
            guard let kind = EntityKind.allCases.first(where: { EmbeddedLinks.Key(listing: $0).rawValue == list })
            else {
                return Answer(status: .notFound)
            }
            written = entityPage(kind, request)
        }
        guard let written, written.page.first == UInt8(ascii: "{") else { return Answer(status: .noContent) }
        // `{"_page":N,"_links":{...},` and the page object's members after its `{`.
        let (base, path) = state.withLock { ("http://\($0.host):\($0.port)", "/api/v4/" + list) }
        func href(_ page: Int) -> String {
            let rest = parameters.rawQuery(dropping: "page")
            return base + path + "?page=\(page)" + (rest.isEmpty ? "" : "&" + rest)
        }
        var links = JSONWriter()
        links.beginObject()
        links.key("_page")
        links.integer(request.page)
        links.key("_links")
        links.beginObject()
        links.key("self")
        links.beginObject()
        links.key("href")
        links.string(href(request.page))
        links.endObject()
        if written.hasNext {
            links.key("next")
            links.beginObject()
            links.key("href")
            links.string(href(request.page + 1))
            links.endObject()
        }
        links.endObject()
        var body = links.bytes  // the object begun above is left open
        body.append(UInt8(ascii: ","))
        body.append(contentsOf: written.page.dropFirst())
        return Answer(status: .ok, body: body)
    }

    /// `account.json`, `statuses.json` or `pipelines.json` as the writer writes them from the account.
    private func singleFile(_ name: String) -> [UInt8] {
        let account = state.withLock { $0.account }
        let files = PageWriter.files(
            of: AccountData(settings: account.data.settings), account: account.account,
            customerStatuses: account.customerStatuses, pipelines: account.pipelines)
        return files.first { $0.name == name }?.bytes ?? []
    }

    /// The users' page asked for, and whether another follows; nil past the last.
    private func usersPage(_ request: ListRequest) -> (page: [UInt8], hasNext: Bool)? {
        let users = state.withLock { $0.account.users }
        let start = (request.page - 1) * request.limit
        guard start < users.count else { return nil }
        let end = min(users.count, start + request.limit)
        let files = PageWriter.files(
            of: AccountData(settings: AccountSettings(defaultRegion: nil)), account: AccountObject(customersMode: ""),
            customerStatuses: [], users: Array(users[start..<end]), perPage: end - start, perFile: end - start)
        return files.first { $0.name.hasPrefix("users-") }.map { (Self.unwrap($0.bytes), end < users.count) }
    }

    /// The entities' page asked for (filtered, ordered, paged), written from the entities on it
    /// and the links they list that `with` asks for; nil when the page is empty.
    private func entityPage(_ kind: EntityKind, _ request: ListRequest) -> (page: [UInt8], hasNext: Bool)? {
        let keys = Self.alwaysEmbedded(kind).union(
            EmbeddedLinks.keys(of: kind).filter { request.with.contains($0.rawValue) })
        // What the page holds, taken under the lock; written outside it.
        let taken: (AccountData, AccountDetails, AccountObject, Bool)? = state.withLock { state in
            if state.derived?.version != state.version {
                state.derived = Derived(state.account, version: state.version)
            }
            let derived = state.derived!
            let account = state.account
            let details = account.detailsArray(kind)
            let ids = account.ids(kind)
            var selected: [Int]
            if let wanted = request.ids {
                var seen: Set<Int> = []
                selected = wanted.compactMap { seen.insert($0).inserted ? derived.position[kind]?[$0] : nil }
                selected.sort { ids[$0] < ids[$1] }
            } else {
                selected = derived.byID[kind] ?? []
            }
            if request.updatedFrom != nil || request.updatedTo != nil {
                let from = request.updatedFrom ?? .min
                let to = request.updatedTo ?? .max
                selected.removeAll { !(from...to).contains(details[$0].updatedAt) }
            }
            switch request.order {
            case .updatedAt(let ascending):
                selected.sort {
                    let (a, b) = ((details[$0].updatedAt, ids[$0]), (details[$1].updatedAt, ids[$1]))
                    return ascending ? a < b : a > b
                }
            case .id(ascending: false): selected.reverse()
            case .id(ascending: true), nil: break
            }
            let start = (request.page - 1) * request.limit
            guard start < selected.count else { return nil }
            let page = selected[start..<min(selected.count, start + request.limit)]
            var data = AccountData(settings: account.data.settings)
            var pageDetails = AccountDetails()
            var linkPositions: [Int] = []
            for i in page {
                let ref = EntityRef(kind: kind, id: ids[i])
                switch kind {
                case .contact:
                    data.contacts.append(account.data.contacts[i])
                    pageDetails.contacts.append(details[i])
                case .company:
                    data.companies.append(account.data.companies[i])
                    pageDetails.companies.append(details[i])
                case .lead:
                    data.leads.append(account.data.leads[i])
                    pageDetails.leads.append(details[i])
                case .customer:
                    data.customers.append(account.data.customers[i])
                    pageDetails.customers.append(details[i])
                }
                for l in derived.linksOf[ref] ?? [] {
                    if let key = StandInAccount.key(of: account.data.links[l], listedBy: ref), keys.contains(key) {
                        linkPositions.append(l)
                    }
                }
            }
            // Links in the account's order, as the writer lists them.
            data.links = linkPositions.sorted().map { account.data.links[$0] }
            return (data, pageDetails, account.account, start + page.count < selected.count)
        }
        guard let (data, details, object, hasNext) = taken else { return nil }
        let count = data.contacts.count + data.companies.count + data.leads.count + data.customers.count
        let name = EmbeddedLinks.Key(listing: kind).rawValue + "-"
        let files = PageWriter.files(
            of: data, details: details, account: object, customerStatuses: [], perPage: count, perFile: count)
        return files.first { $0.name.hasPrefix(name) }.map { (Self.unwrap($0.bytes), hasNext) }
    }

    /// The page object of a file of one page: `[{page}]` → `{page}`.
    static func unwrap(_ file: [UInt8]) -> [UInt8] {
        guard file.first == UInt8(ascii: "["), file.last == UInt8(ascii: "]") else { return file }
        return Array(file.dropFirst().dropLast())
    }
}
