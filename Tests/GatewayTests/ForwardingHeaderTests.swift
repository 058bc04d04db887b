// Checks the fields the origin receives: the gateway's forwarding fields, and no hop-by-hop fields.

import Foundation
import Testing

@Suite struct ForwardingHeaderTests {
    /// Returns the field lines the sample origin echoed, as name and value pairs.
    private func echoedFields(_ response: TestResponse) -> [(name: String, value: String)] {
        let pairs = response.json["headers"] as? [[String]] ?? []
        return pairs.compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }
    }

    private func values(_ name: String, in fields: [(name: String, value: String)]) -> [String] {
        fields.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    @Test func originReceivesForwardingFields() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }
        let connection = try gateway.connect()

        try connection.send(
            "GET /storeA/echo HTTP/1.1\r\nHost: localhost:\(gateway.tlsPort)\r\n"
                + "X-Forwarded-For: 203.0.113.9\r\nX-Forwarded-Proto: http\r\nVia: 1.0 upstream-proxy\r\n\r\n")
        let fields = echoedFields(try connection.readResponse())

        #expect(values("Host", in: fields) == ["127.0.0.1:\(gateway.origin.port)"])
        #expect(values("X-Forwarded-For", in: fields) == ["127.0.0.1"])
        #expect(values("X-Forwarded-Proto", in: fields) == ["https"])
        #expect(values("X-Forwarded-Host", in: fields) == ["localhost:\(gateway.tlsPort)"])
        #expect(values("Via", in: fields) == ["1.0 upstream-proxy, 1.1 switchyard"])
    }

    @Test func hopByHopFieldsAreRemoved() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }
        let connection = try gateway.connect()

        try connection.send(GatewayHarness.request("GET", "/storeA/echo", fields: [
            "Connection: keep-alive, X-Secret", "X-Secret: 1", "Keep-Alive: timeout=5", "TE: trailers",
            "Upgrade: websocket", "Proxy-Authorization: Basic dXNlcjpwYXNz", "Proxy-Connection: keep-alive",
            "X-Kept: yes",
        ]))
        let fields = echoedFields(try connection.readResponse())

        for name in ["Connection", "X-Secret", "Keep-Alive", "TE", "Upgrade", "Proxy-Authorization", "Proxy-Connection"] {
            #expect(values(name, in: fields).isEmpty, "\(name) reached the origin")
        }
        #expect(values("X-Kept", in: fields) == ["yes"])
    }

    @Test func connectionFieldCannotStripGatewayFields() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }
        let connection = try gateway.connect()

        try connection.send(GatewayHarness.request("GET", "/storeA/echo", fields: [
            "Connection: X-Forwarded-For, X-Forwarded-Proto, Via, Host",
        ]))
        let fields = echoedFields(try connection.readResponse())

        #expect(values("X-Forwarded-For", in: fields) == ["127.0.0.1"])
        #expect(values("X-Forwarded-Proto", in: fields) == ["https"])
        #expect(values("Via", in: fields) == ["1.1 switchyard"])
        #expect(values("Host", in: fields) == ["127.0.0.1:\(gateway.origin.port)"])
    }
}

@Suite("misdirected requests")
struct MisdirectedRequestTests {
    @Test func hostOtherThanServerNameGets421() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }
        let connection = try gateway.connect()

        try connection.send(GatewayHarness.request("GET", "/storeA/echo", host: "other.example"))
        let response = try connection.readResponse()

        #expect(response.status == 421)
        #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
        #expect(gateway.origin.acceptedConnections == 0)
    }

    @Test func hostWithPortMatchesServerName() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }
        let connection = try gateway.connect()

        try connection.send(GatewayHarness.request("GET", "/storeA/echo", host: "LOCALHOST:\(gateway.tlsPort)"))

        #expect(try connection.readResponse().status == 200)
    }
}
