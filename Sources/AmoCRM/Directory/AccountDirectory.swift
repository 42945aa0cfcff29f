import AccountIndex
import ScreenPopJSON
import ScreenPopSupport

/// Loads an amoCRM account saved as API v4 JSON pages in a directory.
///
/// The directory holds `.json` files under any names: each holds one page object or an array of
/// pages of `GET /api/v4/contacts?with=leads,customers`, `/api/v4/companies?with=leads,customers,contacts`,
/// `/api/v4/leads?with=contacts`, `/api/v4/customers?with=contacts,companies`, `/api/v4/users` or
/// `/api/v4/customers/statuses` or `/api/v4/leads/pipelines`; a page's `_embedded` key (`contacts`,
/// `companies`, `leads`, `customers`, `users`, `statuses`, `pipelines`) says what it holds.
/// `account.json` holds the object of `GET /api/v4/account`: its `country` is the default region,
/// its `customers_mode` says whether customers are on. Links may be listed from either side; they are united.
///
/// ```swift
/// let account = try await AccountDirectory.load("Examples/demo-account")
/// account.data.contacts.count
/// let index = await account.buildIndex()
/// index.resolve(callerNumber: "+7 916 123-45-67").target
///
/// // or in one step:
/// let index = try await AccountDirectory.loadIndex("Examples/demo-account")
/// ```
///
/// Loading is all or nothing: bad input throws an ``AccountLoadError`` naming the file, the JSON
/// path, the line and column and what is wrong, and nothing is returned. Files are read whole and
/// decoded on several tasks at once; see docs/amocrm.md for the shapes read and the choices made.
public enum AccountDirectory {
    /// How to load.
    public struct Options: Sendable {
        /// When to show progress on standard error.
        public enum Progress: Sendable {
            /// When standard error is a terminal.
            case automatic
            case never
            case always
        }

        /// The last-digits fallback of the index; amoCRM's data has no such setting.
        public var suffixFallback: SuffixFallback
        /// How many files are decoded at once; by default the number of processors.
        public var parallelism: Int
        public var progress: Progress

        public init(
            suffixFallback: SuffixFallback = SuffixFallback(), parallelism: Int? = nil,
            progress: Progress = .automatic
        ) {
            self.suffixFallback = suffixFallback
            self.parallelism = max(1, parallelism ?? AccountDirectory.processorCount)
            self.progress = progress
        }
    }

    /// The name of the file with the account object.
    public static let accountFileName = "account.json"

    /// Loads the account in `path`.
    ///
    /// - Parameters:
    ///   - path: The directory.
    ///   - options: Index settings, parallelism, progress.
    /// - Returns: The account, with ``LoadedAccount/data`` ready for ``AccountIndex/init(building:)``.
    /// - Throws: ``AccountLoadError`` for a directory that cannot be read, a missing `account.json`,
    ///   or the first bad file in name order.
    /// - Complexity: O(n) in the bytes of the files; duplicate ids are looked for with a hash table
    ///   only when a kind's ids are not already increasing.
    public static func load(_ path: String, options: Options = Options()) async throws(AccountLoadError)
        -> LoadedAccount
    {
        let start = ContinuousClock.now
        guard FileSystem.isDirectory(path) else {
            if access(path, F_OK) != 0 { throw FileSystem.ioError(path, "cannot open the account directory") }
            throw AccountLoadError(code: .io, file: path, message: "not a directory")
        }
        let files = try FileSystem.jsonFiles(in: path)
        guard files.contains(where: { $0.name == accountFileName }) else {
            throw AccountLoadError(
                code: .missingAccount, file: FileSystem.join(path, accountFileName),
                message: "the directory has no \(accountFileName) (the object of GET /api/v4/account)")
        }
        let showProgress =
            switch options.progress {
            case .automatic: ProgressLine.standardErrorIsTerminal
            case .never: false
            case .always: true
            }
        let contents = try await decode(files, label: path, parallelism: options.parallelism, progress: showProgress)
        var summary = LoadSummary()
        summary.files = files.count
        summary.bytes = files.reduce(0) { $0 + $1.size }
        var loaded = assemble(contents: contents, summary: summary, options: options)
        loaded.summary.seconds = ProgressLine.seconds(ContinuousClock.now - start)
        return loaded
    }

    /// Loads the account in `path` and builds its index (numbers parsed on ``Options/parallelism`` tasks).
    public static func loadIndex(_ path: String, options: Options = Options()) async throws(AccountLoadError)
        -> AccountIndex
    {
        let account = try await load(path, options: options)
        return await account.buildIndex(parallelism: options.parallelism)
    }

    /// The processors online: the default parallelism.
    public static var processorCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    // MARK: Decoding files

    /// Decodes every file, `parallelism` at a time. On errors, the one of the first file in order.
    private static func decode(_ files: [FileSystem.Entry], label: String, parallelism: Int, progress: Bool)
        async throws(AccountLoadError) -> [PageContent]
    {
        var results = [Result<PageContent, AccountLoadError>?](repeating: nil, count: files.count)
        var line = ProgressLine(label: label, enabled: progress)
        // Largest files first, so that one big file does not start last.
        let order = files.indices.sorted { files[$0].size > files[$1].size }
        await withTaskGroup(of: (Int, Result<PageContent, AccountLoadError>).self) { group in
            var next = 0
            var firstFailure = Int.max
            var doneBytes = 0
            var done = 0
            func startNext() {
                while next < order.count {
                    let index = order[next]
                    next += 1
                    // After a failure only earlier files matter: the error reported is the first one.
                    guard index < firstFailure else { continue }
                    let file = files[index]
                    group.addTask { (index, decodeFile(file)) }
                    return
                }
            }
            for _ in 0..<parallelism { startNext() }
            while let (index, result) = await group.next() {
                results[index] = result
                if case .failure = result { firstFailure = min(firstFailure, index) }
                done += 1
                doneBytes += files[index].size
                line.update(files: done, of: files.count, bytes: doneBytes)
                startNext()
            }
        }
        line.finish()
        var contents: [PageContent] = []
        contents.reserveCapacity(files.count)
        for result in results {
            switch result {
            case .success(let content): contents.append(content)
            case .failure(let error): throw error
            case nil: continue  // not started after an earlier failure; unreachable without one
            }
        }
        return contents
    }

    /// Reads and decodes one file.
    static func decodeFile(_ file: FileSystem.Entry) -> Result<PageContent, AccountLoadError> {
        let buffer: UnsafeMutableRawBufferPointer
        do {
            buffer = try FileSystem.readFile(file.path, sizeHint: file.size)
        } catch {
            return .failure(error)
        }
        defer { buffer.deallocate() }
        return decode(UnsafeRawBufferPointer(buffer), name: file.name, path: file.path)
    }

    /// Decodes the bytes of the file `name` (`account.json` or pages).
    static func decode(_ bytes: UnsafeRawBufferPointer, name: String, path: String) -> Result<
        PageContent, AccountLoadError
    > {
        do throws(JSONError) {
            var decoder = PageReader(reader: try JSONReader(bytes))
            if name == accountFileName {
                try decoder.decodeAccount()
            } else {
                try decoder.decodePages()
            }
            return .success(decoder.content)
        } catch {
            return .failure(AccountLoadError(file: path, error))
        }
    }

    // MARK: Putting files together

    /// Puts decoded files (or API answers) together: one entity per id, the newest; the settings
    /// from the account object and the customer statuses. `summary` comes with files and bytes.
    static func assemble(contents: [PageContent], summary: LoadSummary, options: Options) -> LoadedAccount {
        var summary = summary
        var account: AccountObject?
        var contacts: [[Record<Contact>]] = []
        var companies: [[Record<Company>]] = []
        var leads: [[Record<Lead>]] = []
        var customers: [[Record<Customer>]] = []
        var users: [AccountUser] = []
        var statuses: [CustomerStatus] = []
        var pipelines: [LeadPipeline] = []
        var links: [AccountLink] = []
        links.reserveCapacity(contents.reduce(0) { $0 + $1.links.count })
        var ignored: Set<String> = []
        for content in contents {
            if let object = content.account { account = object }
            contacts.append(content.contacts)
            companies.append(content.companies)
            leads.append(content.leads)
            customers.append(content.customers)
            users.append(contentsOf: content.users)
            statuses.append(contentsOf: content.statuses)
            pipelines.append(contentsOf: content.pipelines)
            links.append(contentsOf: content.links)
            summary.pages += content.pages
            summary.leadStatusesSkipped += content.leadStatusesSkipped
            ignored.formUnion(content.ignoredEmbeddedKeys)
        }
        var duplicates = 0
        let uniqueContacts = Deduplication.newest(
            contacts, id: \.entity.id, updatedAt: \.details.updatedAt, duplicates: &duplicates)
        let uniqueCompanies = Deduplication.newest(
            companies, id: \.entity.id, updatedAt: \.details.updatedAt, duplicates: &duplicates)
        let uniqueLeads = Deduplication.newest(
            leads, id: \.entity.id, updatedAt: \.details.updatedAt, duplicates: &duplicates)
        let uniqueCustomers = Deduplication.newest(
            customers, id: \.entity.id, updatedAt: \.details.updatedAt, duplicates: &duplicates)
        let uniqueUsers = Deduplication.newest([users], id: \.id, updatedAt: { _ in 0 }, duplicates: &duplicates)
        let uniqueStatuses = Deduplication.newest([statuses], id: \.id, updatedAt: { _ in 0 }, duplicates: &duplicates)
        let uniquePipelines = Deduplication.newest(
            [pipelines], id: \.id, updatedAt: { _ in 0 }, duplicates: &duplicates)

        // account.json is required, so it was decoded.
        let object = account ?? AccountObject(customersMode: "disabled")
        let settings = object.settings(customerStatuses: uniqueStatuses, suffixFallback: options.suffixFallback)

        summary.duplicatesReplaced = duplicates
        summary.ignoredEmbeddedKeys = ignored.sorted()
        summary.links = links.count
        let data = AccountData(
            settings: settings, contacts: uniqueContacts.map(\.entity), companies: uniqueCompanies.map(\.entity),
            leads: uniqueLeads.map(\.entity), customers: uniqueCustomers.map(\.entity), links: links)
        let details = AccountDetails(
            contacts: uniqueContacts.map(\.details), companies: uniqueCompanies.map(\.details),
            leads: uniqueLeads.map(\.details), customers: uniqueCustomers.map(\.details))
        return LoadedAccount(
            data: data, details: details, account: object, users: uniqueUsers, customerStatuses: uniqueStatuses,
            pipelines: LeadPipeline.normalized(uniquePipelines), summary: summary)
    }
}

/// Keeps one entity per id.
enum Deduplication {
    /// The entities of `parts`, in order, one per id: of several with the same id, the one with the
    /// greatest `updatedAt` (the newest version), the later one on a tie. It takes the place of the
    /// first. `duplicates` grows by the number dropped.
    static func newest<T>(
        _ parts: [[T]], id: (T) -> Int, updatedAt: (T) -> Int, duplicates: inout Int
    ) -> [T] {
        var all: [T] = []
        all.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts { all.append(contentsOf: part) }
        // Dumps list entities by increasing id: then there is nothing to do.
        var increasing = true
        var previous = Int.min
        for item in all {
            let current = id(item)
            if current <= previous {
                increasing = false
                break
            }
            previous = current
        }
        if increasing { return all }
        var position: [Int: Int] = [:]
        position.reserveCapacity(all.count)
        var result: [T] = []
        result.reserveCapacity(all.count)
        for item in all {
            let key = id(item)
            if let existing = position[key] {
                duplicates += 1
                if updatedAt(item) >= updatedAt(result[existing]) { result[existing] = item }
            } else {
                position[key] = result.count
                result.append(item)
            }
        }
        return result
    }
}
