import Testing

@testable import PhoneNumbers

/// No input traps, hangs or allocates without bound.
@Suite struct RobustnessTests {
    func outcome(_ s: String, _ region: String? = "RU") -> String {
        do { return try PhoneNumber(parsing: s, defaultRegion: region).description } catch { return error.code.name }
    }

    @Test func tenThousandPlusSignsAreTooLong() {
        #expect(outcome(String(repeating: "+", count: 10_000)) == "TOO_LONG")
    }

    @Test func theLimitIs250UnicodeScalars() {
        let padding = String(repeating: "😀", count: 250 - 12)
        #expect(outcome("+79998885533" + padding) == "+79998885533")  // trailing symbols are dropped
        #expect(outcome("+79998885533" + padding + "😀") == "TOO_LONG")
        #expect(outcome(String(repeating: "x", count: 50_000_000)) == "TOO_LONG")
    }

    @Test func controlCharactersAndNUL() {
        #expect(outcome("\u{0}+7 999 888 55 33\u{0}") == "+79998885533")
        #expect(outcome("+7 999\u{0} 888 55 33") == "NOT_A_NUMBER")
        #expect(outcome("\u{1}\u{2}\u{7F}") == "NOT_A_NUMBER")
        #expect(outcome("") == "NOT_A_NUMBER")
    }

    @Test func randomUnicodeNeverTraps() {
        var rng = SplitMix64(seed: 0x5C12_EE11)
        let pool: [UInt32] =
            Array(0x20...0x7E) + [
                0x0, 0xA, 0xFF0B, 0x660, 0x661, 0x6F5, 0xFF11, 0x434, 0x43E, 0x431, 0x301,
                0xA0, 0x2011, 0x3000, 0x1F600, 0xD7FF, 0x10FFFF, 0x130, 0x131, 0x17F,
            ]
        for _ in 0..<20_000 {
            let length = Int(rng.next() % 40)
            var s = String.UnicodeScalarView()
            for _ in 0..<length {
                let v =
                    rng.next() % 4 == 0 ? pool[Int(rng.next() % UInt64(pool.count))] : UInt32(0x30 + rng.next() % 10)
                s.append(Unicode.Scalar(v)!)
            }
            let text = String(s)
            let regions = ["RU", "US", "ZZ", "BR", "AR", "IT"]
            let first = outcome(text, regions[Int(rng.next() % 6)])
            #expect(!first.isEmpty)
        }
    }
}

/// A small deterministic generator for reproducible random tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
