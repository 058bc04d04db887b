// Streams 1 GiB each way through the in-process gateway and checks that its memory stays bounded.

import Foundation
import Testing

/// Serialized so the two transfers do not share the CPU or the process's memory.
@Suite(.serialized) struct LargeBodyTests {
    static let size = 1 << 30
    /// The growth of this process's resident memory allowed during one transfer.
    static let memoryAllowance = 300 << 20

    @Test func oneGiBDownloadStreamsWithBoundedMemory() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }
        let connection = try gateway.connect()
        let baseline = try residentMemoryBytes()
        var peak = baseline
        var received = 0
        var nextSample = 0
        let started = Date()

        try connection.send(GatewayHarness.request("GET", "/storeA/bytes/\(Self.size)"))
        let response = try connection.readResponse(method: "GET") { piece in
            received += piece.count
            if received >= nextSample {
                nextSample += 16 << 20
                peak = max(peak, (try? residentMemoryBytes()) ?? 0)
            }
        }
        let seconds = Date().timeIntervalSince(started)

        #expect(response.status == 200)
        #expect(received == Self.size)
        #expect(peak - baseline < Self.memoryAllowance, "resident memory grew by \(peak - baseline) bytes")
        #expect(seconds < 60, "1 GiB download took \(seconds) s")
        print("1 GiB download: \(String(format: "%.1f", seconds)) s, resident memory \(baseline >> 20) MiB at start, \(peak >> 20) MiB at peak")
    }

    @Test func oneGiBUploadStreamsWithBoundedMemory() throws {
        let gateway = try GatewayHarness()
        defer { gateway.stop() }
        let connection = try gateway.connect()
        let piece = [UInt8](repeating: UInt8(ascii: "u"), count: 256 << 10)
        let baseline = try residentMemoryBytes()
        var peak = baseline
        var sent = 0
        let started = Date()

        try connection.send("POST /storeA/upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(Self.size)\r\n\r\n")
        while sent < Self.size {
            try connection.send(piece)
            sent += piece.count
            if sent % (16 << 20) == 0 {
                peak = max(peak, try residentMemoryBytes())
            }
        }
        let response = try connection.readResponse()
        let seconds = Date().timeIntervalSince(started)

        #expect(response.status == 200)
        #expect(response.json["bytes"] as? Int == Self.size)
        #expect(peak - baseline < Self.memoryAllowance, "resident memory grew by \(peak - baseline) bytes")
        #expect(seconds < 60, "1 GiB upload took \(seconds) s")
        print("1 GiB upload: \(String(format: "%.1f", seconds)) s, resident memory \(baseline >> 20) MiB at start, \(peak >> 20) MiB at peak")
    }
}
