// Data tests: 1 MiB round trip with partial writes, close_notify versus truncation, and a real TCP connection.
import Foundation
import Glibc
import SwitchyardTLS
import Testing

@Suite struct TLSDataTests {
    let folder: TemporaryFolder
    let certificate: TestCertificate
    let server: TLSServerContext

    init() throws {
        folder = try TemporaryFolder()
        certificate = try TestCertificate(in: folder, name: "server", dnsNames: ["localhost"],
                                          ipAddresses: ["127.0.0.1"])
        server = try TLSServerContext(certificates: [certificate.pair])
    }

    func connectedPair(sockets: ConnectedSockets? = nil, serverName: String = "localhost") throws -> TLSPair {
        let client = try TLSClientContext(verify: true, caFile: certificate.cert)
        let pair = try TLSPair(server: server, client: client, serverName: serverName, sockets: sockets)
        let outcome = try pair.handshake()
        guard outcome.client.isCompleted, outcome.server.isCompleted else {
            throw TestFailure(description: "handshake failed: \(outcome)")
        }
        return pair
    }

    static let mebibyte: [UInt8] = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }

    @Test func roundTripOfOneMebibyteWithPartialWrites() throws {
        // Socket buffers bigger than one 16 KiB record but far below 1 MiB: each write call sends a record
        // (a short write) and the writer regularly fills the socket (wantWrite).
        let pair = try connectedPair(sockets: ConnectedSockets.unixPair(bufferSize: 65_536))

        let upstream = try Driver.transfer(Self.mebibyte, from: pair.client, to: pair.server)
        #expect(upstream.received == Self.mebibyte)
        #expect(upstream.shortWrites > 0)
        #expect(upstream.wantWrites > 0)

        let downstream = try Driver.transfer(upstream.received, from: pair.server, to: pair.client)
        #expect(downstream.received == Self.mebibyte)
        #expect(downstream.shortWrites > 0)
        #expect(downstream.wantWrites > 0)
        #expect(pair.server.connection.pendingBytes == 0)
    }

    @Test func closeNotifyReadsAsClosed() throws {
        let pair = try connectedPair()
        let message = Array("last words".utf8)
        _ = try Driver.transfer(message, from: pair.client, to: pair.server)

        pair.client.connection.shutdown()
        pair.client.connection.shutdown()
        let end = try Driver.readToEnd(pair.server)
        #expect(end.end == .closed)

        pair.server.connection.shutdown()
        let clientEnd = try Driver.readToEnd(pair.client)
        #expect(clientEnd.end == .closed)
    }

    @Test func tcpEOFWithoutCloseNotifyReadsAsEOF() throws {
        let pair = try connectedPair()
        let message = Array("truncated".utf8)
        let sent = try message.withUnsafeBytes { try pair.client.connection.write($0) }
        #expect(sent == .bytes(message.count))

        Glibc.shutdown(pair.client.fd, Int32(SHUT_WR))
        let end = try Driver.readToEnd(pair.server)
        #expect(end.data == message)
        #expect(end.end == .eof)

        pair.server.connection.shutdown()
    }

    @Test func shutdownBeforeHandshakeIsHarmless() throws {
        let client = try TLSClientContext(verify: false, caFile: nil)
        let pair = try TLSPair(server: server, client: client, serverName: "localhost")
        pair.client.connection.shutdown()
        pair.server.connection.shutdown()
        #expect(try pair.client.connection.handshake() == .wantRead)
    }

    @Test func plaintextClientFailsServerHandshake() throws {
        let sockets = try ConnectedSockets.unixPair()
        let connection = try TLSConnection(server: server, fd: sockets.serverFD)
        let request = Array("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)
        #expect(request.withUnsafeBytes { Glibc.write(sockets.clientFD, $0.baseAddress, $0.count) } == request.count)

        let error = try #require(throws: TLSError.self) { try connection.handshake() }
        #expect(error.description.contains("TLS handshake failed"))
        connection.shutdown()
    }

    @Test func peerClosingDuringHandshakeReadsAsEOF() throws {
        let sockets = try ConnectedSockets.unixPair()
        let connection = try TLSConnection(server: server, fd: sockets.serverFD)
        #expect(try connection.handshake() == .wantRead)

        Glibc.shutdown(sockets.clientFD, Int32(SHUT_WR))
        #expect(try connection.handshake() == .eof)
    }

    @Test func handshakeAndEchoOverTCP() throws {
        let pair = try connectedPair(sockets: ConnectedSockets.tcpPair(), serverName: "127.0.0.1")
        #expect(pair.client.connection.protocolVersion == "TLSv1.3")

        let request = Array("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        let received = try Driver.transfer(request, from: pair.client, to: pair.server)
        #expect(received.received == request)
        let reply = try Driver.transfer(Array(Self.mebibyte.prefix(200_000)), from: pair.server, to: pair.client)
        #expect(reply.received == Array(Self.mebibyte.prefix(200_000)))

        pair.client.connection.shutdown()
        #expect(try Driver.readToEnd(pair.server).end == .closed)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")))
    func curlFetchesOverTLS() throws {
        let listener = try TCPListener()
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = [
            "--silent", "--show-error", "--max-time", "10", "--http1.1", "--cacert", certificate.cert,
            "--resolve", "localhost:\(listener.port):127.0.0.1", "--write-out", " %{http_code}",
            "https://localhost:\(listener.port)/",
        ]
        let output = Pipe()
        curl.standardOutput = output
        try curl.run()

        let fd = try listener.acceptOne()
        defer { close(fd) }
        let endpoint = Endpoint(connection: try TLSConnection(server: server, fd: fd), fd: fd)
        try serveOneResponse(endpoint)
        curl.waitUntilExit()

        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(curl.terminationStatus == 0)
        #expect(text == "ok 200")
        #expect(endpoint.connection.negotiatedALPN == "http/1.1")
        #expect(endpoint.connection.serverName == "localhost")
    }

    /// Handshakes, reads one request head and sends `200 ok` with Connection: close.
    private func serveOneResponse(_ endpoint: Endpoint) throws {
        var result = try endpoint.connection.handshake()
        while result != .bytes(0) {
            try Poller.wait([(endpoint.fd, Poller.events(for: result))])
            result = try endpoint.connection.handshake()
        }
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: request, as: UTF8.self).contains("\r\n\r\n") {
            let read = try buffer.withUnsafeMutableBytes { try endpoint.connection.read(into: $0) }
            switch read {
            case .bytes(let count):
                request.append(contentsOf: buffer[0..<count])
            case .wantRead, .wantWrite:
                try Poller.wait([(endpoint.fd, Poller.events(for: read))])
            case .closed, .eof:
                throw TestFailure(description: "curl closed before sending a request")
            }
        }
        let response = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".utf8)
        var written = 0
        while written < response.count {
            let write = try response[written...].withUnsafeBytes { try endpoint.connection.write($0) }
            if case .bytes(let count) = write {
                written += count
            } else {
                try Poller.wait([(endpoint.fd, Poller.events(for: write))])
            }
        }
        endpoint.connection.shutdown()
    }
}
