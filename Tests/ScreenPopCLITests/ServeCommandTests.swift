import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `screenpop serve` on the real executable: the README's main command and its curl lines.
@Suite(.serialized) struct ServeCommandTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let demoAccount = repository.appendingPathComponent("Examples/demo-account")

    /// A running `screenpop serve`, its standard error collected.
    final class Server: @unchecked Sendable {
        let process = Process()
        private let lock = NSLock()
        private var errorText = ""
        private let listening = DispatchSemaphore(value: 0)
        /// Signalled when standard error reaches its end (the process exited and all was read).
        private let errorEnded = DispatchSemaphore(value: 0)
        private var port: Int?

        init(_ arguments: [String], environment: [String: String]) throws {
            process.executableURL = try CLI.executable()
            process.arguments = arguments
            process.environment = environment
            let stderr = Pipe()
            process.standardError = stderr
            process.standardOutput = FileHandle.nullDevice
            // One thread reads standard error to its end, in order, and says when it got there.
            let handle = stderr.fileHandleForReading
            let reader = Thread { [weak self] in
                while true {
                    let data = handle.availableData
                    guard let self else { return }
                    guard !data.isEmpty else { break }
                    self.lock.lock()
                    self.errorText += String(decoding: data, as: UTF8.self)
                    let found = self.port == nil ? Self.port(in: self.errorText) : nil
                    if let found { self.port = found }
                    self.lock.unlock()
                    if found != nil { self.listening.signal() }
                }
                self?.errorEnded.signal()
            }
            try process.run()
            // The child has its copy; without closing ours the pipe never reaches its end.
            try? stderr.fileHandleForWriting.close()
            reader.start()
        }

        static func port(in text: String) -> Int? {
            for line in text.split(separator: "\n") where line.contains("listening") {
                guard let range = line.range(of: "127.0.0.1:") else { continue }
                let digits = line[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits) { return port }
            }
            return nil
        }

        func waitForPort(seconds: Double = 60) -> Int? {
            guard listening.wait(timeout: .now() + seconds) == .success else { return nil }
            lock.lock()
            defer { lock.unlock() }
            return port
        }

        /// Waits (bounded) until the process has exited and its standard error is read to the end:
        /// the pipe is read on another thread, so exiting is not enough.
        func waitForExit(seconds: Double = 60) -> Bool {
            process.waitUntilExit()
            return errorEnded.wait(timeout: .now() + seconds) == .success
        }

        var standardError: String {
            lock.lock()
            defer { lock.unlock() }
            return errorText
        }

        /// SIGTERM, then the exit status (bounded wait).
        func terminate(seconds: Double = 20) -> Int32? {
            process.terminate()
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            return process.isRunning ? nil : process.terminationStatus
        }
    }

    static var environmentWithoutToken: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["SCREENPOP_API_TOKEN"] = nil
        return environment
    }

    static func post(port: Int, body: String, contentType: String?) async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/v2/events")!)
        request.httpMethod = "POST"
        request.setValue("Bearer demo-token-change-me", forHTTPHeaderField: "Authorization")
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        request.httpBody = Data(body.utf8)
        request.timeoutInterval = 20
        let (data, response) = try await URLSession.shared.data(for: request)
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, object)
    }

    static func item(_ object: [String: Any]) -> [String: Any]? {
        ((object["_embedded"] as? [String: Any])?["items"] as? [[String: Any]])?.first
    }

    /// The README's main command on the example account; its four curl lines' answers.
    @Test func theReadmeCommandAnswersALeadACustomerACardAndCreateContact() async throws {
        let server = try Server(
            ["serve", "--account", Self.demoAccount.path, "--port", "0"], environment: Self.environmentWithoutToken)
        defer { if server.process.isRunning { server.process.terminate() } }
        let port = try #require(server.waitForPort(), "no listening line: \(server.standardError)")
        let json = "application/json"
        let lead = try await Self.post(
            port: port, body: #"{"add":[{"type":"phone_call","phone_number":"+79161234567"}]}"#, contentType: json)
        let customer = try await Self.post(
            port: port, body: "add[0][phone_number]=%2B79852223344&add[0][users][0]=8010001&add[0][type]=phone_call",
            contentType: "application/x-www-form-urlencoded")
        let card = try await Self.post(
            port: port, body: #"{"add":[{"type":"phone_call","phone_number":"8 926 555-66-77"}]}"#, contentType: json)
        let create = try await Self.post(
            port: port, body: #"{"add":[{"type":"phone_call","phone_number":"+79160001122"}]}"#, contentType: json)
        #expect(lead.0 == 200 && customer.0 == 200 && card.0 == 200 && create.0 == 200)
        #expect(Self.item(lead.1)?["element_type"] as? Int == 2)
        #expect(Self.item(lead.1)?["element_id"] as? Int == 31_000_001)
        #expect(Self.item(customer.1)?["element_type"] as? Int == 12)
        #expect(Self.item(customer.1)?["element_id"] as? Int == 41_000_001)
        #expect(Self.item(card.1)?["element_type"] as? Int == 1)
        #expect(Self.item(card.1)?["element_id"] as? Int == 21_000_006)
        #expect(Self.item(create.1)?["element_type"] is NSNull)
        #expect(Self.item(create.1)?["element_id"] is NSNull)
        // The demo token is read from the account's api-token file and never logged.
        #expect(server.standardError.contains("api-token"))
        #expect(!server.standardError.contains("demo-token-change-me"))
        #expect(server.terminate() == 0)
    }

    /// A second server on a port in use: one line that names the address and the option, and a failure.
    @Test func aPortInUseIsToldInOneLine() async throws {
        let first = try Server(
            ["serve", "--account", Self.demoAccount.path, "--port", "0"], environment: Self.environmentWithoutToken)
        defer { if first.process.isRunning { first.process.terminate() } }
        let port = try #require(first.waitForPort(), "no listening line: \(first.standardError)")
        let second = try Server(
            ["serve", "--account", Self.demoAccount.path, "--port", "\(port)"],
            environment: Self.environmentWithoutToken)
        defer { if second.process.isRunning { second.process.terminate() } }
        #expect(second.waitForExit())
        #expect(second.process.terminationStatus == 1)
        let lines = second.standardError.split(separator: "\n").filter { $0.contains("error") }
        #expect(
            lines == [
                "screenpop: error: cannot listen on 127.0.0.1:\(port): the address is in use "
                    + "(another screenpop serve?); choose another with --port"
            ], "\(second.standardError)")
        #expect(!second.standardError.contains("bind(descriptor"))
        // The first goes on serving.
        #expect(first.process.isRunning)
        let reply = try await Self.post(
            port: port, body: #"{"add":[{"type":"phone_call","phone_number":"anonymous"}]}"#,
            contentType: "application/json")
        #expect(reply.0 == 200)
        #expect(first.terminate() == 0)
    }

    @Test func servesFromAStore() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("screenpop-serve-store-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = directory.appendingPathComponent("account.sqlite").path
        #expect(try CLI.run(["import", "--store", store, "--account", Self.demoAccount.path]).status == 0)
        var environment = Self.environmentWithoutToken
        environment["SCREENPOP_API_TOKEN"] = "demo-token-change-me"
        let server = try Server(["serve", "--store", store, "--port", "0"], environment: environment)
        defer { if server.process.isRunning { server.process.terminate() } }
        let port = try #require(server.waitForPort(), "no listening line: \(server.standardError)")
        let lead = try await Self.post(
            port: port, body: #"{"add":[{"type":"phone_call","phone_number":"+79161234567"}]}"#,
            contentType: "application/json")
        #expect(lead.0 == 200)
        #expect(Self.item(lead.1)?["element_id"] as? Int == 31_000_001)
        #expect(server.terminate() == 0)
    }

    @Test func aStoreNeedsTheTokenInTheEnvironment() throws {
        let server = try Server(
            ["serve", "--store", "/nonexistent/dir/account.sqlite", "--port", "0"],
            environment: Self.environmentWithoutToken)
        #expect(server.waitForExit())
        #expect(server.process.terminationStatus == 1)
        #expect(server.standardError.contains("no API token: set SCREENPOP_API_TOKEN"))
    }

    @Test func refusesToStartWithoutAToken() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("screenpop-serve-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try Server(
            ["serve", "--account", directory.path, "--port", "0"], environment: Self.environmentWithoutToken)
        #expect(server.waitForExit())
        #expect(server.process.terminationStatus == 1)
        #expect(server.standardError.contains("no API token"))
    }

    /// What an agent's card shows, end to end: the stream's notification of a call carries the lead's
    /// pipeline, stage and price, the responsible user's name, the contact and company and the links
    /// into the account's amoCRM, all from the saved pages.
    @Test func theDemoAccountsCardsCarryTheStagePriceUserAndLinks() async throws {
        let server = try Server(
            ["serve", "--account", Self.demoAccount.path, "--port", "0"], environment: Self.environmentWithoutToken)
        defer { if server.process.isRunning { server.process.terminate() } }
        let port = try #require(server.waitForPort(), "no listening line: \(server.standardError)")
        let stream = try MultiInstance.EventStream(port: port, user: "8010001", token: "demo-token-change-me")
        defer { stream.close() }
        #expect(try await stream.waitUntilConnected(), "\(stream)")
        let base = "https://okna-plus-demo.amocrm.ru"
        func card(_ number: String) async throws -> [String: Any] {
            let posted = try await Self.post(
                port: port, body: #"{"add":[{"type":"phone_call","phone_number":"\#(number)"}]}"#,
                contentType: "application/json")
            #expect(posted.0 == 200)
            let uid = try #require(Self.item(posted.1)?["uid"] as? String, "\(posted.1)")
            return try #require(try await stream.waitForEvent(uid: uid), "\(stream)").json
        }

        // Иван Петров's one active lead: «Переговоры» in «Продажи окон», 185 000, Дмитрий Козлов's.
        let lead = try await card("+79161234567")
        #expect(lead["link"] as? String == base + "/leads/detail/31000001")
        let facts = try #require(lead["lead"] as? [String: Any], "\(lead)")
        #expect(facts["id"] as? Int == 31_000_001)
        #expect(facts["name"] as? String == "Окна в квартиру на Профсоюзной")
        #expect(facts["price"] as? Int == 185_000)
        #expect(facts["pipeline_id"] as? Int == 5_010_001 && facts["pipeline"] as? String == "Продажи окон")
        #expect(facts["status_id"] as? Int == 5_010_102 && facts["status"] as? String == "Переговоры")
        #expect(facts["link"] as? String == base + "/leads/detail/31000001")
        let user = try #require(lead["responsible_user"] as? [String: Any], "\(lead)")
        #expect(user["id"] as? Int == 8_010_002 && user["name"] as? String == "Дмитрий Козлов")
        let contact = try #require(lead["contact"] as? [String: Any], "\(lead)")
        #expect(contact["id"] as? Int == 21_000_001 && contact["name"] as? String == "Иван Петров")
        #expect(contact["link"] as? String == base + "/contacts/detail/21000001")
        #expect(lead["company"] is NSNull && lead["customer"] is NSNull)

        // Павел Никитин's card: no lead, his company beside him.
        let both = try await card("+74951234567")
        #expect(both["link"] as? String == base + "/contacts/detail/21000009")
        #expect(both["lead"] is NSNull)
        #expect((both["contact"] as? [String: Any])?["name"] as? String == "Павел Никитин")
        let company = try #require(both["company"] as? [String: Any], "\(both)")
        #expect(company["id"] as? Int == 51_000_001 && company["name"] as? String == "ООО «СтройМастер»")
        #expect(company["link"] as? String == base + "/companies/detail/51000001")
        #expect(server.terminate() == 0)
    }

    @Test func theEnvironmentTokenComesFirst() async throws {
        var environment = Self.environmentWithoutToken
        environment["SCREENPOP_API_TOKEN"] = "from-the-environment"
        let server = try Server(["serve", "--account", Self.demoAccount.path, "--port", "0"], environment: environment)
        defer { if server.process.isRunning { server.process.terminate() } }
        let port = try #require(server.waitForPort(), "no listening line: \(server.standardError)")
        // The file's demo token no longer works.
        let refused = try await Self.post(port: port, body: #"{"add":[]}"#, contentType: "application/json")
        #expect(refused.0 == 401)
        #expect(!server.standardError.contains("from-the-environment"))
        #expect(server.terminate() == 0)
    }

    @Test func aShortTicketKeyIsRefusedWithoutShowingIt() throws {
        var environment = Self.environmentWithoutToken
        environment["SCREENPOP_TICKET_KEY"] = "short-key-1234"
        let server = try Server(["serve", "--account", Self.demoAccount.path, "--port", "0"], environment: environment)
        #expect(server.waitForExit())
        #expect(server.process.terminationStatus == 1)
        #expect(server.standardError.contains("SCREENPOP_TICKET_KEY has 14 bytes"), "\(server.standardError)")
        #expect(!server.standardError.contains("short-key-1234"))
    }
}
