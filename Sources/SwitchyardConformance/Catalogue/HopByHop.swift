// Hop-by-hop fields and fields named in Connection, on requests and responses.

enum HopByHop {
    private typealias C = Catalogue

    static var cases: [ConformanceCase] {
        requests + responses
    }

    private static var requests: [ConformanceCase] {
        let hop = { (id: String, title: String, fields: String, removed: [String]) -> ConformanceCase in
            .http("hop.\(id)", title, "RFC 9110 §7.6.1", send: C.get("/", fields),
                  expect: Expect(status: .exactly(200), connection: .kept, origin: .reached(1),
                                 checks: removed.map { Checks.originLacks($0) }))
        }
        return [
            .http("hop.connection-removed", "The client's Connection options are not forwarded", "RFC 9110 §7.6.1",
                  send: C.get("/", "Connection: keep-alive, x-client-option\r\n"),
                  expect: C.forwarded(Checks.originField("connection", "without the client's x-client-option") { values in
                      !values.joined().lowercased().contains("x-client-option")
                  })),
            hop("connection-named-removed", "A field named in Connection is removed",
                "Connection: X-Secret\r\nX-Secret: 1\r\n", ["x-secret"]),
            hop("connection-list-removed", "Every field in a Connection list is removed",
                "Connection: X-A, X-B\r\nX-A: 1\r\nX-B: 2\r\n", ["x-a", "x-b"]),
            hop("keep-alive-removed", "Keep-Alive is not forwarded", "Keep-Alive: timeout=5\r\n", ["keep-alive"]),
            hop("te-removed", "TE is not forwarded", "TE: trailers\r\n", ["te"]),
            hop("upgrade-removed-without-connection", "Upgrade without Connection: upgrade is not forwarded",
                "Upgrade: h2c\r\n", ["upgrade"]),
            hop("proxy-connection-removed", "Proxy-Connection is not forwarded", "Proxy-Connection: keep-alive\r\n",
                ["proxy-connection"]),
            .http("hop.proxy-authorization-removed", "Proxy-Authorization meant for this proxy is not forwarded",
                  "RFC 9110 §11.7.2; Switchyard docs: README \"What the gateway does with a request\" (Proxy-*)",
                  profile: .switchyard, send: C.get("/", "Proxy-Authorization: Basic Zm9vOmJhcg==\r\n"),
                  expect: C.forwarded(Checks.originLacks("proxy-authorization")), needs: [.switchyard]),
            .http("hop.connection-cannot-strip-forwarded-for", "Naming X-Forwarded-For in Connection does not strip the gateway's own",
                  "RFC 9110 §7.6.1; Switchyard docs: README \"What the gateway does with a request\"", profile: .switchyard,
                  send: C.get("/", "Connection: X-Forwarded-For, Via\r\n"),
                  expect: C.forwarded(Checks.originField("x-forwarded-for", "127.0.0.1"),
                                      Checks.originField("via", "contains switchyard") { $0.joined().contains("switchyard") }),
                  needs: [.switchyard]),
            .http("hop.connection-cannot-strip-host", "Naming Host in Connection does not remove Host", "RFC 9110 §7.2, §7.6.1",
                  send: C.get("/", "Connection: Host\r\n"),
                  expect: C.forwarded(Checks.originField("host", "present") { $0.count == 1 })),
            .http("hop.connection-close-honoured", "Connection: close from the client closes after the response",
                  "RFC 9112 §9.6", send: C.get("/", "Connection: close\r\n"),
                  expect: Expect(status: .exactly(200), connection: .closed, origin: .reached(1))),
            .http("hop.http10-closes", "An HTTP/1.0 request without keep-alive closes after the response", "RFC 9112 §9.3",
                  send: "GET {P}/ HTTP/1.0\r\nHost: {H}\r\n\r\n",
                  expect: Expect(status: .exactly(200), connection: .closed, origin: .reached(1))),
        ]
    }

    private static var responses: [ConformanceCase] {
        let hopResponse = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: X-Origin-Hop\r\nX-Origin-Hop: 1\r\n"
            + "Keep-Alive: timeout=9\r\nProxy-Authenticate: Basic\r\n\r\nok"
        return [
            .http("hop.response-connection-named-removed", "A response field named in the origin's Connection is removed",
                  "RFC 9110 §7.6.1", send: C.get(), origin: .respond(hopResponse),
                  expect: C.forwarded(Checks.responseLacks("x-origin-hop"), Checks.responseLacks("keep-alive"))),
            .http("hop.response-close-not-forwarded", "The origin's Connection: close does not close the client connection",
                  "RFC 9110 §7.6.1, RFC 9112 §9.6", send: C.get(),
                  origin: .respond("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", close: true),
                  expect: Expect(status: .exactly(200), connection: .kept, origin: .reached(1),
                                 checks: [Checks.responseBody("ok")])),
        ]
    }
}
