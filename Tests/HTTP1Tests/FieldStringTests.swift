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
        let head = try #require(try decodeRequestsAllSplits("GET / HTTP/1.1\r\nHost: a\r\nX-Text: \(value)\r\n\r\n").heads.first)
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
}
