// swift-tools-version:6.0
// Example Switchyard plugin: the API-key check middleware, built as libApiKey.so.
import PackageDescription

let package = Package(
    name: "api-key",
    products: [
        .library(name: "ApiKey", type: .dynamic, targets: ["ApiKey"]),
    ],
    dependencies: [
        // The gateway's plugin API in this checkout; build with the gateway's Swift toolchain.
        .package(path: "../../api"),
    ],
    targets: [
        .target(name: "ApiKey", dependencies: [.product(name: "SwitchyardPlugin", package: "api")]),
        .testTarget(
            name: "ApiKeyTests",
            dependencies: ["ApiKey", .product(name: "SwitchyardPluginTestKit", package: "api")]
        ),
    ],
    swiftLanguageModes: [.v5]
)
