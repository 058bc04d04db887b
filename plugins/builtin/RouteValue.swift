// Parsing of a routing value: the JSON object stored under a storefront id, and its origin URL.

import SwitchyardPlugin

/// An invalid routing value. The message names the wrong field and what a valid value looks like.
struct RouteValueError: Error, Equatable, CustomStringConvertible {
    let message: String

    var description: String { message }
}

/// An origin URL split into its parts: `scheme://host[:port][/base/path]`.
struct OriginURL: Equatable {
    /// `http` or `https`, lowercased.
    var scheme: String
    /// The host name or IP literal, without brackets.
    var host: String
    var port: Int
    /// The path prefix without a trailing slash, or empty.
    var basePath: String
}

/// The parsed value stored under a storefront id, for example
/// `{"origin": "https://storefront-a.example.com", "redirect": "follow"}`. Unknown fields are ignored so that
/// other tools can keep their own data in the value.
struct RouteValue: Equatable {
    var origin: OriginURL
    /// The storefront's redirect mode, or nil to use the middleware's default.
    var redirect: Upstream.RedirectMode?
    var verifyTLS: Bool
    var caFile: String?

    /// Parses the stored bytes.
    static func parse(_ bytes: [UInt8]) throws -> RouteValue {
        let fields = try RouteValueJSON.parse(bytes)
        guard let originText = fields.origin else {
            throw RouteValueError(message: "field \"origin\" is missing; set it to the storefront's http(s) URL")
        }
        let redirect = try fields.redirect.map { text in
            guard let mode = Upstream.RedirectMode(rawValue: text) else {
                throw RouteValueError(message: "redirect \"\(text)\" is invalid; use \"pass\" or \"follow\"")
            }
            return mode
        }
        if let caFile = fields.caFile, !caFile.hasPrefix("/") {
            throw RouteValueError(message: "caFile \"\(caFile)\" must be an absolute path")
        }
        return RouteValue(
            origin: try OriginURL.parse(originText), redirect: redirect, verifyTLS: fields.verifyTLS ?? true,
            caFile: fields.caFile)
    }
}

extension OriginURL {
    /// Parses an absolute http or https URL with a host, an optional port and an optional path, and no user info,
    /// query or fragment. Parsed by hand because this runs on every request.
    static func parse(_ text: String) throws -> OriginURL {
        let (scheme, afterScheme) = try splitScheme(text)
        guard !text.utf8.contains(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) else {
            throw RouteValueError(message: "origin \"\(text)\" must not contain a query or fragment")
        }
        let authorityEnd = text.utf8[afterScheme...].firstIndex(of: UInt8(ascii: "/")) ?? text.endIndex
        let authority = text[afterScheme..<authorityEnd]
        let path = text[authorityEnd...]
        guard path.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw RouteValueError(message: "origin \"\(text)\" has a space, control or non-ASCII byte in its path")
        }
        let (host, port) = try splitAuthority(authority, of: text, defaultPort: scheme == "https" ? 443 : 80)
        var basePath = path
        while basePath.utf8.last == UInt8(ascii: "/") {
            basePath = basePath.dropLast()
        }
        return OriginURL(scheme: scheme, host: host, port: port, basePath: String(basePath))
    }

    private static func splitScheme(_ text: String) throws -> (scheme: String, rest: String.Index) {
        if let end = ASCII.prefixEnd(text[...], "http://"), end < text.endIndex {
            return ("http", end)
        }
        if let end = ASCII.prefixEnd(text[...], "https://"), end < text.endIndex {
            return ("https", end)
        }
        throw RouteValueError(message: "origin \"\(text)\" must be an absolute http:// or https:// URL with a host")
    }

    private static func splitAuthority(
        _ authority: Substring, of text: String, defaultPort: Int
    ) throws -> (host: String, port: Int) {
        guard !authority.utf8.contains(UInt8(ascii: "@")) else {
            throw RouteValueError(message: "origin \"\(text)\" must not contain user info")
        }
        let hostPart: Substring
        let portPart: Substring?
        if authority.utf8.first == UInt8(ascii: "[") {
            guard let close = authority.utf8.firstIndex(of: UInt8(ascii: "]")) else {
                throw RouteValueError(message: "origin \"\(text)\" has an IPv6 literal without its closing \"]\"")
            }
            hostPart = authority[authority.utf8.index(after: authority.startIndex)..<close]
            let afterClose = authority[authority.utf8.index(after: close)...]
            guard afterClose.isEmpty || afterClose.utf8.first == UInt8(ascii: ":") else {
                throw RouteValueError(message: "origin \"\(text)\" has text after the IPv6 literal; use [addr]:port")
            }
            portPart = afterClose.isEmpty ? nil : afterClose.dropFirst()
            try checkIPv6(hostPart, of: text)
        } else {
            let colon = authority.utf8.firstIndex(of: UInt8(ascii: ":"))
            hostPart = authority[..<(colon ?? authority.endIndex)]
            portPart = colon.map { authority[authority.utf8.index(after: $0)...] }
            try checkHostName(hostPart, of: text)
        }
        let port = try portPart.map { try parsePort($0, of: text) } ?? defaultPort
        return (String(hostPart), port)
    }

    private static func checkIPv6(_ host: Substring, of text: String) throws {
        let allowed = host.utf8.allSatisfy { byte in
            let lower = byte | 0x20
            let isHexLetter = lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "f")
            return isDigit(byte) || isHexLetter || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".")
        }
        guard allowed, host.utf8.contains(UInt8(ascii: ":")) else {
            throw RouteValueError(message: "origin \"\(text)\" has an invalid IPv6 literal \"\(host)\"")
        }
    }

    private static func checkHostName(_ host: Substring, of text: String) throws {
        guard !host.isEmpty else {
            throw RouteValueError(message: "origin \"\(text)\" has no host")
        }
        let allowed = host.utf8.allSatisfy { byte in
            isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
        }
        guard allowed else {
            throw RouteValueError(message: "origin \"\(text)\" has an invalid host \"\(host)\"; use a DNS name or IP")
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        let lower = byte | 0x20
        return isDigit(byte) || (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z"))
    }

    private static func parsePort(_ text: Substring, of origin: String) throws -> Int {
        guard !text.isEmpty, text.utf8.count <= 5, text.utf8.allSatisfy(isDigit),
            let port = Int(text), port >= 1, port <= 65535
        else {
            throw RouteValueError(message: "origin \"\(origin)\" has an invalid port \"\(text)\"; use 1-65535")
        }
        return port
    }
}

/// Checks a routing value exactly as `routing-lookup` reads it, so `switchyard kv put` rejects what the gateway
/// would answer with 500. Returns the problem, or nil for a valid value.
public func routingValueProblem(_ bytes: [UInt8]) -> String? {
    do {
        _ = try RouteValue.parse(bytes)
        return nil
    } catch {
        return "\(error)"
    }
}
