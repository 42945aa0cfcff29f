import Logging
import ScreenPopSupport

/// A swift-log handler that writes one line per message to standard error, in the format of
/// swift-log's `StreamLogHandler`: `2026-11-25T01:29:57+0000 info screenpop: key=value [source] message`.
///
/// Unlike `StreamLogHandler`, it formats metadata only when a message is written, not each time
/// metadata is set: the server sets the request id on every request's logger, and most requests
/// write nothing (`StreamLogHandler` spent about 2 µs of every request formatting it).
///
/// ```swift
/// LoggingSystem.bootstrap { label in ServerLogHandler(label: label, logLevel: .info) }
/// ```
public struct ServerLogHandler: LogHandler {
    public let label: String
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public init(label: String, logLevel: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        var line = Self.timestamp() + " \(event.level) \(label):"
        for (key, value) in all.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(value)"
        }
        line += " [\(event.source)] \(event.message)\n"
        var bytes = Array(line.utf8)
        StandardError.write(bytes: bytes)  // one write a line
    }

    /// `2026-11-25T01:29:57+0000`, local time as `StreamLogHandler` writes it.
    static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
