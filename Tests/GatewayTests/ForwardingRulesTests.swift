// Tests of the header rules for forwarded requests and responses, without sockets.

import SwitchyardHTTP1
import SwitchyardPlugin
import Testing

@testable import SwitchyardGateway

private func requestHead(_ fields: [(String, String)], target: String = "/storeA/x", minor: Int = 1)
    -> HTTP1RequestHead
{
    let connectionTokens = fields.filter { $0.0.lowercased() == "connection" }
        .flatMap { $0.1.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() } }
    return HTTP1RequestHead(
        method: "GET", target: target, versionMajor: 1, versionMinor: minor,
        fields: fields.map { HTTP1Field(name: $0.0, value: $0.1) }, framing: .none, keepAlive: true,
        expectsContinue: false, connectionTokens: connectionTokens)
}

private let origin = Upstream(scheme: "https", host: "shop.example", port: 8443, target: "/x", gatewayPrefix: "/storeA")

private func forward(_ fields: [(String, String)], framing: BodyFraming = .none) -> HTTPHeaders {
    Forwarding.upstreamRequestHead(
        client: requestHead(fields), upstream: origin, method: "GET", clientAddress: "192.0.2.7", clientIsTLS: true,
        requestID: "r-1", viaName: "switchyard", bodyFraming: framing
    ).headers
}

@Suite("forwarding rules")
struct ForwardingRulesTests {
    @Test func hostIsOriginAuthority() {
        let headers = forward([("Host", "gateway.example")])
        #expect(headers.values("Host") == ["shop.example:8443"])
        #expect(headers["X-Forwarded-Host"] == "gateway.example")
    }

    @Test func hopByHopFieldsRemoved() {
        let headers = forward([
            ("Host", "g"), ("Connection", "keep-alive, X-Secret"), ("X-Secret", "1"), ("Keep-Alive", "timeout=5"),
            ("TE", "trailers"), ("Upgrade", "websocket"), ("Proxy-Authorization", "Basic x"),
            ("Proxy-Connection", "keep-alive"), ("Trailer", "X-Sum"), ("Accept", "*/*"),
        ])
        for name in ["Connection", "X-Secret", "Keep-Alive", "TE", "Upgrade", "Proxy-Authorization",
                     "Proxy-Connection", "Trailer"] {
            #expect(!headers.contains(name), "\(name) was forwarded")
        }
        #expect(headers["Accept"] == "*/*")
    }

    @Test func clientCannotStripGatewayFields() {
        let headers = forward([("Host", "g"), ("Connection", "X-Forwarded-For, Via, X-Request-ID")])
        #expect(headers["X-Forwarded-For"] == "192.0.2.7")
        #expect(headers["Via"] == "1.1 switchyard")
        #expect(headers["X-Request-ID"] == "r-1")
    }

    @Test func clientForwardingFieldsNotTrusted() {
        let headers = forward([
            ("Host", "g"), ("X-Forwarded-For", "10.0.0.1"), ("X-Forwarded-Proto", "http"),
            ("Forwarded", "for=10.0.0.1"), ("X-Request-ID", "spoofed"),
        ])
        #expect(headers.values("X-Forwarded-For") == ["192.0.2.7"])
        #expect(headers.values("X-Forwarded-Proto") == ["https"])
        #expect(!headers.contains("Forwarded"))
        #expect(headers.values("X-Request-ID") == ["r-1"])
    }

    @Test func viaAppendsToClientVia() {
        let headers = forward([("Host", "g"), ("Via", "1.0 cdn")])
        #expect(headers.values("Via") == ["1.0 cdn, 1.1 switchyard"])
    }

    @Test func framingWrittenFromDecodedBody() {
        let lengthHeaders = forward([("Host", "g"), ("Content-Length", "5, 5")], framing: .contentLength(5))
        #expect(lengthHeaders.values("Content-Length") == ["5"])
        let chunkedHeaders = forward([("Host", "g"), ("Transfer-Encoding", "chunked")], framing: .chunked)
        #expect(chunkedHeaders.values("Transfer-Encoding") == ["chunked"])
        #expect(!chunkedHeaders.contains("Content-Length"))
    }

    @Test func absoluteFormAuthorityWinsOverHost() {
        let head = requestHead([("Host", "other.example")], target: "http://gateway.example/storeA/x")
        #expect(Forwarding.clientHost(head) == "gateway.example")
    }

    @Test(arguments: [
        ("localhost", "localhost", true), ("LOCALHOST:8443", "localhost", true), ("localhost.", "localhost", true),
        ("localhost:8443", "localhost.", true), ("[::1]:8443", "::1", true), ("shop.test", "localhost", false),
        ("localhostx", "localhost", false), ("local", "localhost", false), ("[::1]", "::2", false),
    ])
    func hostMatchesServerName(authority: String, serverName: String, expected: Bool) {
        #expect(Forwarding.hostMatches(authority, serverName: serverName) == expected)
    }

    @Test func responseHopByHopRemovedAndViaAdded() {
        let response = HTTP1ResponseHead(
            status: 200, reason: "OK", versionMajor: 1, versionMinor: 1,
            fields: [HTTP1Field(name: "Connection", value: "close, X-Internal"), HTTP1Field(name: "X-Internal", value: "1"),
                     HTTP1Field(name: "Transfer-Encoding", value: "chunked"), HTTP1Field(name: "ETag", value: "\"a\"")],
            framing: .chunked, keepAlive: false, connectionTokens: ["close", "x-internal"])
        let head = Forwarding.clientResponseHead(origin: response, viaName: "switchyard")
        #expect(!head.headers.contains("Connection"))
        #expect(!head.headers.contains("X-Internal"))
        #expect(!head.headers.contains("Transfer-Encoding"))
        #expect(head.headers["ETag"] == "\"a\"")
        #expect(head.headers["Via"] == "1.1 switchyard")
    }

    @Test(arguments: [
        (200, "HEAD", true), (204, "GET", true), (304, "GET", true), (103, "GET", true), (200, "GET", false),
        (404, "POST", false),
    ])
    func responsesWithoutBody(status: Int, method: String, expected: Bool) {
        #expect(Forwarding.responseHasNoBody(status: status, method: method) == expected)
    }

    @Test func headWriterDropsFieldsWithLineBreaks() {
        var bytes: [UInt8] = []
        HeadWriter.appendResponseHead(
            ResponseHead(status: 200, headers: HTTPHeaders([("X-Ok", "1"), ("X-Bad", "a\r\nSet-Cookie: x")])),
            into: &bytes)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text == "HTTP/1.1 200 OK\r\nX-Ok: 1\r\n\r\n")
    }
}
