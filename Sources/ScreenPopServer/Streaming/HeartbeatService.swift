import ServiceLifecycle

/// Sends a heartbeat to every open stream of every loaded account at an interval, until graceful
/// shutdown; then ends the streams that are still open.
struct HeartbeatService: Service {
    let accounts: ServedAccounts
    let interval: Duration

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    try await Task.sleep(for: interval)
                    accounts.heartbeat()
                }
            }
        } catch is CancellationError {
            // Graceful shutdown or cancellation: stop ticking.
        }
        accounts.shutdown()
    }
}
