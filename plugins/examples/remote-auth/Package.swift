// swift-tools-version:6.0
// Example Switchyard plugin: the remote authorisation middleware, built as libRemoteAuth.so.
import PackageDescription

let package = Package(
    name: "remote-auth",
    products: [
        .library(name: "RemoteAuth", type: .dynamic, targets: ["RemoteAuth"]),
    ],
    dependencies: [
        // The gateway's plugin API in this checkout; build with the gateway's Swift toolchain.
        .package(path: "../../api"),
    ],
    targets: [
        .target(name: "RemoteAuth", dependencies: [.product(name: "SwitchyardPlugin", package: "api")]),
        .testTarget(
            name: "RemoteAuthTests",
            dependencies: ["RemoteAuth", .product(name: "SwitchyardPluginTestKit", package: "api")]
        ),
    ],
    swiftLanguageModes: [.v5]
)
