// Checks HTTPS origins: certificate verification against a CA file, the system trust store and the per-route
// switch, with a second gateway on loopback as the TLS origin.

import Foundation
import Testing

@Suite struct HTTPSOriginTests {
    /// A TLS origin: a second gateway whose storeA route leads to its own sample origin, so `/storeA/echo` on it
    /// returns the request its sample origin received.
    private func makeTLSOrigin() throws -> GatewayHarness {
        var options = GatewayOptions()
        options.workers = 1
        return try GatewayHarness(options)
    }

    @Test func verifiedWithCAFile() throws {
        let origin = try makeTLSOrigin()
        defer { origin.stop() }
        var options = GatewayOptions()
        options.routes = ["secure": #"{"origin": "https://localhost:\#(origin.tlsPort)", "caFile": "\#(origin.certificate)"}"#]
        let gateway = try GatewayHarness(options)
        defer { gateway.stop() }

        let response = try gateway.get("/secure/storeA/echo?x=1")

        #expect(response.status == 200)
        #expect(response.json["target"] as? String == "/echo?x=1")
        let headers = response.json["headers"] as? [[String]] ?? []
        // The outer gateway's Via shows the request crossed both gateways, the second over TLS.
        #expect(headers.contains(["X-Forwarded-Proto", "https"]))
        #expect(headers.first { $0.first == "Via" }?.last == "1.1 switchyard, 1.1 switchyard")
    }

    @Test func selfSignedOriginRejectedBySystemTrustStore() throws {
        let origin = try makeTLSOrigin()
        defer { origin.stop() }
        var options = GatewayOptions()
        options.routes = ["secure": #"{"origin": "https://localhost:\#(origin.tlsPort)"}"#]
        let gateway = try GatewayHarness(options)
        defer { gateway.stop() }

        let response = try gateway.get("/secure/storeA/echo")

        #expect(response.status == 502)
        #expect(origin.origin.acceptedConnections == 0)
        #expect(gateway.logs.records.contains { $0.level == .error && ($0.metadata["error"] ?? "").contains("TLS handshake") })
    }

    @Test func verificationOffOnlyByRouteSetting() throws {
        let origin = try makeTLSOrigin()
        defer { origin.stop() }
        var options = GatewayOptions()
        options.routes = ["insecure": #"{"origin": "https://localhost:\#(origin.tlsPort)", "verifyTLS": false}"#]
        let gateway = try GatewayHarness(options)
        defer { gateway.stop() }

        let response = try gateway.get("/insecure/storeA/echo")

        #expect(response.status == 200)
        #expect(response.json["target"] as? String == "/echo")
    }

    @Test func untrustedCAFileRejected() throws {
        let origin = try makeTLSOrigin()
        defer { origin.stop() }
        let stranger = try makeTLSOrigin()
        defer { stranger.stop() }
        var options = GatewayOptions()
        // The CA file holds another gateway's self-signed certificate, which did not sign the origin's.
        options.routes = ["wrong": #"{"origin": "https://localhost:\#(origin.tlsPort)", "caFile": "\#(stranger.certificate)"}"#]
        let gateway = try GatewayHarness(options)
        defer { gateway.stop() }

        let response = try gateway.get("/wrong/storeA/echo")

        #expect(response.status == 502)
        #expect(origin.origin.acceptedConnections == 0)
        #expect(gateway.logs.records.contains { ($0.metadata["error"] ?? "").contains("TLS handshake") })
    }

    @Test func pooledTLSConnectionReused() throws {
        let origin = try makeTLSOrigin()
        defer { origin.stop() }
        var options = GatewayOptions()
        options.workers = 1
        options.routes = ["secure": #"{"origin": "https://localhost:\#(origin.tlsPort)", "caFile": "\#(origin.certificate)"}"#]
        let gateway = try GatewayHarness(options)
        defer { gateway.stop() }

        for index in 0..<3 {
            let response = try gateway.get("/secure/storeA/echo?n=\(index)")
            #expect(response.status == 200)
        }

        // One TLS connection from the outer gateway carried all three, so the inner one opened one origin
        // connection too.
        #expect(origin.origin.acceptedConnections == 1)
    }
}
