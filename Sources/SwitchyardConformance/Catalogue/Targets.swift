// Request-target forms (origin, absolute, asterisk, authority), versions and Host rules.

enum Targets {
    private typealias C = Catalogue

    static var cases: [ConformanceCase] {
        forms + host + versions
    }

    private static var forms: [ConformanceCase] {
        [
            .http("target.absolute-form", "An absolute-form request-target is accepted and sent on in origin-form",
                  "RFC 9112 §3.2.2", send: "GET https://{H}{P}/abs?q=1 HTTP/1.1\r\nHost: {H}\r\n\r\n",
                  expect: C.forwarded(Checks.originTarget("/abs?q=1"))),
            .http("target.absolute-form-host-ignored", "With absolute-form, a disagreeing Host is replaced by the target's authority",
                  "RFC 9112 §3.2.2", send: "GET https://{H}{P}/abs HTTP/1.1\r\nHost: other.example\r\n\r\n",
                  expect: C.forwarded(Checks.originTarget("/abs"), Checks.custom("origin sees no trace of Host other.example") { observation in
                      let raw = String(decoding: observation.origin.first?.head?.raw ?? [], as: UTF8.self)
                      return raw.contains("other.example") ? "origin head mentions other.example" : nil
                  })),
            .http("target.absolute-form-bad-scheme", "An absolute-form target with a non-http scheme gets 400", "RFC 9112 §3.2.2",
                  send: "GET ftp://{H}{P}/x HTTP/1.1\r\nHost: {H}\r\n\r\n",
                  expect: Expect(status: .exactly(400), origin: .untouched)),
            .http("target.asterisk-options", "OPTIONS * is answered by the proxy itself", "RFC 9112 §3.2.4, RFC 9110 §9.3.7",
                  send: "OPTIONS * HTTP/1.1\r\nHost: {H}\r\n\r\n",
                  expect: Expect(status: .range(200...299), connection: .kept, origin: .untouched)),
            .http("target.asterisk-get", "The asterisk-form with GET gets 400", "RFC 9112 §3.2.4",
                  send: "GET * HTTP/1.1\r\nHost: {H}\r\n\r\n", expect: Expect(status: .exactly(400), origin: .untouched)),
            .http("target.authority-form-get", "The authority-form with GET gets 400", "RFC 9112 §3.2.3",
                  send: "GET {H} HTTP/1.1\r\nHost: {H}\r\n\r\n", expect: Expect(status: .exactly(400), origin: .untouched)),
            .http("target.fragment", "A request-target with a fragment is rejected, or the fragment is never forwarded", "RFC 9112 §3.2",
                  send: C.get("/a#frag"), expect: C.rejectedOr(Checks.custom("origin request-target has no fragment") { observation in
                      observation.origin.first?.target.contains("#") == true ? "origin received \(observation.origin[0].target)" : nil
                  })),
            .http("target.space-in-target", "A space inside the request-target gets 400", "RFC 9112 §3",
                  send: "GET {P}/a b HTTP/1.1\r\nHost: {H}\r\n\r\n", expect: Expect(status: .exactly(400), origin: .untouched)),
            .http("target.non-ascii", "A raw non-ASCII byte in the request-target gets 400", "RFC 9112 §3.2, RFC 3986 §2",
                  send: C.get("/caf{xc3}{xa9}"), expect: Expect(status: .exactly(400), origin: .untouched)),
        ]
    }

    private static var host: [ConformanceCase] {
        [
            .http("host.missing", "An HTTP/1.1 request without Host gets 400", "RFC 9112 §3.2",
                  send: "GET {P}/ HTTP/1.1\r\n\r\n", expect: Expect(status: .exactly(400), origin: .untouched)),
            .http("host.duplicate", "Two Host fields get 400", "RFC 9112 §3.2",
                  send: "GET {P}/ HTTP/1.1\r\nHost: {H}\r\nHost: other.example\r\n\r\n",
                  expect: Expect(status: .exactly(400), origin: .untouched)),
            .http("host.invalid-value", "A Host with a space gets 400", "RFC 9112 §3.2",
                  send: "GET {P}/ HTTP/1.1\r\nHost: a b\r\n\r\n", expect: Expect(status: .exactly(400), origin: .untouched)),
            .http("host.userinfo", "A Host with userinfo is invalid: 400", "RFC 9112 §3.2, RFC 9110 §4.2.4",
                  send: "GET {P}/ HTTP/1.1\r\nHost: user@{H}\r\n\r\n", expect: Expect(status: .exactly(400), origin: .untouched)),
            .http("host.http10-without-host", "An HTTP/1.0 request without Host is accepted", "RFC 9112 §3.2",
                  send: "GET {P}/ HTTP/1.0\r\n\r\n", expect: Expect(status: .exactly(200), origin: .reached(1))),
            .http("host.not-covered-by-certificate", "A Host the presented certificate does not cover gets 421",
                  "RFC 9110 §7.4, §15.5.20", send: "GET {P}/ HTTP/1.1\r\nHost: other.invalid\r\n\r\n",
                  expect: Expect(status: .exactly(421), origin: .untouched), needs: [.tls]),
        ]
    }

    private static var versions: [ConformanceCase] {
        [
            .http("version.higher-minor", "HTTP/1.9 is processed as HTTP/1.1", "RFC 9110 §2.5, RFC 9112 §2.3",
                  send: "GET {P}/ HTTP/1.9\r\nHost: {H}\r\n\r\n", expect: Expect(status: .exactly(200), origin: .reached(1))),
            .http("version.major-2", "HTTP/2.0 in an HTTP/1 request line gets 505", "RFC 9110 §15.6.6",
                  send: "GET {P}/ HTTP/2.0\r\nHost: {H}\r\n\r\n",
                  expect: Expect(status: .oneOf([505, 400]), origin: .untouched)),
            .http("version.lowercase-name", "The protocol name is case-sensitive: http/1.1 gets 400", "RFC 9112 §2.3",
                  send: "GET {P}/ http/1.1\r\nHost: {H}\r\n\r\n", expect: Expect(status: .exactly(400), origin: .untouched)),
            .http("version.garbage", "A request line with trailing words gets 400", "RFC 9112 §3",
                  send: "GET {P}/ HTTP/1.1 extra\r\nHost: {H}\r\n\r\n", expect: Expect(status: .exactly(400), origin: .untouched)),
        ]
    }
}
