// Checks origin redirects: Location rewriting in pass-through mode and following in follow mode.

import Foundation
import Testing

@Suite struct RedirectTests {
    @Test func passModeRewritesRelativeLocation() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }

        let response = try gateway.get("/storeA/redirect/2")

        #expect(response.status == 302)
        #expect(response.headers("Location") == ["/storeA/redirect/1"])
        #expect(gateway.origin.acceptedConnections == 1)
    }

    @Test func followModeReturnsFinalResponse() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }
        try gateway.store.put(
            database: GatewayHarness.namespace, key: "follow",
            value: Array(GatewayHarness.routeValue(port: gateway.origin.port, extra: "\"redirect\": \"follow\"").utf8))

        let response = try gateway.get("/follow/redirect/3")

        #expect(response.status == 200)
        #expect(response.text == "redirected\n")
        #expect(response.header("Location") == nil)
    }

    @Test func absoluteLocationOnOriginIsRewritten() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }
        let location = "http://127.0.0.1:\(gateway.origin.port)/html?x=1"
        let encoded = location.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""

        let response = try gateway.get("/storeA/redirect-to?url=\(encoded)")

        #expect(response.status == 302)
        #expect(response.headers("Location") == ["/storeA/html?x=1"])
    }

    @Test func locationOnOtherHostIsKept() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }
        let location = "https://elsewhere.example/path"
        let encoded = location.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""

        let response = try gateway.get("/storeA/redirect-to?url=\(encoded)")

        #expect(response.status == 302)
        #expect(response.headers("Location") == [location])
    }
}
