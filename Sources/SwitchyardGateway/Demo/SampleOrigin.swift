// A small HTTP/1.1 origin server on loopback for the demo and the tests, one thread per connection.

import Foundation
import Glibc
import SwitchyardEventLoop
import SwitchyardHTTP1
import SwitchyardPlugin

/// A sample storefront origin. It answers on 127.0.0.1 with a few endpoints that exercise the gateway:
///
/// - `/bytes/N` returns N bytes with Content-Length, `/chunked/N` the same chunked;
/// - `/html` returns a compressible HTML page, `/gzipped` a body already gzip-encoded;
/// - `/redirect/N` redirects N times before answering, `/redirect-to?url=U` redirects to U;
/// - `/status/N` answers with status N, `/slow?ms=N` waits N milliseconds first;
/// - `/upload` reads the body and returns its size and FNV-1a checksum as JSON;
/// - `/drop` closes the connection without answering;
/// - any other path returns the request as received (method, target, fields, body size) as JSON.
///
/// Blocking I/O on a thread per connection keeps it simple; it is for samples and tests, not for load.
public final class SampleOrigin: @unchecked Sendable {
    /// The name shown in responses, for example `storeA`.
    public let name: String
    public private(set) var port: Int = 0
    private var listenFD: Int32 = -1
    private let stopped = NSLock()
    private var isStopped = false
    /// The number of TCP connections accepted so far, so tests can check connection reuse.
    public var acceptedConnections: Int { counterLock.withLock { accepted } }
    private var accepted = 0
    private let counterLock = NSLock()

    public init(name: String) {
        self.name = name
    }

    /// Binds 127.0.0.1 on `port` (0 picks a free one) and starts accepting on a background thread.
    public func start(port: Int = 0) throws {
        let address = SocketAddress(ipAddress: "127.0.0.1", port: port)!
        listenFD = try TCP.listen(on: address, reusePort: false)
        self.port = try TCP.localAddress(listenFD).port
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "sample-origin-\(name)"
        thread.start()
    }

    /// Stops accepting; connections in progress finish on their own. Safe to call more than once.
    ///
    /// Only the accept thread closes the listening socket, after it left `poll` and `accept`: closing it here
    /// could let the descriptor number be reused by another socket while that thread still uses it.
    public func stop() {
        let first = stopped.withLock { () -> Bool in
            defer { isStopped = true }
            return !isStopped
        }
        guard first else { return }
        Glibc.shutdown(listenFD, Int32(SHUT_RDWR))
    }

    private func acceptLoop() {
        defer { Glibc.close(listenFD) }
        while !stopped.withLock({ isStopped }) {
            var pollFD = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
            guard poll(&pollFD, 1, 200) > 0 else { continue }
            let accepted: (fd: Int32, peer: SocketAddress?)?
            do {
                accepted = try TCP.accept(listenFD)
            } catch {
                return
            }
            guard let (fd, _) = accepted else { continue }
            counterLock.withLock { self.accepted += 1 }
            let thread = Thread { [self] in serve(fd) }
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        // The accepted socket is non-blocking; this server wants blocking reads with a timeout.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        // A head and a body written separately would otherwise wait for the peer's delayed ACK.
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        defer { Glibc.close(fd) }
        var connection = OriginConnection(fd: fd)
        while let request = connection.readRequest() {
            connection.omitsBody = request.head.method == "HEAD"
            guard respond(to: request, on: &connection) else { return }
            if !request.head.keepAlive { return }
        }
    }

    private func respond(to request: OriginRequest, on connection: inout OriginConnection) -> Bool {
        let path = request.head.target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
        let query = request.head.target.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
        let parts = path.split(separator: "/").map(String.init)
        switch parts.first {
        case "bytes":
            let count = Int(parts.dropFirst().first ?? "") ?? 0
            return connection.sendRepeated(count: count, chunked: false, contentType: "application/octet-stream")
        case "chunked":
            let count = Int(parts.dropFirst().first ?? "") ?? 0
            return connection.sendRepeated(count: count, chunked: true, contentType: "text/plain")
        case "html":
            let paragraph = "<p>Welcome to \(name). This page is served by a sample origin behind Switchyard.</p>\n"
            let page = "<!doctype html>\n<html><body>\n" + String(repeating: paragraph, count: 40) + "</body></html>\n"
            return connection.send(status: 200, fields: [("Content-Type", "text/html; charset=utf-8"),
                                                         ("ETag", "\"html-v1\"")], body: Array(page.utf8))
        case "gzipped":
            return connection.send(status: 200, fields: [("Content-Type", "text/plain"), ("Content-Encoding", "gzip")],
                                   body: SampleOrigin.gzippedHello)
        case "redirect":
            let remaining = Int(parts.dropFirst().first ?? "") ?? 0
            if remaining <= 0 {
                return connection.send(status: 200, fields: [("Content-Type", "text/plain")],
                                       body: Array("redirected\n".utf8))
            }
            return connection.send(status: 302, fields: [("Location", "/redirect/\(remaining - 1)")], body: [])
        case "redirect-to":
            let url = query.hasPrefix("url=") ? String(query.dropFirst(4)).removingPercentEncoding ?? "" : ""
            return connection.send(status: 302, fields: [("Location", url)], body: [])
        case "status":
            let status = Int(parts.dropFirst().first ?? "") ?? 200
            let body = status == 204 || status == 304 ? [] : Array("status \(status)\n".utf8)
            return connection.send(status: status, fields: [("Content-Type", "text/plain")], body: body)
        case "slow":
            let milliseconds = Int(query.split(separator: "=").last ?? "") ?? 1000
            usleep(UInt32(min(milliseconds, 600_000)) * 1000)
            return connection.send(status: 200, fields: [("Content-Type", "text/plain")], body: Array("slow\n".utf8))
        case "upload":
            let body = "{\"bytes\":\(request.bodyBytes),\"checksum\":\"\(String(request.bodyChecksum, radix: 16))\"}"
            return connection.send(status: 200, fields: [("Content-Type", "application/json")], body: Array(body.utf8))
        case "drop":
            return false
        default:
            return connection.send(status: 200, fields: [("Content-Type", "application/json")],
                                   body: echo(request))
        }
    }

    private func echo(_ request: OriginRequest) -> [UInt8] {
        let object: [String: Any] = [
            "origin": name,
            "method": request.head.method,
            "target": request.head.target,
            "headers": request.head.fields.map { [$0.name, $0.value] },
            "bodyBytes": request.bodyBytes,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Array(data) + [0x0A]
    }

    /// "hello from a gzip-encoded origin\n", gzip-encoded, as the demo's pre-compressed sample.
    static let gzippedHello: [UInt8] = [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x57, 0x48, 0x2b,
        0xca, 0xcf, 0x55, 0x48, 0x54, 0x48, 0xaf, 0xca, 0x2c, 0xd0, 0x4d, 0xcd, 0x4b, 0xce, 0x4f, 0x49, 0x4d, 0x51,
        0xc8, 0x2f, 0xca, 0x4c, 0xcf, 0xcc, 0xe3, 0x02, 0x00, 0x01, 0x91, 0xd5, 0x48, 0x21, 0x00, 0x00, 0x00,
    ]
}

/// A request as the sample origin read it: the head, and the body's size and checksum.
struct OriginRequest {
    var head: HTTP1RequestHead
    var bodyBytes = 0
    var bodyChecksum: UInt64 = 0xcbf29ce484222325
}

/// Blocking request reading and response writing for one sample origin connection.
struct OriginConnection {
    let fd: Int32
    private var buffer = [UInt8](repeating: 0, count: 65536)
    private var start = 0
    private var end = 0
    private var decoder = HTTP1RequestDecoder(limits: HTTP1Limits())
    /// Whether responses leave out their body, as a response to HEAD must (RFC 9110 section 9.3.2).
    var omitsBody = false

    init(fd: Int32) {
        self.fd = fd
    }

    /// Reads one whole request, hashing its body; nil on EOF, timeout or a parse error.
    mutating func readRequest() -> OriginRequest? {
        var request: OriginRequest?
        while true {
            let result: (consumed: Int, event: HTTP1Event?)
            do {
                result = try buffer.withUnsafeBytes { bytes in
                    try decoder.decode(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                }
            } catch {
                return nil
            }
            let base = start
            start += result.consumed
            switch result.event {
            case .head:
                guard let head = decoder.head else { return nil }
                request = OriginRequest(head: head)
            case .body(let range):
                guard var current = request else { return nil }
                current.bodyBytes += range.count
                for index in range {
                    current.bodyChecksum = (current.bodyChecksum ^ UInt64(buffer[base + index])) &* 0x100000001b3
                }
                request = current
            case .end:
                return request
            case nil:
                guard readMore() else { return nil }
            }
        }
    }

    /// Moves unconsumed bytes to the front and reads more after them; false on EOF, error or timeout.
    private mutating func readMore() -> Bool {
        if start > 0 {
            let leftover = Array(buffer[start..<end])
            buffer.replaceSubrange(0..<leftover.count, with: leftover)
            end = leftover.count
            start = 0
        }
        guard end < buffer.count else { return false }
        let count = buffer.withUnsafeMutableBytes { bytes in
            Glibc.read(fd, bytes.baseAddress! + end, bytes.count - end)
        }
        guard count > 0 else { return false }
        end += count
        return true
    }

    func send(status: Int, fields: [(String, String)], body: [UInt8]) -> Bool {
        var head = "HTTP/1.1 \(status) \(HTTPStatus.reasonPhrase(status))\r\n"
        for (name, value) in fields {
            head += "\(name): \(value)\r\n"
        }
        if status != 204, status != 304 {
            head += "Content-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        return writeAll(Array(head.utf8) + (omitsBody ? [] : body))
    }

    func sendRepeated(count: Int, chunked: Bool, contentType: String) -> Bool {
        var head = "HTTP/1.1 200 OK\r\nContent-Type: \(contentType)\r\n"
        head += chunked ? "Transfer-Encoding: chunked\r\n\r\n" : "Content-Length: \(count)\r\n\r\n"
        guard writeAll(Array(head.utf8)) else { return false }
        if omitsBody { return true }
        let piece = [UInt8](repeating: UInt8(ascii: "x"), count: 64 * 1024)
        var remaining = count
        while remaining > 0 {
            let size = min(remaining, piece.count)
            var bytes: [UInt8] = []
            if chunked { bytes += Array((String(size, radix: 16) + "\r\n").utf8) }
            bytes += piece[0..<size]
            if chunked { bytes += [0x0D, 0x0A] }
            guard writeAll(bytes) else { return false }
            remaining -= size
        }
        return chunked ? writeAll(Array("0\r\n\r\n".utf8)) : true
    }

    func writeAll(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }
}
