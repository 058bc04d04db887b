// Blocking TCP sockets with a deadline on every read and write, for the client side and the scripted origin.

import Foundation
import Glibc
import SwitchyardEventLoop

/// The result of one bounded read.
enum ReadResult: Equatable {
    case data([UInt8])
    /// The peer closed its side; `clean` is false for a TCP close without TLS close_notify.
    case closed(clean: Bool)
    case reset
    case timedOut
    case failed(String)
}

/// A connected blocking TCP socket; every call waits at most until the deadline it is given.
///
/// Threading: one thread uses a socket at a time; `close()` may race with a blocked read from another thread,
/// which then returns `.failed` or `.closed`.
final class BlockingSocket: @unchecked Sendable {
    let fd: Int32
    private let lock = NSLock()
    private var isClosed = false

    init(fd: Int32) {
        self.fd = fd
        var on: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit {
        close()
    }

    /// Connects to `address`, waiting at most `timeout` seconds.
    static func connect(to address: SocketAddress, timeout: Double) throws -> BlockingSocket {
        let family = address.family == .ipv4 ? AF_INET : AF_INET6
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            throw CaseError("socket() failed: \(String(cString: strerror(errno)))")
        }
        let socket = BlockingSocket(fd: fd)
        socket.setTimeouts(timeout)
        let result = address.withSockAddr { pointer, length in Glibc.connect(fd, pointer, length) }
        guard result == 0 else {
            throw CaseError("connect to \(address) failed: \(String(cString: strerror(errno)))")
        }
        return socket
    }

    /// Sets SO_RCVTIMEO and SO_SNDTIMEO; zero or less becomes one millisecond, because zero means no timeout.
    func setTimeouts(_ seconds: Double) {
        let bounded = max(seconds, 0.001)
        var value = timeval(tv_sec: Int(bounded), tv_usec: Int((bounded - Double(Int(bounded))) * 1_000_000))
        let size = socklen_t(MemoryLayout<timeval>.size)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, size)
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, size)
    }

    /// Writes all of `bytes` before `deadline`.
    func write(_ bytes: [UInt8], deadline: Deadline) throws {
        var offset = 0
        while offset < bytes.count {
            setTimeouts(deadline.remaining)
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 {
                if errno == EINTR {
                    continue
                }
                throw CaseError("send failed: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Reads what is available, waiting until `deadline` for at least one byte.
    func read(deadline: Deadline, maximum: Int = 65_536) -> ReadResult {
        guard !deadline.hasPassed else {
            return .timedOut
        }
        setTimeouts(deadline.remaining)
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                return .data(Array(buffer[0..<count]))
            }
            if count == 0 {
                return .closed(clean: true)
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .timedOut
            case ECONNRESET: return .reset
            default: return .failed("recv failed: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Closes the write side only, so the peer reads end of stream while this side can still read.
    func shutdownWrite() {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    /// Closes with a TCP reset instead of a FIN (SO_LINGER with a zero timeout).
    func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close()
    }

    func close() {
        let first = lock.withLock {
            defer { isClosed = true }
            return !isClosed
        }
        if first {
            Glibc.shutdown(fd, Int32(SHUT_RDWR))
            Glibc.close(fd)
        }
    }
}

/// A point in time after which a wait gives up.
struct Deadline {
    let instant: ContinuousClock.Instant

    static func after(_ seconds: Double) -> Deadline {
        Deadline(instant: .now + .milliseconds(Int64(seconds * 1000)))
    }

    /// Seconds left, zero when passed.
    var remaining: Double {
        let left = instant - .now
        let seconds = Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18
        return max(seconds, 0)
    }

    var hasPassed: Bool {
        ContinuousClock.now >= instant
    }
}
