import ScreenPopSupport

/// A notification's id: a random (version 4) UUID, written in lowercase as amoCRM's `uid`.
///
/// ```swift
/// let uid = EventUID.random()
/// uid.description   // "0e3455ff-67aa-4779-bebe-66ddc038a4ee"
/// ```
///
/// Made from `SystemRandomNumberGenerator` (the system's cryptographic source), without Foundation.
public struct EventUID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The UUID's first 8 bytes, big-endian.
    public let high: UInt64
    /// The UUID's last 8 bytes, big-endian.
    public let low: UInt64

    /// The UUID with these bits, as they are (no version or variant is set).
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A new random UUID (RFC 9562 version 4: 122 random bits).
    ///
    /// Both halves come from one request to the system's source: `SystemRandomNumberGenerator`
    /// makes one system call per 8 bytes, and a post makes one UUID per event.
    public static func random() -> EventUID {
        var source = SystemRandomSource()
        return random(using: &source)
    }

    /// A new random UUID from `generator` (version and variant bits set).
    public static func random(using generator: inout some RandomNumberGenerator) -> EventUID {
        let high = (generator.next() & ~0xF000) | 0x4000  // version 4 in bits 48-51
        let low = (generator.next() & ~(0b11 << 62)) | (0b10 << 62)  // variant 10
        return EventUID(high: high, low: low)
    }

    /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (hex digits in either case).
    public init?(_ text: String) {
        var digits: [UInt64] = []
        digits.reserveCapacity(32)
        for (position, byte) in text.utf8.enumerated() {
            if position == 8 || position == 13 || position == 18 || position == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits.append(UInt64(byte - UInt8(ascii: "0")))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digits.append(UInt64(byte - UInt8(ascii: "a") + 10))
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digits.append(UInt64(byte - UInt8(ascii: "A") + 10))
            default: return nil
            }
        }
        guard digits.count == 32, text.utf8.count == 36 else { return nil }
        high = digits[0..<16].reduce(0) { $0 << 4 | $1 }
        low = digits[16..<32].reduce(0) { $0 << 4 | $1 }
    }

    /// The RFC 9562 version (4 for ``random()``).
    public var version: Int { Int((high >> 12) & 0xF) }

    /// `0e3455ff-67aa-4779-bebe-66ddc038a4ee`.
    public var description: String {
        String(unsafeUninitializedCapacity: 36) { buffer in
            write(into: UnsafeMutableRawBufferPointer(buffer))
            return 36
        }
    }

    /// Appends the 36 ASCII bytes of ``description``.
    public func appendASCII(to bytes: inout [UInt8]) {
        var text: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)  // 40 bytes
        withUnsafeMutableBytes(of: &text) { buffer in
            write(into: buffer)
            bytes.append(contentsOf: buffer[..<36])
        }
    }

    private func write(into buffer: UnsafeMutableRawBufferPointer) {
        let hex: StaticString = "0123456789abcdef"
        var out = 0
        for nibble in 0..<32 {
            if nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20 {
                buffer[out] = UInt8(ascii: "-")
                out += 1
            }
            let word = nibble < 16 ? high : low
            let shift = UInt64(60 - 4 * (nibble % 16))
            buffer[out] = hex.utf8Start[Int((word >> shift) & 0xF)]
            out += 1
        }
    }

    public static func < (a: EventUID, b: EventUID) -> Bool { (a.high, a.low) < (b.high, b.low) }
}

/// The system's cryptographic source, read 16 bytes at a time: ``EventUID/random()``'s two words
/// from one system call. Where the platform has no such call, or it fails, each word comes from
/// `SystemRandomNumberGenerator`.
struct SystemRandomSource: RandomNumberGenerator {
    private var buffered: UInt64?

    mutating func next() -> UInt64 {
        if let word = buffered {
            buffered = nil
            return word
        }
        var words: (UInt64, UInt64) = (0, 0)
        #if canImport(Glibc) || canImport(Musl)
            // getentropy: glibc's and musl's wrapper of the getrandom system call, up to 256 bytes.
            let filled = withUnsafeMutableBytes(of: &words) { getentropy($0.baseAddress, $0.count) == 0 }
        #elseif canImport(Darwin)
            withUnsafeMutableBytes(of: &words) { arc4random_buf($0.baseAddress, $0.count) }
            let filled = true
        #else
            let filled = false
        #endif
        guard filled else {
            var system = SystemRandomNumberGenerator()
            return system.next()
        }
        buffered = words.1
        return words.0
    }
}
