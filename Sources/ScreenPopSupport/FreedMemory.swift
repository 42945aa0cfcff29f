#if canImport(Glibc)
    @_silgen_name("malloc_trim")
    private func mallocTrim(_ pad: Int) -> Int32
#endif

/// Gives memory the allocator keeps after frees back to the system, where the allocator keeps it
/// (glibc's arenas): after an account of hundreds of megabytes is unloaded, the process's resident
/// memory should fall with it, or a memory budget measures nothing. Elsewhere it does nothing.
public func returnFreedMemoryToTheSystem() {
    #if canImport(Glibc)
        _ = mallocTrim(0)
    #endif
}
