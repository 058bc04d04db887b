// Valid requests: heads, bodies, chunked framing, pipelining and heads split across reads.

import SwitchyardHTTP1
import Testing

@Suite struct RequestDecodingTests {
    @Test func decodesSimpleGet() throws {
        let transcript = try decodeRequestsAllSplits("GET /shop/a?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n")
        let expected = HTTP1RequestHead(
            method: "GET", target: "/shop/a?q=1", versionMajor: 1, versionMinor: 1,
            fields: [HTTP1Field(name: "Host", value: "example.com"), HTTP1Field(name: "Accept", value: "*/*")],
            framing: .none, keepAlive: true, expectsContinue: false, connectionTokens: [])
        #expect(transcript.heads == [expected])
        #expect(transcript.events == [.head, .end])
        #expect(transcript.bodies == [[]])
    }

    @Test func keepsFieldOrderNamesAndTrimsValues() throws {
        let request = get("x-lower: a\r\nX-Tabs:\t\tvalue with\tinner tab\t \r\nX-Empty:\r\nX-Spaces:   \r\nX-Lower: b\r\n")
        let head = try #require(try decodeRequestsAllSplits(request).heads.first)
        #expect(head.fields.map(\.name) == ["Host", "x-lower", "X-Tabs", "X-Empty", "X-Spaces", "X-Lower"])
        #expect(head.fields.map(\.value) == ["example.com", "a", "value with\tinner tab", "", "", "b"])
    }

    @Test func acceptsUTF8AndVisibleBytesInValues() throws {
        let request = get("X-Name: café ☕\r\nX-Odd: !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\r\n")
        let head = try #require(try decodeRequestsAllSplits(request).heads.first)
        #expect(head.fields[1].value == "café ☕")
        #expect(head.fields[2].value == "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
    }

    @Test func acceptsAllTokenCharactersInMethodAndName() throws {
        let request = "M-E.T_H~O!D#$%&'*+^`| /x HTTP/1.1\r\nHost: a\r\nX!#$%&'*+-.^_`|~09az: v\r\n\r\n"
        let head = try #require(try decodeRequestsAllSplits(request).heads.first)
        #expect(head.method == "M-E.T_H~O!D#$%&'*+^`|")
        #expect(head.fields[1].name == "X!#$%&'*+-.^_`|~09az")
    }

    @Test func acceptsAbsoluteAndAsteriskTargets() throws {
        let transcript = try decodeRequestsAllSplits(
            "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\nGET http://a.example:8080/p?x=%20 HTTP/1.1\r\nHost: a.example:8080\r\n\r\n")
        #expect(transcript.heads.map(\.target) == ["*", "http://a.example:8080/p?x=%20"])
    }

    @Test func decodesPostWithContentLength() throws {
        let transcript = try decodeRequestsAllSplits(post("Content-Length: 11\r\n", body: "hello world"))
        #expect(transcript.heads.first?.framing == .contentLength(11))
        #expect(transcript.bodies == [Array("hello world".utf8)])
        #expect(transcript.events == [.head, .body(0..<0), .end])
    }

    @Test func decodesZeroContentLengthAsEmptyBody() throws {
        let transcript = try decodeRequestsAllSplits(post("Content-Length: 0\r\n"))
        #expect(transcript.heads.first?.framing == .contentLength(0))
        #expect(transcript.events == [.head, .end])
    }

    @Test(arguments: ["5, 5", "5,5", " 5 ,\t5 "])
    func acceptsContentLengthListOfEqualValues(_ value: String) throws {
        let transcript = try decodeRequests(post("Content-Length: \(value)\r\n", body: "hello"))
        #expect(transcript.heads.first?.framing == .contentLength(5))
        #expect(transcript.bodies == [Array("hello".utf8)])
    }

    @Test func acceptsRepeatedEqualContentLengthFields() throws {
        let transcript = try decodeRequests(post("Content-Length: 5\r\ncontent-length: 005\r\n", body: "hello"))
        #expect(transcript.heads.first?.framing == .contentLength(5))
    }

    @Test func acceptsLargestContentLength() throws {
        var decoder = HTTP1RequestDecoder()
        try feed(&decoder, Array(post("Content-Length: 18446744073709551615\r\n").utf8)) { _, _, _ in }
        #expect(decoder.head?.framing == .contentLength(UInt64.max))
    }

    @Test func decodesChunkedBodyWithExtensionsAndTrailers() throws {
        let body = "5;name=value;quoted=\"a \\\"b\\\" ;c\"\r\nhello\r\n"
            + "6 ; ext ; other = x\r\n world\r\n"
            + "000A\r\n0123456789\r\n"
            + "0;last\r\nX-Checksum: abc\r\nX-Other:  two words \r\n\r\n"
        let transcript = try decodeRequestsAllSplits(post("Transfer-Encoding: chunked\r\n", body: body))
        #expect(transcript.heads.first?.framing == .chunked)
        #expect(transcript.bodies == [Array("hello world0123456789".utf8)])
        #expect(transcript.trailers == [[
            HTTP1Field(name: "X-Checksum", value: "abc"), HTTP1Field(name: "X-Other", value: "two words"),
        ]])
        #expect(transcript.events == [.head, .body(0..<0), .end])
    }

    @Test(arguments: ["Chunked", "CHUNKED", "chunked", " chunked ", "\tchunked"])
    func acceptsChunkedInAnyCase(_ value: String) throws {
        let transcript = try decodeRequests(post("Transfer-Encoding: \(value)\r\n", body: "3\r\nabc\r\n0\r\n\r\n"))
        #expect(transcript.heads.first?.framing == .chunked)
        #expect(transcript.bodies == [Array("abc".utf8)])
    }

    @Test func acceptsLargestChunkSizeDigits() throws {
        var decoder = HTTP1RequestDecoder()
        let request = post("Transfer-Encoding: chunked\r\n", body: "00000000000000ff\r\n")
        try feed(&decoder, Array(request.utf8)) { _, _, _ in }
        #expect(decoder.head?.framing == .chunked)
    }

    @Test func decodesPipelinedRequestsInOneBuffer() throws {
        let stream = get("")
            + post("Content-Length: 3\r\n", body: "abc")
            + post("Transfer-Encoding: chunked\r\n", body: "2\r\nde\r\n0\r\nX-T: 1\r\n\r\n")
            + "\r\nDELETE /item HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n"
        let transcript = try decodeRequestsAllSplits(stream)
        #expect(transcript.heads.map(\.method) == ["GET", "POST", "POST", "DELETE"])
        #expect(transcript.bodies == [[], Array("abc".utf8), Array("de".utf8), []])
        #expect(transcript.trailers == [[], [], [HTTP1Field(name: "X-T", value: "1")], []])
        #expect(transcript.heads.map(\.keepAlive) == [true, true, true, false])
    }

    @Test func skipsLeadingEmptyLines() throws {
        let transcript = try decodeRequestsAllSplits(String(repeating: "\r\n", count: 8) + get(""))
        #expect(transcript.heads.count == 1)
    }

    @Test func consumesCompleteHeadLinesOnly() throws {
        var decoder = HTTP1RequestDecoder()
        let partial = Array("GET / HTTP/1.1\r\nHost: exa".utf8)
        let (consumed, event) = try partial.withUnsafeBytes { buffer in
            try decoder.decode(buffer)
        }
        #expect(consumed == "GET / HTTP/1.1\r\n".utf8.count)
        #expect(event == nil)
    }

    @Test func reportsBodyAsRangeOfCallerBuffer() throws {
        var decoder = HTTP1RequestDecoder()
        let bytes = Array(post("Content-Length: 4\r\n", body: "wxyz").utf8)
        try bytes.withUnsafeBytes { buffer in
            let (headBytes, headEvent) = try decoder.decode(buffer)
            #expect(headEvent == .head)
            let rest = UnsafeRawBufferPointer(rebasing: buffer[headBytes...])
            let (bodyBytes, bodyEvent) = try decoder.decode(rest)
            #expect(bodyEvent == .body(0..<4))
            #expect(bodyBytes == 4)
            #expect(rest.baseAddress == buffer.baseAddress.map { $0 + headBytes })
        }
    }

    @Test func streamsLargeBodyInPieces() throws {
        let body = String(repeating: "0123456789", count: 1000)
        let transcript = try decodeRequests(post("Content-Length: 10000\r\n", body: body), pieceSize: 333)
        #expect(transcript.bodies == [Array(body.utf8)])
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\nHost: a\r\n\r\n", true, [String]()),
        ("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false, ["close"]),
        ("GET / HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive, CLOSE\r\n\r\n", false, ["keep-alive", "close"]),
        ("GET / HTTP/1.0\r\n\r\n", false, []),
        ("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true, ["keep-alive"]),
        ("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\nConnection: close\r\n\r\n", false, ["keep-alive", "close"]),
        ("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade,, X-Foo ,\r\nConnection:\r\n\r\n", true, ["upgrade", "x-foo"]),
    ])
    func derivesKeepAliveAndConnectionTokens(_ request: String, keepAlive: Bool, tokens: [String]) throws {
        let head = try #require(try decodeRequests(request).heads.first)
        #expect(head.keepAlive == keepAlive)
        #expect(head.connectionTokens == tokens)
    }

    @Test(arguments: [
        ("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx", true),
        ("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nx", true),
        ("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx", false),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx", false),
    ])
    func detectsExpectContinue(_ request: String, expected: Bool) throws {
        let head = try #require(try decodeRequests(request).heads.first)
        #expect(head.expectsContinue == expected)
    }

    @Test func acceptsHTTP10WithoutHost() throws {
        let head = try #require(try decodeRequestsAllSplits("GET / HTTP/1.0\r\n\r\n").heads.first)
        #expect(head.versionMinor == 0)
        #expect(head.framing == .none)
    }

    @Test func treatsRequestWithoutLengthAsBodiless() throws {
        let transcript = try decodeRequests(post("") + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(transcript.heads.map(\.framing) == [.none, .none])
        #expect(transcript.heads.map(\.target) == ["/upload", "/next"])
    }

    @Test(arguments: ["[::1]:8443", "shop.example", "xn--caf-dma.example:80", ""])
    func acceptsValidHostValues(_ host: String) throws {
        let head = try #require(try decodeRequests("GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n").heads.first)
        #expect(head.fields.first?.value == host)
    }
}
