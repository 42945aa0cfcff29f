#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A plain TCP connection to the test server, for clients that misbehave on purpose: a head or
/// body that never ends, a stream that is never read. Non-blocking, so that hundreds of them can
/// be watched from one task.
final class RawConnection: @unchecked Sendable {
    private var fd: Int32

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Connects to 127.0.0.1:`port`; `receiveBuffer` shrinks the socket's receive buffer so that a
    /// client that does not read pushes back on the server soon; `source` is the local address to
    /// connect from (any 127.x.y.z is local on Linux: another client's address).
    init(port: Int, receiveBuffer: Int32? = nil, source: String? = nil) throws {
        #if canImport(Glibc)
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw Failure(description: "socket() failed: errno \(errno)") }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_port = 0
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else {
                let error = errno
                systemClose(fd)
                throw Failure(description: "bind() to \(source) failed: errno \(error)")
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let error = errno
            systemClose(fd)
            throw Failure(description: "connect() failed: errno \(error)")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    deinit { if fd >= 0 { systemClose(fd) } }

    /// Sends the text; false when the server has closed the connection.
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        let sent = bytes.withUnsafeBytes { systemSend(fd, $0.baseAddress, $0.count) }
        return sent == bytes.count
    }

    /// Sends all of `text`, waiting (bounded) while the socket's buffer is full; false when the
    /// server closed the connection first.
    func sendAll(_ text: String, seconds: Double = 60) async throws -> Bool {
        let bytes = Array(text.utf8)
        var offset = 0
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { systemSend(fd, $0.baseAddress, $0.count) }
            if sent > 0 {
                offset += sent
                continue
            }
            let error = errno
            guard sent < 0, error == EAGAIN || error == EWOULDBLOCK || error == EINTR else { return false }
            guard ContinuousClock.now < deadline else {
                throw Failure(description: "could not send \(bytes.count) bytes within \(seconds) s")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        return true
    }

    /// Waits (bounded) until what arrived contains `marker`, or the server closed the connection,
    /// and returns what arrived.
    func receive(until marker: String, seconds: Double = 60) async throws -> String {
        var received: [UInt8] = []
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while true {
            let (bytes, closed) = receiveAvailable()
            received += bytes
            let text = String(decoding: received, as: UTF8.self)
            if closed || text.contains(marker) { return text }
            guard ContinuousClock.now < deadline else {
                throw Failure(description: "\"\(marker)\" did not arrive within \(seconds) s; got \(text.prefix(200))")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Whatever has arrived, without waiting.
    func receiveAvailable() -> (bytes: [UInt8], closed: Bool) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += buffer[..<count]
            } else if count == 0 {
                return (received, true)
            } else {
                let error = errno
                return (received, !(error == EAGAIN || error == EWOULDBLOCK || error == EINTR))
            }
        }
    }

    /// Whether the server has closed the connection (its data, if any, is read and dropped).
    var isClosedByServer: Bool { receiveAvailable().closed }

    /// Waits (bounded) for the server to close the connection, and returns what it sent first.
    func waitForClose(seconds: Double) async throws -> String {
        var received: [UInt8] = []
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while true {
            let (bytes, closed) = receiveAvailable()
            received += bytes
            if closed { return String(decoding: received, as: UTF8.self) }
            guard ContinuousClock.now < deadline else {
                throw Failure(description: "the server did not close the connection within \(seconds) s")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func close() {
        if fd >= 0 {
            systemClose(fd)
            fd = -1
        }
    }
}

#if canImport(Glibc)
    private func systemSend(_ fd: Int32, _ pointer: UnsafeRawPointer?, _ count: Int) -> Int {
        Glibc.send(fd, pointer, count, Int32(MSG_NOSIGNAL))
    }
    private func systemClose(_ fd: Int32) { _ = Glibc.close(fd) }
#else
    private func systemSend(_ fd: Int32, _ pointer: UnsafeRawPointer?, _ count: Int) -> Int {
        Darwin.send(fd, pointer, count, 0)
    }
    private func systemClose(_ fd: Int32) { _ = Darwin.close(fd) }
#endif
