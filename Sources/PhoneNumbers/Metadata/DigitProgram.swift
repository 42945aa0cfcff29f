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

    init(code: UnsafeBufferPointer<Instruction>, groupCount: Int) {
        self.code = code
        self.groupCount = groupCount
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
