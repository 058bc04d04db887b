// The gzip middleware: compresses responses for clients that accept gzip, and decompresses gzip for those that don't.

import SwitchyardPlugin

/// Compresses response bodies with gzip when the client accepts it and the media type is in the list.
///
/// Options: `level` (1-9, default 6), `minLength` (bytes, default 256; a response whose `Content-Length` is
/// smaller stays uncompressed) and `types` (media types, `text/*` style wildcards allowed).
///
/// A response that already has a `Content-Encoding` passes through byte for byte, except a gzip body for a client
/// that does not accept gzip, which is decompressed. Nothing is compressed for HEAD, 1xx, 204, 206 or 304
/// responses, with `Content-Range` or with `Cache-Control: no-transform`. When compressing, the middleware sets
/// `Content-Encoding: gzip`, removes `Content-Length` and `Accept-Ranges`, weakens a strong `ETag` and adds
/// `Vary: Accept-Encoding`. `Vary` is also added when the client did not accept gzip but the response would have
/// been compressed otherwise.
///
/// Thread-safe: the settings are immutable; each response gets its own filter. Cost: deflate runs on the event
/// loop thread for every byte of a compressed body. In a release build on a 2-core development VM, level 6 took
/// about 3-4 ns per input byte of HTML-like text and about 8 µs for a whole 2,000-byte response, far more than
/// the rest of a request's handling. Each compressed response in flight holds up to about 270 KiB of zlib state.
/// A known `Content-Length` shrinks the window, and so that state, for small bodies.
public final class GzipMiddleware: Middleware {
    static let defaultTypes = [
        "text/html", "text/plain", "text/css", "text/xml", "text/javascript", "application/javascript",
        "application/json", "application/xml", "image/svg+xml",
    ]

    /// The deflate level, 1 (fastest) to 9 (smallest).
    public let level: Int
    /// Responses with a smaller `Content-Length` are not compressed.
    public let minLength: Int
    /// Compressible media types.
    let compressibleTypes: MediaTypeMatcher
    /// Compressible media types, lowercased, without wildcards.
    var exactTypes: Set<String> { compressibleTypes.exactTypes }
    /// Top-level types given as `type/*`, lowercased.
    var wildcardTypes: Set<String> { compressibleTypes.wildcardTypes }
    private let logger: Logger

    public var phases: MiddlewarePhases { .responseHead }

    private struct Options: Decodable {
        var level: Int?
        var minLength: Int?
        var types: [String]?
    }

    /// Validates the options.
    public init(options: MiddlewareOptions, environment: PluginEnvironment? = nil) throws {
        try options.rejectUnknownKeys(["level", "minLength", "types"])
        let decoded = try options.decode(Options.self)

        level = decoded.level ?? 6
        guard (1...9).contains(level) else {
            throw ConfigurationError(key: "\(options.keyPath).level", message: "\(level) is out of range; use 1 to 9")
        }
        minLength = decoded.minLength ?? 256
        guard minLength >= 0 else {
            throw ConfigurationError(
                key: "\(options.keyPath).minLength", message: "\(minLength) is negative; use a byte count of 0 or more")
        }
        var exact: Set<String> = []
        var wildcard: Set<String> = []
        for (index, type) in (decoded.types ?? Self.defaultTypes).enumerated() {
            let parts = type.lowercased().split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, HTTPSyntax.isToken(parts[0]), parts[0] != "*",
                parts[1] == "*" || HTTPSyntax.isToken(parts[1])
            else {
                throw ConfigurationError(
                    key: "\(options.keyPath).types[\(index)]",
                    message: "\"\(type)\" is not a media type; write type/subtype or type/*, for example text/html")
            }
            if parts[1] == "*" {
                wildcard.insert(String(parts[0]))
            } else {
                exact.insert(type.lowercased())
            }
        }
        compressibleTypes = MediaTypeMatcher(exactTypes: exact, wildcardTypes: wildcard)
        logger = environment?.logger ?? .disabled
    }

    public func responseHead(_ context: RequestContext, _ head: inout ResponseHead) {
        guard Self.mayHaveBody(head.status), head.status != 206 else { return }
        // The cheap checks on the response come first: most responses are not compressible, and for them the
        // request's Accept-Encoding is never parsed.
        let fields = GzipResponseFields(head.headers)
        guard !fields.forbidsTransform, !fields.hasContentRange else { return }

        if fields.hasContentEncoding {
            decodeIfNeeded(context, &head)
            return
        }
        guard let contentType = fields.contentType, compressibleTypes.matches(contentType: contentType) else { return }
        let length = fields.contentLengthValue
        if let length, length < minLength {
            return
        }
        ContentNegotiation.addVaryAcceptEncoding(&head.headers)
        guard ContentNegotiation.acceptsGzip(context.request.headers), context.request.method != "HEAD" else { return }
        let level = Int32(level)
        install({ try GzipEncoder(level: level, expectedLength: length) }, "deflateInit2", context, &head) { headers in
            headers.set("Content-Encoding", "gzip")
            headers.remove("Accept-Ranges")
        }
    }

    /// Decompresses a gzip body for a client that does not accept gzip; other encoded responses pass unchanged.
    private func decodeIfNeeded(_ context: RequestContext, _ head: inout ResponseHead) {
        let request = context.request
        guard !ContentNegotiation.acceptsGzip(request.headers), request.method != "HEAD", Self.isGzipOnly(head.headers)
        else { return }
        install(GzipDecoder.init, "inflateInit2", context, &head) { headers in
            headers.remove("Content-Encoding")
        }
    }

    /// Creates the filter, then changes the framing fields. When zlib cannot set up (out of memory), the response
    /// goes out unchanged and a warning is logged.
    private func install(
        _ makeFilter: () throws -> ResponseBodyFilter, _ operation: String, _ context: RequestContext,
        _ head: inout ResponseHead, editHeaders: (inout HTTPHeaders) -> Void
    ) {
        let filter: ResponseBodyFilter
        do {
            filter = try makeFilter()
        } catch {
            context.logger.warning("gzip \(operation) failed; response sent unchanged", metadata: ["error": "\(error)"])
            return
        }
        context.addResponseBodyFilter(filter)
        editHeaders(&head.headers)
        head.headers.remove("Content-Length")
        ContentNegotiation.weakenETag(&head.headers)
        ContentNegotiation.addVaryAcceptEncoding(&head.headers)
    }

    /// Whether a response with this status can carry a body (RFC 9110 section 6.4.1).
    private static func mayHaveBody(_ status: Int) -> Bool {
        status >= 200 && status != 204 && status != 304
    }

    /// Whether `Content-Encoding` names exactly one coding, gzip.
    private static func isGzipOnly(_ headers: HTTPHeaders) -> Bool {
        let codings = headers.listValues("Content-Encoding")
        return codings.count == 1 && ["gzip", "x-gzip"].contains(codings[0].lowercased())
    }
}
