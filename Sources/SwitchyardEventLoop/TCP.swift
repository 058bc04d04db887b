// Listening and connecting TCP sockets, non-blocking and close-on-exec.

import CLinux
import Glibc

/// TCP socket creation.
public enum TCP {
    /// Opens a non-blocking listening socket. `reusePort` sets `SO_REUSEPORT` so that each event loop can bind
    /// its own socket to the same port and the kernel spreads connections among them.
    public static func listen(on address: SocketAddress, backlog: Int32 = 1024, reusePort: Bool) throws -> Int32 {
        let domain = address.family == .ipv4 ? AF_INET : AF_INET6
        let fd = socket(domain, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemCallError(call: "socket", errno: errno) }
        do {
            try Socket.setOption(fd, level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
            if reusePort {
                try Socket.setOption(fd, level: SOL_SOCKET, name: SO_REUSEPORT, value: 1)
            }
            if address.family == .ipv6 {
                try Socket.setOption(fd, level: Int32(IPPROTO_IPV6), name: IPV6_V6ONLY, value: 1)
            }
            let status = address.withSockAddr { Glibc.bind(fd, $0, $1) }
            guard status == 0 else { throw SystemCallError(call: "bind(\(address))", errno: errno) }
            guard Glibc.listen(fd, backlog) == 0 else { throw SystemCallError(call: "listen", errno: errno) }
            return fd
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    /// Returns the local address a socket is bound to, for example the port chosen for port 0.
    public static func localAddress(_ fd: Int32) throws -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard status == 0, let address = SocketAddress(storage: storage) else {
            throw SystemCallError(call: "getsockname", errno: errno)
        }
        return address
    }

    /// Accepts one connection as a non-blocking socket; returns nil when none is pending.
    public static func accept(_ listener: Int32) throws -> (fd: Int32, peer: SocketAddress?)? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        while true {
            let fd = withUnsafeMutablePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    CLinux_accept4(listener, $0, &length, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
                }
            }
            if fd >= 0 {
                return (fd, SocketAddress(storage: storage))
            }
            let error = errno
            switch error {
            case EINTR, ECONNABORTED, EPROTO:
                continue
            case EAGAIN, EWOULDBLOCK:
                return nil
            default:
                throw SystemCallError(call: "accept4", errno: error)
            }
        }
    }

    /// Starts a non-blocking connect. Returns the socket; completion is signalled by writability, after which
    /// `Socket.pendingError` reports whether it succeeded.
    public static func startConnect(to address: SocketAddress) throws -> Int32 {
        let domain = address.family == .ipv4 ? AF_INET : AF_INET6
        let fd = socket(domain, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemCallError(call: "socket", errno: errno) }
        try? Socket.setOption(fd, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
        let status = address.withSockAddr { Glibc.connect(fd, $0, $1) }
        if status == 0 || errno == EINPROGRESS {
            return fd
        }
        let error = errno
        Glibc.close(fd)
        throw SystemCallError(call: "connect(\(address))", errno: error)
    }
}
