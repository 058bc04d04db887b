// Path handling: dot segments, encoded slash and CR/LF, double slashes, and stripping the prefix segment only.

enum Paths {
    private typealias C = Catalogue

    static var cases: [ConformanceCase] {
        [
            .http("path.raw-kept", "The rest of the raw path and the query reach the origin unchanged",
                  "RFC 9110 §4.2.3, §7.1", send: C.get("/a%20b/%3Bx;p=1?x=1&y=%2F"),
                  expect: C.forwarded(Checks.originTarget("/a%20b/%3Bx;p=1?x=1&y=%2F"))),
            .http("path.encoded-slash-kept", "An encoded slash is not decoded into a path separator", "RFC 3986 §2.2, RFC 9110 §4.2.3",
                  send: C.get("/a%2Fb"), expect: C.forwarded(Checks.originTarget("/a%2Fb"))),
            .http("path.double-slash-kept", "A double slash after the prefix is kept", "RFC 3986 §3.3",
                  send: C.get("//a"), expect: C.forwarded(Checks.originTarget("//a"))),
            .http("path.encoded-crlf", "Encoded CR LF in the path stays encoded and injects no field",
                  "RFC 9112 §3.2, RFC 9110 §5.5", send: C.get("/a%0d%0aX-Injected:%201"),
                  expect: C.forwarded(Checks.originLacks("x-injected"), Checks.custom("origin request-target keeps %0d%0a encoded") { observation in
                      observation.origin.first?.target.lowercased() == "/a%0d%0ax-injected:%201" ? nil
                          : "origin request-target was \(observation.origin.first?.target ?? "(none)")"
                  })),
            .http("path.dot-segment-escape", "Dot segments cannot climb out of the routed prefix", "RFC 3986 §5.2.4, RFC 9110 §4.2.3",
                  send: C.get("/../zz-unrouted/x"), expect: Expect(status: .range(300...499), origin: .untouched)),
            .http("path.encoded-dot-segment-escape", "Encoded dot segments cannot climb out of the routed prefix",
                  "RFC 3986 §2.3, §5.2.4", send: C.get("/%2e%2e/zz-unrouted/x"),
                  expect: Expect(status: .any, checks: [Checks.custom("origin never sees a path that climbs with ..") { observation in
                      let climbing = observation.origin.first { request in
                          let lower = request.target.lowercased()
                          return lower.hasPrefix("/../") || lower.hasPrefix("/%2e%2e/") || lower.contains("zz-unrouted") && !lower.hasPrefix("/%2e%2e")
                      }
                      return climbing.map { "origin received \($0.target)" }
                  }])),
            .http("path.dot-segment-inside", "Dot segments inside the routed path resolve before forwarding",
                  "RFC 3986 §5.2.4; Switchyard docs: README \"Built-in middleware\" (routing-lookup)", profile: .switchyard,
                  send: C.get("/a/../b"), expect: C.forwarded(Checks.originTarget("/b")), needs: [.switchyard]),
            .http("path.prefix-only", "The prefix alone forwards the root path", "Switchyard docs: README \"What the gateway does with a request\"",
                  profile: .switchyard, send: C.get("?q=1"), expect: C.forwarded(Checks.originTarget("/?q=1")), needs: [.switchyard]),
            .http("path.encoded-storefront", "A percent-encoded storefront segment routes by its decoded form",
                  "Switchyard docs: README \"Built-in middleware\" (routing-lookup)", profile: .switchyard,
                  send: "GET /c%6Fnf/x HTTP/1.1\r\nHost: {H}\r\n\r\n",
                  expect: C.forwarded(Checks.originTarget("/x")), needs: [.selfConfigured]),
            .http("path.origin-base-path", "An origin with a base path gets it in front of the forwarded path",
                  "Switchyard docs: README \"Routing values\"", profile: .switchyard,
                  send: "GET /conf-base/x?y=1 HTTP/1.1\r\nHost: {H}\r\n\r\n",
                  expect: C.forwarded(Checks.originTarget("/base/x?y=1")), needs: [.selfConfigured]),
            .http("path.query-only-prefix", "A query right after the storefront keeps the query", "Switchyard docs: README (quick start)",
                  profile: .switchyard, send: C.get("/?a=%26&b"), expect: C.forwarded(Checks.originTarget("/?a=%26&b")),
                  needs: [.switchyard]),
        ]
    }
}
