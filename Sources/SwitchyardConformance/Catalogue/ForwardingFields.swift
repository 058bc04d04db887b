// Forwarding fields: Via, X-Forwarded-*, Forwarded, and client-sent values that must not be trusted.

enum ForwardingFields {
    private typealias C = Catalogue

    static var cases: [ConformanceCase] {
        [
            .http("forwarding.via-added", "The proxy adds Via with the received protocol version", "RFC 9110 §7.6.3",
                  send: C.get(), expect: C.forwarded(Checks.originField("via", "starting with 1.1") { values in
                      values.count == 1 && (values[0].hasPrefix("1.1 ") || values[0].lowercased().hasPrefix("http/1.1 "))
                  })),
            .http("forwarding.via-appended", "A client's Via is kept and the proxy's entry appended", "RFC 9110 §7.6.3",
                  send: C.get("/", "Via: 1.0 client-proxy\r\n"),
                  expect: C.forwarded(Checks.originField("via", "listing client-proxy first and one more entry") { values in
                      let entries = values.flatMap { $0.split(separator: ",") }
                      return entries.count == 2 && entries[0].contains("client-proxy")
                  })),
            .http("forwarding.via-http10", "Via names HTTP/1.0 for an HTTP/1.0 request", "RFC 9110 §7.6.3",
                  send: "GET {P}/ HTTP/1.0\r\nHost: {H}\r\n\r\n",
                  expect: Expect(status: .exactly(200), origin: .reached(1), checks: [
                      Checks.originField("via", "starting with 1.0") { $0.count == 1 && $0[0].hasPrefix("1.0 ") },
                  ])),
            .http("forwarding.response-via", "The gateway adds Via to the response", "RFC 9110 §7.6.3 (MAY for a gateway); Switchyard docs: README \"Configuration reference\" (viaName)",
                  profile: .switchyard, send: C.get(),
                  expect: C.forwarded(Checks.responseField("via", "present") { !$0.isEmpty }), needs: [.switchyard]),
            .http("forwarding.xff-set", "X-Forwarded-For carries the client address", "Switchyard docs: README \"What the gateway does with a request\"",
                  profile: .switchyard, send: C.get(), expect: C.forwarded(Checks.originField("x-forwarded-for", "127.0.0.1")),
                  needs: [.switchyard]),
            .http("forwarding.xff-spoof-replaced", "A client-sent X-Forwarded-For is replaced, not trusted",
                  "Switchyard docs: README \"What the gateway does with a request\"", profile: .switchyard,
                  send: C.get("/", "X-Forwarded-For: 203.0.113.9\r\n"),
                  expect: C.forwarded(Checks.originField("x-forwarded-for", "127.0.0.1")), needs: [.switchyard]),
            .http("forwarding.xfp-spoof-replaced", "A client-sent X-Forwarded-Proto is replaced",
                  "Switchyard docs: README \"What the gateway does with a request\"", profile: .switchyard,
                  send: C.get("/", "X-Forwarded-Proto: http\r\n"),
                  expect: C.forwarded(Checks.originField("x-forwarded-proto", "https")), needs: [.switchyard, .tls]),
            .http("forwarding.xfh-from-host", "X-Forwarded-Host carries the client's Host", "Switchyard docs: README \"What the gateway does with a request\"",
                  profile: .switchyard, send: C.get("/", "X-Forwarded-Host: evil.example\r\n"),
                  expect: C.forwarded(Checks.originField("x-forwarded-host", "the client's Host, not evil.example") { values in
                      values.count == 1 && values[0] != "evil.example"
                  }), needs: [.switchyard]),
            .http("forwarding.forwarded-spoof-removed", "A client-sent Forwarded field is not passed on as trusted",
                  "Switchyard docs: README \"What the gateway does with a request\"", profile: .switchyard,
                  send: C.get("/", "Forwarded: for=203.0.113.9;proto=https\r\n"),
                  expect: C.forwarded(Checks.originField("forwarded", "without the client's for=203.0.113.9") { values in
                      !values.joined().contains("203.0.113.9")
                  }), needs: [.switchyard]),
            .http("forwarding.request-id-replaced", "A client-sent X-Request-ID is replaced by the gateway's", "Switchyard docs: README \"What the gateway does with a request\"",
                  profile: .switchyard, send: C.get("/", "X-Request-ID: client-chosen\r\n"),
                  expect: C.forwarded(Checks.originField("x-request-id", "set by the gateway") { values in
                      values.count == 1 && values[0] != "client-chosen"
                  }), needs: [.switchyard]),
            .http("forwarding.host-is-origin", "The origin receives its own authority in Host", "RFC 9110 §7.2; Switchyard docs: README \"What the gateway does with a request\"",
                  profile: .switchyard, send: C.get(), expect: C.forwarded(Checks.originField("host", "127.0.0.1:<origin port>") { values in
                      values.count == 1 && values[0].hasPrefix("127.0.0.1:")
                  }), needs: [.switchyard]),
        ]
    }
}
