// Misbehaving origins: invalid fields, both framings, truncated and close-delimited bodies, failures and silence.

import Foundation

enum OriginBehaviour {
    private typealias C = Catalogue

    static var cases: [ConformanceCase] {
        invalidResponses + bodies + failures
    }

    /// No response with this status and a complete body reached the client over a connection kept open.
    private static let noCompleteTruncatedResponse = Checks.custom(
        "the client never receives the truncated response as complete") { observation in
        if observation.status == 502 || observation.status == 500 {
            return nil
        }
        if observation.responses.isEmpty {
            return observation.end == nil ? "no response and no close" : nil
        }
        return "the response arrived complete (\(observation.responses[0].body.count) bytes): truncation was hidden"
    }

    private static var invalidResponses: [ConformanceCase] {
        let repaired = { (text: String, bad: String) -> Check in
            Checks.custom(text) { observation in
                if observation.status == 502 {
                    return nil
                }
                let raw = String(decoding: observation.response?.head.raw ?? [], as: UTF8.self)
                return raw.contains(bad) ? "the invalid field reached the client" : nil
            }
        }
        return [
            .http("origin.cl-and-te", "A response with Content-Length and chunked is not passed on with both",
                  "RFC 9112 §6.1, §6.3", send: C.get(),
                  origin: .respond("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                  expect: Expect(status: .oneOf([200, 502]), checks: [
                      Checks.custom("502, or one framing with the chunked body hello") { observation in
                          guard observation.status == 200, let response = observation.response else {
                              return nil
                          }
                          if response.head.has("content-length") && response.head.has("transfer-encoding") {
                              return "the client received both framings"
                          }
                          return response.bodyText == "hello" ? nil : "body was \(response.bodyText)"
                      },
                  ])),
            .http("origin.invalid-content-length", "A response with an invalid Content-Length becomes 502",
                  "RFC 9112 §6.3", send: C.get(), origin: .respond("HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nhello", close: true),
                  expect: Expect(status: .exactly(502))),
            .http("origin.differing-content-lengths", "A response with two different Content-Lengths becomes 502",
                  "RFC 9112 §6.3, RFC 9110 §8.6", send: C.get(),
                  origin: .respond("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello", close: true),
                  expect: Expect(status: .exactly(502))),
            .http("origin.space-before-colon", "Whitespace before a colon in a response is removed or the response becomes 502",
                  "RFC 9112 §5.1", send: C.get(),
                  origin: .respond("HTTP/1.1 200 OK\r\nX-Bad : v\r\nContent-Length: 2\r\n\r\nok"),
                  expect: Expect(status: .oneOf([200, 502]), checks: [repaired("no X-Bad with a space before the colon", "X-Bad :")])),
            .http("origin.obs-fold", "obs-fold in a response is replaced with SP or the response becomes 502", "RFC 9112 §5.2",
                  send: C.get(), origin: .respond("HTTP/1.1 200 OK\r\nX-Fold: a\r\n b\r\nContent-Length: 2\r\n\r\nok"),
                  expect: Expect(status: .oneOf([200, 502]), checks: [repaired("no folded line reaches the client", "\r\n b")])),
            .http("origin.nul-in-value", "A NUL in a response field is removed or the response becomes 502", "RFC 9110 §5.5",
                  send: C.get(), origin: .respond("HTTP/1.1 200 OK\r\nX-Nul: a{x00}b\r\nContent-Length: 2\r\n\r\nok"),
                  expect: Expect(status: .oneOf([200, 502]), checks: [repaired("no NUL reaches the client", "a\u{0}b")])),
            .http("origin.bare-cr-in-value", "A bare CR in a response field is removed or the response becomes 502",
                  "RFC 9112 §2.2, RFC 9110 §5.5", send: C.get(),
                  origin: .respond("HTTP/1.1 200 OK\r\nX-Cr: a\rSet-Cookie: injected=1\r\nContent-Length: 2\r\n\r\nok"),
                  expect: Expect(status: .oneOf([200, 502]), checks: [Checks.responseLacks("set-cookie")])),
            .http("origin.bad-status-line", "An unparsable status line becomes 502", "RFC 9112 §4; RFC 9110 §15.6.3",
                  send: C.get(), origin: .respond("HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok", close: true),
                  expect: Expect(status: .exactly(502))),
            .http("origin.not-http", "A non-HTTP answer from the origin becomes 502", "RFC 9110 §15.6.3",
                  send: C.get(), origin: .respond("SSH-2.0-OpenSSH_9.2\r\n", close: true), expect: Expect(status: .exactly(502))),
            .http("origin.te-unknown-coding", "A response coding the proxy cannot frame is read to the close or rejected",
                  "RFC 9112 §6.3", send: C.get(),
                  origin: .respond("HTTP/1.1 200 OK\r\nTransfer-Encoding: x-custom\r\n\r\nabc", close: true),
                  expect: Expect(status: .oneOf([200, 502]), checks: [Checks.custom("502, or the body abc") { observation in
                      observation.status != 200 || observation.response?.bodyText == "abc" ? nil : "body was not abc"
                  }])),
        ]
    }

    private static var bodies: [ConformanceCase] {
        [
            .http("origin.close-delimited-body", "A close-delimited response body is passed on complete", "RFC 9112 §6.3",
                  send: C.get(), origin: .respond("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil-close", close: true),
                  expect: Expect(status: .exactly(200), origin: .reached(1), checks: [Checks.responseBody("until-close")])),
            .http("origin.http10-response", "An HTTP/1.0 response without length is passed on complete", "RFC 9112 §6.3",
                  send: C.get(), origin: .respond("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nold-origin", close: true),
                  expect: Expect(status: .exactly(200), checks: [Checks.responseBody("old-origin")])),
            .http("origin.truncated-length-body", "A body cut short by the origin is never passed on as complete",
                  "RFC 9112 §8", send: C.get(),
                  origin: .respond("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", close: true),
                  expect: Expect(status: .any, checks: [noCompleteTruncatedResponse])),
            .http("origin.truncated-chunked-body", "A chunked body without its last chunk is never passed on as complete",
                  "RFC 9112 §8, §7.1", send: C.get(),
                  origin: .respond("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", close: true),
                  expect: Expect(status: .any, checks: [noCompleteTruncatedResponse])),
            .http("origin.chunked-trailers", "A chunked response with trailers is passed on with its body intact",
                  "RFC 9112 §7.1.2", send: C.get(),
                  origin: .respond("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n"),
                  expect: C.forwarded(Checks.responseBody("hello"))),
            .http("origin.large-body", "A 1 MiB response body arrives intact", "RFC 9112 §6.2",
                  send: C.get(),
                  origin: .always(.bytes(Template.bytes("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 1048576\r\n\r\n")
                      + [UInt8](repeating: 0x61, count: 1_048_576), close: false)),
                  expect: C.forwarded(Checks.custom("response body is 1048576 bytes") { observation in
                      let count = observation.response?.body.count ?? 0
                      return count == 1_048_576 ? nil : "response body was \(count) bytes"
                  })),
        ]
    }

    private static var failures: [ConformanceCase] {
        [
            .http("origin.reset", "An origin that resets the connection gives 502", "RFC 9110 §15.6.3",
                  send: C.get(), origin: .always(.reset), expect: Expect(status: .exactly(502), origin: .reached(1))),
            .http("origin.closes-without-response", "An origin that closes without answering gives 502", "RFC 9110 §15.6.3",
                  send: C.get(), origin: .always(.close), expect: Expect(status: .exactly(502), origin: .reached(1))),
            .http("origin.silent", "An origin that never answers gives 504 after the proxy's timeout", "RFC 9110 §15.6.5",
                  send: C.get(), origin: .always(.silent), expect: Expect(status: .exactly(504), origin: .reached(1))),
            .http("origin.refused", "A refused origin connection gives 502", "RFC 9110 §15.6.3",
                  send: "GET /conf-refused/ HTTP/1.1\r\nHost: {H}\r\n\r\n",
                  expect: Expect(status: .exactly(502), connection: .kept), needs: [.selfConfigured]),
            .http("origin.reset-mid-body", "An origin reset after the head closes the client connection", "RFC 9112 §8",
                  send: C.get(), origin: .always(.custom { link in
                      try link.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
                      Thread.sleep(forTimeInterval: 0.1)
                      link.socket.reset()
                  }),
                  expect: Expect(status: .any, checks: [noCompleteTruncatedResponse])),
            .http("origin.slow-but-in-time", "An origin that answers after half a second is served", "RFC 9110 §15.3.1",
                  send: C.get(), origin: .always(.custom { link in
                      Thread.sleep(forTimeInterval: 0.5)
                      try link.write(Responses.ok)
                  }),
                  expect: Expect(status: .exactly(200), origin: .reached(1))),
            .http("origin.huge-head", "A response head beyond the proxy's limit becomes 502", "RFC 9110 §15.6.3",
                  send: C.get(), origin: .respond("HTTP/1.1 200 OK\r\n" + String(repeating: "X-Big: " + String(repeating: "b", count: 1000) + "\r\n", count: 100)
                      + "Content-Length: 2\r\n\r\nok", close: true),
                  expect: Expect(status: .exactly(502))),
        ]
    }
}
