// Checks that decoded strings keep every byte at the lengths where String storage changes (15 and 16 bytes).

import SwitchyardHTTP1
import Testing

@Suite struct FieldStringTests {
    @Test(arguments: [1, 14, 15, 16, 17, 64, 300])
    func fieldStringsKeepBytesAtAnyLength(_ length: Int) throws {
        let name = "X-" + String(repeating: "n", count: length)
        let value = String(repeating: "v", count: length - 1) + "!"
        let request = "GET /\(String(repeating: "t", count: length)) HTTP/1.1\r\nHost: a\r\n\(name): \(value)\r\n\r\n"
        let head = try #require(try decodeRequestsAllSplits(request).heads.first)
        #expect(head.fields.last == HTTP1Field(name: name, value: value))
        #expect(head.target == "/" + String(repeating: "t", count: length))
        #expect(head.target.utf8.count == length + 1)
    }

    @Test(arguments: ["é", "café au lait, déjà vu", "日本語のテキストです"])
    func utf8FieldValuesKeepBytes(_ value: String) throws {
        let request = "GET / HTTP/1.1\r\nHost: a\r\nX-Text: \(value)\r\n\r\n"
        let head = try #require(try decodeRequestsAllSplits(request).heads.first)
        #expect(head.fields.last?.value == value)
        #expect(Array(head.fields.last?.value.utf8 ?? "".utf8) == Array(value.utf8))
    }

    @Test(arguments: [1, 15, 16, 40])
    func invalidReasonUTF8IsRepaired(_ length: Int) throws {
        let prefix = String(repeating: "r", count: length - 1)
        let bytes = Array("HTTP/1.1 200 \(prefix)".utf8) + [0xFF] + Array("\r\nContent-Length: 0\r\n\r\n".utf8)
        var decoder = HTTP1ResponseDecoder()
        decoder.expectResponse(toMethod: "GET")
        var reasons: [String] = []
        try feed(&decoder, bytes) { decoder, event, _ in
            if event == .head, let head = decoder.head {
                reasons.append(head.reason)
            }
        }
        #expect(reasons == [prefix + "\u{FFFD}"])
    }

    @Test(arguments: [
        "Host", "Date", "ETag", "Vary", "Accept", "Server", "Cookie", "Referer", "Expires", "Connection", "User-Agent",
        "Keep-Alive", "Set-Cookie", "Content-Type", "Last-Modified", "Accept-Ranges", "Cache-Control", "Authorization",
        "Content-Length", "Accept-Encoding", "Accept-Language", "X-Forwarded-For", "Content-Encoding",
        "Transfer-Encoding",
    ])
    func commonNamesKeepReceivedSpelling(_ name: String) throws {
        var variants = [name, name.lowercased(), name.uppercased(), name + "s", String(name.dropLast())]
        for index in 0..<name.utf8.count {
            var bytes = Array(name.utf8)
            bytes[index] = bytes[index] == UInt8(ascii: "x") ? UInt8(ascii: "y") : UInt8(ascii: "x")
            variants.append(String(decoding: bytes, as: UTF8.self))
        }
        for variant in variants {
            let isChunked = variant.lowercased() == "transfer-encoding"
            let response = isChunked
                ? "HTTP/1.1 200 OK\r\n\(variant): chunked\r\n\r\n0\r\n\r\n"
                : "HTTP/1.1 200 OK\r\n\(variant): 0\r\nContent-Length: 0\r\n\r\n"
            let head = try #require(try decodeResponses(response, methods: ["GET"]).heads.first)
            #expect(head.fields.first?.name == variant)
            #expect(Array(head.fields.first?.name.utf8 ?? "".utf8) == Array(variant.utf8))
        }
    }

    @Test func connectionTokenNearMissesKeepTheirText() throws {
        let request = "GET / HTTP/1.0\r\nConnection: closed, Keep-Alives, CLOS, KEEP-ALIVE, keep-alivf\r\n\r\n"
        let head = try #require(try decodeRequests(request).heads.first)
        #expect(head.connectionTokens == ["closed", "keep-alives", "clos", "keep-alive", "keep-alivf"])
        #expect(head.keepAlive)
    }

    @Test func connectionCloseNearMissKeepsHTTP11Alive() throws {
        let request = "GET / HTTP/1.1\r\nHost: a\r\nConnection: Closes, cLoSe\r\n\r\n"
        let head = try #require(try decodeRequests(request).heads.first)
        #expect(head.connectionTokens == ["closes", "close"])
        #expect(!head.keepAlive)

        let nearMissRequest = "GET / HTTP/1.1\r\nHost: a\r\nConnection: closes\r\n\r\n"
        let nearMiss = try #require(try decodeRequests(nearMissRequest).heads.first)
        #expect(nearMiss.keepAlive)
    }

    @Test(arguments: [
        "*/*", "bytes", "close", "chunked", "no-cache", "text/html", "keep-alive", "text/plain", "gzip, deflate",
        "application/json", "gzip, deflate, br", "text/html; charset=utf-8",
    ])
    func commonValuesKeepReceivedSpelling(_ value: String) throws {
        var variants = [value, value.uppercased(), value + "s", String(value.dropLast())]
        for index in 0..<value.utf8.count {
            var bytes = Array(value.utf8)
            bytes[index] = bytes[index] == UInt8(ascii: "x") ? UInt8(ascii: "y") : UInt8(ascii: "x")
            variants.append(String(decoding: bytes, as: UTF8.self))
        }
        for variant in variants {
            let response = "HTTP/1.1 200 OK\r\nX-Value: \(variant)\r\nContent-Length: 0\r\n\r\n"
            let head = try #require(try decodeResponses(response, methods: ["GET"]).heads.first)
            #expect(head.fields.first?.value == variant)
            #expect(Array(head.fields.first?.value.utf8 ?? "".utf8) == Array(variant.utf8))
        }
    }

    @Test(arguments: ["GET", "PUT", "POST", "HEAD", "PATCH", "TRACE", "DELETE", "OPTIONS"])
    func standardMethodsKeepReceivedSpelling(_ method: String) throws {
        var variants = [method, method.lowercased(), method + "S", String(method.dropLast())]
        for index in 0..<method.utf8.count {
            var bytes = Array(method.utf8)
            bytes[index] = bytes[index] == UInt8(ascii: "X") ? UInt8(ascii: "Y") : UInt8(ascii: "X")
            variants.append(String(decoding: bytes, as: UTF8.self))
        }
        for variant in variants {
            let head = try #require(try decodeRequests("\(variant) / HTTP/1.1\r\nHost: a\r\n\r\n").heads.first)
            #expect(head.method == variant)
            #expect(Array(head.method.utf8) == Array(variant.utf8))
        }
    }
}
