// swift-tools-version:5.4
// At 5.5 and later the fuzz executables fail to link (an undefined `<Target>_main`); at 5.4 they link.
import PackageDescription

/// One libFuzzer target per door of the package: an executable whose `LLVMFuzzerTestOneInput` checks
/// properties beyond "does not crash" (docs/reliability.md). Build and run them with scripts/fuzz.sh.
func fuzzTarget(_ name: String, _ products: [String], extra: [Target.Dependency] = []) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["FuzzSupport"] + extra + products.map { .product(name: $0, package: "ScreenPop") },
        // libFuzzer has the `main`; the target only defines the entry point.
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]
    )
}

let package = Package(
    name: "ScreenPopFuzz",
    // The root package by path: the fuzzed code is the library's own, built with the fuzzer's flags.
    dependencies: [.package(name: "ScreenPop", path: "..")],
    targets: [
        .target(name: "FuzzSupport"),
        .target(name: "PhoneFuzzSupport", dependencies: [.product(name: "PhoneNumbers", package: "ScreenPop")]),
        .target(
            name: "EventsFuzzSupport",
            dependencies: ["FuzzSupport", .product(name: "CallEvents", package: "ScreenPop")]),
        fuzzTarget("phone-parse", ["PhoneNumbers"], extra: ["PhoneFuzzSupport"]),
        fuzzTarget("phone-match", ["PhoneNumbers"], extra: ["PhoneFuzzSupport"]),
        fuzzTarget("caller-id", ["PhoneNumbers"], extra: ["PhoneFuzzSupport"]),
        fuzzTarget("json", ["ScreenPopJSON"]),
        fuzzTarget("events-json", ["CallEvents", "ScreenPopJSON"], extra: ["EventsFuzzSupport"]),
        fuzzTarget("events-form", ["CallEvents"], extra: ["EventsFuzzSupport"]),
        fuzzTarget("webhook", ["AmoCRM", "AccountIndex"]),
        fuzzTarget("v4-page", ["AmoCRM", "AccountIndex", "ScreenPopJSON"]),
    ]
)
