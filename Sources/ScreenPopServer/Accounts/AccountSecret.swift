import Crypto

/// The credentials of a server of many accounts: minting them, hashing them, comparing hashes.
///
/// A store keeps only the SHA-256 of each API token and webhook secret, so that a copy of the
/// store lets nobody in; the server hashes what a client sends and asks the
/// ``AccountProvider`` for the hash. The CLI mints and hashes with the same code.
///
/// ```swift
/// let token = AccountSecret.generate(prefix: AccountSecret.apiTokenPrefix)   // "sp_…", shown once
/// let hash = AccountSecret.sha256(token)                                     // what the store keeps
/// AccountSecret.hashesEqual(hash, AccountSecret.sha256(sent))                // constant time
/// ```
public enum AccountSecret {
    /// The prefix of API tokens: a token in a log or a paste says what it is.
    public static let apiTokenPrefix = "sp_"
    /// The prefix of webhook secrets.
    public static let webhookSecretPrefix = "wh_"
    /// Random bytes in a minted secret: 256 bits, which no one guesses.
    public static let randomByteCount = 32

    /// A new secret: `prefix` and 32 bytes of `SystemRandomNumberGenerator` in URL-safe base64
    /// without padding (43 characters), so that it fits a URL path and a header as it is.
    public static func generate(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(prefix: prefix, using: &generator)
    }

    /// A new secret from `generator` (tests pass a seeded one; a real secret needs the system's).
    public static func generate(prefix: String, using generator: inout some RandomNumberGenerator) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(randomByteCount)
        while bytes.count < randomByteCount {
            var word = generator.next() as UInt64
            for _ in 0..<8 where bytes.count < randomByteCount {
                bytes.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        return prefix + base64URL(bytes)
    }

    /// The SHA-256 of `bytes` (32 bytes).
    public static func sha256(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: Array(bytes))
        return Array(hasher.finalize())
    }

    /// The SHA-256 of the UTF-8 of `text`, as sent: no trimming, no decoding.
    public static func sha256(_ text: String) -> [UInt8] { sha256(text.utf8) }

    /// Whether two hashes are equal, in time that depends only on their lengths: a provider that
    /// compares a sent hash with a kept one leaks nothing of the kept one through timing.
    public static func hashesEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// URL-safe base64 (RFC 4648 §5) without padding.
    static func base64URL(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= bytes.count {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int(value >> UInt32(shift) & 63)]) }
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            let value = UInt32(bytes[index]) << 16 | (rest == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
            out.append(alphabet[Int(value >> 18 & 63)])
            out.append(alphabet[Int(value >> 12 & 63)])
            if rest == 2 { out.append(alphabet[Int(value >> 6 & 63)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension APIToken {
    /// The token's SHA-256: what a store of many accounts keeps instead of the token.
    public var sha256: [UInt8] { AccountSecret.sha256(bytes) }
}
