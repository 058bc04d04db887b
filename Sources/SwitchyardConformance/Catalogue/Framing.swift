// Message framing and request smuggling: Content-Length, Transfer-Encoding, chunks, line endings and trailers.

enum Framing {
    private typealias C = Catalogue

    static var cases: [ConformanceCase] {
        contentLengthAndChunked + transferEncoding + contentLength + chunks + lineEndings
    }

    private static let chunkedHello = "5\r\nhello\r\n0\r\n\r\n"

    private static var contentLengthAndChunked: [ConformanceCase] {
        let clTE = Expect(status: .oneOf([400, 200]), connection: .closed, checks: [Checks.originFramingSingle])
        return [
            .http("framing.cl-te-rejected", "Content-Length with chunked is never forwarded as is, and the connection closes",
                  "RFC 9112 §6.1, §6.3",
                  send: C.request("POST", extra: "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n", body: "0\r\n\r\nG"),
                  expect: clTE),
            .http("framing.te-cl-order-rejected", "Transfer-Encoding before Content-Length is treated the same way",
                  "RFC 9112 §6.1, §6.3",
                  send: C.request("POST", extra: "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n", body: chunkedHello),
                  expect: clTE),
            .http("framing.cl-te-smuggled-get", "A CL.TE smuggling attempt does not reach the origin as a second request",
                  "RFC 9112 §11.2",
                  send: C.request("POST", extra: "Content-Length: 36\r\nTransfer-Encoding: chunked\r\n",
                                  body: "0\r\n\r\nGET /smuggled HTTP/1.1\r\nX: y\r\n\r\n"),
                  expect: Expect(status: .any, connection: .closed, checks: [
                      Checks.custom("origin never sees /smuggled") { observation in
                          observation.origin.contains { $0.target.contains("smuggled") } ? "origin received /smuggled" : nil
                      },
                  ])),
            .http("framing.te-http10-closes", "Transfer-Encoding in an HTTP/1.0 request means faulty framing: close after",
                  "RFC 9112 §6.1",
                  send: "POST {P}/ HTTP/1.0\r\nHost: {H}\r\nTransfer-Encoding: chunked\r\n\r\n" + chunkedHello,
                  expect: Expect(status: .any, connection: .closed, checks: [Checks.originFramingSingle])),
        ]
    }

    private static var transferEncoding: [ConformanceCase] {
        let notChunkedFinal = Expect(status: .oneOf([400, 501]), connection: .closed, origin: .untouched)
        let te = { (value: String) in C.request("POST", extra: "Transfer-Encoding: \(value)\r\n", body: chunkedHello) }
        return [
            .http("framing.te-chunked-forwarded", "A chunked request body reaches the origin intact", "RFC 9112 §7.1",
                  send: te("chunked"), expect: C.forwarded(Checks.originBody("hello"), Checks.originFramingSingle)),
            .http("framing.te-case-insensitive", "Transfer coding names are case-insensitive: CHUNKED is chunked",
                  "RFC 9112 §7", send: te("CHUNKED"), expect: C.forwarded(Checks.originBody("hello"))),
            .http("framing.te-identity-rejected", "A request whose final coding is not chunked gets 400 and a close",
                  "RFC 9112 §6.3", send: te("identity"), expect: notChunkedFinal),
            .http("framing.te-gzip-only-rejected", "Transfer-Encoding: gzip alone cannot frame a request", "RFC 9112 §6.3",
                  send: te("gzip"), expect: notChunkedFinal),
            .http("framing.te-chunked-then-identity", "chunked followed by another coding is not final: rejected",
                  "RFC 9112 §6.3", send: te("chunked, identity"), expect: notChunkedFinal),
            .http("framing.te-double-chunked", "chunked applied twice is invalid", "RFC 9112 §6.1, §7",
                  send: te("chunked, chunked"), expect: Expect(status: .oneOf([400, 501]), connection: .closed, origin: .untouched)),
            .http("framing.te-unknown-coding", "An unknown transfer coding before chunked gets 501 or 400", "RFC 9112 §6.1",
                  send: te("x-custom, chunked"), expect: notChunkedFinal),
            .http("framing.te-xchunked", "xchunked is not chunked", "RFC 9112 §6.3", send: te("xchunked"), expect: notChunkedFinal),
            .http("framing.te-chunked-suffix", "chunked followed by junk in the token is not chunked", "RFC 9112 §6.3",
                  send: te("chunked-false"), expect: notChunkedFinal),
            .http("framing.te-quoted", "A quoted \"chunked\" is not the chunked coding", "RFC 9112 §6.3",
                  send: te("\"chunked\""), expect: notChunkedFinal),
            .http("framing.te-vertical-tab", "A vertical tab around chunked is not whitespace", "RFC 9112 §6.3, RFC 9110 §5.6.3",
                  send: te("{x0b}chunked"), expect: Expect(status: .oneOf([400, 501]), origin: .untouched)),
            .http("framing.te-two-fields", "Two Transfer-Encoding lines combine into one list: chunked then identity",
                  "RFC 9110 §5.3, RFC 9112 §6.3",
                  send: C.request("POST", extra: "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n", body: chunkedHello),
                  expect: notChunkedFinal),
            .http("framing.te-obs-fold", "A folded Transfer-Encoding value is rejected or unfolded before use",
                  "RFC 9112 §5.2",
                  send: C.request("POST", extra: "Transfer-Encoding:\r\n chunked\r\n", body: chunkedHello),
                  expect: C.rejectedOr(Checks.originBody("hello"))),
            .http("framing.te-space-before-colon", "Whitespace between Transfer-Encoding and the colon gets 400",
                  "RFC 9112 §5.1", send: C.request("POST", extra: "Transfer-Encoding : chunked\r\n", body: chunkedHello),
                  expect: C.rejected),
            .http("framing.te-empty-value", "An empty Transfer-Encoding value cannot frame a request", "RFC 9112 §6.3",
                  send: C.request("POST", extra: "Transfer-Encoding: \r\nContent-Length: 5\r\n", body: "hello"),
                  expect: Expect(status: .oneOf([400, 501]), connection: .closed, origin: .untouched)),
        ]
    }

    private static var contentLength: [ConformanceCase] {
        let cl = { (value: String, body: String) in C.request("POST", extra: "Content-Length: \(value)\r\n", body: body) }
        return [
            .http("framing.cl-forwarded", "A Content-Length body reaches the origin intact", "RFC 9112 §6.2",
                  send: cl("5", "hello"), expect: C.forwarded(Checks.originBody("hello"), Checks.originField("content-length", "5"))),
            .http("framing.cl-letters-rejected", "A non-numeric Content-Length gets 400 and a close", "RFC 9112 §6.3",
                  send: cl("abc", "hello"), expect: C.rejected),
            .http("framing.cl-negative-rejected", "A negative Content-Length gets 400", "RFC 9112 §6.3",
                  send: cl("-1", "hello"), expect: C.rejected),
            .http("framing.cl-plus-sign-rejected", "A Content-Length with a plus sign gets 400", "RFC 9112 §6.3, RFC 9110 §8.6",
                  send: cl("+5", "hello"), expect: C.rejected),
            .http("framing.cl-hex-rejected", "A hexadecimal Content-Length gets 400", "RFC 9110 §8.6",
                  send: cl("0x5", "hello"), expect: C.rejected),
            .http("framing.cl-overflow-rejected", "A Content-Length beyond 64 bits gets 400 or 413", "RFC 9112 §6.3",
                  send: cl("99999999999999999999999", "hello"),
                  expect: Expect(status: .oneOf([400, 413]), connection: .closed, origin: .untouched)),
            .http("framing.cl-differing-list-rejected", "A Content-Length list with different values gets 400",
                  "RFC 9110 §8.6, RFC 9112 §6.3", send: cl("5, 6", "hello"), expect: C.rejected),
            .http("framing.cl-differing-fields-rejected", "Two Content-Length fields with different values get 400",
                  "RFC 9110 §8.6, RFC 9112 §6.3",
                  send: C.request("POST", extra: "Content-Length: 5\r\nContent-Length: 6\r\n", body: "hello"),
                  expect: C.rejected),
            .http("framing.cl-same-list", "A list of identical Content-Length values is rejected or forwarded as one value",
                  "RFC 9110 §8.6", send: cl("5, 5", "hello"),
                  expect: C.rejectedOr(Checks.originField("content-length", "5"))),
            .http("framing.cl-same-fields", "Two identical Content-Length fields are rejected or forwarded as one",
                  "RFC 9110 §8.6",
                  send: C.request("POST", extra: "Content-Length: 5\r\nContent-Length: 5\r\n", body: "hello"),
                  expect: C.rejectedOr(Checks.originField("content-length", "5"))),
            .http("framing.cl-leading-zeros", "Leading zeros are digits: Content-Length 005 frames five bytes", "RFC 9110 §8.6",
                  send: cl("005", "hello"), expect: C.forwarded(Checks.originBody("hello"))),
            .http("framing.cl-empty-rejected", "An empty Content-Length gets 400", "RFC 9112 §6.3",
                  send: cl("", "hello"), expect: C.rejected),
            .http("framing.cl-space-inside-rejected", "Content-Length \"1 2\" is not a number", "RFC 9112 §6.3",
                  send: cl("1 2", "hello world!"), expect: C.rejected),
            .http("framing.cl-short-body-pipelined", "Bytes after a Content-Length body are the next request",
                  "RFC 9112 §6.3, §9.3.2",
                  send: cl("5", "hello") + C.get("/second"),
                  expect: Expect(status: .exactly(200), origin: .reached(2), responses: 2,
                                 checks: [Checks.originTargets(["/", "/second"]), Checks.statuses([200, 200])])),
            .http("framing.post-without-length", "A request without framing fields has no body", "RFC 9112 §6.3",
                  send: C.request("POST"), expect: C.forwarded(Checks.originBody(""))),
        ]
    }

    private static var chunks: [ConformanceCase] {
        let chunked = { (body: String) in C.request("POST", extra: "Transfer-Encoding: chunked\r\n", body: body) }
        return [
            .http("framing.chunk-size-invalid", "A chunk size that is not hexadecimal gets 400", "RFC 9112 §7.1",
                  send: chunked("zz\r\nhello\r\n0\r\n\r\n"), expect: C.rejectedBody),
            .http("framing.chunk-size-negative", "A negative chunk size gets 400", "RFC 9112 §7.1",
                  send: chunked("-5\r\nhello\r\n0\r\n\r\n"), expect: C.rejectedBody),
            .http("framing.chunk-size-0x", "A chunk size with a 0x prefix gets 400", "RFC 9112 §7.1",
                  send: chunked("0x5\r\nhello\r\n0\r\n\r\n"), expect: C.rejectedBody),
            .http("framing.chunk-size-overflow", "A chunk size beyond 64 bits gets 400", "RFC 9112 §7.1",
                  send: chunked("1ffffffffffffffff5\r\nhello\r\n0\r\n\r\n"),
                  expect: Expect(status: .oneOf([400, 413]), connection: .closed, checks: [Checks.noCompleteRequest])),
            .http("framing.chunk-size-empty", "An empty chunk size line gets 400", "RFC 9112 §7.1",
                  send: chunked("\r\nhello\r\n0\r\n\r\n"), expect: C.rejectedBody),
            .http("framing.chunk-data-overrun", "Chunk data longer than its size gets 400", "RFC 9112 §7.1",
                  send: chunked("3\r\nhello\r\n0\r\n\r\n"), expect: Expect(status: .exactly(400), connection: .closed,
                      checks: [Checks.custom("origin gets no complete body") { observation in
                          observation.origin.contains { $0.error == nil && $0.body == Array("hel".utf8) && $0.head != nil
                              && observation.status == 200 } ? "the overrun body was accepted" : nil
                      }])),
            .http("framing.chunk-extension", "A chunk extension is allowed and the body stays intact", "RFC 9112 §7.1.1",
                  send: chunked("5;name=value\r\nhello\r\n0\r\n\r\n"), expect: C.forwarded(Checks.originBody("hello"))),
            .http("framing.chunk-extension-quoted", "A quoted chunk extension value is allowed", "RFC 9112 §7.1.1",
                  send: chunked("5;name=\"a b\"\r\nhello\r\n0\r\n\r\n"), expect: C.forwarded(Checks.originBody("hello"))),
            .http("framing.chunk-extension-bare-lf", "A bare LF inside a chunk extension gets 400", "RFC 9112 §7.1.1, §2.2",
                  send: chunked("5;a\nb\r\nhello\r\n0\r\n\r\n"), expect: C.rejectedBody),
            .http("framing.chunk-line-bare-lf", "A chunk size line ended by a bare LF gets 400", "RFC 9112 §7.1",
                  send: chunked("5\nhello\r\n0\r\n\r\n"), expect: C.rejectedBody),
            .http("framing.chunk-data-bare-lf", "Chunk data ended by a bare LF instead of CRLF gets 400", "RFC 9112 §7.1",
                  send: chunked("5\r\nhello\n0\r\n\r\n"), expect: C.rejectedBody),
            .http("framing.chunk-missing-crlf", "Chunk data not followed by CRLF gets 400", "RFC 9112 §7.1",
                  send: chunked("5\r\nhelloXX0\r\n\r\n"), expect: C.rejectedBody),
            .http("framing.chunk-many-small", "Many one-byte chunks are reassembled in order", "RFC 9112 §7.1",
                  send: chunked("1\r\nh\r\n1\r\ne\r\n1\r\nl\r\n1\r\nl\r\n1\r\no\r\n0\r\n\r\n"),
                  expect: C.forwarded(Checks.originBody("hello"))),
            .http("framing.chunk-uppercase-hex", "Chunk sizes in upper-case hexadecimal are valid", "RFC 9112 §7.1",
                  send: chunked("A\r\nhelloworld\r\n0\r\n\r\n"), expect: C.forwarded(Checks.originBody("helloworld"))),
            .http("framing.trailer-fields", "A chunked body with trailer fields is accepted and the body stays intact",
                  "RFC 9112 §7.1.2", send: chunked("5\r\nhello\r\n0\r\nX-Checksum: abc\r\n\r\n"),
                  expect: C.forwarded(Checks.originBody("hello"))),
            .http("framing.trailer-content-length-ignored", "A Content-Length trailer does not reframe the message",
                  "RFC 9110 §6.5.1, RFC 9112 §7.1.2",
                  send: chunked("5\r\nhello\r\n0\r\nContent-Length: 50\r\n\r\n") + C.get("/after"),
                  expect: Expect(status: .exactly(200), origin: .reached(2), responses: 2,
                                 checks: [Checks.originTargets(["/", "/after"]), Checks.originBody("hello")])),
            .http("framing.trailer-bare-lf", "A trailer line ended by a bare LF gets 400", "RFC 9112 §7.1.2, §2.2",
                  send: chunked("5\r\nhello\r\n0\r\nX-T: v\n\r\n"),
                  expect: Expect(status: .exactly(400), connection: .closed)),
        ]
    }

    private static var lineEndings: [ConformanceCase] {
        [
            .http("framing.bare-lf-head", "A head with bare LF line ends is rejected or forwarded with CRLF",
                  "RFC 9112 §2.2", send: "GET {P}/ HTTP/1.1\nHost: {H}\n\n",
                  expect: C.rejectedOr(Checks.originHeadClean)),
            .http("framing.bare-cr-in-field", "A bare CR inside a field value is rejected or replaced with SP",
                  "RFC 9112 §2.2, RFC 9110 §5.5", send: C.get("/", "X-A: a\rb\r\n"),
                  expect: C.rejectedOr(Checks.originHeadClean)),
            .http("framing.bare-cr-line-end", "A field line ended by a bare CR is rejected or repaired",
                  "RFC 9112 §2.2", send: "GET {P}/ HTTP/1.1\r\nHost: {H}\r\nX-A: b\rX-B: c\r\n\r\n",
                  expect: C.rejectedOr(Checks.originHeadClean)),
            .http("framing.leading-crlf", "Empty lines before a request line are ignored", "RFC 9112 §2.2",
                  send: "\r\n\r\n" + C.get(), expect: C.forwarded),
            .http("framing.space-before-first-field", "Whitespace between the request line and the first field gets 400",
                  "RFC 9112 §2.2", send: "GET {P}/ HTTP/1.1\r\n Host: {H}\r\n\r\n",
                  expect: Expect(status: .exactly(400), origin: .untouched)),
        ]
    }
}
