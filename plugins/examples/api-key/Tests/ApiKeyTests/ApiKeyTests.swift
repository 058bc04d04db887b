// Tests of the api-key middleware with the plugin test kit.

import ApiKey
import SwitchyardPlugin
import SwitchyardPluginTestKit
import Testing

private let keys = InMemoryKeyValue(["API_KEYS": ["k-alice": "alice"]])

private func runner(_ options: [String: Any] = ["namespace": "API_KEYS"]) throws -> MiddlewareTestRunner {
    let middleware = try MiddlewareTestRunner.makeMiddleware(
        name: "api-key", options: options, keyValue: keys, register: registerApiKey)
    return MiddlewareTestRunner([middleware], keyValue: keys)
}

@Test func missingKeyGets401() async throws {
    let result = try await runner().run(RequestHead(method: "GET", target: "/"))
    #expect(result.responseHead.status == 401)
    #expect(result.upstreamRequest == nil)
    #expect(result.bodyText.contains("X-API-Key"))
}

@Test func unknownKeyGets401() async throws {
    let request = RequestHead(method: "GET", target: "/", headers: ["X-API-Key": "k-mallory"])
    let result = try await runner().run(request)
    #expect(result.responseHead.status == 401)
}

@Test func knownKeyProceedsWithoutForwardingKey() async throws {
    let request = RequestHead(method: "GET", target: "/a", headers: ["X-API-Key": "k-alice"])
    let result = try await runner().run(request)
    #expect(result.responseHead.status == 200)
    #expect(result.context.state["api-key.client"] as? String == "alice")
    #expect(result.upstreamRequest?.headers["X-API-Key"] == nil)
}

@Test func customHeaderIsRead() async throws {
    let request = RequestHead(method: "GET", target: "/", headers: ["Api-Token": "k-alice"])
    let result = try await runner(["namespace": "API_KEYS", "header": "Api-Token", "forward": true]).run(request)
    #expect(result.responseHead.status == 200)
    #expect(result.upstreamRequest?.headers["Api-Token"] == "k-alice")
}

@Test func unconfiguredNamespaceIsRejected() throws {
    #expect(throws: ConfigurationError.self) {
        try MiddlewareTestRunner.makeMiddleware(
            name: "api-key", options: ["namespace": "NOPE"], keyValue: keys, register: registerApiKey)
    }
}

@Test func missingNamespaceOptionIsRejected() throws {
    #expect(throws: ConfigurationError.self) {
        try MiddlewareTestRunner.makeMiddleware(name: "api-key", keyValue: keys, register: registerApiKey)
    }
}
