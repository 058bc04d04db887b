// Checks that malformed or oversized requests get the right status and close, and that slow heads time out.

import Foundation
import Testing

@Suite struct RequestLimitTests {
    /// Sends `request` on a new TLS connection and returns the response, checking the gateway closes afterwards.
    private func rejection(_ gateway: GatewayHarness, _ request: String) throws -> TestResponse {
        let connection = try gateway.connect()
        try connection.send(request)
        let response = try connection.readResponse()
        #expect(response.header("Connection") == "close")
        #expect(try connection.serverClosed())
        return response
    }

    @Test func contentLengthWithChunkedGets400() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }

        let response = try rejection(gateway,
            "POST /storeA/upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")

        #expect(response.status == 400)
        #expect(gateway.origin.acceptedConnections == 0)
    }

    @Test func obsFoldGets400() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }

        let response = try rejection(gateway, "GET /storeA/x HTTP/1.1\r\nHost: localhost\r\nX-Long: a\r\n folded\r\n\r\n")

        #expect(response.status == 400)
        #expect(gateway.origin.acceptedConnections == 0)
    }

    @Test func bodyAboveMaxBodyBytesGets413() throws {
        var options = GatewayOptions()
        options.limits = "\"maxBodyBytes\": 1024"
        let gateway = try GatewayHarness(options)
        defer { gateway.stop() }
        let connection = try gateway.connect()

        try connection.send(GatewayHarness.request("POST", "/storeA/upload", body: String(repeating: "b", count: 1025)))
        let response = try connection.readResponse()

        #expect(response.status == 413)
        #expect(response.text == "The request body is larger than this gateway accepts.")
    }

    @Test func bodyAtMaxBodyBytesIsAccepted() throws {
        var options = GatewayOptions()
        options.limits = "\"maxBodyBytes\": 1024"
        let gateway = try GatewayHarness(options)
        defer { gateway.stop() }
        let connection = try gateway.connect()

        try connection.send(GatewayHarness.request("POST", "/storeA/upload", body: String(repeating: "b", count: 1024)))
        let response = try connection.readResponse()

        #expect(response.status == 200)
        #expect(response.json["bytes"] as? Int == 1024)
    }

    @Test func longTargetGets414() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }

        let response = try rejection(gateway, GatewayHarness.request("GET", "/storeA/" + String(repeating: "a", count: 9000)))

        #expect(response.status == 414)
    }

    @Test func largeHeadGets431() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }
        let fields = (0..<40).map { "X-Filler-\($0): " + String(repeating: "f", count: 1000) }

        let response = try rejection(gateway, GatewayHarness.request("GET", "/storeA/x", fields: fields))

        #expect(response.status == 431)
    }

    @Test func slowRequestHeadGets408() throws {
        var options = GatewayOptions()
        options.timeouts = "\"requestHeader\": 1"
        let gateway = try GatewayHarness(options)
        defer { gateway.stop() }
        let connection = try gateway.connect()
        let started = Date()

        try connection.send("GET /storeA/x HTTP/1.1\r\nHost: localhost\r\n")
        let response = try connection.readResponse()

        #expect(response.status == 408)
        #expect(Date().timeIntervalSince(started) >= 0.9)
        #expect(try connection.serverClosed())
    }
}
