/// A compiled pattern for the places where libphonenumber needs more than "does it match": the
/// end of a prefix match (international prefixes) and capture groups (national prefix for
/// parsing with its transform rule).
///
/// It runs as a leftmost-first backtracking matcher, which gives exactly the match that Java's
/// and Python's regex engines give. Metadata patterns have no unbounded repetition, so every
/// path is finite and the recursion depth is at most the program length.
@usableFromInline
struct DigitProgram: @unchecked Sendable {
    // @unchecked: a read-only view of the immortal metadata buffer.
    enum Opcode: UInt16 {
        /// Consume one digit whose bit is set in `a`.
        case digitSet = 0
        /// Try `a` first, then `b`.
        case split = 1
        /// Continue at `a`.
        case jump = 2
        /// Record the current position in capture slot `a`.
        case save = 3
        /// Succeed only at the end of the input (`$`).
        case endOfInput = 4
        /// The whole pattern matched.
        case match = 5
    }

    /// Three UInt16 in the image: opcode, a, b.
    struct Instruction: Sendable {
        let rawOpcode: UInt16
        let a: UInt16
        let b: UInt16
        var opcode: Opcode { Opcode(rawValue: rawOpcode) ?? .match }
    }

    /// Capture positions: slot 2k is the start and 2k+1 the end of group k; group 0 is the match.
    /// -1 marks a group that did not take part. Number formats have at most 5 groups (the
    /// generator checks it).
    struct Captures {
        static let slotCount = 12
        var slots: (Int16, Int16, Int16, Int16, Int16, Int16, Int16, Int16, Int16, Int16, Int16, Int16) =
            (-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1)

        subscript(slot: Int) -> Int {
            get {
                withUnsafeBytes(of: slots) { Int($0.load(fromByteOffset: slot &* 2, as: Int16.self)) }
            }
            set {
                withUnsafeMutableBytes(of: &slots) {
                    $0.storeBytes(of: Int16(newValue), toByteOffset: slot &* 2, as: Int16.self)
                }
            }
        }

        /// The end of the whole match.
        var end: Int { self[1] }

        /// The range of group `k`, or nil when it did not take part in the match.
        func group(_ k: Int) -> Range<Int>? {
            guard 2 &* k &+ 1 < Self.slotCount else { return nil }
            let start = self[2 &* k]
            let end = self[2 &* k &+ 1]
            return start >= 0 && end >= start ? start..<end : nil
        }
    }

    let code: UnsafeBufferPointer<Instruction>
    let groupCount: Int
    /// Bit d (0...9) set when a match can start with digit d; bit 10 when a match can consume no
    /// digit. Most inputs are rejected by their first digit without running the program.
    let firstDigits: UInt16

    /// The captures of a program without `split`: it matches strings of one length only, and every
    /// group starts and ends at a fixed offset, so a caller that knows the whole input matches
    /// (`matchesAllFixed`) needs not run it. Nil when the program splits.
    let fixedCaptures: Captures?
    /// With `fixedCaptures`: the digits allowed at each position of the one length it matches
    /// (bit d for digit d), so that a whole match is that many independent bit tests instead of
    /// a walk through a DFA, one dependent load per digit. Empty when the program splits.
    let fixedDigits: UnsafeBufferPointer<UInt16>

    /// - Parameter storage: room for one digit set per instruction, where `fixedDigits` is kept:
    ///   the decoder gives each program its slice of one buffer, as immortal as the metadata.
    init(code: UnsafeBufferPointer<Instruction>, groupCount: Int, storage: UnsafeMutableBufferPointer<UInt16>) {
        self.code = code
        self.groupCount = groupCount
        if let (captures, count) = Self.fixedPath(code, digits: storage) {
            fixedCaptures = captures
            fixedDigits = UnsafeBufferPointer(rebasing: storage[..<count])
        } else {
            fixedCaptures = nil
            fixedDigits = UnsafeBufferPointer(start: nil, count: 0)
        }
        var mask: UInt16 = 0
        var visited = [Bool](repeating: false, count: code.count)
        var pending = [0]
        while let pc = pending.popLast() {
            guard pc < code.count, !visited[pc] else {
                if pc >= code.count { mask |= 0x400 }  // falling off the end: be conservative
                continue
            }
            visited[pc] = true
            let instruction = code[pc]
            switch instruction.opcode {
            case .digitSet: mask |= instruction.a & 0x3FF
            case .split: pending += [Int(instruction.a), Int(instruction.b)]
            case .jump: pending.append(Int(instruction.a))
            case .save: pending.append(pc + 1)
            case .endOfInput, .match: mask |= 0x400
            }
        }
        firstDigits = mask
    }

    /// The captures of a program without `split` and the number of digits it matches, their sets
    /// written to `digits` (room for one per instruction); nil when the program splits.
    private static func fixedPath(
        _ code: UnsafeBufferPointer<Instruction>, digits: UnsafeMutableBufferPointer<UInt16>
    ) -> (Captures, Int)? {
        var captures = Captures()
        var count = 0
        var pc = 0
        var sawEnd = false
        // Without `split` the path is unique; a path longer than the program loops, and is left to `run`.
        for _ in 0...code.count {
            guard pc < code.count else { return nil }
            let instruction = code[pc]
            switch instruction.opcode {
            case .digitSet:
                guard !sawEnd, count < digits.count else { return nil }  // `$` before a digit: left to `run`
                digits[count] = instruction.a & 0x3FF
                count += 1
                pc += 1
            case .split: return nil
            case .jump: pc = Int(instruction.a)
            case .save:
                if Int(instruction.a) < Captures.slotCount { captures[Int(instruction.a)] = count }
                pc += 1
            case .endOfInput: sawEnd = true; pc += 1
            case .match: return count == 0 || captures.end != count ? nil : (captures, count)
            }
        }
        return nil
    }

    /// With `fixedCaptures`: whether the program matches all of `digits` (ASCII '0'...'9').
    @inline(__always)
    func matchesAllFixed(_ digits: UnsafeBufferPointer<UInt8>) -> Bool {
        guard digits.count == fixedDigits.count else { return false }
        var all: UInt16 = 1
        for i in 0..<digits.count { all &= fixedDigits[i] &>> UInt16(digits[i] &- 48) }
        return all & 1 != 0
    }

    /// The fewest digits any match consumes (programs have no loops, so this is finite).
    var minimumMatchLength: Int {
        var memo = [Int?](repeating: nil, count: code.count)
        func shortest(_ pc: Int, _ depth: Int) -> Int {
            guard pc < code.count, depth < 10_000 else { return 0 }
            if let known = memo[pc] { return known }
            let instruction = code[pc]
            let result: Int
            switch instruction.opcode {
            case .digitSet: result = 1 + shortest(pc + 1, depth + 1)
            case .split: result = min(shortest(Int(instruction.a), depth + 1), shortest(Int(instruction.b), depth + 1))
            case .jump: result = shortest(Int(instruction.a), depth + 1)
            case .save, .endOfInput: result = shortest(pc + 1, depth + 1)
            case .match: result = 0
            }
            memo[pc] = result
            return result
        }
        return shortest(0, 0)
    }

    /// Matches at the start of `digits` (ASCII '0'...'9'): Python's `re.match`.
    @inline(__always)
    func matchPrefix(_ digits: UnsafeBufferPointer<UInt8>) -> Captures? {
        if firstDigits & 0x400 == 0 {
            guard let first = digits.first, firstDigits &>> UInt16(first &- 48) & 1 != 0 else { return nil }
        }
        return matchPrefixByRunning(digits)
    }

    /// `matchPrefix` without the first-digit test: the program run on `digits`.
    func matchPrefixByRunning(_ digits: UnsafeBufferPointer<UInt8>) -> Captures? {
        var captures = Captures()
        return run(code, 0, 0, digits, &captures) ? captures : nil
    }

    private func run(
        _ program: UnsafeBufferPointer<Instruction>, _ startPC: Int, _ startPosition: Int,
        _ digits: UnsafeBufferPointer<UInt8>, _ captures: inout Captures
    ) -> Bool {
        var pc = startPC
        var position = startPosition
        while pc < program.count {
            let instruction = program[pc]
            switch instruction.opcode {
            case .digitSet:
                guard position < digits.count,
                    (instruction.a >> UInt16(digits[position] &- 48)) & 1 != 0
                else { return false }
                position &+= 1
                pc &+= 1
            case .split:
                let saved = captures
                if run(program, Int(instruction.a), position, digits, &captures) { return true }
                captures = saved
                pc = Int(instruction.b)
            case .jump:
                pc = Int(instruction.a)
            case .save:
                if Int(instruction.a) < Captures.slotCount { captures[Int(instruction.a)] = position }
                pc &+= 1
            case .endOfInput:
                guard position == digits.count else { return false }
                pc &+= 1
            case .match:
                return true
            }
        }
        return false
    }
}
