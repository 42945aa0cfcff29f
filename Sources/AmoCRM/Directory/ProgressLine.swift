import ScreenPopSupport

/// Progress on standard error, only when it is a terminal.
struct ProgressLine {
    let isEnabled: Bool
    let label: String
    private let start = ContinuousClock.now
    private var lastShown = ContinuousClock.now
    private var shownOnce = false

    init(label: String, enabled: Bool) {
        self.label = label
        self.isEnabled = enabled
    }

    static var standardErrorIsTerminal: Bool { isatty(2) == 1 }

    mutating func update(files: Int, of total: Int, bytes: Int) {
        guard isEnabled else { return }
        let now = ContinuousClock.now
        guard !shownOnce || now - lastShown >= .milliseconds(100) || files == total else { return }
        shownOnce = true
        lastShown = now
        let seconds = Self.seconds(now - start)
        let megabytes = Double(bytes) / 1_000_000
        let rate = seconds > 0 ? megabytes / seconds : 0
        emit(
            "\r\u{1B}[2Kloading \(label): \(files)/\(total) files, \(Self.format(megabytes)) MB, \(Self.format(rate)) MB/s"
        )
    }

    func finish() {
        guard isEnabled, shownOnce else { return }
        emit("\r\u{1B}[2K")
    }

    private func emit(_ text: String) {
        var text = text
        StandardError.write(text)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    static func format(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
