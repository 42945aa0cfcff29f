import Crypto
import ScreenPopSupport

/// A stream ticket's claims: which account's user may open a stream, until when.
///
/// A browser cannot send `Authorization` on an `EventSource`, and the integration's token must
/// never reach one: the integration's back end mints a ticket for the agent
/// (`POST /api/v2/events/stream-tickets`) and hands it to the browser, which opens
/// `GET /api/v2/events/stream?ticket=…` with it.
public struct StreamTicket: Hashable, Sendable {
    public var accountID: Int
    public var userID: Int
    /// Unix time, seconds: the ticket is refused from then on.
    public var expiresAt: Int

    public init(accountID: Int, userID: Int, expiresAt: Int) {
        self.accountID = accountID
        self.userID = userID
        self.expiresAt = expiresAt
    }
}

/// Why a ticket was refused (HTTP 401 either way).
public enum StreamTicketError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Not a ticket of this server's key: made up, altered, or signed with a key since rotated.
    case invalid
    /// A genuine ticket past its expiry.
    case expired(at: Int)

    public var description: String {
        switch self {
        case .invalid: "the ticket is not valid here"
        case .expired(let time): "the ticket expired at \(time) (Unix time)"
        }
    }
}

/// Mints and checks stream tickets: HMAC-SHA256 over the account, the user and the expiry, so that
/// every instance with the same key accepts a ticket any of them minted, without a session table.
///
/// A ticket is URL-safe base64 of 57 bytes: a version byte, the account, the user and the expiry
/// (three 64-bit big-endian integers), and the 32-byte MAC of the first 25. It is opaque to clients.
///
/// ```swift
/// let signer = StreamTicketSigner(key: keyBytes)
/// let text = signer.mint(StreamTicket(accountID: 0, userID: 88888, expiresAt: now + 43_200))
/// let ticket = try signer.verify(text, now: now)     // or StreamTicketError
/// ```
public struct StreamTicketSigner: Sendable {
    /// The environment variable that gives the key (at least 32 bytes of text) to every instance.
    public static let environmentVariable = "SCREENPOP_TICKET_KEY"
    /// The name of the key among a store's server secrets.
    public static let storeSecretName = "stream_ticket_key"
    /// The shortest key accepted, in bytes.
    public static let minimumKeyBytes = 32

    static let version: UInt8 = 1
    static let claimBytes = 25
    static let ticketBytes = claimBytes + 32

    /// The key's bytes: swift-crypto's `SymmetricKey` is not `Sendable`, so one is made per use
    /// (tickets are minted and checked once per stream, not per notification).
    private let keyBytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    /// A signer with `key` (from ``environmentVariable``, a store, or ``randomKey()``).
    ///
    /// - Precondition: `key` has at least ``minimumKeyBytes`` bytes.
    public init(key: [UInt8]) {
        precondition(key.count >= Self.minimumKeyBytes, "a stream ticket key needs at least 32 bytes")
        self.keyBytes = key
    }

    /// 32 random bytes from the system's generator: a new key.
    public static func randomKey() -> [UInt8] {
        SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    }

    /// The ticket's text.
    public func mint(_ ticket: StreamTicket) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.ticketBytes)
        bytes.append(Self.version)
        for value in [ticket.accountID, ticket.userID, ticket.expiresAt] {
            let bits = UInt64(bitPattern: Int64(value))
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: bits >> shift)) }
        }
        bytes += HMAC<SHA256>.authenticationCode(for: bytes, using: key)
        return Base64.encodeURLSafe(bytes)
    }

    /// The claims of a genuine ticket that has not expired at `now` (Unix seconds).
    ///
    /// The MAC is compared in constant time (swift-crypto's `isValidAuthenticationCode`), and
    /// before the expiry is looked at: an altered ticket is ``StreamTicketError/invalid`` whatever
    /// it claims.
    public func verify(_ text: some StringProtocol, now: Int) throws(StreamTicketError) -> StreamTicket {
        guard text.utf8.count <= 2 * Self.ticketBytes, let bytes = Base64.decodeURLSafe(Substring(text)),
            bytes.count == Self.ticketBytes, bytes[0] == Self.version
        else { throw .invalid }
        let claims = bytes[0..<Self.claimBytes]
        let mac = bytes[Self.claimBytes...]
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: claims, using: key) else { throw .invalid }
        func integer(at offset: Int) -> Int {
            var bits: UInt64 = 0
            for byte in bytes[offset..<offset + 8] { bits = bits << 8 | UInt64(byte) }
            return Int(Int64(bitPattern: bits))
        }
        let ticket = StreamTicket(accountID: integer(at: 1), userID: integer(at: 9), expiresAt: integer(at: 17))
        guard now < ticket.expiresAt else { throw .expired(at: ticket.expiresAt) }
        return ticket
    }
}

/// How the server mints stream tickets.
public struct StreamTicketSettings: Sendable {
    /// The signing key; nil: a random one made when the server is made (tickets then end with the
    /// process, and other instances refuse them).
    public var key: [UInt8]?
    /// A ticket's life when the request does not say (12 hours).
    public var defaultLifetime: Duration
    /// The longest life a request may ask (24 hours).
    public var maximumLifetime: Duration

    public init(key: [UInt8]? = nil, defaultLifetime: Duration = .seconds(12 * 3600), maximumLifetime: Duration = .seconds(24 * 3600)) {
        self.key = key
        self.defaultLifetime = defaultLifetime
        self.maximumLifetime = maximumLifetime
    }
}
