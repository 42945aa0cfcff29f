import ServiceLifecycle

/// Sends a heartbeat to every open stream at an interval, until graceful shutdown; then ends the
/// streams that are still open.
struct HeartbeatService: Service {
    let hub: NotificationHub
    let interval: Duration

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    try await Task.sleep(for: interval)
                    hub.heartbeat()
                }
            }
        } catch is CancellationError {
            // Graceful shutdown or cancellation: stop ticking.
        }
        hub.shutdown()
    }
}
