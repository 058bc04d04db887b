// A blocking test client over plain TCP or TLS with a deadline on every wait, plus a parsed HTTP/1.1 response.

import Foundation
import Glibc
@testable import SwitchyardTLS

/// A failure in the test machinery itself, such as a timeout or a malformed response.
struct HarnessError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// One HTTP/1.1 response as received: the head text, the parsed fields and the de-chunked body.
struct TestResponse {
    var status: Int
    var reason: String
    /// The head exactly as received, status line and fields, without the final empty line.
    var rawHead: String
    var fields: [(name: String, value: String)]
    var body: [UInt8]
    /// Whether the body was sent with `Transfer-Encoding: chunked`.
    var chunked: Bool

    /// Returns the first value of the field `name`, compared case-insensitively.
    func header(_ name: String) -> String? {
        fields.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Returns every value of the field `name`, in order.
    func headers(_ name: String) -> [String] {
        fields.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    var text: String {
        String(decoding: body, as: UTF8.self)
    }

    /// The body parsed as a JSON object, or an empty dictionary when it is not one.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }
}

/// A client socket driven with poll(2), so that every read and write waits at most `timeout` seconds.
///
/// The socket is non-blocking; over TLS the `TLSConnection` drives it and this type polls on `.wantRead` and
/// `.wantWrite`. Not thread-safe: one test uses one connection.
final class TestConnection {
    let fd: Int32
    let tls: TLSConnection?
    /// Seconds a single read or write may wait before the test fails.
    var timeout: Double
    /// Bytes read from the socket but not yet returned.
    private var pending: [UInt8] = []
    private var closed = false

    /// Connects over plain TCP to 127.0.0.1:`port`.
    convenience init(plainPort port: Int, timeout: Double = 10) throws {
        try self.init(fd: Self.connect(port: port), tls: nil, timeout: timeout)
    }

    /// Connects over TLS to 127.0.0.1:`port`, verifying the certificate against `caFile` for `serverName`.
    convenience init(tlsPort port: Int, caFile: String, serverName: String = "localhost", alpn: [String] = [],
                     timeout: Double = 10) throws {
        let context = try TLSClientContext(verify: true, caFile: caFile, alpn: alpn)
        try self.init(tlsPort: port, context: context, serverName: serverName, timeout: timeout)
    }

    /// Connects over TLS with a prepared client context and completes the handshake.
    convenience init(tlsPort port: Int, context: TLSClientContext, serverName: String, timeout: Double = 10) throws {
        let fd = try Self.connect(port: port)
        let connection: TLSConnection
        do {
            connection = try TLSConnection(client: context, fd: fd, serverName: serverName)
        } catch {
            Glibc.close(fd)
            throw error
        }
        try self.init(fd: fd, tls: connection, timeout: timeout)
        try handshake()
    }

    private init(fd: Int32, tls: TLSConnection?, timeout: Double) throws {
        self.fd = fd
        self.tls = tls
        self.timeout = timeout
    }

    deinit {
        close()
    }

    func close() {
        guard !closed else { return }
        closed = true
        tls?.shutdown()
        Glibc.close(fd)
    }

    private static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket failed: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let message = String(cString: strerror(errno))
            Glibc.close(fd)
            throw HarnessError("connect to 127.0.0.1:\(port) failed: \(message)")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        return fd
    }

    // MARK: Waiting

    /// Waits until the socket is ready for `events`; throws when `timeout` passes first.
    private func wait(for events: Int32, _ action: String) throws {
        var descriptor = pollfd(fd: fd, events: Int16(events), revents: 0)
        let result = poll(&descriptor, 1, Int32(timeout * 1000))
        if result == 0 {
            throw HarnessError("timed out after \(timeout) s waiting to \(action)")
        }
        if result < 0 && errno != EINTR {
            throw HarnessError("poll failed: \(String(cString: strerror(errno)))")
        }
    }

    private func handshake() throws {
        guard let tls else { return }
        while true {
            switch try tls.handshake() {
            case .bytes: return
            case .wantRead: try wait(for: POLLIN, "read during the TLS handshake")
            case .wantWrite: try wait(for: POLLOUT, "write during the TLS handshake")
            case .closed, .eof: throw HarnessError("the server closed the connection during the TLS handshake")
            }
        }
    }

    // MARK: Writing

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    /// Writes every byte, waiting at most `timeout` for each step of progress.
    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = try bytes.withUnsafeBytes { raw in
                try writeSome(UnsafeRawBufferPointer(rebasing: raw[offset...]))
            }
            offset += written
        }
    }

    private func writeSome(_ bytes: UnsafeRawBufferPointer) throws -> Int {
        while true {
            if let tls {
                switch try tls.write(bytes) {
                case .bytes(let count): return count
                case .wantRead: try wait(for: POLLIN, "write (TLS wants to read)")
                case .wantWrite: try wait(for: POLLOUT, "write")
                case .closed, .eof: throw HarnessError("the server closed the connection while the client wrote")
                }
                continue
            }
            let count = Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if count >= 0 { return count }
            guard errno == EAGAIN || errno == EINTR else {
                throw HarnessError("send failed: \(String(cString: strerror(errno)))")
            }
            try wait(for: POLLOUT, "write")
        }
    }

    // MARK: Reading

    /// Reads what arrives next into `buffer`: the byte count, or 0 at the end of the stream.
    private func readSome(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            if let tls {
                switch try tls.read(into: buffer) {
                case .bytes(let count): return count
                case .wantRead: try wait(for: POLLIN, "read")
                case .wantWrite: try wait(for: POLLOUT, "read (TLS wants to write)")
                case .closed, .eof: return 0
                }
                continue
            }
            let count = Glibc.recv(fd, buffer.baseAddress, buffer.count, 0)
            if count >= 0 { return count }
            if errno == ECONNRESET { return 0 }
            guard errno == EAGAIN || errno == EINTR else {
                throw HarnessError("recv failed: \(String(cString: strerror(errno)))")
            }
            try wait(for: POLLIN, "read")
        }
    }

    /// Appends the next bytes to `pending`; false at the end of the stream.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let count = try chunk.withUnsafeMutableBytes { try readSome(into: $0) }
        guard count > 0 else { return false }
        pending.append(contentsOf: chunk[0..<count])
        return true
    }

    /// Reads until the server closes the connection and returns every byte not yet returned.
    func readUntilClosed() throws -> [UInt8] {
        while try fill() {}
        defer { pending.removeAll() }
        return pending
    }

    /// Returns whether the server closed the connection with no further bytes, waiting at most `timeout`.
    func serverClosed() throws -> Bool {
        try readUntilClosed().isEmpty
    }

    /// Reads one line ending in CRLF, without the CRLF.
    private func readLine() throws -> String {
        while true {
            if let index = findCRLF(from: 0) {
                let line = String(decoding: pending[0..<index], as: UTF8.self)
                pending.removeFirst(index + 2)
                return line
            }
            guard try fill() else { throw HarnessError("the connection closed in the middle of a line") }
        }
    }

    private func findCRLF(from start: Int) -> Int? {
        guard pending.count >= 2, start < pending.count - 1 else { return nil }
        for index in start..<(pending.count - 1) where pending[index] == 0x0D && pending[index + 1] == 0x0A {
            return index
        }
        return nil
    }

    /// Reads exactly `count` bytes, handing them to `sink` in pieces so a large body need not be kept.
    private func readExactly(_ count: Int, _ sink: (ArraySlice<UInt8>) -> Void) throws {
        var remaining = count
        while remaining > 0 {
            if pending.isEmpty, try !fill() {
                throw HarnessError("the connection closed with \(remaining) of \(count) body bytes missing")
            }
            let take = min(remaining, pending.count)
            sink(pending[0..<take])
            pending.removeFirst(take)
            remaining -= take
        }
    }

    // MARK: Responses

    /// Reads one response head: the status line and fields up to the empty line.
    func readHead() throws -> TestResponse {
        var lines: [String] = []
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            lines.append(line)
            guard lines.count <= 200 else { throw HarnessError("response head has more than 200 lines") }
        }
        guard let statusLine = lines.first else { throw HarnessError("empty response head") }
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0] == "HTTP/1.1", let status = Int(parts[1]) else {
            throw HarnessError("invalid status line \"\(statusLine)\"")
        }
        var fields: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw HarnessError("invalid field line \"\(line)\"") }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            fields.append((String(line[..<colon]), value))
        }
        return TestResponse(
            status: status, reason: parts.count > 2 ? String(parts[2]) : "",
            rawHead: lines.joined(separator: "\r\n"), fields: fields, body: [], chunked: false)
    }

    /// Reads one complete response to a request with `method`, keeping the body.
    func readResponse(method: String = "GET") throws -> TestResponse {
        var body: [UInt8] = []
        var response = try readResponse(method: method) { body.append(contentsOf: $0) }
        response.body = body
        return response
    }

    /// Reads one complete response and hands its body to `sink` piece by piece; the returned body stays empty.
    func readResponse(method: String, bodySink sink: (ArraySlice<UInt8>) -> Void) throws -> TestResponse {
        var response = try readHead()
        if method == "HEAD" || (100...199).contains(response.status) || response.status == 204
            || response.status == 304
        {
            return response
        }
        if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            response.chunked = true
            try readChunkedBody(sink)
        } else if let lengthText = response.header("Content-Length") {
            guard let length = Int(lengthText), length >= 0 else {
                throw HarnessError("invalid Content-Length \"\(lengthText)\"")
            }
            try readExactly(length, sink)
        } else {
            let rest = try readUntilClosed()
            sink(rest[...])
        }
        return response
    }

    private func readChunkedBody(_ sink: (ArraySlice<UInt8>) -> Void) throws {
        while true {
            let sizeLine = try readLine()
            let sizeText = sizeLine.split(separator: ";").first.map(String.init) ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size >= 0 else {
                throw HarnessError("invalid chunk size line \"\(sizeLine)\"")
            }
            if size == 0 {
                while try !readLine().isEmpty {}
                return
            }
            try readExactly(size, sink)
            guard try readLine().isEmpty else { throw HarnessError("chunk data not followed by CRLF") }
        }
    }
}
