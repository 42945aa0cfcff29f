#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Monotonic nanoseconds (CLOCK_MONOTONIC, the clock the C++ and Python peers read too).
@inline(__always)
func nowNs() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// The process's peak resident set in KiB: VmHWM of /proc/self/status, which starts anew at exec
/// (getrusage's ru_maxrss does not: it keeps the peak of the parent that started the process).
func peakRSSKiB() -> Int {
    if let file = fopen("/proc/self/status", "r") {
        defer { fclose(file) }
        while let line = readLine(file) {
            if line.hasPrefix("VmHWM:") { return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0 }
        }
    }
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Int(usage.ru_maxrss)
}

#if canImport(Glibc)
    /// glibc's `malloc_trim`, which Swift's Glibc module does not export.
    @_silgen_name("malloc_trim")
    func mallocTrim(_ pad: Int) -> Int32
#endif

/// The process's current resident set in KiB (/proc/self/statm), or 0 where there is none. Freed heap
/// memory is first handed back to the system (malloc_trim), so that what a build allocated and freed
/// does not count as held.
func currentRSSKiB() -> Int {
    #if canImport(Glibc)
        _ = mallocTrim(0)
    #endif
    guard let file = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(file) }
    var size = 0
    var resident = 0
    guard fscanf_statm(file, &size, &resident) else { return 0 }
    return resident * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
}

private func fscanf_statm(_ file: UnsafeMutablePointer<FILE>, _ size: inout Int, _ resident: inout Int) -> Bool {
    guard let line = readLine(file) else { return false }
    let fields = line.split(separator: " ")
    guard fields.count >= 2, let s = Int(fields[0]), let r = Int(fields[1]) else { return false }
    size = s
    resident = r
    return true
}

/// One line of `file` without its `\n`, or nil at the end.
func readLine(_ file: UnsafeMutablePointer<FILE>) -> String? {
    var buffer: UnsafeMutablePointer<CChar>? = nil
    var capacity = 0
    defer { free(buffer) }
    let count = getline(&buffer, &capacity, file)
    guard count >= 0, let buffer else { return nil }
    let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: count)
    var end = count
    if end > 0 && bytes[end - 1] == UInt8(ascii: "\n") { end -= 1 }
    return String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<end]), as: UTF8.self)
}

/// Every line of the file at `path`.
func readLines(_ path: String) -> [String] {
    guard let file = fopen(path, "r") else { fail("cannot open \(path)") }
    defer { fclose(file) }
    var lines: [String] = []
    while let line = readLine(file) { lines.append(line) }
    return lines
}

/// A file written line by line.
final class OutputFile {
    let file: UnsafeMutablePointer<FILE>
    init(_ path: String) {
        guard let file = fopen(path, "w") else { fail("cannot write \(path)") }
        self.file = file
    }
    func line(_ text: String) {
        fputs(text, file)
        fputc(10, file)
    }
    func close() { fclose(file) }
}

func fail(_ message: String) -> Never {
    fputs("screenpop-compare: \(message)\n", stderr)
    exit(2)
}

/// A flat JSON object printed on one line: the tool's result, read by `Benchmarks/compare`.
struct JSONLine {
    private var fields: [String] = []

    mutating func add(_ key: String, _ value: Int) { fields.append("\"\(key)\": \(value)") }
    mutating func add(_ key: String, _ value: UInt64) { fields.append("\"\(key)\": \(value)") }
    mutating func add(_ key: String, _ value: Double) {
        fields.append("\"\(key)\": \(value.isFinite ? String((value * 1000).rounded() / 1000) : "null")")
    }
    mutating func add(_ key: String, _ value: String) {
        var escaped = ""
        for c in value.unicodeScalars {
            switch c {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(c)
            }
        }
        fields.append("\"\(key)\": \"\(escaped)\"")
    }

    func print() {
        Swift.print("{" + fields.joined(separator: ", ") + "}")
    }
}

/// The value at `fraction` (0...1) of sorted `values`.
func percentile(_ sorted: [UInt64], _ fraction: Double) -> UInt64 {
    guard !sorted.isEmpty else { return 0 }
    let index = min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))
    return sorted[index]
}

/// A value the optimizer must assume is used.
@inline(never)
func blackHole<T>(_ value: T) {}
