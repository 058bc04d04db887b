// The plugin commands of the `switchyard` binary: scaffold, check, listing and reload through a pid file.

import Foundation
import SwitchyardGateway
import SwitchyardPlugin
import Testing

/// The `switchyard` binary next to the test bundle.
private func switchyard() throws -> String {
    let path = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("switchyard").path
    let fallback = PluginBuild.repositoryRoot.appendingPathComponent(".build/debug/switchyard").path
    for candidate in [path, fallback] where FileManager.default.isExecutableFile(atPath: candidate) {
        return candidate
    }
    Issue.record("switchyard binary not found; run `swift build` first")
    throw CocoaError(.fileNoSuchFile)
}

/// A configuration routing `shop` to port 9 with the given plugins and entries after routing-lookup.
private func writeConfiguration(in folder: TemporaryFolder, plugins: [String], middleware: [String]) throws -> String {
    let path = folder.path("switchyard.json")
    let text = """
        {
          "listen": [{"address": "127.0.0.1:0"}],
          "workers": 1,
          "kv": {"ROUTING_CONFIG": {"backend": "lmdb", "path": "data"}, "API_KEYS": {"backend": "lmdb", "path": "data"}},
          "plugins": [\(plugins.map { "\"\($0)\"" }.joined(separator: ", "))],
          "middleware": [\((["{\"use\": \"routing-lookup\", \"namespace\": \"ROUTING_CONFIG\"}"] + middleware).joined(separator: ", "))]
        }
        """
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

@Suite(.serialized) struct PluginCLITests {
    @Test func scaffoldBuildsIntoHelloPlugin() throws {
        let folder = try TemporaryFolder()
        let (status, output) = try run(try switchyard(), ["plugin", "new", "hello", "--dir", folder.url.path])
        try #require(status == 0, "plugin new failed: \(output)")
        let manifest = try String(contentsOfFile: folder.path("hello/Package.swift"), encoding: .utf8)
        #expect(manifest.contains(PluginBuild.repositoryRoot.appendingPathComponent("plugins/api").path))

        let start = Date()
        let (buildStatus, buildOutput) = try PluginBuild.swift(
            ["build", "-c", "release", "--package-path", folder.path("hello")], timeout: 600)
        print("plugin build hello (release, own scratch): \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        try #require(buildStatus == 0, "swift build -c release failed: \(buildOutput.suffix(2000))")

        let library = folder.path("hello/.build/release/libHello.so")
        let harness = try GatewayTestHarness(plugins: [library], middleware: ["{\"use\": \"hello\"}"])
        defer { harness.stop() }
        let response = try HTTPClient(port: harness.port).get("/shop/echo")
        #expect(response.status == 200)
        #expect(response.header("X-Hello") == "world")
    }

    @Test func scaffoldRejectsInvalidName() throws {
        let folder = try TemporaryFolder()
        let (status, output) = try run(try switchyard(), ["plugin", "new", "Hello World", "--dir", folder.url.path])
        #expect(status == 2)
        #expect(output.contains("invalid plugin name"))
    }

    @Test func checkReportsPluginOptionError() throws {
        let folder = try TemporaryFolder()
        let config = try writeConfiguration(
            in: folder, plugins: [try Libraries.apiKey()], middleware: ["{\"use\": \"api-key\", \"namespace\": \"NOPE\"}"])
        let (status, output) = try run(try switchyard(), ["check", "--config", config])
        #expect(status == 1)
        #expect(output.contains("middleware[1].namespace: \"NOPE\" is not a configured kv namespace"))
    }

    @Test func checkReportsMismatchedPlugin() throws {
        let folder = try TemporaryFolder()
        let path = try Libraries.bad("WrongABI")
        let config = try writeConfiguration(in: folder, plugins: [path], middleware: [])
        let (status, output) = try run(try switchyard(), ["check", "--config", config])
        #expect(status == 1)
        #expect(output.contains("plugin \(path): was built for plugin ABI 999"))
    }

    @Test func pluginsListsLibraryVersionAndPhases() throws {
        let folder = try TemporaryFolder()
        let library = try Libraries.apiKey()
        let config = try writeConfiguration(
            in: folder, plugins: [library], middleware: ["{\"use\": \"api-key\", \"namespace\": \"API_KEYS\"}"])
        let (status, output) = try run(try switchyard(), ["plugins", "--config", config])
        #expect(status == 0)
        let line = output.split(separator: "\n").first { $0.hasPrefix("api-key ") }.map(String.init) ?? ""
        #expect(line.contains("1.0.0"))
        #expect(line.contains("request-head,upstream-request"))
        #expect(line.hasSuffix(library))
        #expect(output.contains("routing-lookup"))
    }

    @Test func reloadCommandSignalsServe() throws {
        let folder = try TemporaryFolder()
        let config = try writeConfiguration(in: folder, plugins: [], middleware: [])
        let pidFile = folder.path("switchyard.pid")
        let logPath = folder.path("serve.log")
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let serve = Process()
        serve.executableURL = URL(fileURLWithPath: try switchyard())
        serve.arguments = ["serve", "--config", config, "--pid-file", pidFile]
        serve.standardError = log
        try serve.run()
        defer {
            serve.terminate()
            serve.waitUntilExit()
        }
        #expect(waitForText(logPath, "gateway started"))
        #expect(waitForText(pidFile, "\(serve.processIdentifier)"))

        _ = try writeConfiguration(
            in: folder, plugins: [try Libraries.htmlBanner()], middleware: ["{\"use\": \"html-banner\", \"banner\": \"x\"}"])
        let (status, output) = try run(try switchyard(), ["reload", "--pid-file", pidFile, "--config", config])
        #expect(status == 0, "reload failed: \(output)")
        #expect(waitForText(logPath, "configuration reloaded"))
        #expect(try String(contentsOfFile: logPath, encoding: .utf8).contains("routing-lookup,html-banner"))
    }
}

/// Waits up to ten seconds until the file at `path` contains `text`.
func waitForText(_ path: String, _ text: String) -> Bool {
    let deadline = Date().addingTimeInterval(10)
    while Date() < deadline {
        if let contents = try? String(contentsOfFile: path, encoding: .utf8), contents.contains(text) {
            return true
        }
        usleep(10_000)
    }
    return false
}
