import Logging
import NIOCore
import Synchronization

/// Logs the requests refused by a limit once per client and window, never per request: a client
/// that sends a thousand oversized heads a second makes one `notice` a window, which says how many
/// it had refused since the previous one.
///
/// The first refusal of a limit from an address logs at once (`refused: headers_too_large`, with
/// `limit`, `client.address` and `refused`: the refusals since that address's last notice of that
/// limit, this one included) and opens a window of ``interval``; later refusals in the window are
/// only counted, and the first one after it logs their count. Refusals that no later one follows
/// stay counted, not logged. The table of windows is a ``RecentTable``: bounded whatever the
/// number of addresses.
final class LimitNotices: Sendable {
    /// The shortest time between two notices of one limit for one address.
    let interval: Duration
    private let logger: Logger
    private let windows: Mutex<RecentTable<Key, Window>>

    struct Key: Hashable {
        var code: String
        var client: ClientKey
    }

    struct Window {
        var opened: ContinuousClock.Instant?
        var refusedSinceNotice = 0
    }

    init(interval: Duration, logger: Logger, trackedKeys: Int = 10_000) {
        self.interval = interval
        self.logger = logger
        self.windows = Mutex(RecentTable(capacity: trackedKeys))
    }

    /// Counts one refusal by the limit named `code` (`headers_too_large`), of a request from
    /// `address`, and logs a notice if its window allows.
    ///
    /// - Parameters:
    ///   - code: The refusal's error code.
    ///   - limit: The limit's setting and value, as the notice shows it (`max_head_bytes=16384`).
    ///   - address: The client's address.
    func refused(
        _ code: String, limit: String, address: SocketAddress?, now: ContinuousClock.Instant = .now
    ) {
        let key = Key(code: code, client: ClientKey(address: address))
        let interval = interval
        let count: Int? = windows.withLock { table in
            table.update(key, orMake: { Window() }) { (window: inout Window) -> Int? in
                window.refusedSinceNotice += 1
                if let opened = window.opened, now - opened < interval { return nil }
                let count = window.refusedSinceNotice
                window.opened = now
                window.refusedSinceNotice = 0
                return count
            }
        }
        guard let count else { return }
        logger.notice(
            "refused: \(code)",
            metadata: [
                "limit": "\(limit)", "client.address": "\(address?.ipAddress ?? "-")", "refused": "\(count)",
                "window_ms":
                    "\(interval.components.seconds * 1000 + interval.components.attoseconds / 1_000_000_000_000_000)",
            ])
    }
}
