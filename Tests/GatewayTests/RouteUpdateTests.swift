// Checks that a routing change written while the gateway runs applies to the very next request.

import Foundation
import SwitchyardGateway
import SwitchyardKV
import Testing

@Suite struct RouteUpdateTests {
    @Test func storePutAppliesToNextRequest() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }
        let other = SampleOrigin(name: "storeB")
        try other.start()
        defer { other.stop() }
        let connection = try gateway.connect()
        try connection.send(GatewayHarness.request("GET", "/storeA/before"))
        #expect(try connection.readResponse().json["origin"] as? String == "storeA")

        // A second store object, as a separate tool would open it.
        let writer = try LMDBStore(path: gateway.folder.file("data/routing"))
        try writer.put(
            database: GatewayHarness.namespace, key: "storeA",
            value: Array(GatewayHarness.routeValue(port: other.port).utf8))
        try connection.send(GatewayHarness.request("GET", "/storeA/after"))
        let response = try connection.readResponse()

        #expect(response.status == 200)
        #expect(response.json["origin"] as? String == "storeB")
        #expect(response.json["target"] as? String == "/after")
    }

    @Test func cliKeyValuePutAppliesWhileGatewayRuns() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }
        let other = SampleOrigin(name: "storeB")
        try other.start()
        defer { other.stop() }
        #expect(try gateway.get("/storeA/before").json["origin"] as? String == "storeA")

        let result = try runProcess(
            try switchyardBinary(),
            ["kv", "put", "--config", gateway.configPath, "storeA", GatewayHarness.routeValue(port: other.port)])
        #expect(result.status == 0)
        let response = try gateway.get("/storeA/after")

        #expect(response.status == 200)
        #expect(response.json["origin"] as? String == "storeB")
    }
}

/// Finds the built `switchyard` executable: beside the test bundle, or in the package's `.build/debug` folder.
func switchyardBinary() throws -> String {
    let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("switchyard").path
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let inBuildFolder = packageRoot.appendingPathComponent(".build/debug/switchyard").path
    for candidate in [besideTests, inBuildFolder] where FileManager.default.isExecutableFile(atPath: candidate) {
        return candidate
    }
    throw HarnessError("switchyard binary not found at \(besideTests) or \(inBuildFolder); run `swift build` first")
}
