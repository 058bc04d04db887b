// swift-tools-version:6.0
// Switchyard: an HTTPS gateway that routes each request to its storefront's origin through a middleware chain.
import PackageDescription

/// Release builds drop the run-time exclusivity checks, which cost a few percent of CPU per request in profiles of
/// the gateway; debug builds, and so the tests, keep them.
let hotPathSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "Switchyard",
    products: [
        .executable(name: "switchyard", targets: ["switchyard"]),
    ],
    dependencies: [
        .package(name: "SwitchyardPluginAPI", path: "plugins/api"),
    ],
    targets: [
        .systemLibrary(name: "COpenSSL", path: "CShims/COpenSSL", pkgConfig: "openssl",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CZlib", path: "CShims/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLMDB", path: "CShims/CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        .systemLibrary(name: "CLinux", path: "CShims/CLinux"),

        .target(name: "SwitchyardEventLoop", dependencies: ["CLinux"], swiftSettings: hotPathSettings),
        .target(name: "SwitchyardHTTP1", swiftSettings: hotPathSettings),
        .target(name: "SwitchyardTLS", dependencies: ["COpenSSL"], swiftSettings: hotPathSettings),
        .target(name: "SwitchyardKV", dependencies: ["CLMDB"], swiftSettings: hotPathSettings),
        .target(
            name: "SwitchyardBuiltins",
            dependencies: [
                "CZlib", "SwitchyardKV",
                .product(name: "SwitchyardPlugin", package: "SwitchyardPluginAPI"),
            ],
            path: "plugins/builtin",
            swiftSettings: hotPathSettings
        ),
        .target(
            name: "SwitchyardGateway",
            dependencies: [
                "CLinux", "SwitchyardEventLoop", "SwitchyardHTTP1", "SwitchyardTLS", "SwitchyardKV",
                "SwitchyardBuiltins",
                .product(name: "SwitchyardPlugin", package: "SwitchyardPluginAPI"),
            ],
            swiftSettings: hotPathSettings
        ),
        .target(
            name: "SwitchyardConformance",
            dependencies: [
                "COpenSSL", "CZlib", "SwitchyardEventLoop", "SwitchyardTLS", "SwitchyardKV", "SwitchyardGateway",
                .product(name: "SwitchyardPlugin", package: "SwitchyardPluginAPI"),
            ]
        ),
        .executableTarget(
            name: "switchyard", dependencies: ["SwitchyardGateway", "SwitchyardBuiltins", "SwitchyardConformance"]),

        .testTarget(name: "EventLoopTests", dependencies: ["SwitchyardEventLoop"]),
        .testTarget(name: "HTTP1Tests", dependencies: ["SwitchyardHTTP1"]),
        .testTarget(name: "TLSTests", dependencies: ["SwitchyardTLS", "SwitchyardEventLoop"]),
        .testTarget(name: "KVTests", dependencies: ["SwitchyardKV"]),
        .testTarget(
            name: "BuiltinPluginTests",
            dependencies: [
                "SwitchyardBuiltins", "SwitchyardKV",
                .product(name: "SwitchyardPlugin", package: "SwitchyardPluginAPI"),
            ]
        ),
        .testTarget(
            name: "PluginTests",
            dependencies: [
                "SwitchyardGateway",
                .product(name: "SwitchyardPlugin", package: "SwitchyardPluginAPI"),
                .product(name: "SwitchyardPluginTestKit", package: "SwitchyardPluginAPI"),
            ],
            // The fixtures are a separate package that the tests build with `swift build`.
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "ConformanceTests",
            dependencies: ["SwitchyardConformance"]
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "SwitchyardGateway", "SwitchyardTLS", "SwitchyardKV", "SwitchyardHTTP1",
                .product(name: "SwitchyardPlugin", package: "SwitchyardPluginAPI"),
            ]
        ),
    ],
    swiftLanguageModes: [.v5]
)
