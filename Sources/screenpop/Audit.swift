import AccountAudit
import AccountIndex
import AmoCRM
import ArgumentParser
import ScreenPopStore
import ScreenPopSupport

/// `screenpop audit`: which stored numbers will pop the wrong card, and why (docs/audit.md).
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Audit an account's phone numbers: duplicates, switchboards, last-digit collisions, bad values.",
        discussion: """
            Reads the account (a directory of amoCRM API v4 pages, or a store made by `screenpop import`) and \
            reports every number several contacts or companies hold (and which one a call pops), shared \
            company numbers, numbers that amoCRM's last-digits matching confuses, and values that are \
            unparseable, invalid, without a country code, short numbers or several numbers in one field. \
            JSON by default; html for a CRM administrator; text for a terminal. Progress goes to standard error.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case json, html, text
    }

    @OptionGroup var source: AccountSource

    @Option(help: "The report's format: json, html or text.")
    var format: Format = .json

    @Option(help: ArgumentHelp("Write the report to FILE instead of standard output.", valueName: "FILE"))
    var out: String?

    @Option(
        help: ArgumentHelp(
            "Look for numbers equal on their last N digits, for each N of the list (6...15).", valueName: "N,N"))
    var suffixDigits = "8,10"

    @Option(help: ArgumentHelp("Rows per finding in html and text (json lists all).", valueName: "N"))
    var limit: Int?

    func validate() throws {
        _ = try parsedSuffixDigits()
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1.") }
    }

    func parsedSuffixDigits() throws -> [Int] {
        var list: [Int] = []
        for part in suffixDigits.split(separator: ",", omittingEmptySubsequences: false) {
            guard let digits = Int(part.trimmingASCIISpaces), SuffixFallback.digitRange.contains(digits) else {
                throw ValidationError(
                    "--suffix-digits \(suffixDigits): give numbers of digits between 6 and 15, separated by commas (8,10)."
                )
            }
            list.append(digits)
        }
        return list
    }

    func run() async throws {
        #if canImport(Glibc)
            // Big arrays in mappings of their own, given back when freed: glibc otherwise raises
            // this threshold to 32 MiB as they grow, and keeps what they free (tens of MiB at a
            // million contacts).
            _ = glibcMallopt(-3, 1 << 20)  // M_MMAP_THRESHOLD
        #endif
        let started = ContinuousClock.now
        var progress = AuditProgress(started: started)
        let audit: AccountAudit
        do {
            audit = try await makeAudit(progress: &progress)
        } catch {
            StandardError.write("screenpop: error: \(error)\n")
            throw ExitCode.failure
        }
        do {
            let file = try ReportFile(path: out)
            defer { file.close() }
            switch format {
            // In pieces, made on both cores: the JSON of a million contacts is 300 MB.
            case .json: try await audit.writeJSON(concurrently: { try file.write($0) })
            case .html: try file.write(Array(audit.html(limit: limit ?? 500).utf8))
            case .text: try file.write(Array(audit.text(limit: limit ?? 10).utf8))
            }
        } catch {
            StandardError.write("screenpop: error: \(error)\n")
            throw ExitCode.failure
        }
        progress.mark("written")
        progress.finish(audit)
    }

    func makeAudit(progress: inout AuditProgress) async throws -> AccountAudit {
        var options = AuditOptions(suffixDigits: try parsedSuffixDigits())
        // A SQLite store is read row by row: the account is never held whole (docs/audit.md).
        if let store = source.store, !StoreLocation.isPostgres(store) {
            guard access(store, F_OK) == 0 else {
                throw StoreError("\(store): no such store; make one with `screenpop import` or `screenpop sync`")
            }
            let opened = try SQLiteAccountStore(path: store)
            // Two stages on two threads: SQLite reads the rows (GRDB's queue) while the auditor
            // parses and validates the numbers of the batch before (a thread of its own).
            let handoff = RowHandoff()
            let worker = AuditWorker(handoff: handoff, options: options, progress: progress)
            let visited: RowBatcher?
            do {
                visited = try await opened.visit(accountID: source.accountID, RowBatcher(handoff: handoff))
            } catch {
                handoff.close()
                _ = worker.join()
                throw error
            }
            visited?.flush()
            handoff.close()
            var (worked, workerProgress) = worker.join()
            guard visited != nil else {
                let which = source.accountID.map { "no account \($0)" } ?? "no account"
                throw StoreError("\(store): the store holds \(which); fill it with `screenpop import`")
            }
            // Moved out, so that `finish()` can free what only the links needed.
            guard let auditor = worked.take() else { throw StoreError("\(store): no account was read") }
            progress.phases = workerProgress.phases
            progress.mark("links read")
            let audit = auditor.finish()
            progress.mark("findings")
            return audit
        }
        let loaded = try await source.load(suffixFallback: SuffixFallback(), progress: .automatic)
        options.subdomain = loaded.account.subdomain
        var names: [EntityRef: String] = [:]
        for (contact, detail) in zip(loaded.data.contacts, loaded.details.contacts) { names[contact.ref] = detail.name }
        for (company, detail) in zip(loaded.data.companies, loaded.details.companies) {
            names[company.ref] = detail.name
        }
        progress.mark("loaded")
        let audit = AccountAudit(data: loaded.data, names: { names[$0] }, options: options)
        progress.mark("audited")
        return audit
    }
}

/// One row of the store for the auditor, as ``RowBatcher`` hands it over.
enum AuditRow: Sendable {
    case account(AccountObject, AccountSettings)
    case contact(Contact, name: String, readings: [ValueReading]?)
    case company(Company, name: String, readings: [ValueReading]?)
    case lead(Lead)
    case customer(Customer)
    case entitiesComplete
    case link(AccountLink)
}

/// Collects the rows SQLite reads into batches for the auditor's thread: one lock per few
/// thousand rows, not per row.
struct RowBatcher: AccountRowVisitor {
    static let batchSize = 4096
    let handoff: RowHandoff
    var batch: [AuditRow] = []
    var reader: ValueReader?
    /// Parties so far: the values of every other one are read here, the rest on the auditor's
    /// thread, which has the bookkeeping besides.
    var parties = 0

    init(handoff: RowHandoff) {
        self.handoff = handoff
        batch.reserveCapacity(Self.batchSize)
    }

    mutating func add(_ row: AuditRow) {
        batch.append(row)
        if batch.count >= Self.batchSize { flushBatch() }
    }

    mutating func flushBatch() {
        handoff.put(batch)
        batch = []
        batch.reserveCapacity(Self.batchSize)
    }

    /// Hands over the last, partial batch.
    func flush() {
        if !batch.isEmpty { handoff.put(batch) }
    }

    mutating func account(_ account: AccountObject, settings: AccountSettings) {
        reader = ValueReader(settings: settings)
        add(.account(account, settings))
    }

    mutating func contact(_ contact: Contact, name: String) {
        add(.contact(contact, name: name, readings: readings(contact.phones, isDeleted: contact.isDeleted)))
    }

    mutating func company(_ company: Company, name: String) {
        add(.company(company, name: name, readings: readings(company.phones, isDeleted: company.isDeleted)))
    }

    mutating func readings(_ phones: [PhoneValue], isDeleted: Bool) -> [ValueReading]? {
        parties += 1
        guard let reader, !isDeleted, parties % 2 == 0 else { return nil }
        return phones.map { reader.read($0.value) }
    }
    mutating func lead(_ lead: Lead) { add(.lead(lead)) }
    mutating func customer(_ customer: Customer) { add(.customer(customer)) }
    mutating func entitiesComplete() {
        add(.entitiesComplete)
        flushBatch()  // the auditor sorts its postings while the links are read
    }
    mutating func link(_ link: AccountLink) { add(.link(link)) }
}

/// Batches of rows from the reading thread to the auditing one, at most a few in flight so that
/// memory stays that of the auditor. A pthread mutex and condition, as ``LockedValue`` (visible to
/// ThreadSanitizer).
final class RowHandoff: @unchecked Sendable {
    private var capacity: Int
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var batches: [[AuditRow]] = []
    private var closed = false

    init(capacity: Int = 4) {
        self.capacity = capacity
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        changed.initialize(to: pthread_cond_t())
        pthread_cond_init(changed, nil)
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        changed.deallocate()
        mutex.deallocate()
    }

    /// Waits while `capacity` batches wait; drops the batch once closed.
    func put(_ batch: [AuditRow]) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while batches.count >= capacity && !closed { pthread_cond_wait(changed, mutex) }
        guard !closed else { return }
        batches.append(batch)
        pthread_cond_broadcast(changed)
    }

    /// The next batch, waiting for it; nil once closed and drained.
    func take() -> [AuditRow]? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while batches.isEmpty && !closed { pthread_cond_wait(changed, mutex) }
        guard !batches.isEmpty else { return nil }
        pthread_cond_broadcast(changed)
        return batches.removeFirst()
    }

    /// Takes every batch without waiting: for when no thread takes them as they come.
    func removeLimit() {
        pthread_mutex_lock(mutex)
        capacity = .max
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
    }

    /// No more batches: ``take()`` gives those left, then nil.
    func close() {
        pthread_mutex_lock(mutex)
        closed = true
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
    }
}

/// The auditor on a thread of its own, fed by a ``RowHandoff``: a plain thread, since it waits
/// on a condition, which a task of the cooperative pool must not.
final class AuditWorker: @unchecked Sendable {
    private let handoff: RowHandoff
    private var options: AuditOptions
    private var progress: AuditProgress
    private var auditor: AccountAuditor?
    private var started = false
    #if canImport(Darwin)
        private var thread: pthread_t?
    #else
        private var thread = pthread_t()
    #endif

    init(handoff: RowHandoff, options: AuditOptions, progress: AuditProgress) {
        self.handoff = handoff
        self.options = options
        self.progress = progress
        let context = Unmanaged.passRetained(self).toOpaque()
        started =
            pthread_create(
                &thread, nil,
                { context in
                    let worker = Unmanaged<AuditWorker>.fromOpaque(context!).takeRetainedValue()
                    worker.run()
                    return nil
                }, context) == 0
        if !started {
            // No second thread: the batches wait whole, and are audited when the reading is done.
            Unmanaged<AuditWorker>.fromOpaque(context).release()
            handoff.removeLimit()
        }
    }

    /// Waits for the last batch to be audited; hands the auditor over (the worker keeps none).
    func join() -> (AccountAuditor?, AuditProgress) {
        defer { auditor = nil }
        if started {
            #if canImport(Darwin)
                pthread_join(thread!, nil)
            #else
                pthread_join(thread, nil)
            #endif
        } else {
            run()
        }
        return (auditor, progress)
    }

    private func run() {
        while let batch = handoff.take() {
            for row in batch { audit(row) }
        }
    }

    private func audit(_ row: AuditRow) {
        switch row {
        case .account(let account, let settings):
            options.subdomain = account.subdomain
            auditor = AccountAuditor(settings: settings, options: options)
        case .contact(let contact, let name, let readings):
            auditor?.add(contact, name: name, readings: readings)
            tick()
        case .company(let company, let name, let readings):
            auditor?.add(company, name: name, readings: readings)
            tick()
        case .lead(let lead):
            auditor?.add(lead)
            tick()
        case .customer(let customer):
            auditor?.add(customer)
            tick()
        case .entitiesComplete:
            progress.mark("entities read")
            auditor?.entitiesComplete()
        case .link(let link):
            auditor?.add(link)
        }
    }

    private func tick() {
        if let count = auditor?.entityCount, count & 0xFFFF == 0 { progress.update(entities: count) }
    }
}

/// A line on standard error every two seconds while a big account is read, and the total at
/// the end when it took that long.
struct AuditProgress: Sendable {
    let started: ContinuousClock.Instant
    var lastLine: ContinuousClock.Instant
    /// What was done by when, for the last line.
    var phases: [(name: String, at: ContinuousClock.Instant)] = []

    mutating func mark(_ phase: String) {
        phases.append(("\(phase) (\(Self.residentMiB()) MiB, peak \(Self.peakMiB()) MiB)", ContinuousClock.now))
    }

    init(started: ContinuousClock.Instant) {
        self.started = started
        lastLine = started
    }

    /// The resident set now, from /proc/self/statm (0 where there is none).
    static func residentMiB() -> Int {
        guard let file = fopen("/proc/self/statm", "r") else { return 0 }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 128)
        guard fgets(&buffer, 128, file) != nil else { return 0 }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let fields = text.split(separator: " ")
        guard fields.count >= 2, let pages = Int(fields[1]) else { return 0 }
        return (pages * Int(sysconf(Int32(_SC_PAGESIZE)))) >> 20
    }

    /// The largest resident set so far, from /proc/self/status (0 where there is none).
    static func peakMiB() -> Int {
        guard let file = fopen("/proc/self/status", "r") else { return 0 }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 256)
        while fgets(&buffer, 256, file) != nil {
            let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard line.hasPrefix("VmHWM:") else { continue }
            let digits = line.dropFirst(6).filter { $0 >= "0" && $0 <= "9" }
            return (Int(digits) ?? 0) >> 10
        }
        return 0
    }

    mutating func update(entities: Int) {
        let now = ContinuousClock.now
        guard now - lastLine >= .seconds(2) else { return }
        lastLine = now
        StandardError.write("screenpop audit: \(entities) entities read, \(Self.seconds(now - started)) s\n")
    }

    func finish(_ audit: AccountAudit) {
        let elapsed = ContinuousClock.now - started
        guard elapsed >= .seconds(2) else { return }
        let s = audit.summary
        var previous = started
        var steps: [String] = []
        for (name, at) in phases {
            steps.append("\(name) \(Self.seconds(at - previous)) s")
            previous = at
        }
        StandardError.write(
            "screenpop audit: \(s.contacts) contacts, \(s.companies) companies, \(s.storedNumbers) numbers in "
                + "\(Self.seconds(elapsed)) s (\(steps.joined(separator: ", ")))\n")
    }

    static func seconds(_ duration: Duration) -> String {
        let tenths = duration.components.seconds * 10 + duration.components.attoseconds / 100_000_000_000_000_000
        return "\(tenths / 10).\(tenths % 10)"
    }
}

/// The report's destination: a file, or standard output.
struct ReportFile {
    struct WriteError: Error, CustomStringConvertible {
        let description: String
    }

    let path: String?
    let fd: Int32

    init(path: String?) throws {
        self.path = path
        guard let path else {
            fd = 1
            return
        }
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WriteError(description: "\(path): cannot write the report: errno \(errno)") }
    }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { writeDescriptor(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw WriteError(description: "\(path ?? "standard output"): cannot write the report: errno \(errno)")
            }
            offset += written
        }
    }

    func close() {
        if path != nil { _ = closeDescriptor(fd) }
    }
}

#if canImport(Glibc)
    /// glibc's `mallopt(3)`, which the Glibc module does not bring (malloc.h).
    @_silgen_name("mallopt")
    private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

private func closeDescriptor(_ fd: Int32) -> Int32 { close(fd) }

/// `write(2)`, named apart from ``ReportFile/write(_:)``.
private func writeDescriptor(_ fd: Int32, _ pointer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, pointer, count)
}

extension Substring {
    var trimmingASCIISpaces: Substring {
        var text = self
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return text
    }
}
