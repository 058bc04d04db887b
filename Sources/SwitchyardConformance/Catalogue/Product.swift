// Switchyard's reference behaviour: local pages with exact texts, injected headers, redirects and routing.

enum Product {
    private typealias C = Catalogue
    private static let docs = "Switchyard docs: README \"What the gateway does with a request\""

    private static func page(_ status: Int, _ text: String) -> [Check] {
        [Checks.responseBody(text), Checks.responseField("content-type", "text/plain") { values in
            values.count == 1 && values[0].lowercased().hasPrefix("text/plain")
        }]
    }

    static var cases: [ConformanceCase] {
        [
            .http("product.no-storefront", "No storefront segment gets 400 and the welcome text", docs, profile: .switchyard,
                  send: "GET / HTTP/1.1\r\nHost: {H}\r\n\r\n",
                  expect: Expect(status: .exactly(400), connection: .kept, origin: .untouched, checks: page(400,
                      "Welcome to our multi-tenant platform. Please specify a storefront ID in the URL path.")),
                  needs: [.switchyard]),
            .http("product.unknown-storefront", "An unknown storefront gets 404 with its name", docs, profile: .switchyard,
                  send: "GET /zz-nosuch/x HTTP/1.1\r\nHost: {H}\r\n\r\n",
                  expect: Expect(status: .exactly(404), connection: .kept, origin: .untouched,
                                 checks: page(404, "Storefront \"zz-nosuch\" not found.")), needs: [.switchyard]),
            .http("product.served-by", "Proxied responses carry X-Served-By and X-Storefront-ID", "Switchyard docs: README \"Walk-through with curl\"",
                  profile: .switchyard, send: C.get(),
                  expect: C.forwarded(Checks.responseField("x-served-by", "Switchyard"), Checks.responseField("x-storefront-id", "conf")),
                  needs: [.selfConfigured]),
            .http("product.invalid-route-value", "A routing value without origin gets 500 and the error text", docs,
                  profile: .switchyard, send: "GET /conf-broken/x HTTP/1.1\r\nHost: {H}\r\n\r\n",
                  expect: Expect(status: .exactly(500), origin: .untouched,
                                 checks: page(500, "An error occurred while processing your request.")), needs: [.selfConfigured]),
            .http("product.refused-page", "A refused origin gets 502 with a text/plain page", docs, profile: .switchyard,
                  send: "GET /conf-refused/x HTTP/1.1\r\nHost: {H}\r\n\r\n",
                  expect: Expect(status: .exactly(502), checks: [Checks.responseField("content-type", "text/plain") { values in
                      values.first?.lowercased().hasPrefix("text/plain") ?? false
                  }]), needs: [.selfConfigured]),
            .http("product.silent-origin-504", "A silent origin gets 504 after upstreamRead", docs, profile: .switchyard,
                  send: C.get(), origin: .always(.silent),
                  expect: Expect(status: .exactly(504), checks: [Checks.responseField("content-type", "text/plain") { values in
                      values.first?.lowercased().hasPrefix("text/plain") ?? false
                  }]), needs: [.selfConfigured]),
            .http("product.redirect-rewritten", "A redirect to the origin is rewritten onto the gateway path",
                  "Switchyard docs: README \"What the gateway does with a request\" (Redirects)", profile: .switchyard,
                  send: C.get("/old"), origin: OriginScript(reply: { request in
                      let location = "http://\(request.head?.first("host") ?? "127.0.0.1")/new?x=1"
                      return .text("HTTP/1.1 302 Found\r\nLocation: \(location)\r\nContent-Length: 0\r\n\r\n")
                  }),
                  expect: Expect(status: .exactly(302), connection: .kept, checks: [Checks.responseField("location", "/conf/new?x=1")]),
                  needs: [.selfConfigured]),
            .http("product.redirect-followed", "With redirect follow, the gateway follows the origin's 302",
                  "Switchyard docs: README \"What the gateway does with a request\" (Redirects)", profile: .switchyard,
                  send: "GET /conf-follow/old HTTP/1.1\r\nHost: {H}\r\n\r\n",
                  origin: OriginScript(reply: { request in
                      request.target == "/old"
                          ? .text("HTTP/1.1 302 Found\r\nLocation: /new\r\nContent-Length: 0\r\n\r\n")
                          : .text(Responses.ok)
                  }),
                  expect: Expect(status: .exactly(200), origin: .reached(2), checks: [Checks.originTargets(["/old", "/new"])]),
                  needs: [.selfConfigured]),
            .http("product.redirect-307-body-passed", "A 307 after a request with a body is passed to the client in follow mode",
                  "Switchyard docs: README \"What the gateway does with a request\" (Redirects)", profile: .switchyard,
                  send: "POST /conf-follow/old HTTP/1.1\r\nHost: {H}\r\nContent-Length: 5\r\n\r\nhello",
                  origin: .respond("HTTP/1.1 307 Temporary Redirect\r\nLocation: /new\r\nContent-Length: 0\r\n\r\n"),
                  expect: Expect(status: .exactly(307), origin: .reached(1)), needs: [.selfConfigured]),
            .http("product.via-name", "Via names the gateway as switchyard", "Switchyard docs: README \"Configuration reference\" (viaName)",
                  profile: .switchyard, send: C.get(),
                  expect: C.forwarded(Checks.originField("via", "1.1 switchyard")), needs: [.switchyard]),
            .http("product.error-page-closes-on-400", "A malformed request's 400 page closes the connection", "Switchyard docs: README \"What the gateway does with a request\"",
                  profile: .switchyard, send: C.get("/", "Bad Field: x\r\n"),
                  expect: Expect(status: .exactly(400), connection: .closed, origin: .untouched, checks: [
                      Checks.responseField("content-type", "text/plain") { $0.first?.lowercased().hasPrefix("text/plain") ?? false },
                  ]), needs: [.switchyard]),
        ]
    }
}
