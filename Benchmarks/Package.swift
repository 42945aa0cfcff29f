// swift-tools-version: 6.1
import PackageDescription

// The benchmarks are a package of their own, so that users of PhoneNumbers never build the
// benchmark tool. Run them from this folder: `swift package benchmark` (see docs/performance.md).

/// SwiftPM names a path dependency after the folder it is checked out in, not after its manifest's
/// `name:`, so the root package is `main` in one clone and `ScreenPop` in another. This file is
/// `<root>/Benchmarks/Package.swift`: the root's folder name is the second-to-last directory.
let rootPackage: String = {
    let directories = #filePath.split(separator: "/").dropLast()  // drop "Package.swift"
    return String(directories.dropLast().last!)  // drop "Benchmarks"
}()

let package = Package(
    name: "ScreenPopBenchmarks",
    // As the root package (macOS 26 for InlineArray); ordo-one/benchmark needs 13.
    platforms: [.macOS("26.0")],
    dependencies: [
        .package(path: "../"),
        // The trait is required: without it resolution fails on the build machines, and with
        // `traits: []` the malloc counters silently read 0.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "PhoneNumbersBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "PhoneNumbers", package: rootPackage),
            ],
            path: "Benchmarks/PhoneNumbersBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark")
            ]
        ),
        // AccountIndex on generated accounts of 10k, 100k and 1M contacts (10M with
        // SCREENPOP_BENCH_10M=1): build, resolve latency, changes with concurrent readers.
        .executableTarget(
            name: "AccountIndexBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "AccountIndex", package: rootPackage),
                .product(name: "AccountSynthesis", package: rootPackage),
                .product(name: "PhoneNumbers", package: rootPackage),
            ],
            path: "Benchmarks/AccountIndexBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark")
            ]
        ),
        // The events API's codec without HTTP: decoding JSON and form bodies, encoding the HAL+JSON
        // answer, and a whole post through CallEventsService on a small account.
        .executableTarget(
            name: "CallEventsBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "AccountIndex", package: rootPackage),
                .product(name: "AccountSynthesis", package: rootPackage),
                .product(name: "CallEvents", package: rootPackage),
            ],
            path: "Benchmarks/CallEventsBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark")
            ]
        ),
        // Loading an account from saved amoCRM API v4 pages: MB/s at 10k, 100k and 1M contacts.
        .executableTarget(
            name: "AmoCRMBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "AccountSynthesis", package: rootPackage),
                .product(name: "AmoCRM", package: rootPackage),
            ],
            path: "Benchmarks/AmoCRMBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark")
            ]
        ),
        // The SQLite store: writing and reading a whole account (entities/s, size against the JSON).
        .executableTarget(
            name: "StoreBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "AccountSynthesis", package: rootPackage),
                .product(name: "AmoCRM", package: rootPackage),
                .product(name: "ScreenPopStore", package: rootPackage),
            ],
            path: "Benchmarks/StoreBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark")
            ]
        ),
        .executableTarget(
            name: "SyncBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "AccountIndex", package: rootPackage),
                .product(name: "AccountSync", package: rootPackage),
                .product(name: "AccountSynthesis", package: rootPackage),
                .product(name: "AmoCRM", package: rootPackage),
                .product(name: "ScreenPopStore", package: rootPackage),
            ],
            path: "Benchmarks/SyncBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark")
            ]
        ),
        // The geocoder, carrier and time-zone lookups on 64 numbers (docs/phone-numbers.md).
        .executableTarget(
            name: "GeocodingBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "PhoneNumbers", package: rootPackage),
                .product(name: "PhoneNumberGeocoding", package: rootPackage),
                .product(name: "PhoneNumberCarriers", package: rootPackage),
                .product(name: "PhoneNumberTimeZones", package: rootPackage),
            ],
            path: "Benchmarks/GeocodingBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark")
            ]
        ),
        // The first-use cost of each language's prefix table, in fresh processes:
        // `swift run -c release GeoDataLoadTime`.
        .executableTarget(
            name: "GeoDataLoadTime",
            dependencies: [
                .product(name: "PhoneNumbers", package: rootPackage),
                .product(name: "PhoneNumberGeocoding", package: rootPackage),
                .product(name: "PhoneNumberCarriers", package: rootPackage),
                .product(name: "PhoneNumberTimeZones", package: rootPackage),
            ],
            path: "Sources/GeoDataLoadTime"
        ),
        // The one-time cost of decoding the metadata, which a benchmark iteration cannot see: it
        // times the first parse of a fresh process against a steady-state parse.
        // `swift run -c release MetadataLoadTime`.
        .executableTarget(
            name: "MetadataLoadTime",
            dependencies: [
                .product(name: "PhoneNumbers", package: rootPackage)
            ],
            path: "Sources/MetadataLoadTime"
        ),
    ]
)
