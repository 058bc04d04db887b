// End-to-end checks of the reference routing behaviour over TLS: forwarding, local pages and injected headers.

import Foundation
import SwitchyardKV
import Testing

@Suite struct ReferenceBehaviourTests {
    @Test func proxiedRequestKeepsPathQueryMethodHeadersAndBody() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }
        let connection = try gateway.connect()

        try connection.send(GatewayHarness.request(
            "POST", "/storeA/rest/of/path?q=1", fields: ["X-Custom: abc", "Content-Type: text/plain"], body: "hello"))
        let response = try connection.readResponse()

        #expect(response.status == 200)
        let echo = response.json
        #expect(echo["origin"] as? String == "storeA")
        #expect(echo["method"] as? String == "POST")
        #expect(echo["target"] as? String == "/rest/of/path?q=1")
        #expect(echo["bodyBytes"] as? Int == 5)
        let headers = echo["headers"] as? [[String]] ?? []
        #expect(headers.contains(["X-Custom", "abc"]))
        #expect(headers.contains(["Content-Type", "text/plain"]))
        #expect(headers.contains(["Content-Length", "5"]))
    }

    @Test func proxiedResponseCarriesInjectedHeaders() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }

        let response = try gateway.get("/storeA/hello")

        #expect(response.status == 200)
        #expect(response.headers("X-Served-By") == ["Switchyard"])
        #expect(response.headers("X-Storefront-ID") == ["storeA"])
    }

    @Test func rootPathGets400Welcome() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }

        let response = try gateway.get("/")

        #expect(response.status == 400)
        #expect(response.header("Content-Type")?.hasPrefix("text/plain") == true)
        #expect(response.text == "Welcome to our multi-tenant platform. Please specify a storefront ID in the URL path.")
    }

    @Test func unknownStorefrontGets404() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }

        let response = try gateway.get("/nosuchstore/page")

        #expect(response.status == 404)
        #expect(response.header("Content-Type")?.hasPrefix("text/plain") == true)
        #expect(response.text == "Storefront \"nosuchstore\" not found.")
    }

    @Test func invalidRouteValueGets500AndLogsStorefront() throws {
        var options = GatewayOptions()
        options.routes = ["broken": "{\"origin\": 42}"]
        let gateway = try GatewayHarness(options)
        defer { gateway.stop() }

        let response = try gateway.get("/broken/page")

        #expect(response.status == 500)
        #expect(response.header("Content-Type")?.hasPrefix("text/plain") == true)
        #expect(response.text == "An error occurred while processing your request.")
        let logged = gateway.logs.records.filter { $0.level == .error && $0.metadata["storefront.id"] == "broken" }
        #expect(logged.count == 1)
    }
}
