// Checks request bodies with Content-Length and chunked framing, 100-continue and HEAD responses.

import Foundation
import Testing

@Suite struct RequestBodyTests {
    /// 200 KB of varied bytes, so a dropped or reordered piece changes the checksum.
    private let payload: [UInt8] = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 251) }

    @Test func contentLengthBodyArrivesIntact() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }
        let connection = try gateway.connect()

        try connection.send("POST /storeA/upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(payload.count)\r\n\r\n")
        try connection.send(payload)
        let response = try connection.readResponse()

        #expect(response.status == 200)
        #expect(response.json["bytes"] as? Int == payload.count)
        #expect(response.json["checksum"] as? String == fnv1a(payload))
    }

    @Test func chunkedBodyArrivesIntact() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }
        let connection = try gateway.connect()

        try connection.send("POST /storeA/upload HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n")
        var offset = 0
        for size in [1, 10, 4096, 65_536, 129_000, 1_000_000] where offset < payload.count {
            let piece = Array(payload[offset..<min(offset + size, payload.count)])
            try connection.send(String(piece.count, radix: 16) + ";note=x\r\n")
            try connection.send(piece + [0x0D, 0x0A])
            offset += piece.count
        }
        try connection.send("0\r\n\r\n")
        let response = try connection.readResponse()

        #expect(offset == payload.count)
        #expect(response.status == 200)
        #expect(response.json["bytes"] as? Int == payload.count)
        #expect(response.json["checksum"] as? String == fnv1a(payload))
    }

    @Test func expectContinueGets100BeforeFinalResponse() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }
        let connection = try gateway.connect()

        try connection.send(
            "POST /storeA/upload HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n")
        let interim = try connection.readHead()
        try connection.send("hello world")
        let response = try connection.readResponse()

        #expect(interim.rawHead == "HTTP/1.1 100 Continue")
        #expect(response.status == 200)
        #expect(response.json["bytes"] as? Int == 11)
        #expect(response.json["checksum"] as? String == fnv1a(Array("hello world".utf8)))
    }

    @Test func headResponseHasNoBody() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }
        let connection = try gateway.connect()

        // The GET after the HEAD shows where the HEAD response ended: a stray body would corrupt its status line.
        try connection.send(GatewayHarness.request("HEAD", "/storeA/bytes/1000")
            + GatewayHarness.request("GET", "/storeA/status/202"))
        let head = try connection.readResponse(method: "HEAD")
        let next = try connection.readResponse()

        #expect(head.status == 200)
        #expect(head.header("Content-Length") == "1000")
        #expect(next.status == 202)
        #expect(next.text == "status 202\n")
    }
}
