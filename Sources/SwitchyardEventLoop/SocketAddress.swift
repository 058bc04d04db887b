// IPv4 and IPv6 socket addresses: parsing, formatting and conversion to sockaddr.

import CLinux
import Glibc

/// An IPv4 or IPv6 address with a port.
public struct SocketAddress: Equatable, Sendable, CustomStringConvertible {
    public enum Family: Sendable, Equatable { case ipv4, ipv6 }

    /// The address as text without brackets, for example `127.0.0.1` or `::1`.
    public let host: String
    public let port: Int
    public let family: Family

    /// Parses an IP literal and a port; returns nil for anything that is not an IP literal.
    public init?(ipAddress host: String, port: Int) {
        guard (0...65535).contains(port) else { return nil }
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            family = .ipv4
        } else if inet_pton(AF_INET6, host, &v6) == 1 {
            family = .ipv6
        } else {
            return nil
        }
        self.host = host
        self.port = port
    }

    /// Reads the address from a `sockaddr_storage` filled in by the kernel.
    public init?(storage: sockaddr_storage) {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            let (host, port) = withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var sin = address.pointee.sin_addr
                    return (Self.format(AF_INET, &sin), Int(UInt16(bigEndian: address.pointee.sin_port)))
                }
            }
            self.host = host
            self.port = port
            family = .ipv4
        case AF_INET6:
            let (host, port) = withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var sin6 = address.pointee.sin6_addr
                    return (Self.format(AF_INET6, &sin6), Int(UInt16(bigEndian: address.pointee.sin6_port)))
                }
            }
            self.host = host
            self.port = port
            family = .ipv6
        default:
            return nil
        }
    }

    public var description: String {
        family == .ipv6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Calls `body` with this address as a `sockaddr` pointer and its length.
    public func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
        switch family {
        case .ipv4:
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            inet_pton(AF_INET, host, &address.sin_addr)
            return try withUnsafePointer(to: &address) { pointer in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    try body($0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        case .ipv6:
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = UInt16(port).bigEndian
            inet_pton(AF_INET6, host, &address.sin6_addr)
            return try withUnsafePointer(to: &address) { pointer in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    try body($0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
    }

    private static func format(_ family: Int32, _ address: UnsafeRawPointer) -> String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        guard inet_ntop(family, address, &text, socklen_t(text.count)) != nil else { return "?" }
        return String(cString: text)
    }

    /// Resolves a host name or IP literal to addresses with `getaddrinfo`. This blocks; call it off the loop.
    public static func resolve(host: String, port: Int) throws -> [SocketAddress] {
        if let literal = SocketAddress(ipAddress: host, port: port) {
            return [literal]
        }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0, let first = result else {
            throw ResolveError(host: host, message: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(first) }
        var addresses: [SocketAddress] = []
        var current: UnsafeMutablePointer<addrinfo>? = first
        while let entry = current {
            var storage = sockaddr_storage()
            memcpy(&storage, entry.pointee.ai_addr, Int(entry.pointee.ai_addrlen))
            if let address = SocketAddress(storage: storage), !addresses.contains(address) {
                addresses.append(address)
            }
            current = entry.pointee.ai_next
        }
        return addresses
    }
}

/// A host name that did not resolve.
public struct ResolveError: Error, CustomStringConvertible {
    public let host: String
    public let message: String

    public init(host: String, message: String) {
        self.host = host
        self.message = message
    }

    public var description: String { "could not resolve \"\(host)\": \(message)" }
}
