#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import ScreenPopSupport

/// The bearer token the account's integration sends: `Authorization: Bearer <token>`.
///
/// Its ``description`` never shows the token, so that it cannot reach a log by accident.
///
/// ```swift
/// let token = try APIToken.load(environment: ProcessInfo.processInfo.environment, accountDirectory: "Examples/demo-account")
/// ```
public struct APIToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The environment variable read first.
    public static let environmentVariable = "SCREENPOP_API_TOKEN"
    /// The file in the account directory read when the variable is not set.
    public static let fileName = "api-token"

    /// Where a token came from.
    public enum Source: Sendable, Hashable, CustomStringConvertible {
        case environment
        case file(String)
        case given

        public var description: String {
            switch self {
            case .environment: "the environment variable \(APIToken.environmentVariable)"
            case .file(let path): "the file \(path)"
            case .given: "the caller"
            }
        }
    }

    /// Why no token could be had.
    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    let bytes: [UInt8]
    public let source: Source

    /// A token; white space around it is dropped.
    ///
    /// - Returns: nil when nothing but white space is left.
    public init?(_ token: String, source: Source = .given) {
        let trimmed = token.trimmingASCIIWhitespace.utf8
        guard !trimmed.isEmpty else { return nil }
        bytes = Array(trimmed)
        self.source = source
    }

    /// The token from `SCREENPOP_API_TOKEN`, or else from `<accountDirectory>/api-token` (a store
    /// has no such file: nil takes the variable only).
    ///
    /// - Throws: ``LoadError`` when neither gives a token (an empty variable counts as not set).
    public static func load(environment: [String: String], accountDirectory: String?) throws -> APIToken {
        if let value = environment[environmentVariable], let token = APIToken(value, source: .environment) {
            return token
        }
        guard let accountDirectory else {
            throw LoadError(description: "no API token: set \(environmentVariable)")
        }
        let path = accountDirectory.hasSuffix("/") ? accountDirectory + fileName : accountDirectory + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(
                description: "no API token: set \(environmentVariable) or write the token to \(path)")
        }
        guard let token = APIToken(String(decoding: data, as: UTF8.self), source: .file(path)) else {
            throw LoadError(description: "no API token: \(path) is empty")
        }
        return token
    }

    /// Whether `candidate` is the token, in time that depends only on the token's length.
    public func matches(_ candidate: some Collection<UInt8>) -> Bool {
        var difference = UInt8(candidate.count == bytes.count ? 0 : 1)
        var iterator = candidate.makeIterator()
        for byte in bytes {
            difference |= byte ^ (iterator.next() ?? 0)
        }
        return difference == 0
    }

    /// `API token (N bytes, from …)`: never the token.
    public var description: String { "API token (\(bytes.count) bytes, from \(source))" }
    public var debugDescription: String { description }
    /// No children: `dump` and debuggers show ``description`` only.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
