// swift-tools-version: 6.1
import PackageDescription

// Define SCREENPOP_INTERNAL_CHECKS (`swift build -Xswiftc -DSCREENPOP_INTERNAL_CHECKS`) to compile in
// the invariant checks of the generated metadata; they are off in ordinary builds.
let package = Package(
    name: "ScreenPop",
    products: [
        .library(name: "PhoneNumbers", targets: ["PhoneNumbers"]),
        .executable(name: "screenpop", targets: ["screenpop"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // Pure Swift, no dependencies, no Foundation: parsing, validation and E.164 formatting.
        .target(name: "PhoneNumbers"),
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
            name: "ScreenPopCLITests",
            dependencies: ["screenpop"]
        ),
    ]
)
