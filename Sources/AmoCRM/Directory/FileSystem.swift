import ScreenPopSupport

/// The few file operations the loader needs, on the C library: no Foundation.
enum FileSystem {
    /// A file of the directory.
    struct Entry: Hashable, Sendable {
        let name: String
        let path: String
        let size: Int
    }

    /// The regular files (or links to them) of `directory` whose names end in `.json` and do not
    /// start with `.`, sorted by name (byte order). Subdirectories are not read.
    static func jsonFiles(in directory: String) throws(AccountLoadError) -> [Entry] {
        guard let handle = opendir(directory) else {
            throw ioError(directory, "cannot open the account directory")
        }
        defer { closedir(handle) }
        var entries: [Entry] = []
        while true {
            errno = 0
            guard let entry = readdir(handle) else {
                if errno != 0 { throw ioError(directory, "cannot list the account directory") }
                break
            }
            let name = withUnsafePointer(to: &entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
                    String(cString: $0)
                }
            }
            guard name.hasSuffix(".json"), !name.hasPrefix(".") else { continue }
            let path = join(directory, name)
            var info = stat()
            guard stat(path, &info) == 0 else { throw ioError(path, "cannot read the file's status") }
            guard info.st_mode & S_IFMT == S_IFREG else { continue }
            entries.append(Entry(name: name, path: path, size: Int(info.st_size)))
        }
        return entries.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
    }

    /// Whether `path` is a directory.
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// The whole file, in a buffer the caller deallocates.
    static func readFile(_ path: String, sizeHint: Int) throws(AccountLoadError) -> UnsafeMutableRawBufferPointer {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ioError(path, "cannot open the file") }
        defer { close(descriptor) }
        var capacity = max(sizeHint, 4096)
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        var count = 0
        while true {
            if count == capacity {
                // The file grew since it was listed.
                capacity *= 2
                let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
                larger.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[..<count]))
                buffer.deallocate()
                buffer = larger
            }
            let n = read(descriptor, buffer.baseAddress! + count, capacity - count)
            if n < 0 {
                if errno == EINTR { continue }
                let error = ioError(path, "cannot read the file")
                buffer.deallocate()
                throw error
            }
            if n == 0 { break }
            count += n
        }
        return UnsafeMutableRawBufferPointer(rebasing: buffer[..<count])
    }

    static func ioError(_ path: String, _ what: String) -> AccountLoadError {
        let reason = String(cString: strerror(errno))
        return AccountLoadError(code: .io, file: path, message: "\(what): \(reason)")
    }
}
