import NIOCore

/// Who a refusal is counted against: a client's address, or a credential it presented (by its
/// SHA-256, never the credential itself). Fixed-size, so that keeping one allocates nothing.
struct ClientKey: Hashable, Sendable {
    enum Kind: UInt8, Sendable {
        /// An IPv4 address, or an IPv4-mapped IPv6 one.
        case ipv4
        /// The /64 network of an IPv6 address: one host commonly holds a whole /64, so counting
        /// its addresses one by one would let it make up new ones at will.
        case ipv6Network
        /// A Unix socket, or a connection whose address is unknown: one key for all of them.
        case otherAddress
        /// The SHA-256 of a credential.
        case credential
    }

    let kind: Kind
    private let words: (UInt64, UInt64, UInt64, UInt64)

    private init(kind: Kind, words: (UInt64, UInt64, UInt64, UInt64)) {
        self.kind = kind
        self.words = words
    }

    /// The key of a connection's remote address (its port ignored).
    init(address: SocketAddress?) {
        switch address {
        case .v4(let ipv4):
            self.init(kind: .ipv4, words: (UInt64(UInt32(bigEndian: ipv4.address.sin_addr.s_addr)), 0, 0, 0))
        case .v6(let ipv6):
            let bytes = withUnsafeBytes(of: ipv6.address.sin6_addr) { Array($0) }
            // ::ffff:a.b.c.d is the IPv4 address a.b.c.d, whichever socket it came through.
            if bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
                let value = bytes[12...].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                self.init(kind: .ipv4, words: (UInt64(value), 0, 0, 0))
            } else {
                let network = bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                self.init(kind: .ipv6Network, words: (network, 0, 0, 0))
            }
        default:
            self.init(kind: .otherAddress, words: (0, 0, 0, 0))
        }
    }

    /// The key of a credential's SHA-256 (``AccountSecret/sha256(_:)-(String)``); the first 32
    /// bytes of a longer hash.
    init(credentialHash hash: [UInt8]) {
        func word(_ at: Int) -> UInt64 {
            (0..<8).reduce(UInt64(0)) { value, offset in
                let index = at * 8 + offset
                return value << 8 | UInt64(index < hash.count ? hash[index] : 0)
            }
        }
        self.init(kind: .credential, words: (word(0), word(1), word(2), word(3)))
    }

    static func == (a: ClientKey, b: ClientKey) -> Bool {
        a.kind == b.kind && a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2
            && a.words.3 == b.words.3
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}
