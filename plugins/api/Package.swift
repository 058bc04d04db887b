// swift-tools-version:6.0
// The Switchyard plugin API: the middleware protocols, request and response views and the registry shared by the
// gateway and every plugin. It is a dynamic library with library evolution enabled, so that the gateway and the
// plugins loaded at run time share one copy of its types.
import PackageDescription

let package = Package(
    name: "SwitchyardPluginAPI",
    products: [
        .library(name: "SwitchyardPlugin", type: .dynamic, targets: ["SwitchyardPlugin"]),
    ],
    targets: [
        .target(
            name: "SwitchyardPlugin",
            swiftSettings: [.unsafeFlags(["-enable-library-evolution"])]
        ),
    ],
    swiftLanguageModes: [.v5]
)
