// A tiny authorisation service on 127.0.0.1 for the tests: one thread per connection, blocking sockets.

import Foundation
import Glibc

/// Answers `X-Auth-Token: good` with `200 alice`, `slow` with `200 slow-user` once `releaseSlow` is signalled,
/// and anything else with `403`.
final class AuthService: @unchecked Sendable {
    private(set) var port = 0
    private var listener: Int32 = -1
    /// Signalled when a `slow` request arrived.
    let slowArrived = DispatchSemaphore(value: 0)
    /// Signal once per `slow` request to let it be answered.
    let releaseSlow = DispatchSemaphore(value: 0)

    func start() throws {
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(listener, socketAddress, length) == 0 && listen(listener, 16) == 0
                    && getsockname(listener, socketAddress, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in acceptLoop() }.start()
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            Thread { [self] in serve(client) }.start()
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while head.count < 16 * 1024, !String(decoding: head, as: UTF8.self).contains("\r\n\r\n") {
            let count = read(client, &buffer, buffer.count)
            guard count > 0 else { return }
            head += buffer[0..<count]
        }
        let token = String(decoding: head, as: UTF8.self).split(separator: "\r\n")
            .first { $0.lowercased().hasPrefix("x-auth-token:") }
            .map { $0.dropFirst("x-auth-token:".count).trimmingCharacters(in: .whitespaces) } ?? ""
        let (status, body): (String, String)
        switch token {
        case "good": (status, body) = ("200 OK", "alice")
        case "slow":
            slowArrived.signal()
            releaseSlow.wait()
            (status, body) = ("200 OK", "slow-user")
        default: (status, body) = ("403 Forbidden", "no")
        }
        let response = "HTTP/1.1 \(status)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        _ = response.withCString { write(client, $0, strlen($0)) }
    }
}
