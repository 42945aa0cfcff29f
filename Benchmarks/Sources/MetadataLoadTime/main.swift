// The one-time cost of the metadata: PhoneNumbers decodes its compiled metadata (a global `let`)
// on the first parse of a process, which no benchmark iteration sees.
//
// `swift run -c release MetadataLoadTime [runs]` starts itself `runs` times (default 20) as a fresh
// process. Each child times its very first `PhoneNumber(parsing:)` call and then the median of
// 1,001 further parses of the same input with `ContinuousClock`, and prints both in nanoseconds;
// the metadata's first-use cost is the difference. The parent prints every run and the median,
// minimum and maximum of the differences.
import PhoneNumbers

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

let input = "8 (999) 888-55-33"

func nanoseconds(_ duration: Duration) -> Int64 {
    let (seconds, attoseconds) = duration.components
    return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
}

/// One measurement, in a process that has not parsed anything yet.
func child() {
    let clock = ContinuousClock()
    let start = clock.now
    let first = try? PhoneNumber(parsing: input, defaultRegion: "RU")
    let firstTime = nanoseconds(clock.now - start)
    precondition(first?.e164 == "+79998885533")

    var times: [Int64] = []
    times.reserveCapacity(1_001)
    for _ in 0..<1_001 {
        let start = clock.now
        let number = try? PhoneNumber(parsing: input, defaultRegion: "RU")
        let elapsed = nanoseconds(clock.now - start)
        precondition(number != nil)
        times.append(elapsed)
    }
    times.sort()
    print(firstTime, times[times.count / 2])
}

/// Runs this executable as a child `runs` times and summarizes.
func parent(runs: Int) {
    var differences: [Int64] = []
    print("run  first parse (ns)  steady parse (ns)  first use (ns)")
    for run in 1...runs {
        guard let pipe = popen("'\(executablePath())' --child", "r") else { fatalError("popen failed") }
        var line = [CChar](repeating: 0, count: 256)
        guard fgets(&line, Int32(line.count), pipe) != nil else { fatalError("child printed nothing") }
        guard pclose(pipe) == 0 else { fatalError("child failed") }
        let fields = cString(line).split(separator: " ").compactMap { Int64($0.filter(\.isNumber)) }
        guard fields.count == 2 else { fatalError("unexpected child output") }
        let difference = fields[0] - fields[1]
        differences.append(difference)
        print(pad(run, 3), pad(fields[0], 17), pad(fields[1], 18), pad(difference, 15))
    }
    differences.sort()
    let median = differences[differences.count / 2]
    print(
        "metadata first use over \(runs) processes: median \(median) ns,",
        "min \(differences.first!) ns, max \(differences.last!) ns"
    )
}

func executablePath() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    return count > 0 ? cString(buffer) : CommandLine.arguments[0]
}

func cString(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

func pad(_ value: some CustomStringConvertible, _ width: Int) -> String {
    let text = value.description
    return String(repeating: " ", count: max(0, width - text.count)) + text
}

let arguments = CommandLine.arguments.dropFirst()
if arguments.first == "--child" {
    child()
} else {
    parent(runs: arguments.first.flatMap { Int($0) } ?? 20)
}
