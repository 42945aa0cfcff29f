// swift-tools-version: 6.1
import PackageDescription

// Define SCREENPOP_INTERNAL_CHECKS (`swift build -Xswiftc -DSCREENPOP_INTERNAL_CHECKS`) to compile in
// the invariant checks of the generated metadata, and AccountIndex's consistency check after every
// build and applied batch; they are off in ordinary builds.
let package = Package(
    name: "ScreenPop",
    products: [
        .library(name: "PhoneNumbers", targets: ["PhoneNumbers"]),
        .library(name: "AccountIndex", targets: ["AccountIndex"]),
        .library(name: "AccountSynthesis", targets: ["AccountSynthesis"]),
        .executable(name: "screenpop", targets: ["screenpop"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-atomics", from: "1.3.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // Pure Swift, no dependencies, no Foundation: parsing, validation and E.164 formatting.
        .target(name: "PhoneNumbers"),
        // The phone-number index of an amoCRM account and the call-notification decision (docs/account-index.md).
        // No Foundation; readers load snapshots through swift-atomics, writers take a Synchronization.Mutex.
        .target(
            name: "AccountIndex",
            dependencies: [
                "PhoneNumbers",
                .product(name: "Atomics", package: "swift-atomics"),
            ]
        ),
        // Deterministic synthetic accounts for tests and benchmarks.
        .target(name: "AccountSynthesis", dependencies: ["AccountIndex"]),
        .executableTarget(
            name: "screenpop",
            dependencies: [
                "PhoneNumbers",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "PhoneNumbersTests",
            dependencies: ["PhoneNumbers"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "AccountIndexTests",
            dependencies: [
                "AccountIndex",
                "AccountSynthesis",
                "PhoneNumbers",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "ScreenPopCLITests",
            dependencies: ["screenpop"]
        ),
    ]
)
