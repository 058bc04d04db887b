// Redirect handling: rewriting an origin's Location onto the gateway, and following redirects as Fetch does.

import SwitchyardPlugin

enum Redirects {
    /// Rewrites a `Location` that points at the origin so it points at the same resource through the gateway:
    /// `https://origin/base/x` and `/base/x` become `/<storefront>/x`. Other locations are returned unchanged.
    static func rewriteLocation(_ location: String, upstream: Upstream) -> String {
        var path: Substring
        if location.hasPrefix("/") && !location.hasPrefix("//") {
            path = location[...]
        } else if let parsed = OriginURL(location), parsed.scheme == upstream.scheme,
            parsed.host.lowercased() == upstream.host.lowercased(), parsed.port == upstream.port
        {
            path = parsed.target[...]
        } else {
            return location
        }
        if !upstream.basePath.isEmpty {
            guard path.hasPrefix(upstream.basePath) else { return location }
            path = path.dropFirst(upstream.basePath.count)
            if !path.isEmpty, !path.hasPrefix("/"), !path.hasPrefix("?") { return location }
        }
        if path.isEmpty || path.hasPrefix("?") {
            return upstream.gatewayPrefix + "/" + path
        }
        return upstream.gatewayPrefix + path
    }

    /// The next hop of a followed redirect: where to go and with which method. Nil when the status is not a
    /// followable redirect.
    struct Hop: Equatable {
        var upstream: Upstream
        var method: String
        /// Whether the request body is dropped (303, and 301/302 after POST, per the Fetch standard).
        var dropsBody: Bool
    }

    static let followableStatuses: Set<Int> = [301, 302, 303, 307, 308]

    /// Computes the next request for a redirect response, following the Fetch standard's method rules:
    /// 303 turns any method but HEAD into GET, 301 and 302 turn POST into GET, 307 and 308 keep both.
    static func nextHop(status: Int, location: String, method: String, current: Upstream) -> Hop? {
        guard followableStatuses.contains(status) else { return nil }
        guard let target = resolve(location, against: current) else { return nil }
        var method = method
        var dropsBody = false
        if (status == 303 && method != "GET" && method != "HEAD") || ((status == 301 || status == 302) && method == "POST") {
            method = "GET"
            dropsBody = true
        }
        return Hop(upstream: target, method: method, dropsBody: dropsBody)
    }

    /// Resolves `location` against the current request URL. Only http and https results are accepted.
    static func resolve(_ location: String, against current: Upstream) -> Upstream? {
        var next = current
        if let parsed = OriginURL(location) {
            next.scheme = parsed.scheme
            next.host = parsed.host
            next.port = parsed.port
            next.target = parsed.target
            return next
        }
        if location.hasPrefix("//") {
            return resolve(current.scheme + ":" + location, against: current)
        }
        if location.contains(":") && !location.hasPrefix("/") && !location.hasPrefix("?") {
            // A scheme other than http or https, such as ftp: or javascript:.
            let scheme = location.prefix { $0 != ":" }
            if scheme.allSatisfy({ $0.isLetter || $0 == "+" || $0 == "-" || $0 == "." }) { return nil }
        }
        if location.hasPrefix("/") {
            next.target = location
        } else if location.hasPrefix("?") {
            let path = current.target.prefix { $0 != "?" }
            next.target = path + location
        } else {
            let path = current.target.prefix { $0 != "?" }
            let directory = path[..<(path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.endIndex)]
            next.target = (directory.isEmpty ? "/" : String(directory)) + location
        }
        if let fragment = next.target.firstIndex(of: "#") {
            next.target = String(next.target[..<fragment])
        }
        return next
    }
}

/// An absolute http or https URL split into scheme, host, port and target. Hand-written because it runs per
/// redirect and Foundation's URL accepts more than an HTTP origin needs.
struct OriginURL: Equatable {
    var scheme: String
    var host: String
    var port: Int
    /// The path and query, at least `/`, fragment removed.
    var target: String

    init?(_ text: String) {
        guard let schemeEnd = text.range(of: "://") else { return nil }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") {
            authority = authority[authority.index(after: at)...]
        }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { return nil }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { return nil }
        let defaultPort = scheme == "https" ? 443 : 80
        var port = defaultPort
        if let portText, !portText.isEmpty {
            guard let value = Int(portText), (1...65535).contains(value) else { return nil }
            port = value
        }
        var target = String(rest[authorityEnd...])
        if let fragment = target.firstIndex(of: "#") {
            target = String(target[..<fragment])
        }
        if target.isEmpty || target.hasPrefix("?") {
            target = "/" + target
        }
        self.scheme = scheme
        self.host = String(host)
        self.port = port
        self.target = target
    }
}
