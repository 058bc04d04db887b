// Compression by the proxy: Vary, ETag, Range and 206, HEAD, no-transform, already-encoded bodies, q=0.

enum Compression {
    private typealias C = Catalogue

    /// 2 KiB of compressible HTML.
    static let html = String(repeating: "<p>Switchyard conformance compressible text.</p>\n", count: 40)

    static func htmlResponse(_ extra: String = "", status: String = "200 OK") -> OriginScript {
        .respond("HTTP/1.1 \(status)\r\nContent-Type: text/html\r\nContent-Length: \(html.utf8.count)\r\n\(extra)\r\n\(html)")
    }

    /// A body that is already gzip-encoded by the origin, larger than any sensible minimum length.
    static let preEncoded: [UInt8] = GzipCodec.compress(Array((0..<3000).map { UInt8(truncatingIfNeeded: ($0 * 7919) % 251) }))

    /// The response body decodes to the original HTML, whether or not it was compressed.
    static let decodesToOriginal = Checks.custom("response body decodes to the origin's body") { observation in
        guard let response = observation.response else {
            return nil
        }
        let encoding = response.head.values("content-encoding").joined(separator: ",").lowercased()
        let body = encoding.contains("gzip") ? GzipCodec.decompress(response.body) : response.body
        return body == Array(html.utf8) ? nil : "the body does not decode to the origin's body (Content-Encoding: \(encoding))"
    }

    static let notEncoded = Checks.responseLacks("content-encoding")

    static let gzipped = Checks.responseField("content-encoding", "gzip")

    /// Vary lists Accept-Encoding whenever the proxy compressed the body.
    static let varyWhenEncoded = Checks.custom("Vary lists Accept-Encoding whenever the proxy compressed") { observation in
        guard let head = observation.response?.head, head.has("content-encoding") else {
            return nil
        }
        return head.lists("vary", "accept-encoding") ? nil : "compressed without Vary: Accept-Encoding"
    }

    static var cases: [ConformanceCase] {
        generic + product
    }

    private static var generic: [ConformanceCase] {
        let acceptGzip = "Accept-Encoding: gzip\r\n"
        return [
            .http("gzip.vary-when-compressed", "A response the proxy compresses carries Vary: Accept-Encoding",
                  "RFC 9110 §12.5.5", send: C.get("/", acceptGzip), origin: htmlResponse(),
                  expect: C.forwarded(varyWhenEncoded, decodesToOriginal)),
            .http("gzip.not-for-identity-clients", "A client without Accept-Encoding gets the body unencoded",
                  "RFC 9110 §12.5.3", send: C.get(), origin: htmlResponse(), expect: C.forwarded(notEncoded, decodesToOriginal)),
            .http("gzip.q-zero", "gzip;q=0 means the client does not accept gzip", "RFC 9110 §12.5.3, §12.4.2",
                  send: C.get("/", "Accept-Encoding: gzip;q=0, identity\r\n"), origin: htmlResponse(),
                  expect: C.forwarded(notEncoded, decodesToOriginal)),
            .http("gzip.no-transform", "Cache-Control: no-transform forbids compression by the proxy", "RFC 9111 §5.2.2.6, RFC 9110 §7.7",
                  send: C.get("/", acceptGzip), origin: htmlResponse("Cache-Control: no-transform\r\n"),
                  expect: C.forwarded(notEncoded, decodesToOriginal)),
            .http("gzip.etag-weakened", "A strong ETag does not survive compression unchanged", "RFC 9110 §8.8.3, §8.8.1",
                  send: C.get("/", acceptGzip), origin: htmlResponse("ETag: \"strong-1\"\r\n"),
                  expect: C.forwarded(Checks.custom("ETag changed or weakened whenever the proxy compressed") { observation in
                      guard let head = observation.response?.head, head.has("content-encoding") else {
                          return nil
                      }
                      return head.first("etag") == "\"strong-1\"" ? "the strong ETag was kept on a compressed body" : nil
                  })),
            .http("gzip.range-206-untouched", "A 206 partial response is not compressed", "RFC 9110 §14.4, §15.3.7",
                  send: C.get("/", acceptGzip + "Range: bytes=0-999\r\n"),
                  origin: .respond("HTTP/1.1 206 Partial Content\r\nContent-Type: text/html\r\n"
                      + "Content-Range: bytes 0-999/\(html.utf8.count)\r\nContent-Length: 1000\r\n\r\n" + String(html.prefix(1000))),
                  expect: Expect(status: .exactly(206), connection: .kept, origin: .reached(1), checks: [
                      notEncoded, Checks.custom("body is the 1000 origin bytes") { observation in
                          observation.response?.body.count == 1000 ? nil : "body was \(observation.response?.body.count ?? 0) bytes"
                      },
                  ])),
            .http("gzip.head", "HEAD with Accept-Encoding: gzip gets no body", "RFC 9110 §9.3.2",
                  send: C.request("HEAD", extra: acceptGzip),
                  origin: .respond("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: \(html.utf8.count)\r\n\r\n"),
                  expect: C.forwarded(Checks.responseBodyEmpty)),
            .http("gzip.pre-encoded-passthrough", "An origin's gzip body is passed on unchanged, never encoded twice",
                  "RFC 9110 §8.4", send: C.get("/", acceptGzip),
                  origin: .always(.bytes(Template.bytes("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
                      + "Content-Length: \(preEncoded.count)\r\n\r\n") + preEncoded, close: false)),
                  expect: C.forwarded(gzipped, Checks.custom("body is the origin's gzip bytes") { observation in
                      observation.response?.body == preEncoded ? nil : "body differs from the origin's gzip bytes"
                  })),
            .http("gzip.unknown-encoding-passthrough", "A body in an encoding the proxy does not know passes unchanged",
                  "RFC 9110 §8.4", send: C.get("/", "Accept-Encoding: gzip, x-custom\r\n"),
                  origin: .respond("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: x-custom\r\nContent-Length: 4\r\n\r\nabcd"),
                  expect: C.forwarded(Checks.responseField("content-encoding", "x-custom"), Checks.responseBody("abcd"))),
            .http("gzip.304-untouched", "A 304 is never given a Content-Encoding", "RFC 9110 §15.4.5",
                  send: C.get("/", acceptGzip + "If-None-Match: \"v\"\r\n"),
                  origin: .respond("HTTP/1.1 304 Not Modified\r\nETag: \"v\"\r\nContent-Type: text/html\r\n\r\n"),
                  expect: Expect(status: .exactly(304), connection: .kept, checks: [notEncoded, Checks.responseBodyEmpty])),
        ]
    }

    private static var product: [ConformanceCase] {
        let acceptGzip = "Accept-Encoding: gzip\r\n"
        return [
            .http("gzip.compresses-html", "Compressible HTML over 256 bytes is gzip-encoded for gzip clients",
                  "Switchyard docs: README \"Built-in middleware\" (gzip)", profile: .switchyard,
                  send: C.get("/", acceptGzip), origin: htmlResponse(),
                  expect: C.forwarded(gzipped, decodesToOriginal, Checks.responseField("vary", "listing Accept-Encoding") { values in
                      values.joined(separator: ",").lowercased().contains("accept-encoding")
                  }), needs: [.switchyard]),
            .http("gzip.small-body-untouched", "A body under minLength is not compressed", "Switchyard docs: README \"Built-in middleware\" (gzip)",
                  profile: .switchyard, send: C.get("/", acceptGzip),
                  origin: .respond("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello"),
                  expect: C.forwarded(notEncoded, Checks.responseBody("hello")), needs: [.switchyard]),
            .http("gzip.binary-untouched", "A non-text type is not compressed", "Switchyard docs: README \"Built-in middleware\" (gzip)",
                  profile: .switchyard, send: C.get("/", acceptGzip),
                  origin: .respond("HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: \(html.utf8.count)\r\n\r\n\(html)"),
                  expect: C.forwarded(notEncoded), needs: [.switchyard]),
            .http("gzip.weak-etag", "A strong ETag becomes weak when the body is compressed", "Switchyard docs: README \"Built-in middleware\" (gzip)",
                  profile: .switchyard, send: C.get("/", acceptGzip), origin: htmlResponse("ETag: \"strong-1\"\r\n"),
                  expect: C.forwarded(gzipped, Checks.responseField("etag", "W/\"strong-1\"")), needs: [.switchyard]),
            .http("gzip.decoded-for-identity-client", "A gzip body is decompressed for a client that does not accept gzip",
                  "Switchyard docs: README \"Built-in middleware\" (gzip)", profile: .switchyard, send: C.get(),
                  origin: .always(.bytes(Template.bytes("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
                      + "Content-Length: \(GzipCodec.compress(Array(html.utf8)).count)\r\n\r\n") + GzipCodec.compress(Array(html.utf8)), close: false)),
                  expect: C.forwarded(notEncoded, decodesToOriginal), needs: [.switchyard]),
        ]
    }
}
