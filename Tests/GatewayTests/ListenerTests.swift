// Checks the listeners: plain HTTP, TLS certificate selection by SNI, rejected old versions and ALPN.

import Foundation
@testable import SwitchyardTLS
import Testing

@Suite struct ListenerTests {
    @Test func plainListenerServesRequests() throws {
        var options = GatewayOptions()
        options.tls = false
        options.plain = true
        let gateway = try GatewayHarness(options)
        defer { gateway.stop() }
        let connection = try gateway.connectPlain()

        try connection.send(GatewayHarness.request("GET", "/storeA/plain?q=1"))
        let response = try connection.readResponse()

        #expect(response.status == 200)
        #expect(response.json["target"] as? String == "/plain?q=1")
        let headers = response.json["headers"] as? [[String]] ?? []
        #expect(headers.contains(["X-Forwarded-Proto", "http"]))
        #expect(response.header("X-Storefront-ID") == "storeA")
    }

    @Test func sniSelectsMatchingCertificate() throws {
        var options = GatewayOptions()
        options.extraCertificateNames = ["shop.test"]
        let gateway = try GatewayHarness(options)
        defer { gateway.stop() }
        let shopCertificate = try #require(gateway.extraCertificates["shop.test"])

        // Each client trusts one certificate only, so a handshake completes only if SNI chose that one.
        let shop = try TestConnection(tlsPort: gateway.tlsPort, caFile: shopCertificate, serverName: "shop.test")
        let local = try TestConnection(tlsPort: gateway.tlsPort, caFile: gateway.certificate, serverName: "localhost")
        try shop.send(GatewayHarness.request("GET", "/storeA/over-sni", host: "shop.test"))
        try local.send(GatewayHarness.request("GET", "/storeA/over-sni"))

        #expect(try shop.readResponse().status == 200)
        #expect(try local.readResponse().status == 200)
        #expect(throws: (any Error).self) {
            try TestConnection(tlsPort: gateway.tlsPort, caFile: shopCertificate, serverName: "localhost")
        }
    }

    @Test func clientWithoutSNIGetsDefaultCertificate() throws {
        var options = GatewayOptions()
        options.extraCertificateNames = ["shop.test"]
        let gateway = try GatewayHarness(options)
        defer { gateway.stop() }

        // An IP literal sends no SNI; the default certificate lists 127.0.0.1, so verification succeeds.
        let connection = try TestConnection(tlsPort: gateway.tlsPort, caFile: gateway.certificate, serverName: "127.0.0.1")
        try connection.send(GatewayHarness.request("GET", "/storeA/no-sni"))

        #expect(try connection.readResponse().status == 200)
    }

    @Test func tls11ClientIsRejected() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }
        // An old client: TLS 1.1 at most, with the SHA-1 suites TLS 1.1 needs (allowed only at security level 0).
        let legacy = try TLSClientContext(
            verify: false, caFile: nil, alpn: [], versions: 0x0301...0x0302, cipherList: "DEFAULT:@SECLEVEL=0")

        #expect(throws: (any Error).self) {
            try TestConnection(tlsPort: gateway.tlsPort, context: legacy, serverName: "localhost")
        }
        // The listener keeps serving after the rejected handshake.
        #expect(try gateway.get("/storeA/after-legacy").status == 200)
    }

    @Test func alpnNegotiatesHTTP11() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }

        let connection = try gateway.connect(alpn: ["h2", "http/1.1"])
        try connection.send(GatewayHarness.request("GET", "/storeA/alpn"))

        #expect(connection.tls?.negotiatedALPN == "http/1.1")
        #expect(try connection.readResponse().status == 200)
    }
}
