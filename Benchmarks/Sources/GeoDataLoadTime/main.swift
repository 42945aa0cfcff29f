// The one-time cost of a language's prefix table: each table (a `static let`) is decoded on its first
// lookup, which no benchmark iteration sees.
//
// `swift run -c release GeoDataLoadTime [runs]` starts itself as a fresh process `runs` times (default
// 9) per table. Each child parses its number first (so that the core's metadata is loaded), times
// the very first lookup (wall clock, and the thread's CPU time, which a busy machine does not
// inflate) and then the median of 1,001 further lookups with `ContinuousClock`; the table's first-use
// cost is the difference. The parent prints the median, minimum and maximum per table.
import PhoneNumberCarriers
import PhoneNumberGeocoding
import PhoneNumberTimeZones
import PhoneNumbers

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Table name, number, lookup.
let tables: [(String, String, @Sendable (PhoneNumber) -> Int)] = [
    (
        "geocoder en", "+74951234567",
        { PhoneNumberGeocoder.description(forValidNumber: $0, language: "en")?.utf8.count ?? 0 }
    ),
    (
        "geocoder zh", "+861012345678",
        { PhoneNumberGeocoder.description(forValidNumber: $0, language: "zh")?.utf8.count ?? 0 }
    ),
    (
        "geocoder de+en", "+4930123456",
        { PhoneNumberGeocoder.description(forValidNumber: $0, language: "de")?.utf8.count ?? 0 }
    ),
    (
        "geocoder ru+en", "+74951234567",
        { PhoneNumberGeocoder.description(forValidNumber: $0, language: "ru")?.utf8.count ?? 0 }
    ),
    ("country names", "+79031234567", { PhoneNumberGeocoder.countryName(for: $0, language: "ru")?.utf8.count ?? 0 }),
    ("carrier en", "+79031234567", { PhoneNumberCarrier.name(forValidNumber: $0, language: "en")?.utf8.count ?? 0 }),
    ("carrier ru+en", "+79031234567", { PhoneNumberCarrier.name(forValidNumber: $0, language: "ru")?.utf8.count ?? 0 }),
    ("time zones", "+73833456789", { PhoneNumberTimeZones.timeZones(forGeographicalNumber: $0).count }),
]

func nanoseconds(_ duration: Duration) -> Int64 {
    let (seconds, attoseconds) = duration.components
    return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
}

/// CPU time of this thread in nanoseconds: unlike the wall clock, it does not count the time the
/// process waits for a core on a busy machine.
func threadCPUTime() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
    return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
}

func child(_ index: Int) {
    let (_, text, lookup) = tables[index]
    let number = try! PhoneNumber(parsing: text)
    precondition(number.isValid)
    let clock = ContinuousClock()
    let cpuStart = threadCPUTime()
    let start = clock.now
    let first = lookup(number)
    let firstTime = nanoseconds(clock.now - start)
    let firstCPU = threadCPUTime() - cpuStart
    precondition(first > 0)
    var times: [Int64] = []
    for _ in 0..<1_001 {
        let start = clock.now
        precondition(lookup(number) == first)
        times.append(nanoseconds(clock.now - start))
    }
    times.sort()
    print(firstTime, times[times.count / 2], firstCPU)
}

func parent(runs: Int) {
    print("table             first use, wall (µs): median   min     max   CPU (µs): median   min   steady lookup (ns)")
    for (index, (name, _, _)) in tables.enumerated() {
        var loads: [Int64] = []
        var cpu: [Int64] = []
        var steady: [Int64] = []
        for _ in 0..<runs {
            guard let pipe = popen("'\(executablePath())' --child \(index)", "r") else { fatalError("popen failed") }
            var line = [CChar](repeating: 0, count: 256)
            guard fgets(&line, Int32(line.count), pipe) != nil, pclose(pipe) == 0 else { fatalError("child failed") }
            let fields = cString(line).split(separator: " ").compactMap { Int64($0.filter(\.isNumber)) }
            loads.append(fields[0] - fields[1])
            steady.append(fields[1])
            cpu.append(fields[2])
        }
        loads.sort()
        steady.sort()
        cpu.sort()
        print(
            pad(name, 17), pad(loads[loads.count / 2] / 1000, 27), pad(loads.first! / 1000, 7),
            pad(loads.last! / 1000, 7), pad(cpu[cpu.count / 2] / 1000, 18), pad(cpu.first! / 1000, 7),
            pad(steady[steady.count / 2], 20))
    }
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
    return text.count >= width
        ? text
        : (value is String
            ? text + String(repeating: " ", count: width - text.count)
            : String(repeating: " ", count: width - text.count) + text)
}

let arguments = CommandLine.arguments
if arguments.count > 2, arguments[1] == "--child", let index = Int(arguments[2]) {
    child(index)
} else {
    parent(runs: arguments.count > 1 ? Int(arguments[1]) ?? 9 : 9)
}
