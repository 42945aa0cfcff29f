import ScreenPopStore

/// Where a PostgreSQL server is: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE]`
/// (also `postgresql://`), as libpq writes it.
///
/// ``description`` leaves the password out, so that the URL can go into errors and logs.
public struct PostgresURL: Sendable, Hashable, CustomStringConvertible {
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    /// As libpq's `sslmode`: `prefer` (the default) and `require` encrypt without checking the
    /// server's certificate, `verify-full` checks it against the system's roots and the host name.
    public var sslMode: SSLMode

    public enum SSLMode: String, Sendable, Hashable {
        case disable
        case prefer
        case require
        case verifyFull = "verify-full"
    }

    /// - Throws: ``StoreError`` saying what is wrong, without the password.
    public init(_ text: String) throws(StoreError) {
        func fail(_ what: String) -> StoreError {
            StoreError(
                "\(Self.redacting(text)): not a PostgreSQL URL (postgres://USER[:PASSWORD]@HOST:PORT/DATABASE): \(what)"
            )
        }
        var rest = Substring(text)
        if rest.hasPrefix("postgres://") {
            rest = rest.dropFirst("postgres://".count)
        } else if rest.hasPrefix("postgresql://") {
            rest = rest.dropFirst("postgresql://".count)
        } else {
            throw fail("it must start with postgres:// or postgresql://")
        }
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        guard let slash = rest.firstIndex(of: "/") else { throw fail("no /DATABASE") }
        let authority = rest[..<slash]
        database = try Self.decoded(rest[rest.index(after: slash)...], fail)
        guard !database.isEmpty else { throw fail("no database name after the host") }
        guard let at = authority.lastIndex(of: "@") else { throw fail("no USER@ before the host") }
        let credentials = authority[..<at]
        var hostPort = authority[authority.index(after: at)...]
        if let colon = credentials.firstIndex(of: ":") {
            user = try Self.decoded(credentials[..<colon], fail)
            password = try Self.decoded(credentials[credentials.index(after: colon)...], fail)
        } else {
            user = try Self.decoded(credentials, fail)
            password = nil
        }
        guard !user.isEmpty else { throw fail("no user name") }
        port = 5432
        if hostPort.hasPrefix("[") {  // [::1]:5432
            guard let close = hostPort.firstIndex(of: "]") else { throw fail("an IPv6 host without ]") }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            hostPort = hostPort[hostPort.index(after: close)...]
            if hostPort.hasPrefix(":") {
                guard let value = Int(hostPort.dropFirst()), (1...65535).contains(value) else {
                    throw fail("the port is not a number from 1 to 65535")
                }
                port = value
            } else if !hostPort.isEmpty {
                throw fail("unexpected text after the IPv6 host")
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            guard let value = Int(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(value) else {
                throw fail("the port is not a number from 1 to 65535")
            }
            port = value
        } else {
            host = String(hostPort)
        }
        guard !host.isEmpty else { throw fail("no host") }
        sslMode = .prefer
        for parameter in query.split(separator: "&") {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            let name = String(pair[0])
            let value = pair.count > 1 ? String(pair[1]) : ""
            switch name {
            case "sslmode":
                switch value {
                case "disable", "allow": sslMode = .disable
                case "prefer": sslMode = .prefer
                case "require": sslMode = .require
                case "verify-ca", "verify-full": sslMode = .verifyFull
                default: throw fail("sslmode must be disable, prefer, require or verify-full, not \(value)")
                }
            default:
                throw fail("unknown parameter \(name) (only sslmode is read)")
            }
        }
    }

    /// The URL without its password.
    public var description: String {
        var text = "postgres://\(user)@"
        text += host.contains(":") ? "[\(host)]" : host
        text += ":\(port)/\(database)"
        if sslMode != .prefer { text += "?sslmode=\(sslMode.rawValue)" }
        return text
    }

    /// `text` with whatever stands between `user:` and `@` replaced, for errors about a URL that
    /// does not parse.
    static func redacting(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let afterScheme = text[scheme.upperBound...]
        let authorityEnd = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        guard let at = afterScheme[..<authorityEnd].lastIndex(of: "@"),
            let colon = afterScheme[..<at].firstIndex(of: ":")
        else { return text }
        return String(text[..<afterScheme.index(after: colon)]) + "***" + String(afterScheme[at...])
    }

    /// Percent-decoding (`%40` is `@`).
    private static func decoded(_ text: Substring, _ fail: (String) -> StoreError) throws(StoreError) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var utf8 = text.utf8.makeIterator()
        func hex(_ byte: UInt8?) -> UInt8? {
            switch byte {
            case let b? where b >= 48 && b <= 57: b - 48
            case let b? where b >= 65 && b <= 70: b - 55
            case let b? where b >= 97 && b <= 102: b - 87
            default: nil
            }
        }
        while let byte = utf8.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = hex(utf8.next()), let low = hex(utf8.next()) else {
                    throw fail("a % not followed by two hexadecimal digits")
                }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
