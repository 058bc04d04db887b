// swift-tools-version:6.0
// The Switchyard plugin API: the middleware protocols, request and response views and the registry shared by the
// gateway and every plugin. It is a dynamic library with library evolution enabled, so that the gateway and the
// plugins loaded at run time share one copy of its types.
import PackageDescription

let package = Package(
    name: "SwitchyardPluginAPI",
    products: [
        .library(name: "SwitchyardPlugin", type: .dynamic, targets: ["SwitchyardPlugin"]),
        // Runs middleware against synthetic requests and responses in a plugin's own tests.
        .library(name: "SwitchyardPluginTestKit", targets: ["SwitchyardPluginTestKit"]),
    ],
    targets: [
        .target(
            name: "SwitchyardPlugin",
            swiftSettings: [.unsafeFlags(["-enable-library-evolution"])],
            // A fixed soname lets a plugin's reference to this library bind to the copy the gateway already
            // loaded, so both share one set of types.
            linkerSettings: [.unsafeFlags(["-Xlinker", "-soname=libSwitchyardPlugin.so"])]
        ),
        .target(name: "SwitchyardPluginTestKit", dependencies: ["SwitchyardPlugin"]),
    ],
    swiftLanguageModes: [.v5]
)
