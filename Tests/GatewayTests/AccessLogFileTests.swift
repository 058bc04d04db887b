// Checks the JSON access log file: one complete line per request, and reopening after the file was renamed.

import Foundation
import Testing

@Suite struct AccessLogFileTests {
    private func object(_ line: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
    }

    @Test func accessLogHasOneJSONLinePerRequest() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }
        let connection = try gateway.connect()
        try connection.send(GatewayHarness.request("GET", "/storeA/status/201?q=1"))
        let first = try connection.readResponse()
        try connection.send(GatewayHarness.request("GET", "/missing/x"))
        _ = try connection.readResponse()

        let lines = try gateway.accessLogLines(atLeast: 2)
        let proxied = object(lines[0])
        let local = object(lines[1])

        #expect(lines.count == 2)
        for name in ["time", "request_id", "client", "method", "path", "status", "bytes_sent", "duration_ms",
                     "storefront_id", "origin", "origin_status", "origin_ms"] {
            #expect(proxied.keys.contains(name), "field \(name) missing from \(lines[0])")
        }
        #expect((proxied["time"] as? String)?.hasSuffix("Z") == true)
        #expect((proxied["request_id"] as? String)?.isEmpty == false)
        #expect(proxied["client"] as? String == "127.0.0.1")
        #expect(proxied["method"] as? String == "GET")
        #expect(proxied["path"] as? String == "/storeA/status/201?q=1")
        #expect(proxied["status"] as? Int == 201)
        #expect(proxied["bytes_sent"] as? Int ?? 0 >= first.body.count)
        #expect(proxied["storefront_id"] as? String == "storeA")
        #expect(proxied["origin"] as? String == "http://127.0.0.1:\(gateway.origin.port)")
        #expect(proxied["origin_status"] as? Int == 201)
        #expect(proxied["origin_ms"] is NSNumber)
        #expect(local["status"] as? Int == 404)
        #expect(local["origin"] is NSNull)
        #expect(local["origin_status"] is NSNull)
    }

    @Test func reopenFilesStartsNewLogFile() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }
        _ = try gateway.get("/storeA/before-rotation")
        _ = try gateway.accessLogLines(atLeast: 1)
        let rotated = gateway.folder.file("access.log.1")

        try FileManager.default.moveItem(atPath: gateway.accessLogPath, toPath: rotated)
        gateway.server.reopenFiles()
        _ = try gateway.get("/storeA/after-rotation")
        let newLines = try gateway.accessLogLines(atLeast: 1)
        let oldLines = try gateway.accessLogLines(atLeast: 1, path: rotated)

        #expect(newLines.count == 1)
        #expect(object(newLines[0])["path"] as? String == "/storeA/after-rotation")
        #expect(oldLines.count == 1)
        #expect(object(oldLines[0])["path"] as? String == "/storeA/before-rotation")
    }
}
