// Checks gzip compression towards clients that accept it, and pass-through or decompression of gzip from origins.

import Foundation
@testable import SwitchyardGateway
import Testing

@Suite struct GzipTests {
    /// Decompresses `bytes` with the system's `gzip -dc`; nil when gzip rejects them.
    private func gunzip(_ bytes: [UInt8]) throws -> [UInt8]? {
        let result = try runProcess("/usr/bin/gzip", ["-dc"], input: bytes)
        return result.status == 0 ? result.output : nil
    }

    @Test func htmlIsGzipEncodedForGzipClient() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }
        let connection = try gateway.connect()

        try connection.send(GatewayHarness.request("GET", "/storeA/html"))
        let identity = try connection.readResponse()
        try connection.send(GatewayHarness.request("GET", "/storeA/html", fields: ["Accept-Encoding: br, gzip;q=0.8"]))
        let compressed = try connection.readResponse()

        #expect(compressed.status == 200)
        #expect(compressed.header("Content-Encoding") == "gzip")
        #expect(compressed.header("Vary")?.contains("Accept-Encoding") == true)
        #expect(compressed.header("ETag") == "W/\"html-v1\"")
        #expect(compressed.body.count < identity.body.count / 4)
        #expect(try gunzip(compressed.body) == identity.body)
    }

    @Test func htmlIsIdentityWithoutAcceptEncoding() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }

        let response = try gateway.get("/storeA/html")

        #expect(response.status == 200)
        #expect(response.header("Content-Encoding") == nil)
        #expect(response.header("Vary")?.contains("Accept-Encoding") == true)
        #expect(response.header("ETag") == "\"html-v1\"")
        #expect(response.text.hasPrefix("<!doctype html>"))
        #expect(response.text.contains("Welcome to storeA."))
    }

    @Test func gzippedOriginBodyPassesThroughForGzipClient() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }

        let response = try gateway.get("/storeA/gzipped", fields: ["Accept-Encoding: gzip"])

        #expect(response.status == 200)
        #expect(response.header("Content-Encoding") == "gzip")
        #expect(response.body == SampleOrigin.gzippedHello)
    }

    @Test func gzippedOriginBodyIsDecompressedForIdentityClient() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }

        let response = try gateway.get("/storeA/gzipped")

        #expect(response.status == 200)
        #expect(response.header("Content-Encoding") == nil)
        #expect(response.text == "hello from a gzip-encoded origin\n")
    }
}
