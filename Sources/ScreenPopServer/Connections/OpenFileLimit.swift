import ScreenPopSupport

/// The process's limit of open files, which bounds the connections a server can hold.
public enum OpenFileLimit {
    /// Raises the soft limit to the hard limit, as servers do at start (the soft limit is often
    /// 1,024, far below `--max-connections`).
    ///
    /// - Returns: the soft limit now in force, or nil when it cannot be read.
    @discardableResult
    public static func raiseToHardLimit() -> Int? {
        var limit = rlimit()
        guard getrlimit(resourceNoFile, &limit) == 0 else { return nil }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            #if canImport(Darwin)
                // macOS refuses more than OPEN_MAX for the soft limit, whatever the hard limit says.
                raised.rlim_cur = min(raised.rlim_cur, rlim_t(OPEN_MAX))
            #endif
            if setrlimit(resourceNoFile, &raised) == 0 { limit = raised }
        }
        return limit.rlim_cur > rlim_t(Int.max) ? Int.max : Int(limit.rlim_cur)
    }

    #if canImport(Glibc)
        private static let resourceNoFile = __rlimit_resource_t(UInt32(RLIMIT_NOFILE.rawValue))
    #else
        private static let resourceNoFile = RLIMIT_NOFILE
    #endif
}
