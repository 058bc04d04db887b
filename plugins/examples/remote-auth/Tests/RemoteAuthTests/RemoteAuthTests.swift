// Tests of the remote-auth middleware against an authorisation service on loopback.

import Foundation
import RemoteAuth
import SwitchyardPlugin
import SwitchyardPluginTestKit
import Testing

private func runner(port: Int) throws -> MiddlewareTestRunner {
    let middleware = try MiddlewareTestRunner.makeMiddleware(
        name: "remote-auth", options: ["url": "http://127.0.0.1:\(port)/check", "timeout": 5],
        register: registerRemoteAuth)
    return MiddlewareTestRunner([middleware])
}

@Test func acceptedTokenForwardsUser() async throws {
    let service = AuthService()
    try service.start()
    defer { service.stop() }
    let request = RequestHead(method: "GET", target: "/", headers: ["Authorization": "good"])
    let result = try await runner(port: service.port).run(request)
    #expect(result.responseHead.status == 200)
    #expect(result.upstreamRequest?.headers["X-Authenticated-User"] == "alice")
}

@Test func rejectedTokenGets403() async throws {
    let service = AuthService()
    try service.start()
    defer { service.stop() }
    let request = RequestHead(method: "GET", target: "/", headers: ["Authorization": "bad"])
    let result = try await runner(port: service.port).run(request)
    #expect(result.responseHead.status == 403)
    #expect(result.upstreamRequest == nil)
}

@Test func missingCredentialGets401() async throws {
    let result = try await runner(port: 9).run(RequestHead(method: "GET", target: "/"))
    #expect(result.responseHead.status == 401)
}

@Test func unreachableServiceGets503() async throws {
    let service = AuthService()
    try service.start()
    let port = service.port
    service.stop()
    let request = RequestHead(method: "GET", target: "/", headers: ["Authorization": "good"])
    let result = try await runner(port: port).run(request)
    #expect(result.responseHead.status == 503)
}

@Test func nonLoopbackURLIsRejected() throws {
    #expect(throws: ConfigurationError.self) {
        try MiddlewareTestRunner.makeMiddleware(
            name: "remote-auth", options: ["url": "http://192.0.2.1/check"], register: registerRemoteAuth)
    }
}
