// The C library of the platform, for the modules that call it directly (files, clocks, standard
// error, resource limits): one `import ScreenPopSupport` instead of a block of `#if canImport`.
#if canImport(Glibc)
    @_exported import Glibc
#elseif canImport(Musl)
    @_exported import Musl
#elseif canImport(Darwin)
    @_exported import Darwin
#endif
