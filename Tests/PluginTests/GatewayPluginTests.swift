// Example plugins loaded into a running gateway in front of a sample origin.

import Foundation
import SwitchyardGateway
import SwitchyardPlugin
import Testing

@Suite(.serialized) struct GatewayPluginTests {
    @Test func apiKeyAnswers401Locally() throws {
        let harness = try GatewayTestHarness(
            plugins: [try Libraries.apiKey()], middleware: ["{\"use\": \"api-key\", \"namespace\": \"API_KEYS\"}"],
            keyValue: ["API_KEYS": ["k-alice": "alice"]])
        defer { harness.stop() }
        let client = try HTTPClient(port: harness.port)

        let missing = try client.get("/shop/echo")
        #expect(missing.status == 401)
        let allowed = try client.get("/shop/echo", headers: ["X-API-Key": "k-alice"])
        #expect(allowed.status == 200)
        #expect(!allowed.body.lowercased().contains("x-api-key"), "the origin saw the key: \(allowed.body)")
        #expect(harness.origin.acceptedConnections == 1)
    }

    @Test func htmlBannerRewritesStreamedBody() throws {
        let harness = try GatewayTestHarness(
            plugins: [try Libraries.htmlBanner()], middleware: ["{\"use\": \"html-banner\", \"banner\": \"<p id=banner>hi</p>\"}"])
        defer { harness.stop() }
        let response = try HTTPClient(port: harness.port).get("/shop/html")
        #expect(response.status == 200)
        #expect(response.header("Content-Length") == nil)
        let body = response.body.lowercased()
        let tag = try #require(body.range(of: "<body"))
        let banner = try #require(body.range(of: "<p id=banner>hi</p>"))
        #expect(tag.lowerBound < banner.lowerBound)
        #expect(body[tag.lowerBound..<banner.lowerBound].filter { $0 == ">" }.count == 1)
    }

    @Test func suspendedRequestDoesNotBlockLoop() throws {
        let service = AuthService()
        try service.start()
        defer { service.stop() }
        let harness = try GatewayTestHarness(
            plugins: [try Libraries.remoteAuth()],
            middleware: ["{\"use\": \"remote-auth\", \"url\": \"http://127.0.0.1:\(service.port)/check\", \"timeout\": 20}"],
            workers: 1)
        defer { harness.stop() }

        let slow = try HTTPClient(port: harness.port)
        slow.sendGet("/shop/echo", headers: ["Authorization": "slow"])
        #expect(service.slowArrived.wait(timeout: .now() + 20) == .success)

        // The only event loop is waiting for the slow call, yet serves other connections meanwhile.
        for _ in 0..<3 {
            let fast = try HTTPClient(port: harness.port).get("/shop/echo", headers: ["Authorization": "good"])
            #expect(fast.status == 200)
            #expect(fast.body.contains("alice"))
        }
        let denied = try HTTPClient(port: harness.port).get("/shop/echo", headers: ["Authorization": "bad"])
        #expect(denied.status == 403)

        service.releaseSlow.signal()
        let slowResponse = try slow.readResponse()
        #expect(slowResponse.status == 200)
        #expect(slowResponse.body.contains("slow-user"))
    }

    @Test func factoryErrorStopsStartWithKeyPath() throws {
        #expect {
            _ = try GatewayTestHarness(
                plugins: [try Libraries.apiKey()], middleware: ["{\"use\": \"api-key\", \"namespace\": \"MISSING\"}"])
        } throws: { error in
            "\(error)".contains("middleware[1].namespace") && "\(error)".contains("\"MISSING\" is not a configured kv namespace")
        }
    }

    @Test func mismatchedPluginStopsStart() throws {
        let path = try Libraries.bad("WrongABI")
        #expect {
            _ = try GatewayTestHarness(plugins: [path], middleware: [])
        } throws: { error in
            "\(error)".contains(path) && "\(error)".contains("plugin ABI 999")
        }
    }
}
