// swift-tools-version:6.0
// Example Switchyard plugin: the HTML banner middleware, built as libHtmlBanner.so.
import PackageDescription

let package = Package(
    name: "html-banner",
    products: [
        .library(name: "HtmlBanner", type: .dynamic, targets: ["HtmlBanner"]),
    ],
    dependencies: [
        // The gateway's plugin API in this checkout; build with the gateway's Swift toolchain.
        .package(path: "../../api"),
    ],
    targets: [
        .target(name: "HtmlBanner", dependencies: [.product(name: "SwitchyardPlugin", package: "api")]),
        .testTarget(
            name: "HtmlBannerTests",
            dependencies: ["HtmlBanner", .product(name: "SwitchyardPluginTestKit", package: "api")]
        ),
    ],
    swiftLanguageModes: [.v5]
)
