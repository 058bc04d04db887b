// A blocking HTTP/1.1 client on loopback for the integration tests: one connection, keep-alive, bounded reads.

import Foundation
import Glibc

/// A parsed response.
struct HTTPResponse {
    var status: Int
    var headers: [(String, String)]
    var body: String

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// One client connection to 127.0.0.1:port. Reads time out after 20 seconds so a broken gateway fails the
/// test instead of hanging it.
final class HTTPClient {
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
    }

    deinit {
        close(fd)
    }

    /// Sends a GET with the given fields (no body).
    func sendGet(_ target: String, headers: [String: String] = [:]) {
        var text = "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            text += "\(name): \(value)\r\n"
        }
        text += "\r\n"
        _ = text.withCString { write(fd, $0, strlen($0)) }
    }

    /// Sends a GET and reads its response.
    func get(_ target: String, headers: [String: String] = [:]) throws -> HTTPResponse {
        sendGet(target, headers: headers)
        return try readResponse()
    }

    /// Reads one response framed by Content-Length or chunked encoding.
    func readResponse() throws -> HTTPResponse {
        let headEnd = try readUntil(Array("\r\n\r\n".utf8))
        let headText = String(decoding: buffer[..<headEnd], as: UTF8.self)
        buffer.removeFirst(headEnd + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw POSIXError(.EPROTO) }
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var response = HTTPResponse(status: status, headers: headers, body: "")
        if let length = response.header("Content-Length").flatMap(Int.init) {
            response.body = String(decoding: try readCount(length), as: UTF8.self)
        } else if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            response.body = try readChunked()
        }
        return response
    }

    private func readChunked() throws -> String {
        var body: [UInt8] = []
        while true {
            let lineEnd = try readUntil(Array("\r\n".utf8))
            let size = Int(String(decoding: buffer[..<lineEnd], as: UTF8.self), radix: 16) ?? 0
            buffer.removeFirst(lineEnd + 2)
            if size == 0 {
                _ = try readUntil(Array("\r\n".utf8))
                buffer.removeFirst(2)
                return String(decoding: body, as: UTF8.self)
            }
            body += try readCount(size)
            _ = try readCount(2)
        }
    }

    private func readCount(_ count: Int) throws -> [UInt8] {
        while buffer.count < count {
            try fill()
        }
        let bytes = Array(buffer[..<count])
        buffer.removeFirst(count)
        return bytes
    }

    private func readUntil(_ marker: [UInt8]) throws -> Int {
        while true {
            if buffer.count >= marker.count {
                for start in 0...(buffer.count - marker.count) where Array(buffer[start..<start + marker.count]) == marker {
                    return start
                }
            }
            guard buffer.count < 1 << 20 else { throw POSIXError(.EMSGSIZE) }
            try fill()
        }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let count = read(fd, &chunk, chunk.count)
        guard count > 0 else { throw POSIXError(count == 0 ? .ECONNRESET : .ETIMEDOUT) }
        buffer += chunk[0..<count]
    }
}
