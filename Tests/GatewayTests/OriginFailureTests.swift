// Checks the gateway's pages when the origin refuses, stays silent or responds with garbage.

import Foundation
import Testing

@Suite struct OriginFailureTests {
    @Test func refusedOriginGets502() throws {
        var options = GatewayOptions()
        options.routes = ["closed": GatewayHarness.routeValue(port: try ScriptedOrigin.closedPort())]
        let gateway = try GatewayHarness(options)
        defer { gateway.stop() }

        let response = try gateway.get("/closed/page")

        #expect(response.status == 502)
        #expect(response.header("Content-Type")?.hasPrefix("text/plain") == true)
        #expect(response.text == "The storefront's origin server could not be reached. Please try again later.")
    }

    @Test func silentOriginGets504() throws {
        var options = GatewayOptions()
        options.timeouts = "\"upstreamRead\": 0.5"
        let gateway = try GatewayHarness(options)
        defer { gateway.stop() }

        let response = try gateway.get("/storeA/slow?ms=3000")

        #expect(response.status == 504)
        #expect(response.header("Content-Type")?.hasPrefix("text/plain") == true)
        #expect(response.text == "The storefront's origin server did not respond in time. Please try again later.")
    }

    @Test func garbageFromOriginGets502() throws {
        let origin = try ScriptedOrigin { connection in
            _ = connection.readHead()
            connection.write("this is not HTTP\r\n\r\n")
        }
        defer { origin.stop() }
        var options = GatewayOptions()
        options.routes = ["garbage": GatewayHarness.routeValue(port: origin.port)]
        let gateway = try GatewayHarness(options)
        defer { gateway.stop() }

        let response = try gateway.get("/garbage/page")

        #expect(response.status == 502)
        #expect(response.text == "The storefront's origin server could not be reached. Please try again later.")
        #expect(origin.receivedHeads.first?.hasPrefix("GET /page HTTP/1.1\r\n") == true)
    }

    @Test func originClosingBeforeResponseGets502() throws {
        let origin = try ScriptedOrigin { connection in
            _ = connection.readHead()
            connection.close()
        }
        defer { origin.stop() }
        var options = GatewayOptions()
        options.routes = ["dropper": GatewayHarness.routeValue(port: origin.port)]
        let gateway = try GatewayHarness(options)
        defer { gateway.stop() }

        let response = try gateway.get("/dropper/page")

        #expect(response.status == 502)
    }
}
