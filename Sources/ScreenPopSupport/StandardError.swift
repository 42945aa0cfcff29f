/// Standard error, written without Foundation.
public enum StandardError {
    /// Writes `text` in one `write(2)`, so that lines written from several threads do not
    /// interleave.
    public static func write(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in _ = writeBytes(2, utf8.baseAddress, utf8.count) }
    }
}

@inline(__always)
private func writeBytes(_ fd: Int32, _ pointer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, pointer, count)
}

extension StandardError {
    /// Writes `bytes` in one `write(2)`.
    public static func write(bytes: [UInt8]) {
        bytes.withUnsafeBytes { _ = writeBytes(2, $0.baseAddress, $0.count) }
    }
}
