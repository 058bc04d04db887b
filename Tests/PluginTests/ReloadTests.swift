// Reloading a running gateway: new plugins and chains for new requests, old chains for requests in flight.

import Foundation
import SwitchyardGateway
import SwitchyardPlugin
import Testing

@Suite(.serialized) struct ReloadTests {
    @Test func reloadLoadsNewPluginOnOpenConnection() throws {
        let harness = try GatewayTestHarness(plugins: [], middleware: [])
        defer { harness.stop() }
        let client = try HTTPClient(port: harness.port)
        #expect(try client.get("/shop/html").body.contains("<p id=banner>") == false)

        try harness.rewriteConfiguration(
            plugins: [try Libraries.htmlBanner()], middleware: ["{\"use\": \"html-banner\", \"banner\": \"<p id=banner>\"}"])
        let result = try harness.reload()
        #expect(result.middleware == ["routing-lookup", "html-banner"])
        #expect(result.keysNeedingRestart.isEmpty)

        // Same keep-alive connection: it was not dropped, and its next request uses the new chain.
        let after = try client.get("/shop/html")
        #expect(after.body.contains("<p id=banner>"))
        #expect(harness.origin.acceptedConnections == 1)
    }

    @Test func requestInFlightFinishesOnOldChain() throws {
        let service = AuthService()
        try service.start()
        defer { service.stop() }
        let authEntry = "{\"use\": \"remote-auth\", \"url\": \"http://127.0.0.1:\(service.port)/check\", \"timeout\": 20}"
        let harness = try GatewayTestHarness(plugins: [try Libraries.remoteAuth()], middleware: [authEntry])
        defer { harness.stop() }

        let slow = try HTTPClient(port: harness.port)
        slow.sendGet("/shop/echo", headers: ["Authorization": "slow"])
        #expect(service.slowArrived.wait(timeout: .now() + 20) == .success)

        try harness.rewriteConfiguration(plugins: [try Libraries.remoteAuth()], middleware: [])
        try harness.reload()
        let fresh = try HTTPClient(port: harness.port).get("/shop/echo")
        #expect(fresh.status == 200, "the new chain has no auth, so no credentials are needed")

        service.releaseSlow.signal()
        let finished = try slow.readResponse()
        #expect(finished.status == 200)
        #expect(finished.body.contains("slow-user"), "the old chain's upstream phase ran: \(finished.body)")
    }

    @Test func invalidConfigurationKeepsRunningChain() throws {
        let harness = try GatewayTestHarness(
            plugins: [try Libraries.htmlBanner()], middleware: ["{\"use\": \"html-banner\", \"banner\": \"<p id=old>\"}"])
        defer { harness.stop() }
        let client = try HTTPClient(port: harness.port)

        try harness.rewriteConfiguration(
            plugins: [try Libraries.htmlBanner()], middleware: ["{\"use\": \"html-banner\", \"banner\": \"\"}"])
        #expect(throws: ConfigurationError.self) { try harness.reload() }
        #expect(try client.get("/shop/html").body.contains("<p id=old>"))
        let rejected = harness.logs.records.first { $0.message.hasPrefix("reload rejected") }
        #expect(rejected?.metadata["error"]?.contains("middleware[1].banner") == true)
    }

    @Test func mismatchedPluginIsRejectedOnReload() throws {
        let harness = try GatewayTestHarness(plugins: [], middleware: [])
        defer { harness.stop() }
        let path = try Libraries.bad("WrongCompiler")
        try harness.rewriteConfiguration(plugins: [path], middleware: [])
        #expect(throws: PluginLoadError.self) { try harness.reload() }
        #expect(try HTTPClient(port: harness.port).get("/shop/echo").status == 200)
    }

    @Test func listenerChangeIsReportedAsNeedingRestart() throws {
        let harness = try GatewayTestHarness(plugins: [], middleware: [])
        defer { harness.stop() }
        let text = try String(contentsOfFile: harness.configurationPath, encoding: .utf8)
            .replacingOccurrences(of: "\"workers\": 1", with: "\"workers\": 2")
        try text.write(toFile: harness.configurationPath, atomically: true, encoding: .utf8)
        let result = try harness.reload()
        #expect(result.keysNeedingRestart == ["workers"])
        #expect(harness.logs.records.contains { $0.level == .warning && $0.metadata["config.keys"] == "workers" })
    }

    @Test func reloadStartsNewAccessLogFile() throws {
        let harness = try GatewayTestHarness(plugins: [], middleware: [])
        defer { harness.stop() }
        let logPath = harness.folder.appendingPathComponent("access.log").path
        let entry = "{\"use\": \"access-log\", \"format\": \"json\", \"path\": \"access.log\"}"
        try harness.rewriteConfiguration(plugins: [], middleware: [entry])
        try harness.reload()
        let client = try HTTPClient(port: harness.port)
        _ = try client.get("/shop/echo")
        #expect(waitForLines(logPath, count: 1))

        // What logrotate does: rename, then signal.
        try FileManager.default.moveItem(atPath: logPath, toPath: logPath + ".1")
        try harness.reload()
        _ = try client.get("/shop/echo")
        _ = try client.get("/shop/echo")
        #expect(waitForLines(logPath, count: 2))

        let rotated = try String(contentsOfFile: logPath + ".1", encoding: .utf8)
        let current = try String(contentsOfFile: logPath, encoding: .utf8)
        #expect(rotated.split(separator: "\n").count == 1)
        #expect(rotated.hasSuffix("\n"))
        #expect(current.split(separator: "\n").count == 2)
        #expect(current.hasSuffix("\n"))
    }
}

/// Waits up to ten seconds until the file at `path` holds `count` complete lines; the logging phase runs after
/// the response went out, so a client can see the response before the line is written.
func waitForLines(_ path: String, count: Int) -> Bool {
    let deadline = Date().addingTimeInterval(10)
    while Date() < deadline {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        if text.filter({ $0 == "\n" }).count >= count {
            return true
        }
        usleep(10_000)
    }
    return false
}
