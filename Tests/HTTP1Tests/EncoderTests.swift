// Encoder output bytes, round trips through the decoders, and neutralizing of unsafe field content.

import SwitchyardHTTP1
import Testing

@Suite struct EncoderTests {
    @Test func writesRequestHead() {
        var buffer: [UInt8] = []
        HTTP1Encoder.appendRequestHead(
            method: "POST", target: "/a?b=1",
            fields: [HTTP1Field(name: "Host", value: "origin.example"), HTTP1Field(name: "X-Empty", value: "")],
            into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self)
            == "POST /a?b=1 HTTP/1.1\r\nHost: origin.example\r\nX-Empty: \r\n\r\n")
    }

    @Test func writesResponseHead() {
        var buffer: [UInt8] = Array("kept".utf8)
        HTTP1Encoder.appendResponseHead(
            status: 404, reason: "Not Found", fields: [HTTP1Field(name: "Content-Length", value: "0")], into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "keptHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
    }

    @Test(arguments: [(1, "1"), (10, "a"), (255, "ff"), (4096, "1000"), (0x1234_5678_9abc, "123456789abc"),
                      (Int.max, "7fffffffffffffff")])
    func writesChunkSizeInHex(_ size: Int, hex: String) {
        var buffer: [UInt8] = []
        HTTP1Encoder.appendChunkHeader(size: size, into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == hex + "\r\n")
    }

    @Test func writesLastChunkWithTrailers() {
        var buffer: [UInt8] = []
        HTTP1Encoder.appendLastChunk(trailers: [HTTP1Field(name: "X-Sum", value: "9")], into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "0\r\nX-Sum: 9\r\n\r\n")
        #expect(HTTP1Encoder.chunkTrailer == Array("\r\n".utf8))
    }

    @Test func roundTripsChunkedRequest() throws {
        let fields = [
            HTTP1Field(name: "Host", value: "origin.example"), HTTP1Field(name: "Transfer-Encoding", value: "chunked"),
            HTTP1Field(name: "X-Unicode", value: "café"),
        ]
        let trailers = [HTTP1Field(name: "X-Checksum", value: "1234")]
        var buffer: [UInt8] = []
        HTTP1Encoder.appendRequestHead(method: "PUT", target: "/items/7", fields: fields, into: &buffer)
        for piece in ["first piece ", "and the second"] {
            HTTP1Encoder.appendChunkHeader(size: piece.utf8.count, into: &buffer)
            buffer.append(contentsOf: piece.utf8)
            buffer.append(contentsOf: HTTP1Encoder.chunkTrailer)
        }
        HTTP1Encoder.appendLastChunk(trailers: trailers, into: &buffer)

        let transcript = try decodeRequests(buffer)
        let head = try #require(transcript.heads.first)
        #expect(head.method == "PUT")
        #expect(head.target == "/items/7")
        #expect(head.fields == fields)
        #expect(head.framing == .chunked)
        #expect(transcript.bodies == [Array("first piece and the second".utf8)])
        #expect(transcript.trailers == [trailers])
    }

    @Test func roundTripsResponse() throws {
        let fields = [HTTP1Field(name: "Content-Length", value: "4"), HTTP1Field(name: "X-Served-By", value: "switchyard")]
        var buffer: [UInt8] = []
        HTTP1Encoder.appendResponseHead(status: 201, reason: "Created", fields: fields, into: &buffer)
        buffer.append(contentsOf: "body".utf8)

        var decoder = HTTP1ResponseDecoder()
        decoder.expectResponse(toMethod: "POST")
        var bodies: [UInt8] = []
        try feed(&decoder, buffer) { _, event, body in bodies += body }
        #expect(decoder.head?.status == 201)
        #expect(decoder.head?.reason == "Created")
        #expect(decoder.head?.fields == fields)
        #expect(bodies == Array("body".utf8))
    }

    @Test func neutralizesLineBreaksInValues() throws {
        var buffer: [UInt8] = []
        let fields = [
            HTTP1Field(name: "Host", value: "a"),
            HTTP1Field(name: "X-Evil", value: "1\r\nContent-Length: 5\r\n\r\nhello"),
            HTTP1Field(name: "Bad Name", value: "dropped"),
            HTTP1Field(name: "X-Nul\r\nX-Injected", value: "dropped"),
        ]
        HTTP1Encoder.appendRequestHead(method: "GET", target: "/a b\r\n", fields: fields, into: &buffer)

        let transcript = try decodeRequests(buffer)
        let head = try #require(transcript.heads.first)
        #expect(transcript.heads.count == 1)
        #expect(head.target == "/a%20b%0D%0A")
        #expect(head.fields.map(\.name) == ["Host", "X-Evil"])
        #expect(head.fields.last?.value == "1  Content-Length: 5    hello")
        #expect(head.framing == .none)
    }

    @Test func replacesInvalidMethodAndStatus() throws {
        var buffer: [UInt8] = []
        HTTP1Encoder.appendRequestHead(method: "GE T", target: "/", fields: [HTTP1Field(name: "Host", value: "a")],
                                       into: &buffer)
        #expect(try decodeRequests(buffer).heads.first?.method == "GE_T")

        var response: [UInt8] = []
        HTTP1Encoder.appendResponseHead(status: 42, reason: "Odd\r\n", fields: [], into: &response)
        #expect(String(decoding: response, as: UTF8.self) == "HTTP/1.1 500 Odd  \r\n\r\n")
    }

    @Test(arguments: [("X-Good", true), ("", false), ("Bad Name", false), ("X:Y", false), ("Ü", false)])
    func validatesFieldNames(_ name: String, valid: Bool) {
        #expect(HTTP1Encoder.isValidFieldName(name) == valid)
    }

    @Test(arguments: [("plain value", true), ("", true), ("tab\tinside", true), ("café", true),
                      (" leading", false), ("trailing\t", false), ("line\r\nbreak", false), ("nul\u{0}", false)])
    func validatesFieldValues(_ value: String, valid: Bool) {
        #expect(HTTP1Encoder.isValidFieldValue(value) == valid)
    }
}
