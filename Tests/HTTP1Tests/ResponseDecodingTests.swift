// Response framing: HEAD, 1xx, 204, 304, upgrades, close-delimited bodies, truncation and rejected responses.

import SwitchyardHTTP1
import Testing

@Suite struct ResponseDecodingTests {
    @Test func decodesResponseWithContentLength() throws {
        let transcript = try decodeResponsesAllSplits(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A:  1 \r\n\r\nhello", methods: ["GET"])
        let expected = HTTP1ResponseHead(
            status: 200, reason: "OK", versionMajor: 1, versionMinor: 1,
            fields: [HTTP1Field(name: "Content-Length", value: "5"), HTTP1Field(name: "X-A", value: "1")],
            framing: .contentLength(5), keepAlive: true, connectionTokens: [])
        #expect(transcript.heads == [expected])
        #expect(transcript.bodies == [Array("hello".utf8)])
        #expect(transcript.events == [.head, .body(0..<0), .end])
    }

    @Test func ignoresContentLengthOfHeadResponse() throws {
        let stream = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n" + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
        let transcript = try decodeResponsesAllSplits(stream, methods: ["HEAD", "GET"])
        #expect(transcript.heads.map(\.framing) == [.none, .contentLength(2)])
        #expect(transcript.bodies == [[], Array("hi".utf8)])
    }

    @Test(arguments: [
        "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
        "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n",
        "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
        "HTTP/1.1 204 No Content\r\n\r\n",
    ])
    func decodesBodilessStatusWithoutBody(_ response: String) throws {
        let stream = response + "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"
        let transcript = try decodeResponsesAllSplits(stream, methods: ["GET", "GET"])
        #expect(transcript.heads.first?.framing == BodyFraming.none)
        #expect(transcript.bodies == [[], Array("x".utf8)])
        #expect(transcript.events == [.head, .end, .head, .body(0..<0), .end])
    }

    @Test func decodesInformationalThenFinalResponse() throws {
        let stream = "HTTP/1.1 100 Continue\r\n\r\n"
            + "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
            + "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"
            + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
        let transcript = try decodeResponsesAllSplits(stream, methods: ["POST", "GET"])
        #expect(transcript.heads.map(\.status) == [100, 103, 201, 200])
        #expect(transcript.events == [.head, .end, .head, .end, .head, .body(0..<0), .end, .head, .end])
    }

    @Test func expectsFinalResponseAfterInformational() throws {
        var decoder = HTTP1ResponseDecoder()
        decoder.expectResponse(toMethod: "GET")
        try feed(&decoder, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) { _, _, _ in }
        let error = parseError { _ = try decoder.finishOnClose() }
        #expect(error?.status == 502)
    }

    @Test func stopsParsingAfterSwitchingProtocols() throws {
        let stream = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\u{81}\u{5}hello"
        let transcript = try decodeResponses(stream, methods: ["GET"])
        #expect(transcript.heads.map(\.status) == [101])
        #expect(transcript.events == [.head, .end])
        #expect(transcript.unconsumed == Array("\u{81}\u{5}hello".utf8))
        #expect(transcript.heads.first?.connectionTokens == ["upgrade"])
    }

    @Test func reportsUpgradeAfterConnectSuccess() throws {
        var decoder = HTTP1ResponseDecoder()
        decoder.expectResponse(toMethod: "CONNECT")
        let rest = try feed(&decoder, Array("HTTP/1.1 200 Connection Established\r\n\r\ntunnel".utf8)) { _, _, _ in }
        #expect(decoder.isUpgraded)
        #expect(decoder.head?.framing == BodyFraming.none)
        #expect(rest == Array("tunnel".utf8))
        #expect(try decoder.finishOnClose() == nil)
    }

    @Test func decodesCloseDelimitedBody() throws {
        let transcript = try decodeResponsesAllSplits(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nstreamed until close", methods: ["GET"], closeAtEnd: true)
        #expect(transcript.heads.first?.framing == .untilClose)
        #expect(transcript.heads.first?.keepAlive == false)
        #expect(transcript.bodies == [Array("streamed until close".utf8)])
        #expect(transcript.events == [.head, .body(0..<0), .end])
    }

    @Test func decodesChunkedResponseWithTrailers() throws {
        let transcript = try decodeResponsesAllSplits(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n5;x=y\r\npedia\r\n0\r\nX-Sum: 9\r\n\r\n",
            methods: ["GET"])
        #expect(transcript.heads.first?.framing == .chunked)
        #expect(transcript.bodies == [Array("wikipedia".utf8)])
        #expect(transcript.trailers == [[HTTP1Field(name: "X-Sum", value: "9")]])
    }

    @Test(arguments: [
        ("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true),
        ("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", false),
        ("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false),
        ("HTTP/1.0 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n", true),
    ])
    func derivesResponseKeepAlive(_ response: String, keepAlive: Bool) throws {
        let head = try #require(try decodeResponses(response, methods: ["GET"]).heads.first)
        #expect(head.keepAlive == keepAlive)
    }

    @Test(arguments: [
        ("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", ""),
        ("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", ""),
        ("HTTP/1.1 404 Not\tFound here\r\nContent-Length: 0\r\n\r\n", "Not\tFound here"),
    ])
    func acceptsReasonPhraseVariants(_ response: String, reason: String) throws {
        let head = try #require(try decodeResponses(response, methods: ["GET"]).heads.first)
        #expect(head.reason == reason)
    }
}

@Suite struct ResponseRejectionTests {
    @Test(arguments: [
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
    ])
    func rejectsContentLengthWithChunked(_ response: String) {
        expectResponseRejected(response)
    }

    @Test(arguments: [
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nabc",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
        "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ])
    func rejectsUnsupportedTransferEncoding(_ response: String) {
        expectResponseRejected(response)
    }

    @Test(arguments: [
        "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
    ])
    func rejectsInvalidContentLength(_ response: String) {
        expectResponseRejected(response)
    }

    @Test(arguments: [
        "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/1.1 600 Odd\r\n\r\n",
        "HTTP/1.1 099 Low\r\n\r\n",
        "HTTP/1.1 2x0 OK\r\n\r\n",
        "HTTP/2 200 OK\r\n\r\n",
        "HTTP/2.0 200 OK\r\n\r\n",
        "http/1.1 200 OK\r\n\r\n",
        "HTTP/1.1  200 OK\r\n\r\n",
        "HTTP/1.1 200 O\u{1}K\r\n\r\n",
        "\r\nHTTP/1.1 200 OK\r\n\r\n",
        "HTTP/1.1 200 OK\nContent-Length: 0\n\n",
        "HTTP/1.1 200 OK\r\nX-A : 1\r\nContent-Length: 0\r\n\r\n",
    ])
    func rejectsMalformedStatusLineOrHead(_ response: String) {
        expectResponseRejected(response)
    }

    @Test func rejectsBytesWithNoRequestOutstanding() throws {
        var decoder = HTTP1ResponseDecoder()
        let error = parseError { try feed(&decoder, Array("HTTP/1.1 200 OK\r\n\r\n".utf8)) { _, _, _ in } }
        #expect(error?.status == 502)
    }

    @Test func rejectsHeadOverLimit() {
        var decoder = HTTP1ResponseDecoder(maxHeaderBytes: 64)
        decoder.expectResponse(toMethod: "GET")
        let response = "HTTP/1.1 200 OK\r\nX-Long: " + String(repeating: "v", count: 80) + "\r\n\r\n"
        let error = parseError { try feed(&decoder, Array(response.utf8)) { _, _, _ in } }
        #expect(error?.status == 502)
    }

    @Test(arguments: [
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
        "HTTP/1.1 200 OK\r\nContent-Le",
        "",
    ])
    func rejectsTruncatedResponseOnClose(_ response: String) {
        let error = parseError { _ = try decodeResponses(response, methods: ["GET"], closeAtEnd: true) }
        #expect(error?.status == 502)
    }

    @Test func acceptsCloseWhenNoResponseOutstanding() throws {
        var decoder = HTTP1ResponseDecoder()
        decoder.expectResponse(toMethod: "GET")
        try feed(&decoder, Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".utf8)) { _, _, _ in }
        #expect(try decoder.finishOnClose() == nil)
    }
}
