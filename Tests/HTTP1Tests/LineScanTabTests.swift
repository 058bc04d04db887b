// Checks that the word-at-a-time line scan notes non-ASCII bytes that come before a tab in the same word.

import SwitchyardHTTP1
import Testing

@Suite struct LineScanTabTests {
    /// Returns a request whose only extra field is `X-Scan` with the value `bytes`.
    func request(value bytes: [UInt8]) -> [UInt8] {
        Array("GET / HTTP/1.1\r\nHost: a\r\nX-Scan: ".utf8) + bytes + Array("\r\n\r\n".utf8)
    }

    /// Returns the status the request decoder rejects `bytes` with, or nil when it accepts them.
    func rejectionStatus(_ bytes: [UInt8]) -> Int? {
        do {
            _ = try decodeRequests(bytes)
            return nil
        } catch let error as HTTP1ParseError {
            return error.status
        } catch {
            return -1
        }
    }

    @Test func invalidUTF8BeforeTabRejected() {
        for invalidOffset in 0..<20 {
            for tabOffset in (invalidOffset + 1)..<23 {
                var value = Array(repeating: UInt8(ascii: "v"), count: 24)
                value[invalidOffset] = 0xFF
                value[tabOffset] = 0x09
                #expect(rejectionStatus(request(value: value)) == 400, "0xFF at \(invalidOffset), tab at \(tabOffset)")
            }
        }
    }

    @Test func utf8BeforeTabKeepsBytes() throws {
        for utf8Offset in 0..<19 {
            var value = Array(repeating: UInt8(ascii: "v"), count: 24)
            value[utf8Offset] = 0xC3
            value[utf8Offset + 1] = 0xA9
            value[22] = 0x09
            let head = try #require(try decodeRequests(request(value: value)).heads.first)
            #expect(Array(head.fields.last?.value.utf8 ?? "".utf8) == value, "é at offset \(utf8Offset)")
        }
    }
}
