// A raw-socket origin on loopback whose behaviour each test scripts, for malformed or unusual responses.

import Foundation
import Glibc
import SwitchyardEventLoop

/// An origin that accepts connections on 127.0.0.1 and runs `script` for each one on its own thread.
///
/// The script gets a blocking connection with a 10-second receive timeout, so a broken test cannot hang it.
final class ScriptedOrigin: @unchecked Sendable {
    let port: Int
    private let listenFD: Int32
    private let script: @Sendable (ScriptedOriginConnection) -> Void
    private let lock = NSLock()
    private var stopped = false
    private var requestHeads: [String] = []

    init(script: @escaping @Sendable (ScriptedOriginConnection) -> Void) throws {
        guard let address = SocketAddress(ipAddress: "127.0.0.1", port: 0) else {
            throw HarnessError("cannot build the address 127.0.0.1:0")
        }
        listenFD = try TCP.listen(on: address, reusePort: false)
        port = try TCP.localAddress(listenFD).port
        self.script = script
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Every request head read by a script through `readHead()`, in arrival order.
    var receivedHeads: [String] {
        lock.withLock { requestHeads }
    }

    /// Stops accepting; safe to call more than once. The accept thread closes the listening socket itself, so
    /// its descriptor number cannot be reused by another test's socket while that thread still polls it.
    func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        Glibc.shutdown(listenFD, Int32(SHUT_RDWR))
    }

    private func acceptLoop() {
        defer { Glibc.close(listenFD) }
        while !lock.withLock({ stopped }) {
            var descriptor = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 100) > 0 else { continue }
            guard let accepted = try? TCP.accept(listenFD) else { return }
            let connection = ScriptedOriginConnection(fd: accepted.fd) { [self] head in
                lock.withLock { requestHeads.append(head) }
            }
            let thread = Thread { [script] in
                script(connection)
                connection.close()
            }
            thread.start()
        }
    }

    /// Returns a port on 127.0.0.1 where nothing listens, by binding one and closing it again, so a connect is refused.
    static func closedPort() throws -> Int {
        guard let address = SocketAddress(ipAddress: "127.0.0.1", port: 0) else {
            throw HarnessError("cannot build the address 127.0.0.1:0")
        }
        let fd = try TCP.listen(on: address, reusePort: false)
        defer { Glibc.close(fd) }
        return try TCP.localAddress(fd).port
    }
}

/// One accepted origin connection in blocking mode.
final class ScriptedOriginConnection: @unchecked Sendable {
    let fd: Int32
    private let recordHead: (String) -> Void
    private var buffered: [UInt8] = []
    private var closed = false

    init(fd: Int32, recordHead: @escaping (String) -> Void) {
        self.fd = fd
        self.recordHead = recordHead
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Reads up to the end of a request head and returns it without the final CRLF CRLF; nil on EOF or timeout.
    /// A body is left unread.
    func readHead() -> String? {
        let terminator: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]
        while true {
            if let end = firstIndex(of: terminator) {
                let head = String(decoding: buffered[0..<end], as: UTF8.self)
                buffered.removeFirst(end + 4)
                recordHead(head)
                return head
            }
            var chunk = [UInt8](repeating: 0, count: 16 * 1024)
            let count = chunk.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            buffered.append(contentsOf: chunk[0..<count])
        }
    }

    private func firstIndex(of pattern: [UInt8]) -> Int? {
        guard buffered.count >= pattern.count else { return nil }
        for start in 0...(buffered.count - pattern.count) where Array(buffered[start..<start + pattern.count]) == pattern {
            return start
        }
        return nil
    }

    func write(_ text: String) {
        write(Array(text.utf8))
    }

    func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return }
            offset += count
        }
    }

    /// Closes the socket; later calls do nothing, so a script may close early.
    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
    }
}
