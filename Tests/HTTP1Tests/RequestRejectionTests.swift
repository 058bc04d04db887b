// Requests the decoder must reject, with the status for each, grouped by the rule they break (RFC 9112).

import SwitchyardHTTP1
import Testing

/// One malformed request and the status it must get.
struct Rejection: CustomTestStringConvertible, Sendable {
    var request: String
    var status: Int

    init(_ request: String, _ status: Int = 400) {
        self.request = request
        self.status = status
    }

    var testDescription: String { request.debugDescription }
}

/// Builds a valid GET head around `fields`, which must end in CRLF.
func get(_ fields: String) -> String {
    "GET / HTTP/1.1\r\nHost: example.com\r\n" + fields + "\r\n"
}

/// Builds a POST head with `fields`, followed by `body`.
func post(_ fields: String, body: String = "") -> String {
    "POST /upload HTTP/1.1\r\nHost: example.com\r\n" + fields + "\r\n" + body
}

@Suite struct RequestLineRejectionTests {
    @Test(arguments: [
        Rejection("G@T / HTTP/1.1\r\nHost: a\r\n\r\n"),
        Rejection("GE\"T / HTTP/1.1\r\nHost: a\r\n\r\n"),
        Rejection("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n"),
        Rejection("G\u{0}T / HTTP/1.1\r\nHost: a\r\n\r\n"),
        Rejection("GÉT / HTTP/1.1\r\nHost: a\r\n\r\n"),
    ])
    func rejectsInvalidMethodCharacters(_ rejection: Rejection) {
        expectRequestRejected(rejection.request, status: rejection.status)
    }

    @Test(arguments: [
        Rejection("GET  / HTTP/1.1\r\nHost: a\r\n\r\n"),
        Rejection("GET /  HTTP/1.1\r\nHost: a\r\n\r\n"),
        Rejection(" GET / HTTP/1.1\r\nHost: a\r\n\r\n"),
        Rejection("GET / HTTP/1.1 \r\nHost: a\r\n\r\n"),
        Rejection("GET /HTTP/1.1\r\nHost: a\r\n\r\n"),
        Rejection("GET/ HTTP/1.1\r\nHost: a\r\n\r\n"),
        Rejection("GET\r\nHost: a\r\n\r\n"),
        Rejection("GET / HTTP/1.1 extra\r\nHost: a\r\n\r\n"),
    ])
    func rejectsMissingOrExtraSpaces(_ rejection: Rejection) {
        expectRequestRejected(rejection.request, status: rejection.status)
    }

    @Test(arguments: [
        Rejection("GET  HTTP/1.1\r\nHost: a\r\n\r\n"),
        Rejection("GET /a\u{7F}b HTTP/1.1\r\nHost: a\r\n\r\n"),
        Rejection("GET /a\u{1}b HTTP/1.1\r\nHost: a\r\n\r\n"),
        Rejection("GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n"),
        Rejection("GET /café HTTP/1.1\r\nHost: a\r\n\r\n"),
    ])
    func rejectsEmptyOrInvalidTarget(_ rejection: Rejection) {
        expectRequestRejected(rejection.request, status: rejection.status)
    }

    @Test func rejectsTooLongRequestLineWith414() {
        let limits = HTTP1Limits(maxRequestLineBytes: 32)
        let target = "/" + String(repeating: "a", count: 32)
        expectRequestRejected("GET \(target) HTTP/1.1\r\nHost: a\r\n\r\n", status: 414, limits: limits)
    }

    @Test func rejectsUnfinishedLongRequestLineBeforeItsEnd() {
        let limits = HTTP1Limits(maxRequestLineBytes: 32)
        let partial = "GET /" + String(repeating: "a", count: 40)
        expectRequestRejected(partial, status: 414, limits: limits)
    }

    @Test func acceptsRequestLineAtExactLimit() throws {
        let line = "GET /abc HTTP/1.1\r\n"
        let limits = HTTP1Limits(maxRequestLineBytes: line.utf8.count)
        let transcript = try decodeRequests(line + "Host: a\r\n\r\n", limits: limits)
        #expect(transcript.heads.first?.target == "/abc")
    }

    @Test(arguments: [
        Rejection("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        Rejection("GET / HTTP/3.0\r\nHost: a\r\n\r\n", 505),
        Rejection("GET / HTTP/9.9\r\nHost: a\r\n\r\n", 505),
        Rejection("GET / HTTP/0.9\r\nHost: a\r\n\r\n", 400),
        Rejection("GET /\r\n\r\n", 400),
        Rejection("GET / http/1.1\r\nHost: a\r\n\r\n", 400),
        Rejection("GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400),
        Rejection("GET / HTTP/1\r\nHost: a\r\n\r\n", 400),
        Rejection("GET / HTTP/11\r\nHost: a\r\n\r\n", 400),
        Rejection("GET / HTTPS/1.1\r\nHost: a\r\n\r\n", 400),
        Rejection("GET / HTTP/1.x\r\nHost: a\r\n\r\n", 400),
        Rejection("GET / HTTP-1.1\r\nHost: a\r\n\r\n", 400),
    ])
    func rejectsUnsupportedOrMalformedVersion(_ rejection: Rejection) {
        expectRequestRejected(rejection.request, status: rejection.status)
    }

    @Test func rejectsTooManyLeadingEmptyLines() {
        expectRequestRejected(String(repeating: "\r\n", count: 9) + get(""), status: 400)
    }

    @Test func rejectsBareLFBeforeRequestLine() {
        expectRequestRejected("\n" + get(""), status: 400)
    }
}

@Suite struct HeadLineRejectionTests {
    @Test(arguments: [
        Rejection("GET /\r HTTP/1.1\r\nHost: a\r\n\r\n"),
        Rejection("GET / HTTP/1.1\r\rHost: a\r\n\r\n"),
        Rejection("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n"),
        Rejection("GET / HTTP/1.1\r\nHost: a\r\nX\r: y\r\n\r\n"),
        Rejection("GET / HTTP/1.1\r\nHost: a\r\n\r\r\n"),
        Rejection("GET / HTTP/1.1\r\nHost: a\r\nX: y\r\r\n\r\n"),
    ])
    func rejectsBareCR(_ rejection: Rejection) {
        expectRequestRejected(rejection.request, status: rejection.status)
    }

    @Test(arguments: [
        Rejection("GET / HTTP/1.1\nHost: a\r\n\r\n"),
        Rejection("GET / HTTP/1.1\r\nHost: a\n\r\n"),
        Rejection("GET / HTTP/1.1\r\nHost: a\r\n\n"),
        Rejection("GET / HTTP/1.1\nHost: a\n\n"),
    ])
    func rejectsBareLFLineEnding(_ rejection: Rejection) {
        expectRequestRejected(rejection.request, status: rejection.status)
    }

    @Test(arguments: [
        Rejection(get("X-A: one\r\n two\r\n")),
        Rejection(get("X-A: one\r\n\ttwo\r\n")),
        Rejection("GET / HTTP/1.1\r\n Host: a\r\n\r\n"),
    ])
    func rejectsObsoleteLineFolding(_ rejection: Rejection) {
        expectRequestRejected(rejection.request, status: rejection.status)
    }

    @Test(arguments: [
        Rejection(get("X-A : one\r\n")),
        Rejection(get("X-A\t: one\r\n")),
        Rejection("GET / HTTP/1.1\r\nHost : a\r\n\r\n"),
        Rejection(post("Transfer-Encoding : chunked\r\nContent-Length: 3\r\n", body: "abc")),
    ])
    func rejectsWhitespaceBeforeColon(_ rejection: Rejection) {
        expectRequestRejected(rejection.request, status: rejection.status)
    }

    @Test(arguments: [
        Rejection(get("X(A): one\r\n")),
        Rejection(get("X/A: one\r\n")),
        Rejection(get("X\u{0}A: one\r\n")),
        Rejection(get("Ünicode: one\r\n")),
        Rejection(get(": no name\r\n")),
        Rejection(get("NoColon\r\n")),
        Rejection(get("X-A=one\r\n")),
    ])
    func rejectsInvalidFieldName(_ rejection: Rejection) {
        expectRequestRejected(rejection.request, status: rejection.status)
    }

    @Test(arguments: [
        Rejection(get("X-A: a\u{0}b\r\n")),
        Rejection(get("X-A: a\u{1}b\r\n")),
        Rejection(get("X-A: a\u{B}b\r\n")),
        Rejection(get("X-A: a\u{C}b\r\n")),
        Rejection(get("X-A: a\u{1B}b\r\n")),
        Rejection(get("X-A: a\u{7F}b\r\n")),
        Rejection(get("X-A: \u{0}\r\n")),
    ])
    func rejectsControlCharacterInValue(_ rejection: Rejection) {
        expectRequestRejected(rejection.request, status: rejection.status)
    }

    @Test func rejectsValueThatIsNotUTF8() {
        let bytes = Array("GET / HTTP/1.1\r\nHost: a\r\nX-A: ".utf8) + [0xFF, 0xFE] + Array("\r\n\r\n".utf8)
        expectRequestRejected(bytes, status: 400)
    }

    @Test func rejectsHeaderSectionOverLimitWith431() {
        let limits = HTTP1Limits(maxHeaderBytes: 64)
        expectRequestRejected(get("X-Long: " + String(repeating: "v", count: 64) + "\r\n"), status: 431, limits: limits)
    }

    @Test func rejectsUnfinishedHeaderSectionOverLimit() {
        let limits = HTTP1Limits(maxHeaderBytes: 64)
        let partial = "GET / HTTP/1.1\r\nHost: a\r\nX-Long: " + String(repeating: "v", count: 64)
        expectRequestRejected(partial, status: 431, limits: limits)
    }

    @Test func rejectsTooManyFieldsWith431() {
        let limits = HTTP1Limits(maxHeaderCount: 3)
        expectRequestRejected(get("X-A: 1\r\nX-B: 2\r\nX-C: 3\r\n"), status: 431, limits: limits)
    }

    @Test func acceptsFieldCountAtLimit() throws {
        let limits = HTTP1Limits(maxHeaderCount: 3)
        let transcript = try decodeRequests(get("X-A: 1\r\nX-B: 2\r\n"), limits: limits)
        #expect(transcript.heads.first?.fields.count == 3)
    }
}

@Suite struct FramingRejectionTests {
    @Test(arguments: [
        Rejection(post("Content-Length: 3\r\nTransfer-Encoding: chunked\r\n", body: "0\r\n\r\n")),
        Rejection(post("Transfer-Encoding: chunked\r\nContent-Length: 3\r\n", body: "0\r\n\r\n")),
        Rejection(post("Transfer-Encoding: chunked\r\nContent-Length: 0\r\n", body: "0\r\n\r\n")),
        Rejection(post("Content-Length: 5\r\nTransfer-Encoding: gzip, chunked\r\n", body: "0\r\n\r\n")),
    ])
    func rejectsContentLengthWithChunked(_ rejection: Rejection) {
        expectRequestRejected(rejection.request, status: rejection.status)
    }

    @Test func rejectsTransferEncodingOnHTTP10() {
        let request = "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        expectRequestRejected(request, status: 400)
    }

    @Test(arguments: [
        Rejection(post("Transfer-Encoding: gzip\r\n")),
        Rejection(post("Transfer-Encoding: chunked, gzip\r\n")),
        Rejection(post("Transfer-Encoding: identity\r\n")),
        Rejection(post("Transfer-Encoding: xchunked\r\n")),
        Rejection(post("Transfer-Encoding: chunkedx\r\n")),
        Rejection(post("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n")),
    ])
    func rejectsFinalCodingOtherThanChunked(_ rejection: Rejection) {
        expectRequestRejected(rejection.request, status: rejection.status)
    }

    @Test(arguments: [
        Rejection(post("Transfer-Encoding: gzip, chunked\r\n", body: "0\r\n\r\n"), 501),
        Rejection(post("Transfer-Encoding: deflate,chunked\r\n", body: "0\r\n\r\n"), 501),
        Rejection(post("Transfer-Encoding: gzip;level=1, chunked\r\n", body: "0\r\n\r\n"), 501),
        Rejection(post("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", body: "0\r\n\r\n"), 501),
    ])
    func rejectsUnsupportedCodingWith501(_ rejection: Rejection) {
        expectRequestRejected(rejection.request, status: rejection.status)
    }

    @Test(arguments: [
        Rejection(post("Transfer-Encoding: chunked, chunked\r\n", body: "0\r\n\r\n")),
        Rejection(post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", body: "0\r\n\r\n")),
        Rejection(post("Transfer-Encoding: Chunked, CHUNKED\r\n", body: "0\r\n\r\n")),
    ])
    func rejectsDuplicateChunked(_ rejection: Rejection) {
        expectRequestRejected(rejection.request, status: rejection.status)
    }

    @Test(arguments: [
        Rejection(post("Transfer-Encoding: chun ked\r\n", body: "0\r\n\r\n")),
        Rejection(post("Transfer-Encoding: \"chunked\"\r\n", body: "0\r\n\r\n")),
        Rejection(post("Transfer-Encoding: chunked\u{B}\r\n", body: "0\r\n\r\n")),
        Rejection(post("Transfer-Encoding: chunked;a=b\r\n", body: "0\r\n\r\n")),
        Rejection(post("Transfer-Encoding: chunked;\r\n", body: "0\r\n\r\n")),
        Rejection(post("Transfer-Encoding: ,chunked\r\n", body: "0\r\n\r\n")),
        Rejection(post("Transfer-Encoding: chunked,\r\n", body: "0\r\n\r\n")),
        Rejection(post("Transfer-Encoding: chunked , \r\n", body: "0\r\n\r\n")),
        Rejection(post("Transfer-Encoding: chunked;q=\"1\r\n", body: "0\r\n\r\n")),
        Rejection(post("Transfer-Encoding: chunked/1\r\n", body: "0\r\n\r\n")),
    ])
    func rejectsObfuscatedTransferEncoding(_ rejection: Rejection) {
        expectRequestRejected(rejection.request, status: rejection.status)
    }

    @Test(arguments: [
        Rejection(post("Transfer-Encoding:\r\n")),
        Rejection(post("Transfer-Encoding:   \r\n")),
    ])
    func rejectsEmptyTransferEncoding(_ rejection: Rejection) {
        expectRequestRejected(rejection.request, status: rejection.status)
    }

    @Test(arguments: [
        Rejection(post("Content-Length: abc\r\n")),
        Rejection(post("Content-Length:\r\n")),
        Rejection(post("Content-Length:  \r\n")),
        Rejection(post("Content-Length: -1\r\n")),
        Rejection(post("Content-Length: +5\r\n", body: "hello")),
        Rejection(post("Content-Length: 5 5\r\n", body: "hello")),
        Rejection(post("Content-Length: 0x10\r\n")),
        Rejection(post("Content-Length: 1.5\r\n")),
        Rejection(post("Content-Length: 5a\r\n", body: "hello")),
        Rejection(post("Content-Length: 18446744073709551616\r\n")),
        Rejection(post("Content-Length: 99999999999999999999999\r\n")),
        Rejection(post("Content-Length: 5, 6\r\n", body: "hello")),
        Rejection(post("Content-Length: 5\r\nContent-Length: 6\r\n", body: "hello")),
        Rejection(post("Content-Length: 5,\r\n", body: "hello")),
        Rejection(post("Content-Length: ,5\r\n", body: "hello")),
        Rejection(post("Content-Length: 5,,5\r\n", body: "hello")),
        Rejection(post("Content-Length: \"5\"\r\n", body: "hello")),
    ])
    func rejectsInvalidContentLength(_ rejection: Rejection) {
        expectRequestRejected(rejection.request, status: rejection.status)
    }

    @Test(arguments: [
        Rejection("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
        Rejection("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n"),
        Rejection("GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n"),
    ])
    func rejectsMultipleHost(_ rejection: Rejection) {
        expectRequestRejected(rejection.request, status: rejection.status)
    }

    @Test func rejectsMissingHostOnHTTP11() {
        expectRequestRejected("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", status: 400)
    }

    @Test(arguments: [
        Rejection("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"),
        Rejection("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"),
        Rejection("GET / HTTP/1.1\r\nHost: user@a\r\n\r\n"),
        Rejection("GET / HTTP/1.1\r\nHost: a\"b\r\n\r\n"),
    ])
    func rejectsInvalidHostCharacters(_ rejection: Rejection) {
        expectRequestRejected(rejection.request, status: rejection.status)
    }

    @Test(arguments: [
        Rejection(get("Expect: something-else\r\n"), 417),
        Rejection(get("Expect: 100-continue, other\r\n"), 417),
        Rejection(get("Expect:\r\n"), 417),
    ])
    func rejectsUnknownExpectationWith417(_ rejection: Rejection) {
        expectRequestRejected(rejection.request, status: rejection.status)
    }

    @Test func rejectsConnectionMemberThatIsNotToken() {
        expectRequestRejected(get("Connection: close \"x\"\r\n"), status: 400)
    }
}

@Suite struct ChunkedRejectionTests {
    /// Builds a chunked POST whose body is `chunks`.
    func chunked(_ chunks: String) -> String {
        post("Transfer-Encoding: chunked\r\n", body: chunks)
    }

    @Test(arguments: [
        "zz\r\nhello\r\n0\r\n\r\n",
        "\r\n",
        " 5\r\nhello\r\n0\r\n\r\n",
        "5 \r\nhello\r\n0\r\n\r\n",
        "5\t\r\nhello\r\n0\r\n\r\n",
        "-5\r\nhello\r\n0\r\n\r\n",
        "+5\r\nhello\r\n0\r\n\r\n",
        "0x5\r\nhello\r\n0\r\n\r\n",
        "5\u{0}\r\nhello\r\n0\r\n\r\n",
        "5\rX\nhello\r\n0\r\n\r\n",
        "5\nhello\r\n0\r\n\r\n",
        "5\r\nhello\r\n0\n\r\n",
    ])
    func rejectsInvalidChunkSize(_ chunks: String) {
        expectRequestRejected(chunked(chunks), status: 400)
    }

    @Test(arguments: [
        "00000000000000005\r\nhello\r\n0\r\n\r\n",
        "10000000000000000\r\n",
        "FFFFFFFFFFFFFFFFF\r\n",
    ])
    func rejectsChunkSizeOverSixteenDigits(_ chunks: String) {
        expectRequestRejected(chunked(chunks), status: 400)
    }

    @Test(arguments: [
        "5;\r\nhello\r\n0\r\n\r\n",
        "5;=x\r\nhello\r\n0\r\n\r\n",
        "5;a=\r\nhello\r\n0\r\n\r\n",
        "5;a=\"open\r\nhello\r\n0\r\n\r\n",
        "5;a b\r\nhello\r\n0\r\n\r\n",
        "5;a=b c\r\nhello\r\n0\r\n\r\n",
        "5;a=b \r\nhello\r\n0\r\n\r\n",
        "5;a=\"x\u{1}\"\r\nhello\r\n0\r\n\r\n",
        "5 x\r\nhello\r\n0\r\n\r\n",
    ])
    func rejectsMalformedChunkExtension(_ chunks: String) {
        expectRequestRejected(chunked(chunks), status: 400)
    }

    @Test func rejectsChunkLineOverLimit() {
        let limits = HTTP1Limits(maxChunkLineBytes: 32)
        let chunks = "5;name=" + String(repeating: "v", count: 40) + "\r\nhello\r\n0\r\n\r\n"
        expectRequestRejected(chunked(chunks), status: 400, limits: limits)
    }

    @Test(arguments: [
        "5\r\nhelloX\r\n0\r\n\r\n",
        "5\r\nhello\rX0\r\n\r\n",
        "5\r\nhello\n0\r\n\r\n",
        "3\r\nhello\r\n0\r\n\r\n",
        "5\r\nhello0\r\n\r\n",
    ])
    func rejectsChunkDataWithoutCRLF(_ chunks: String) {
        expectRequestRejected(chunked(chunks), status: 400)
    }

    @Test(arguments: [
        "0\r\nX-A : 1\r\n\r\n",
        "0\r\nX-A: 1\r\n folded\r\n\r\n",
        "0\r\nX-A: a\u{0}b\r\n\r\n",
        "0\r\nX-A: 1\n\r\n",
        "0\r\nNoColon\r\n\r\n",
    ])
    func rejectsInvalidTrailerField(_ chunks: String) {
        expectRequestRejected(chunked(chunks), status: 400)
    }

    @Test func rejectsTrailerSectionOverLimitWith431() {
        let limits = HTTP1Limits(maxTrailerBytes: 32)
        let chunks = "0\r\nX-Trailer: " + String(repeating: "t", count: 32) + "\r\n\r\n"
        expectRequestRejected(chunked(chunks), status: 431, limits: limits)
    }

    @Test func rejectsTooManyTrailerFieldsWith431() {
        let limits = HTTP1Limits(maxHeaderCount: 4)
        let chunks = "0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n"
        expectRequestRejected(chunked(chunks), status: 431, limits: limits)
    }
}

@Suite struct TruncationTests {
    @Test(arguments: [
        "GET / HTTP/1.1\r\nHost: a\r\n",
        "GET / HT",
        post("Content-Length: 10\r\n", body: "hello"),
        post("Transfer-Encoding: chunked\r\n", body: "5\r\nhel"),
        post("Transfer-Encoding: chunked\r\n", body: "5\r\nhello\r\n"),
        post("Transfer-Encoding: chunked\r\n", body: "0\r\nX-T: 1\r\n"),
    ])
    func rejectsCloseDuringMessage(_ request: String) throws {
        var decoder = HTTP1RequestDecoder()
        try feed(&decoder, Array(request.utf8)) { _, _, _ in }
        let error = parseError { _ = try decoder.finishOnClose() }
        #expect(error?.status == 400)
    }

    @Test(arguments: ["", "\r\n", get(""), get("") + get("")])
    func acceptsCloseBetweenMessages(_ stream: String) throws {
        var decoder = HTTP1RequestDecoder()
        try feed(&decoder, Array(stream.utf8)) { _, _, _ in }
        #expect(try decoder.finishOnClose() == nil)
    }

    @Test func decoderStaysFailedAfterError() throws {
        var decoder = HTTP1RequestDecoder()
        let first = parseError { try feed(&decoder, Array(get("X-A : 1\r\n").utf8)) { _, _, _ in } }
        let second = parseError { try feed(&decoder, Array(get("").utf8)) { _, _, _ in } }
        #expect(first?.status == 400)
        #expect(second == first)
    }
}

/// The line search reads eight bytes at a time, so these cases put the offending byte at every offset of a word.
@Suite struct LineScanTests {
    @Test(arguments: [UInt8(0x00), 0x01, 0x0B, 0x0D, 0x1F, 0x7F, 0x0A])
    func rejectsControlByteAtEveryOffset(_ byte: UInt8) {
        for offset in 0..<24 {
            var value = Array(String(repeating: "v", count: 24).utf8)
            value[offset] = byte
            let request = Array("GET / HTTP/1.1\r\nHost: a\r\nX-Value: a".utf8) + value + Array("\r\n\r\n".utf8)
            expectRequestRejected(request, status: 400)
        }
    }

    @Test func acceptsTabAndUTF8AtEveryOffset() throws {
        for offset in 0..<24 {
            var value = String(repeating: "v", count: 24)
            let index = value.index(value.startIndex, offsetBy: offset)
            value.replaceSubrange(index...index, with: offset % 2 == 0 ? "é" : "\t")
            let transcript = try decodeRequests(get("X-Value: a\(value)b\r\n"))
            #expect(transcript.heads.first?.fields.last?.value == "a\(value)b")
        }
    }

    @Test func rejectsInvalidUTF8AtEveryOffset() {
        for offset in 0..<24 {
            var value = Array(String(repeating: "v", count: 24).utf8)
            value[offset] = 0xC3
            let request = Array("GET / HTTP/1.1\r\nHost: a\r\nX-Value: a".utf8) + value + Array("\r\n\r\n".utf8)
            expectRequestRejected(request, status: 400)
        }
    }
}
