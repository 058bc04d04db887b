// Runs curl as an independent HTTPS client against the gateway.

import Foundation
import Testing

@Suite struct CurlClientTests {
    /// Runs curl against `path` on the gateway's TLS listener and returns the response head and body.
    private func curl(_ gateway: GatewayHarness, _ path: String, _ extra: [String] = []) throws -> (head: String, body: String) {
        let arguments = [
            "-sS", "--max-time", "20", "--http1.1", "--cacert", gateway.certificate,
            "--resolve", "localhost:\(gateway.tlsPort):127.0.0.1", "-i",
        ] + extra + ["https://localhost:\(gateway.tlsPort)\(path)"]
        let result = try runProcess("/usr/bin/curl", arguments)
        #expect(result.status == 0)
        let text = String(decoding: result.output, as: UTF8.self)
        guard let separator = text.range(of: "\r\n\r\n") else {
            throw HarnessError("curl printed no response head: \(text)")
        }
        return (String(text[..<separator.lowerBound]), String(text[separator.upperBound...]))
    }

    @Test func curlGetsProxiedResponse() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }

        let (head, body) = try curl(gateway, "/storeA/rest/of/path?q=1", ["-X", "PUT", "--data-binary", "curl body"])

        #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(head.contains("\r\nX-Served-By: Switchyard"))
        #expect(head.contains("\r\nX-Storefront-ID: storeA"))
        #expect(body.contains("\"method\":\"PUT\""))
        #expect(body.contains("\"target\":\"\\/rest\\/of\\/path?q=1\"") || body.contains("\"target\":\"/rest/of/path?q=1\""))
        #expect(body.contains("\"bodyBytes\":9"))
    }

    @Test func curlDecompressesGzipResponse() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }

        let (head, body) = try curl(gateway, "/storeA/html", ["--compressed"])
        let identity = try gateway.get("/storeA/html")

        #expect(head.lowercased().contains("\r\ncontent-encoding: gzip"))
        #expect(body == identity.text)
    }
}
