// Thin wrappers over the socket system calls: EINTR retried, EAGAIN mapped to would-block, errno thrown by name.

import CLinux
import Glibc

/// A failed system call: its name and errno.
public struct SystemCallError: Error, CustomStringConvertible, Equatable, Sendable {
    public let call: String
    public let errno: Int32

    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    public var description: String {
        "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// The result of a non-blocking read or write.
public enum IOResult: Equatable, Sendable {
    /// This many bytes moved; a read of zero bytes is reported as `.eof`.
    case bytes(Int)
    /// The socket is not ready; wait for readiness.
    case wouldBlock
    /// The peer closed its sending side.
    case eof
}

/// Non-blocking socket calls.
public enum Socket {
    /// Reads into `buffer`, retrying on EINTR.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws -> IOResult {
        while true {
            let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if count > 0 { return .bytes(count) }
            if count == 0 { return .eof }
            let error = errno
            if error == EINTR { continue }
            if error == EAGAIN || error == EWOULDBLOCK { return .wouldBlock }
            throw SystemCallError(call: "read", errno: error)
        }
    }

    /// Writes `bytes`, retrying on EINTR; partial writes return the count written.
    public static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws -> IOResult {
        while true {
            let count = Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if count >= 0 { return .bytes(count) }
            let error = errno
            if error == EINTR { continue }
            if error == EAGAIN || error == EWOULDBLOCK { return .wouldBlock }
            throw SystemCallError(call: "send", errno: error)
        }
    }

    /// Writes two buffers with one `writev`, so a response head and its body leave in one system call.
    public static func writev(_ fd: Int32, _ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) throws
        -> IOResult
    {
        var vectors = (
            iovec(iov_base: UnsafeMutableRawPointer(mutating: first.baseAddress), iov_len: first.count),
            iovec(iov_base: UnsafeMutableRawPointer(mutating: second.baseAddress), iov_len: second.count)
        )
        return try withUnsafeBytes(of: &vectors) { raw in
            let pointer = raw.baseAddress!.assumingMemoryBound(to: iovec.self)
            while true {
                let count = Glibc.writev(fd, pointer, 2)
                if count >= 0 { return .bytes(count) }
                let error = errno
                if error == EINTR { continue }
                if error == EAGAIN || error == EWOULDBLOCK { return .wouldBlock }
                throw SystemCallError(call: "writev", errno: error)
            }
        }
    }

    /// Closes `fd`, ignoring errors: after close the descriptor is gone whatever close returned.
    public static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// Sets an integer socket option.
    public static func setOption(_ fd: Int32, level: Int32, name: Int32, value: Int32) throws {
        var value = value
        guard setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw SystemCallError(call: "setsockopt", errno: errno)
        }
    }

    /// Returns and clears the pending socket error (`SO_ERROR`), used after a non-blocking connect.
    public static func pendingError(_ fd: Int32) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length) == 0 else { return errno }
        return value
    }
}
