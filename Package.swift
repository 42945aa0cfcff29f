// swift-tools-version: 6.2
import PackageDescription

// Define SCREENPOP_INTERNAL_CHECKS (`swift build -Xswiftc -DSCREENPOP_INTERNAL_CHECKS`) to compile in
// the invariant checks of the generated metadata, and AccountIndex's consistency check after every
// build and applied batch; they are off in ordinary builds.
let package = Package(
    name: "ScreenPop",
    // InlineArray (PhoneNumbers' StaticArray76) needs the 26 releases; Synchronization's Mutex and Atomic
    // (AccountIndex, ScreenPopServer) need macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2.
    platforms: [.macOS("26.0"), .iOS("26.0"), .tvOS("26.0"), .watchOS("26.0"), .visionOS("26.0")],
    products: [
        .library(name: "PhoneNumbers", targets: ["PhoneNumbers"]),
        .library(name: "AccountIndex", targets: ["AccountIndex"]),
        .library(name: "AccountSynthesis", targets: ["AccountSynthesis"]),
        .library(name: "CallEvents", targets: ["CallEvents"]),
        .library(name: "ScreenPopServer", targets: ["ScreenPopServer"]),
        .library(name: "ScreenPopJSON", targets: ["ScreenPopJSON"]),
        .library(name: "AmoCRM", targets: ["AmoCRM"]),
        .library(name: "ScreenPopStore", targets: ["ScreenPopStore"]),
        .library(name: "AmoCRMClient", targets: ["AmoCRMClient"]),
        .library(name: "AccountSync", targets: ["AccountSync"]),
        .executable(name: "screenpop", targets: ["screenpop"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-atomics", from: "1.3.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        // The call-notification server (ScreenPopServer) and its tests. Hummingbird without its default
        // traits: no swift-configuration, FoundationEssentials only.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // The embedded store (ScreenPopStore): SQLite through GRDB; needs Debian's libsqlite3-dev.
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // Pure Swift, no dependencies, no Foundation: parsing, validation and E.164 formatting.
        .target(name: "PhoneNumbers"),
        // PhoneNumbers compiled with libphonenumber's test metadata instead of the real one, for the peer
        // suite (docs/peer-tests.md): its folder holds symbolic links to PhoneNumbers' files and one
        // generated file of its own (scripts/generate-metadata.py keeps both). Internal (no product), so no
        // build of the library can pick it up.
        .target(name: "PhoneNumbersWithTestMetadata"),
        // The phone-number index of an amoCRM account and the call-notification decision (docs/account-index.md).
        // No Foundation; readers load snapshots through swift-atomics, writers take a Synchronization.Mutex.
        .target(
            name: "AccountIndex",
            dependencies: [
                "CCacheHints",
                "PhoneNumbers",
                .product(name: "Atomics", package: "swift-atomics"),
            ]
        ),
        // Small helpers several modules share: the C library in one import, standard error, ASCII white
        // space. Internal (no product), no Foundation.
        .target(name: "ScreenPopSupport"),
        // Cache prefetch hints for the index's lookups, which Swift cannot express (one inline C function).
        .target(name: "CCacheHints"),
        // Deterministic synthetic accounts, and a small sample one, for tests, examples and benchmarks.
        .target(name: "AccountSynthesis", dependencies: ["AccountIndex", "AmoCRM", "ScreenPopJSON"]),
        // amoCRM's /api/v2/events call-notification API without HTTP (docs/events-api.md): request decoding
        // (JSON and PHP form bodies), validation, the HAL+JSON response, notifications and their fan-out.
        // No Foundation.
        .target(name: "CallEvents", dependencies: ["AccountIndex", "PhoneNumbers", "ScreenPopJSON", "ScreenPopSupport"]),
        // The Hummingbird 2 server of the API: auth, limits, Server-Sent Events, graceful shutdown.
        .target(
            name: "ScreenPopServer",
            dependencies: [
                "CallEvents",
                "AccountIndex",
                "ScreenPopSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // A fast pull reader of JSON over UTF-8 bytes with precise errors (offset, line:column, JSON
        // path), a JSONValue tree and a small writer. No dependencies, no Foundation.
        .target(name: "ScreenPopJSON"),
        // amoCRM's wire formats in one place (docs/amocrm.md): the API v4 pages (reader and writer, and
        // which side of a link lists it), and loading an account directory of saved pages into
        // AccountData. No Foundation: files through the C library.
        .target(name: "AmoCRM", dependencies: ["AccountIndex", "ScreenPopJSON", "ScreenPopSupport"]),
        // The account's system of record: the entities, users, settings and sync state in a store
        // behind the AccountStore protocol; SQLite (GRDB, WAL) today (docs/live-account.md).
        .target(
            name: "ScreenPopStore",
            dependencies: ["AccountIndex", "AmoCRM", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // The amoCRM (and Kommo) API v4 client over async-http-client: the rate limit, retries, paging,
        // and the full pull of an account into what AccountDirectory loads (docs/live-account.md).
        .target(
            name: "AmoCRMClient",
            dependencies: [
                "AmoCRM",
                "AccountIndex",
                "ScreenPopJSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // A live account: the store, the index and the names kept together as changes arrive
        // (group commits), the sync with amoCRM (full pull, polling, reconciliation, re-reads) and
        // webhooks (docs/live-account.md).
        .target(
            name: "AccountSync",
            dependencies: [
                "AccountIndex",
                "AmoCRM",
                "AmoCRMClient",
                "CallEvents",
                "ScreenPopJSON",
                "ScreenPopServer",
                "ScreenPopStore",
                "ScreenPopSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "screenpop",
            dependencies: [
                "AccountSync",
                "AmoCRMClient",
                "PhoneNumbers",
                "AccountIndex",
                "AmoCRM",
                "CallEvents",
                "ScreenPopJSON",
                "ScreenPopServer",
                "ScreenPopStore",
                "ScreenPopSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // A stand-in of amoCRM's API v4 for tests and manual tries: a Hummingbird server holding a mutable
        // account (pages written by AmoCRM's PageWriter), OAuth 2.0 refresh, webhooks, fault injection.
        // Internal (no product).
        .target(
            name: "AmoCRMStandIn",
            dependencies: [
                "AmoCRM",
                "AccountIndex",
                "AccountSynthesis",
                "ScreenPopJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // `swift run amocrm-standin --contacts N --port P`: the stand-in serving a synthetic account.
        .executableTarget(name: "amocrm-standin", dependencies: ["AmoCRMStandIn", "AccountSynthesis", "AmoCRM"]),
        .testTarget(
            name: "PhoneNumbersTests",
            dependencies: ["PhoneNumbers"],
            exclude: ["Fixtures"]
        ),
        // The sdist of PyPI phonenumbers' own test cases, replayed against PhoneNumbersWithTestMetadata
        // (docs/peer-tests.md); the cases that its tests run on the real metadata replay in PhoneNumbersTests.
        .testTarget(
            name: "PhoneNumbersPeerTests",
            dependencies: ["PhoneNumbersWithTestMetadata"],
            exclude: ["Fixtures"],
            swiftSettings: [.define("PEER_TEST_METADATA")]
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
            name: "CallEventsTests",
            dependencies: ["CallEvents", "AccountIndex", "AccountSynthesis", "PhoneNumbers", "ScreenPopJSON"]
        ),
        .testTarget(
            name: "ScreenPopServerTests",
            dependencies: [
                "ScreenPopServer",
                "CallEvents",
                "AccountIndex",
                "AccountSynthesis",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "ScreenPopJSONTests",
            dependencies: ["ScreenPopJSON"]
        ),
        .testTarget(
            name: "AmoCRMTests",
            dependencies: ["AmoCRM", "AccountIndex", "AccountSynthesis", "ScreenPopJSON"]
        ),
        .testTarget(
            name: "ScreenPopStoreTests",
            dependencies: [
                "ScreenPopStore", "AccountIndex", "AccountSynthesis", "AmoCRM",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "AccountSyncTests",
            dependencies: ["AccountSync", "ScreenPopStore", "AccountIndex", "AccountSynthesis", "AmoCRM", "CallEvents"]
        ),
        .testTarget(
            name: "AmoCRMClientTests",
            dependencies: [
                "AmoCRMClient",
                "AmoCRMStandIn",
                "AmoCRM",
                "AccountIndex",
                "AccountSynthesis",
                "ScreenPopJSON",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ScreenPopCLITests",
            dependencies: [
                "screenpop", "AccountIndex", "AccountSynthesis", "AmoCRM", "ScreenPopStore",
                // The end-to-end tests: amoCRM's stand-in in the test process, LiveAccount.open on a store.
                "AmoCRMStandIn", "AccountSync",
            ]
        ),
    ]
)
