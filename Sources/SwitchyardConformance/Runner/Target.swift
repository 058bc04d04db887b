// The proxy under test: where it listens, how to reach it over TLS, and which route leads to the scripted origin.

import Foundation
import SwitchyardEventLoop

/// A proxy under test, on a loopback address only.
public struct Target: Sendable {
    /// The host as given (`localhost`, `127.0.0.1`, `::1`), used in Host and as the default SNI name.
    public let host: String
    public let port: Int
    let address: SocketAddress
    public let usesTLS: Bool
    /// The path prefix routed to the scripted origin, such as `/conf`; stripped by the proxy.
    public let prefix: String
    /// The SNI name sent; nil sends none (an IP address host sends none by default).
    public var serverName: String?
    /// A second name the target has a different certificate for, for SNI selection cases.
    public var alternateName: String?
    public var caFile: String?
    public var insecure: Bool
    /// The longest time, in seconds, the target takes to time out a slow client or a silent origin.
    public var slowTimeout: Double
    var capabilities: Set<Capability>

    /// Checks that `url` is `http(s)://HOST:PORT` with a loopback host, and builds the target.
    public init(url: String, prefix: String, serverName: String? = nil, alternateName: String? = nil,
                caFile: String? = nil, insecure: Bool = false, slowTimeout: Double = 10) throws {
        let (scheme, host, port) = try Self.parse(url)
        guard let address = Self.loopbackAddress(host, port: port) else {
            throw ConformanceError(
                "refusing target host \"\(host)\": the suite only sends traffic to loopback addresses "
                    + "(127.0.0.0/8, ::1, localhost); run it on the proxy's machine against a loopback listener")
        }
        guard prefix.hasPrefix("/"), !prefix.hasSuffix("/"), prefix.count > 1 else {
            throw ConformanceError("invalid prefix \"\(prefix)\": use a path such as /conf, with no trailing slash")
        }
        self.host = host
        self.port = port
        self.address = address
        self.usesTLS = scheme == "https"
        self.prefix = prefix
        let isIP = SocketAddress(ipAddress: host, port: port) != nil
        self.serverName = serverName ?? (isIP ? nil : host)
        self.alternateName = alternateName
        self.caFile = caFile
        self.insecure = insecure
        self.slowTimeout = slowTimeout
        var capabilities: Set<Capability> = []
        if usesTLS {
            capabilities.insert(.tls)
        }
        if alternateName != nil {
            capabilities.insert(.alternateName)
        }
        self.capabilities = capabilities
    }

    /// The authority for the Host field: `host:port`, with brackets for IPv6.
    public var authority: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    func tlsOptions(serverName: String? = nil, alpn: [String] = ["http/1.1"]) -> TLSClientOptions {
        let name = serverName ?? self.serverName
        return TLSClientOptions(
            serverName: name, verifyName: name ?? host, caFile: caFile, insecure: insecure, alpn: alpn)
    }

    static func parse(_ url: String) throws -> (scheme: String, host: String, port: Int) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "https" || scheme == "http", var host = components.host, !host.isEmpty
        else {
            throw ConformanceError("invalid --target \"\(url)\": use https://HOST:PORT, for example https://127.0.0.1:8443")
        }
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65535).contains(port) else {
            throw ConformanceError("invalid port in --target \"\(url)\"")
        }
        guard components.path.isEmpty || components.path == "/", components.query == nil else {
            throw ConformanceError("--target \"\(url)\" must not have a path or query; give the path with --prefix")
        }
        return (scheme, host, port)
    }

    /// Returns the address for a loopback host, or nil for any other host.
    static func loopbackAddress(_ host: String, port: Int) -> SocketAddress? {
        if host.lowercased() == "localhost" {
            return SocketAddress(ipAddress: "127.0.0.1", port: port)
        }
        guard let address = SocketAddress(ipAddress: host, port: port) else {
            return nil
        }
        switch address.family {
        case .ipv4:
            return host.split(separator: ".").first == "127" ? address : nil
        case .ipv6:
            return address.host == "::1" || host == "::1" || host == "0:0:0:0:0:0:0:1" ? address : nil
        }
    }
}

/// A mistake in the suite's options or set-up, reported before any case runs.
public struct ConformanceError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
