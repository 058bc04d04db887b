// Builds plugin packages once per test run into one shared scratch folder, so the plugin API compiles once.

import Foundation
import Testing

/// Builds plugin packages with `swift build` and returns their library paths.
///
/// Every package builds into `.build/plugin-tests` of this checkout, in debug like the test binary, one build
/// at a time. The plugin API package is then compiled once for all of them, and a second test run only relinks.
/// Each package is built at most once per process; a build is killed after `timeout` seconds.
enum PluginBuild {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let scratch = repositoryRoot.appendingPathComponent(".build/plugin-tests")
    static let timeout: Double = 600

    private static let lock = NSLock()
    nonisolated(unsafe) private static var built: [String: Result<Double, BuildError>] = [:]

    /// A failed build with its output.
    struct BuildError: Error, CustomStringConvertible {
        let description: String
    }

    /// Builds the package at `relativePath` (from the checkout root) if this process has not yet, and returns
    /// the path of `lib<product>.so`.
    static func library(package relativePath: String, product: String) throws -> String {
        try lock.withLock {
            if built[relativePath] == nil {
                let result = build(repositoryRoot.appendingPathComponent(relativePath).path, scratch: scratch.path)
                if case .success(let seconds) = result {
                    print("plugin build \(relativePath): \(String(format: "%.1f", seconds)) s")
                }
                built[relativePath] = result
            }
            _ = try built[relativePath]?.get()
        }
        return scratch.appendingPathComponent("debug/lib\(product).so").path
    }

    /// Runs `swift ARGUMENTS` in `directory` and returns the exit status and the combined output.
    static func swift(_ arguments: [String], in directory: String? = nil, timeout: Double = timeout) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift"] + arguments
        if let directory {
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
        }
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("swift-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: outputPath.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputPath)
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let watchdog = DispatchWorkItem { [process] in process.terminate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        process.waitUntilExit()
        watchdog.cancel()
        try output.close()
        let text = (try? String(contentsOf: outputPath, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: outputPath)
        return (process.terminationStatus, text)
    }

    private static func build(_ packagePath: String, scratch: String) -> Result<Double, BuildError> {
        let start = Date()
        do {
            let (status, output) = try swift(["build", "--package-path", packagePath, "--scratch-path", scratch])
            guard status == 0 else {
                let errors = output.split(separator: "\n").filter { $0.contains("error") }.prefix(20).joined(separator: "\n")
                return .failure(BuildError(description: "swift build of \(packagePath) exited with \(status):\n\(errors)"))
            }
        } catch {
            return .failure(BuildError(description: "could not run swift build for \(packagePath): \(error)"))
        }
        return .success(Date().timeIntervalSince(start))
    }
}

/// The example and fixture libraries the tests load.
enum Libraries {
    static func apiKey() throws -> String { try PluginBuild.library(package: "plugins/examples/api-key", product: "ApiKey") }
    static func htmlBanner() throws -> String {
        try PluginBuild.library(package: "plugins/examples/html-banner", product: "HtmlBanner")
    }
    static func remoteAuth() throws -> String {
        try PluginBuild.library(package: "plugins/examples/remote-auth", product: "RemoteAuth")
    }
    static func bad(_ product: String) throws -> String {
        try PluginBuild.library(package: "Tests/PluginTests/Fixtures/BadPlugins", product: product)
    }
}
