// Checks keep-alive on both sides of the gateway and the order of pipelined responses.

import Foundation
import Testing

@Suite struct ConnectionReuseTests {
    @Test func keepAliveReusesClientAndOriginConnections() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }
        let connection = try gateway.connect()

        for index in 1...4 {
            try connection.send(GatewayHarness.request("GET", "/storeA/request-\(index)"))
            let response = try connection.readResponse()
            #expect(response.status == 200)
            #expect(response.json["target"] as? String == "/request-\(index)")
        }

        #expect(gateway.origin.acceptedConnections == 1)
    }

    @Test func pipelinedResponsesKeepRequestOrder() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }
        let connection = try gateway.connect()

        try connection.send(
            GatewayHarness.request("GET", "/storeA/first") + GatewayHarness.request("GET", "/storeA/status/201")
                + GatewayHarness.request("POST", "/storeA/third", body: "abc"))
        let first = try connection.readResponse()
        let second = try connection.readResponse()
        let third = try connection.readResponse()

        #expect(first.status == 200)
        #expect(first.json["target"] as? String == "/first")
        #expect(second.status == 201)
        #expect(second.text == "status 201\n")
        #expect(third.status == 200)
        #expect(third.json["target"] as? String == "/third")
        #expect(third.json["bodyBytes"] as? Int == 3)
    }
}
