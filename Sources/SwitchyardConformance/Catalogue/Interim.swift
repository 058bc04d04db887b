// Expect: 100-continue, Upgrade and WebSocket, and 1xx, 204 and 304 responses.

import Foundation

enum Interim {
    private typealias C = Catalogue

    static var cases: [ConformanceCase] {
        expectContinue + upgrade + statuses
    }

    private static var expectContinue: [ConformanceCase] {
        let continueOrigin = OriginScript(interim: Template.bytes("HTTP/1.1 100 Continue\r\n\r\n"),
                                          reply: { _ in .text(Responses.ok) })
        return [
            .http("expect.continue", "Expect: 100-continue gets a 100 before the body is sent, then the final response",
                  "RFC 9110 §10.1.1, §15.2.1",
                  steps: [.send(C.request("POST", extra: "Content-Length: 5\r\nExpect: 100-continue\r\n")), .readInterim,
                          .send("hello")],
                  expect: C.forwarded(Checks.interimCount(1), Checks.originBody("hello"))),
            .http("expect.continue-http10-ignored", "Expect: 100-continue in an HTTP/1.0 request is ignored: no 100",
                  "RFC 9110 §10.1.1, §15.2",
                  send: "POST {P}/ HTTP/1.0\r\nHost: {H}\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello",
                  expect: Expect(status: .exactly(200), origin: .reached(1), checks: [Checks.interimCount(0)])),
            .http("expect.continue-body-sent-anyway", "A client that sends the body without waiting is still served",
                  "RFC 9110 §10.1.1",
                  send: C.request("POST", extra: "Content-Length: 5\r\nExpect: 100-continue\r\n", body: "hello"),
                  expect: C.forwarded(Checks.originBody("hello"))),
            .http("interim.100-from-origin", "A 100 Continue the origin sends on its own is forwarded or dropped, never fatal",
                  "RFC 9110 §15.2, §15.2.1",
                  send: C.request("POST", extra: "Content-Length: 5\r\n", body: "hello"), origin: continueOrigin,
                  expect: C.forwarded(Checks.originBody("hello"))),
        ]
    }

    private static var upgrade: [ConformanceCase] {
        let websocketRequest = C.get("/ws", "Connection: Upgrade\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n")
        let echo = OriginScript(reply: { request in
            guard request.head?.lists("upgrade", "websocket") == true else {
                return .text(Responses.ok)
            }
            return .custom { link in
                try link.write("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                    + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
                let bytes = try link.stream.stream.readExactly(4, deadline: .after(3))
                try link.socket.write(bytes, deadline: .after(3))
            }
        })
        let tunnel = ConformanceCase.websocket(websocketRequest: websocketRequest, origin: echo)
        return [
            tunnel,
            .http("upgrade.websocket-forwarded-headers", "A WebSocket upgrade request reaches the origin with Upgrade and Connection",
                  "RFC 9110 §7.8, §7.6.1", send: websocketRequest, origin: echo,
                  expect: Expect(status: .any, origin: .reached(1), checks: [
                      Checks.originField("upgrade", "websocket"),
                      Checks.originField("connection", "listing upgrade") { $0.joined().lowercased().contains("upgrade") },
                  ])),
            .http("upgrade.declined-stays-http", "When the origin declines an upgrade, the connection stays HTTP/1.1",
                  "RFC 9110 §7.8", send: websocketRequest, expect: C.forwarded),
            .http("upgrade.unsolicited-101", "A 101 for a request that asked no upgrade is not passed on",
                  "RFC 9110 §15.2.2, §7.8", send: C.get(),
                  origin: .respond("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"),
                  expect: Expect(status: .range(500...599), checks: [Checks.custom("the client never sees a 101") { observation in
                      observation.status == 101 ? "101 was passed to the client" : nil
                  }])),
            .http("upgrade.h2c-ignored", "An h2c upgrade request is served as HTTP/1.1", "RFC 9110 §7.8; RFC 9113 §3.1 drops h2c",
                  send: C.get("/", "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"),
                  expect: C.forwarded(Checks.originLacks("http2-settings"))),
        ]
    }

    private static var statuses: [ConformanceCase] {
        [
            .http("interim.103-forwarded", "A 1xx response from the origin is forwarded to an HTTP/1.1 client",
                  "RFC 9110 §15.2", send: C.get(),
                  origin: .respond("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n" + Responses.ok),
                  expect: C.forwarded(Checks.interimCount(1))),
            .http("interim.not-to-http10", "No 1xx response goes to an HTTP/1.0 client", "RFC 9110 §15.2",
                  send: "GET {P}/ HTTP/1.0\r\nHost: {H}\r\n\r\n",
                  origin: .respond("HTTP/1.1 103 Early Hints\r\nLink: </style.css>\r\n\r\n" + Responses.ok),
                  expect: Expect(status: .exactly(200), origin: .reached(1), checks: [Checks.interimCount(0)])),
            .http("status.204-body-dropped", "Bytes an origin sends after a 204 head are not passed on", "RFC 9110 §15.3.5, RFC 9112 §6.3",
                  send: C.get(), origin: .respond("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello"),
                  expect: Expect(status: .exactly(204), connection: .kept, origin: .reached(1), checks: [Checks.responseBodyEmpty])),
            .http("status.204-no-content-length", "A 204 response carries no Content-Length", "RFC 9110 §8.6",
                  send: C.get(), origin: .respond("HTTP/1.1 204 No Content\r\n\r\n"),
                  expect: Expect(status: .exactly(204), connection: .kept, origin: .reached(1),
                                 checks: [Checks.responseLacks("content-length"), Checks.responseLacks("transfer-encoding")])),
            .http("status.304-body-dropped", "A 304 response is passed without a body", "RFC 9110 §15.4.5, RFC 9112 §6.3",
                  send: C.get("/", "If-None-Match: \"v1\"\r\n"),
                  origin: .respond("HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nContent-Length: 5\r\n\r\nhello"),
                  expect: Expect(status: .exactly(304), connection: .kept, origin: .reached(1),
                                 checks: [Checks.responseBodyEmpty, Checks.responseField("etag", "\"v1\"")])),
            .http("status.304-keeps-length", "A 304 keeps the origin's Content-Length of the selected representation",
                  "RFC 9110 §8.6, §15.4.5", send: C.get("/", "If-None-Match: \"v1\"\r\n"),
                  origin: .respond("HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nContent-Length: 1234\r\n\r\n"),
                  expect: Expect(status: .exactly(304), connection: .kept, origin: .reached(1), checks: [
                      Checks.responseField("content-length", "absent or 1234") { $0.isEmpty || $0 == ["1234"] },
                  ])),
        ]
    }
}

extension ConformanceCase {
    /// Builds the WebSocket tunnel case: a 101 from the origin, then four bytes each way through the proxy.
    static func websocket(websocketRequest: String, origin: OriginScript) -> ConformanceCase {
        let sent = Template.printable(template: websocketRequest) + " <read 101> ping"
        return ConformanceCase(
            id: "upgrade.websocket-tunnel", title: "A WebSocket upgrade is tunnelled after the origin's 101",
            clause: "RFC 9110 §7.8, §15.2.2", profile: .rfc, sent: sent,
            expected: "status 101; then bytes flow both ways: ping sent, ping echoed by the origin"
        ) { context in
            context.origin.beginCase(origin)
            defer { _ = context.origin.endCase() }
            let connection = try context.connect()
            defer { connection.close() }
            try connection.send(context.bytes(websocketRequest))
            var interim: [Response] = []
            let response: Response
            do {
                response = try connection.readResponse(method: "GET", deadline: .after(5), interim: &interim)
            } catch {
                return .failed(["expected status 101, got no response (\(error))"])
            }
            guard response.status == 101 else {
                return .failed(["expected status 101, got \(response.status)"])
            }
            try connection.send(Array("ping".utf8))
            let echoed = try? connection.stream.readExactly(4, deadline: .after(3))
            return echoed == Array("ping".utf8) ? .passed : .failed(["the tunnel did not echo ping"])
        }
    }
}
