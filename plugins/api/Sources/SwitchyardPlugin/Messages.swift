// Request and response heads, local responses and the upstream a request is forwarded to.

/// The head of a request: method, request target as received (still percent-encoded) and fields.
public struct RequestHead: Equatable, Sendable {
    public var method: String
    /// The request target exactly as received, for example `/storeA/cart?id=1`.
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders

    public init(method: String, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = [:]) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
    }

    /// The target without its query, still percent-encoded.
    public var path: Substring {
        if let question = target.firstIndex(of: "?") {
            return target[..<question]
        }
        return target[...]
    }

    /// The query including its leading `?`, or an empty string.
    public var query: Substring {
        if let question = target.firstIndex(of: "?") {
            return target[question...]
        }
        return ""
    }
}

/// The head of a response: status code, reason phrase and fields.
public struct ResponseHead: Equatable, Sendable {
    public var status: Int
    public var reason: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders

    public init(status: Int, reason: String? = nil, version: HTTPVersion = .http1_1, headers: HTTPHeaders = [:]) {
        self.status = status
        self.reason = reason ?? HTTPStatus.reasonPhrase(status)
        self.version = version
        self.headers = headers
    }
}

/// An HTTP version as major and minor digits.
public struct HTTPVersion: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    public var description: String { "HTTP/\(major).\(minor)" }
}

/// A complete response that the gateway sends without contacting an origin, for example a 404 page.
public struct LocalResponse: Equatable, Sendable {
    public var head: ResponseHead
    public var body: [UInt8]

    public init(head: ResponseHead, body: [UInt8]) {
        self.head = head
        self.body = body
    }

    /// A `text/plain; charset=utf-8` response with the given status and body.
    public static func text(_ status: Int, _ text: String) -> LocalResponse {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "text/plain; charset=utf-8")
        return LocalResponse(head: ResponseHead(status: status, headers: headers), body: Array(text.utf8))
    }
}

/// The origin a request is forwarded to, chosen in the upstream selection phase.
public struct Upstream: Equatable, Sendable {
    /// How the gateway treats 3xx responses from this origin.
    public enum RedirectMode: String, Equatable, Sendable {
        /// Passes 3xx responses to the client, rewriting a `Location` that points at the origin.
        case pass
        /// Follows redirects on the gateway, up to 20 hops, as the Fetch standard's `redirect: "follow"`.
        case follow
    }

    /// `http` or `https`.
    public var scheme: String
    /// The host name or IP literal, without brackets.
    public var host: String
    public var port: Int
    /// The request target sent to the origin: the origin's base path, then the client's path after the
    /// storefront segment, then the query, all still percent-encoded.
    public var target: String
    /// The path prefix of the configured origin URL, without a trailing slash; used to rewrite `Location`.
    public var basePath: String
    /// Whether an `https` origin's certificate is verified. Only an explicit route setting turns it off.
    public var verifyCertificate: Bool
    /// A PEM file of trusted CA certificates that replaces the system trust store, or nil.
    public var caFile: String?
    public var redirectMode: RedirectMode
    /// The path prefix on the gateway that maps to the origin's base path, for example `/storeA`.
    public var gatewayPrefix: String

    public init(
        scheme: String, host: String, port: Int, target: String, basePath: String = "",
        verifyCertificate: Bool = true, caFile: String? = nil, redirectMode: RedirectMode = .pass,
        gatewayPrefix: String = ""
    ) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.target = target
        self.basePath = basePath
        self.verifyCertificate = verifyCertificate
        self.caFile = caFile
        self.redirectMode = redirectMode
        self.gatewayPrefix = gatewayPrefix
    }

    /// The authority sent in `Host`: the host, bracketed if it is an IPv6 literal, with the port unless it is the
    /// scheme's default.
    public var authority: String {
        // Byte checks and concatenation instead of Character iteration and interpolation: this runs per request.
        let isIPv6 = host.utf8.contains(UInt8(ascii: ":"))
        let hostPart = isIPv6 ? "[" + host + "]" : host
        let defaultPort = scheme == "https" ? 443 : 80
        return port == defaultPort ? hostPart : hostPart + ":" + String(port)
    }

    /// The origin as `scheme://authority`.
    public var origin: String { "\(scheme)://\(authority)" }
}

/// Reason phrases for the status codes the gateway sends.
public enum HTTPStatus {
    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 101: return "Switching Protocols"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 206: return "Partial Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 303: return "See Other"
        case 304: return "Not Modified"
        case 307: return "Temporary Redirect"
        case 308: return "Permanent Redirect"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 417: return "Expectation Failed"
        case 421: return "Misdirected Request"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        default: return ""
        }
    }
}
