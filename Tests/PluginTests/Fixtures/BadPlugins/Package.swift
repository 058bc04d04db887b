// swift-tools-version:6.0
// Plugin libraries that break the registration contract on purpose, for the gateway's loading tests.
import PackageDescription

let names = ["WrongABI", "WrongCompiler", "FailingRegistration", "DuplicateName", "SilentEntryPoint"]

let package = Package(
    name: "BadPlugins",
    products: names.map { .library(name: $0, type: .dynamic, targets: [$0]) },
    dependencies: [.package(path: "../../../../plugins/api")],
    targets: names.map { .target(name: $0, dependencies: [.product(name: "SwitchyardPlugin", package: "api")]) },
    swiftLanguageModes: [.v5]
)
