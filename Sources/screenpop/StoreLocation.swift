import Logging
import ScreenPopPostgres
import ScreenPopStore
import ScreenPopSupport

/// What `--store` names: a SQLite file (a path), or a PostgreSQL database
/// (`postgres://USER[:PASSWORD]@HOST:PORT/DB`, also `postgresql://`).
enum StoreLocation {
    /// Whether `text` is a PostgreSQL URL rather than a file's path.
    static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Opens the store; schema migrations run here.
    ///
    /// - Parameter create: Whether a SQLite file that does not exist is made (reading never
    ///   creates one: a mistyped path is an error, not a new empty store).
    static func open(_ text: String, create: Bool, logger: Logger? = nil) async throws -> any AccountStore {
        if isPostgres(text) {
            if var logger {
                // PostgresNIO says every failed connection attempt at `info`: an outage is told
                // once, by the instance (SharedStoreCluster).
                logger.logLevel = max(logger.logLevel, .warning)
                return try await PostgresAccountStore.open(text, logger: logger)
            }
            return try await PostgresAccountStore.open(text)
        }
        guard create || access(text, F_OK) == 0 else {
            throw StoreError("\(text): no such store; make one with `screenpop import` or `screenpop sync`")
        }
        return try SQLiteAccountStore(path: text)
    }

    /// Closes a store's connections (PostgreSQL); a SQLite file needs nothing.
    static func close(_ store: any AccountStore) async {
        await (store as? PostgresAccountStore)?.shutdown()
    }
}

extension StoreLocation {
    /// The location as logs and output may show it: a PostgreSQL URL without its password.
    static func redacted(_ text: String) -> String {
        guard isPostgres(text), let scheme = text.range(of: "://") else { return text }
        let rest = text[scheme.upperBound...]
        guard let at = rest.lastIndex(of: "@") else { return text }
        let userInfo = rest[..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return text }
        return String(text[..<scheme.upperBound]) + userInfo[..<colon] + ":***" + rest[at...]
    }
}

extension StoreLocation {
    /// Opens the store, runs `body` with it, and closes it, whether `body` throws or not.
    static func with<T>(_ text: String, create: Bool, _ body: (any AccountStore) async throws -> T) async throws -> T {
        let store = try await open(text, create: create)
        do {
            let result = try await body(store)
            await close(store)
            return result
        } catch {
            await close(store)
            throw error
        }
    }
}
