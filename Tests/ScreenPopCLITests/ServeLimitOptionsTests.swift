import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The limit options of `screenpop serve`, on the real executable: each reaches the server.
extension ServeCommandTests {
    static func request(
        port: Int, path: String, authorization: String? = nil, headers: [String: String] = [:]
    ) async throws -> (status: Int, body: String, retryAfter: String?) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.timeoutInterval = 20
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        return (
            http?.statusCode ?? 0, String(decoding: data, as: UTF8.self), http?.value(forHTTPHeaderField: "Retry-After")
        )
    }

    @Test func theLimitOptionsReachTheServer() async throws {
        let server = try Server(
            [
                "serve", "--account", Self.demoAccount.path, "--port", "0", "--max-head-bytes", "2048",
                "--max-url-bytes", "300", "--max-webhook-bytes", "4096", "--max-refusals-per-minute", "1",
                "--refusal-burst", "2", "--max-tracked-clients", "500",
            ],
            environment: Self.environmentWithoutToken)
        defer { if server.process.isRunning { server.process.terminate() } }
        let port = try #require(server.waitForPort(), "no listening line: \(server.standardError)")
        // Hummingbird's own line, which gives the port, may come before the server's `listening`.
        let deadline = Date().addingTimeInterval(20)
        while !server.standardError.contains("limits=") && Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(
            server.standardError.contains(
                "head 2048 B, url 300 B, webhook 4096 B, connections 10000, refusals 1/min burst 2 tracking 500"),
            "\(server.standardError)")
        let bigHead = try await Self.request(
            port: port, path: "/health", headers: ["X-Filler": String(repeating: "a", count: 2100)])
        #expect(bigHead.status == 431)
        #expect(bigHead.body.contains("headers_too_large"))
        let longURL = try await Self.request(port: port, path: "/health?q=" + String(repeating: "u", count: 300))
        #expect(longURL.status == 414)
        #expect(longURL.body.contains("uri_too_long"))
        var statuses: [Int] = []
        for attempt in 0..<3 {
            statuses.append(
                try await Self.request(port: port, path: "/readyz", authorization: "Bearer no-\(attempt)").status)
        }
        #expect(statuses == [401, 401, 429])
        let good = try await Self.request(port: port, path: "/readyz", authorization: "Bearer demo-token-change-me")
        #expect(good.status == 200)
        #expect(server.terminate() == 0)
        #expect(server.standardError.contains("refused: too_many_requests"))
    }

    @Test(arguments: [
        (["--max-head-bytes", "70000"], "--max-head-bytes must be at most 65536"),
        (["--max-head-bytes", "0"], "--max-head-bytes must be positive"),
        (["--max-url-bytes", "0"], "--max-url-bytes must be positive"),
        (["--max-webhook-bytes", "0"], "--max-webhook-bytes must be positive"),
        (["--max-refusals-per-minute=-5"], "--max-refusals-per-minute must be 0 (no limit) or positive"),
        (["--refusal-burst", "0"], "--refusal-burst must be positive"),
        (["--max-tracked-clients", "0"], "--max-tracked-clients must be positive"),
    ])
    func aLimitOutOfRangeIsRefused(_ arguments: [String], _ message: String) throws {
        let server = try Server(
            ["serve", "--account", Self.demoAccount.path, "--port", "0"] + arguments,
            environment: Self.environmentWithoutToken)
        #expect(server.waitForExit())
        #expect(server.process.terminationStatus != 0)
        #expect(server.standardError.contains(message), "\(server.standardError)")
    }
}
