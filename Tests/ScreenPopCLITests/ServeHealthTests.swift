import AccountSynthesis
import AmoCRMStandIn
import Foundation
import Testing

/// `screenpop serve --amocrm` with its real feed (`LiveFeed`): `/readyz` and `/metrics` follow the
/// sync with amoCRM's stand-in as it succeeds, fails and recovers.
@Suite(.serialized) struct ServeHealthTests {
    /// A sample's value in Prometheus text (`name value`, no labels); nil when absent.
    static func sample(_ name: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1))
        }
        return nil
    }

    @Test func readyzAndMetricsFollowTheSync() async throws {
        try await EndToEnd.withDirectory { directory in
            let store = directory.appendingPathComponent("account.sqlite").path
            let standIn = AmoCRMStandIn(SyntheticAccount(seed: 13, contacts: 100), users: EndToEnd.users)
            try await standIn.run { standIn in
                let server = try EndToEnd.Child(
                    [
                        "serve", "--store", store, "--amocrm", standIn.base, "--rate", "1000", "--poll", "1",
                        "--max-sync-lag", "3", "--port", "0",
                    ], environment: EndToEnd.serveEnvironment(standIn))
                defer { server.kill() }
                let http = EndToEnd.HTTP(port: try await server.port())
                #expect(try await http.request("GET", "/healthz", token: false).status == 200)
                #expect(try await http.request("GET", "/readyz", token: false).status == 401)
                #expect(try await http.request("GET", "/metrics", token: false).status == 401)

                // The first listing done and polls every second: ready, with a lag under the limit.
                let ready = try await EndToEnd.eventually { try await http.request("GET", "/readyz").status == 200 }
                let answer = try await http.request("GET", "/readyz")
                #expect(ready, "\(answer.text)")
                let lag = answer.json["sync_lag_seconds"] as? Int
                #expect(lag.map { (0...3).contains($0) } == true, "\(String(describing: lag))")
                let before = try await http.request("GET", "/metrics").text
                #expect(Self.sample("screenpop_sync_errors_total", in: before) == 0)

                // amoCRM refuses the next requests: each poll fails at its first, the lag grows past 3 s.
                standIn.fail(Array(repeating: .status(400), count: 8))
                var reason: String?
                let lagging = try await EndToEnd.eventually(seconds: 60) {
                    let answer = try await http.request("GET", "/readyz")
                    reason = answer.json["reason"] as? String
                    return answer.status == 503
                }
                #expect(lagging)
                #expect(
                    reason?.hasPrefix("the sync with amoCRM lags: its last success started ") == true,
                    "\(reason ?? "-")")
                let metrics = try await http.request("GET", "/metrics").text
                #expect((Self.sample("screenpop_sync_errors_total", in: metrics) ?? 0) >= 1, "\(metrics)")
                #expect((Self.sample("screenpop_sync_lag_seconds", in: metrics) ?? 0) > 3, "\(metrics)")
                #expect(try await http.request("GET", "/ready", token: false).status == 200)

                // The faults used up, a poll succeeds: ready again.
                let recovered = try await EndToEnd.eventually(seconds: 60) {
                    try await http.request("GET", "/readyz").status == 200
                }
                #expect(recovered, "\(server.errors)")
            }
        }
    }

    /// The port of the monitoring listener's log line, waited for (bounded).
    static func monitoringPort(_ server: ServeCommandTests.Server) async throws -> Int? {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            for line in server.standardError.split(separator: "\n") where line.contains("monitoring without a token") {
                guard let range = line.range(of: "127.0.0.1:") else { continue }
                return Int(line[range.upperBound...].prefix { $0.isNumber })
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// `--metrics-address`: /healthz, /readyz and /metrics without a token on their own port; the
    /// API's port keeps asking for it, and the monitoring port has no API.
    @Test func theMonitoringListenerAsksForNoToken() async throws {
        let server = try ServeCommandTests.Server(
            [
                "serve", "--account", ServeCommandTests.demoAccount.path, "--port", "0", "--metrics-address",
                "127.0.0.1:0",
            ],
            environment: ServeCommandTests.environmentWithoutToken)
        defer { if server.process.isRunning { server.process.terminate() } }
        let apiPort = try #require(server.waitForPort(), "no listening line: \(server.standardError)")
        let port = try #require(try await Self.monitoringPort(server), "no monitoring line: \(server.standardError)")
        #expect(port != apiPort)
        let api = EndToEnd.HTTP(port: apiPort)
        let monitoring = EndToEnd.HTTP(port: port)
        let (status, _) = try await ServeCommandTests.post(
            port: apiPort, body: #"{"add":[{"type":"phone_call","phone_number":"+79161234567"}]}"#,
            contentType: "application/json")
        #expect(status == 200)
        #expect(try await api.request("GET", "/metrics", token: false).status == 401)

        let metrics = try await monitoring.request("GET", "/metrics", token: false)
        #expect(metrics.status == 200)
        #expect(
            metrics.text.contains(
                #"screenpop_http_requests_total{route="/api/v2/events",method="POST",status="200"} 1"#),
            "\(metrics.text)")
        let ready = try await monitoring.request("GET", "/readyz", token: false)
        #expect(ready.status == 200)
        #expect(ready.text == #"{"status":"ready","sync_lag_seconds":null}"#)
        #expect(try await monitoring.request("GET", "/healthz", token: false).status == 200)
        #expect(try await monitoring.request("POST", "/api/v2/events", token: false).status == 404)

        // A monitoring address in use (this server's API port): one line naming the option, status 1.
        let second = try ServeCommandTests.Server(
            [
                "serve", "--account", ServeCommandTests.demoAccount.path, "--port", "0", "--metrics-address",
                "127.0.0.1:\(apiPort)",
            ], environment: ServeCommandTests.environmentWithoutToken)
        defer { if second.process.isRunning { second.process.terminate() } }
        #expect(second.waitForExit())
        #expect(second.process.terminationStatus == 1)
        #expect(
            second.standardError.contains(
                "screenpop: error: cannot listen on --metrics-address 127.0.0.1:\(apiPort): the address is in use"),
            "\(second.standardError)")
        #expect(server.terminate() == 0)
    }

    @Test func aMetricsAddressThatIsNotHostAndPortIsRefused() throws {
        for address in ["9090", "127.0.0.1:", "127.0.0.1:70000", ":9090"] {
            let server = try ServeCommandTests.Server(
                ["serve", "--account", ServeCommandTests.demoAccount.path, "--metrics-address", address],
                environment: ServeCommandTests.environmentWithoutToken)
            #expect(server.waitForExit())
            #expect(server.process.terminationStatus != 0)
            #expect(server.standardError.contains("--metrics-address must be HOST:PORT"), "\(server.standardError)")
        }
    }
}
