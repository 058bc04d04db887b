// Methods: HEAD, OPTIONS, unknown and lower-case methods, bodies on GET and DELETE, CONNECT.

enum Methods {
    private typealias C = Catalogue

    static var cases: [ConformanceCase] {
        let headOrigin = OriginScript.respond("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 50\r\n\r\n")
        return [
            .http("method.head", "HEAD is forwarded and its response has no body but keeps Content-Length",
                  "RFC 9110 §9.3.2, §8.6", send: C.request("HEAD"), origin: headOrigin,
                  expect: C.forwarded(Checks.originMethod("HEAD"), Checks.responseBodyEmpty,
                                      Checks.responseField("content-length", "50"))),
            .http("method.head-origin-sends-body", "A body an origin wrongly sends after HEAD is not passed on",
                  "RFC 9110 §9.3.2, RFC 9112 §6.3",
                  send: C.request("HEAD"), origin: .respond("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"),
                  expect: C.forwarded(Checks.responseBodyEmpty)),
            .http("method.options-path", "OPTIONS on a path is forwarded", "RFC 9110 §9.3.7",
                  send: C.request("OPTIONS"), expect: C.forwarded(Checks.originMethod("OPTIONS"))),
            .http("method.unknown-forwarded", "An unknown method is forwarded unchanged", "RFC 9110 §9.1",
                  send: C.request("PURGEX"), expect: C.forwarded(Checks.originMethod("PURGEX"))),
            .http("method.case-sensitive", "Method names are case-sensitive and not uppercased", "RFC 9110 §9.1",
                  send: C.request("get"), expect: Expect(status: .any, checks: [Checks.custom("origin sees get, or nothing") { observation in
                      guard let method = observation.origin.first?.method else {
                          return nil
                      }
                      return method == "get" ? nil : "origin method was \(method)"
                  }])),
            .http("method.invalid-token", "A method with a delimiter character gets 400", "RFC 9110 §9.1, RFC 9112 §3.1",
                  send: C.request("GE(T"), expect: Expect(status: .exactly(400), origin: .untouched)),
            .http("method.get-with-body", "A GET body is framed and forwarded, never left as a next request",
                  "RFC 9110 §9.3.1, RFC 9112 §6.3",
                  send: C.request("GET", extra: "Content-Length: 5\r\n", body: "hello"),
                  expect: C.forwarded(Checks.originBody("hello"))),
            .http("method.delete-with-body", "A DELETE body is framed and forwarded", "RFC 9110 §9.3.5, RFC 9112 §6.3",
                  send: C.request("DELETE", extra: "Content-Length: 5\r\n", body: "hello"),
                  expect: C.forwarded(Checks.originMethod("DELETE"), Checks.originBody("hello"))),
            .http("method.post-empty", "POST with Content-Length 0 forwards an empty body", "RFC 9110 §8.6",
                  send: C.request("POST", extra: "Content-Length: 0\r\n"),
                  expect: C.forwarded(Checks.originBody(""), Checks.originField("content-length", "0"))),
            .http("method.put-body", "PUT with a body is forwarded", "RFC 9110 §9.3.4",
                  send: C.request("PUT", extra: "Content-Length: 5\r\n", body: "hello"),
                  expect: C.forwarded(Checks.originMethod("PUT"), Checks.originBody("hello"))),
            .http("method.connect-not-tunnelled", "CONNECT to a gateway opens no tunnel", "RFC 9110 §9.3.6",
                  send: "CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n",
                  expect: Expect(status: .range(400...599), origin: .untouched)),
            .http("method.connect-text", "CONNECT gets 501 with a text page", "Switchyard docs: README \"What the gateway does with a request\"",
                  profile: .switchyard, send: "CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n",
                  expect: Expect(status: .exactly(501), origin: .untouched), needs: [.switchyard]),
        ]
    }
}
