// swift-tools-version: 6.1
import PackageDescription

// `screenpop-compare`: ScreenPop and its alternatives on the same inputs, driven by `Benchmarks/compare`
// (docs/benchmarks.md). A package of its own, outside CI: it links the system SQLite
// (`apt-get install libsqlite3-dev`), which neither the library nor the benchmark suite needs.

/// SwiftPM names a path dependency after the folder it is checked out in, not after its manifest's
/// `name:`. This file is `<root>/Benchmarks/Alternatives/Package.swift`: the root's folder name is the
/// third-to-last directory.
let rootPackage: String = {
    let directories = #filePath.split(separator: "/").dropLast()  // drop "Package.swift"
    return String(directories.dropLast(2).last!)  // drop "Alternatives" and "Benchmarks"
}()

let package = Package(
    name: "ScreenPopCompare",
    // As the root package (macOS 26 for InlineArray).
    platforms: [.macOS("26.0")],
    dependencies: [
        .package(path: "../../"),
        // The empty-post-server baseline: the same Hummingbird and swift-log as the root package.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            path: "Sources/CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .executableTarget(
            name: "screenpop-compare",
            dependencies: [
                "CSQLite",
                .product(name: "PhoneNumbers", package: rootPackage),
                .product(name: "AccountIndex", package: rootPackage),
                .product(name: "AccountSynthesis", package: rootPackage),
            ],
            path: "Sources/screenpop-compare",
            // A measuring tool of top-level code and C streams; Swift 6's strict concurrency adds nothing here.
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // `Benchmarks/compare --http`: an empty Hummingbird POST handler, the baseline of `screenpop serve`'s posts.
        .executableTarget(
            name: "empty-post-server",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/empty-post-server"
        ),
    ]
)
