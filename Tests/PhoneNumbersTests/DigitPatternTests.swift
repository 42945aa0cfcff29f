import Testing

@testable import PhoneNumbers

/// The compiled pattern forms: DFAs (whole and prefix match) and backtracking programs.
@Suite struct DigitPatternTests {
    let metadata = PhoneNumberMetadata.shared

    func digits<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        Array(s.utf8).withUnsafeBufferPointer(body)
    }

    @Test func numberPatternDFAsMatchWholeNumbersOnly() throws {
        let ru = try #require(metadata.region(RegionKey("RU")!))
        let mobile = ru.desc(.mobile).pattern  // 9\d{9}
        #expect(digits("9998885533") { metadata.automata.matchesWhole(mobile, $0) })
        #expect(!digits("999888553") { metadata.automata.matchesWhole(mobile, $0) })
        #expect(!digits("99988855331") { metadata.automata.matchesWhole(mobile, $0) })
        #expect(!digits("8998885533") { metadata.automata.matchesWhole(mobile, $0) })
    }

    @Test func leadingDigitsDFAsMatchPrefixes() throws {
        let ru = try #require(metadata.region(RegionKey("RU")!))  // leadingDigits [3489]
        #expect(digits("9") { metadata.automata.matchesPrefix(ru.leadingDigits, $0) })
        #expect(digits("4951234567") { metadata.automata.matchesPrefix(ru.leadingDigits, $0) })
        #expect(!digits("7272583456") { metadata.automata.matchesPrefix(ru.leadingDigits, $0) })
        #expect(!digits("") { metadata.automata.matchesPrefix(ru.leadingDigits, $0) })
    }

    @Test func internationalPrefixProgramGivesTheLeftmostFirstMatchEnd() throws {
        let hk = try #require(metadata.region(RegionKey("HK")!))  // 00(?:30|5[09]|[126-9]?)
        let program = metadata.programs[Int(hk.internationalPrefix)]
        #expect(digits("0030123") { program.matchPrefix($0)?.end } == 4)
        #expect(digits("001") { program.matchPrefix($0)?.end } == 3)
        #expect(digits("0034") { program.matchPrefix($0)?.end } == 2)
        #expect(digits("0") { program.matchPrefix($0) } == nil)
    }

    @Test func nationalPrefixProgramsCaptureGroupsForTheTransformRule() throws {
        let ag = try #require(metadata.region(RegionKey("AG")!))  // ([457]\d{6})$|1
        let program = metadata.programs[Int(ag.nationalPrefixForParsing)]
        let local = try #require(digits("4601234") { program.matchPrefix($0) })
        #expect(local.group(1) == 0..<7)
        let trunk = try #require(digits("12684601234") { program.matchPrefix($0) })
        #expect(trunk.group(1) == nil && trunk.end == 1)
        #expect(Array(ag.nationalPrefixTransformRule) == Array("268$1".utf8))
    }

    /// `matchPrefix` rejects inputs by their first digit without running the program: the
    /// program must then fail on every such input. Checked on every program of the metadata,
    /// against all inputs of up to four digits and random longer ones.
    @Test func firstDigitSetsAdmitEveryMatch() {
        var inputs: [[UInt8]] = [[]]
        var frontier: [[UInt8]] = [[]]
        for _ in 0..<4 {
            frontier = frontier.flatMap { prefix in (UInt8(48)...57).map { prefix + [$0] } }
            inputs += frontier
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            inputs.append((0..<Int.random(in: 5...17, using: &rng)).map { _ in UInt8.random(in: 48...57, using: &rng) })
        }
        var wrong: [String] = []
        for (index, program) in metadata.programs.enumerated() {
            for input in inputs {
                let matched = input.withUnsafeBufferPointer { program.matchPrefixByRunning($0) } != nil
                guard matched else { continue }
                let admitted =
                    program.firstDigits & 0x400 != 0
                    || (input.first.map { program.firstDigits >> UInt16($0 - 48) & 1 != 0 } ?? false)
                if !admitted { wrong.append("program \(index): \(String(decoding: input, as: UTF8.self))") }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(10))")
    }
}
