// Public value types of the HTTP/1.1 codec: fields, framing, limits, heads, events and the parse error.

/// One header or trailer field, with the name as received and the value trimmed of surrounding whitespace.
public struct HTTP1Field: Equatable, Sendable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// The rule that finds the end of a message body (RFC 9112 section 6).
public enum BodyFraming: Equatable, Sendable {
    /// No body: a request without Content-Length or Transfer-Encoding, or a HEAD, 1xx, 204 or 304 response.
    case none
    /// Exactly this many body bytes follow the head.
    case contentLength(UInt64)
    /// The body is in chunked transfer coding.
    case chunked
    /// The body ends when the server closes the connection (responses only).
    case untilClose
}

/// Size limits that bound the memory and CPU one message head can cost.
public struct HTTP1Limits: Sendable, Equatable {
    /// Maximum request line length in bytes, CRLF included; longer lines fail with 414.
    public var maxRequestLineBytes: Int
    /// Maximum field section length in bytes after the start line, final empty line included; larger fails with 431.
    public var maxHeaderBytes: Int
    /// Maximum number of header fields, and separately of trailer fields; more fail with 431.
    public var maxHeaderCount: Int
    /// Maximum chunk-size line length in bytes, extensions and CRLF included; longer lines fail with 400.
    public var maxChunkLineBytes: Int
    /// Maximum trailer section length in bytes, final empty line included; larger fails with 431.
    public var maxTrailerBytes: Int

    public init(
        maxRequestLineBytes: Int = 8192,
        maxHeaderBytes: Int = 32768,
        maxHeaderCount: Int = 100,
        maxChunkLineBytes: Int = 4096,
        maxTrailerBytes: Int = 8192
    ) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxChunkLineBytes = maxChunkLineBytes
        self.maxTrailerBytes = maxTrailerBytes
    }
}

/// A parsed request line and header section.
public struct HTTP1RequestHead: Equatable, Sendable {
    /// Method token, case preserved.
    public var method: String
    /// Request target exactly as received, still percent-encoded.
    public var target: String
    public var versionMajor: Int
    public var versionMinor: Int
    /// Header fields in wire order.
    public var fields: [HTTP1Field]
    /// Body framing derived from Content-Length and Transfer-Encoding; never `.untilClose` for a request.
    public var framing: BodyFraming
    /// Whether the connection may carry another request: HTTP/1.1 unless `Connection: close`,
    /// HTTP/1.0 only with `Connection: keep-alive`.
    public var keepAlive: Bool
    /// Whether the client sent `Expect: 100-continue`. Always false on HTTP/1.0, because RFC 9110 section 10.1.1
    /// requires servers to ignore the expectation there.
    public var expectsContinue: Bool
    /// Lowercased tokens of all Connection fields, which name the hop-by-hop fields to remove.
    public var connectionTokens: [String]

    public init(
        method: String, target: String, versionMajor: Int, versionMinor: Int, fields: [HTTP1Field],
        framing: BodyFraming, keepAlive: Bool, expectsContinue: Bool, connectionTokens: [String]
    ) {
        self.method = method
        self.target = target
        self.versionMajor = versionMajor
        self.versionMinor = versionMinor
        self.fields = fields
        self.framing = framing
        self.keepAlive = keepAlive
        self.expectsContinue = expectsContinue
        self.connectionTokens = connectionTokens
    }
}

/// A parsed status line and header section.
public struct HTTP1ResponseHead: Equatable, Sendable {
    public var status: Int
    /// Reason phrase as received; bytes that are not UTF-8 become U+FFFD because clients ignore the phrase.
    public var reason: String
    public var versionMajor: Int
    public var versionMinor: Int
    /// Header fields in wire order.
    public var fields: [HTTP1Field]
    /// Body framing for this response, given the request method passed to `expectResponse(toMethod:)`.
    public var framing: BodyFraming
    /// Whether the connection may carry another request. Always false for a close-delimited body.
    public var keepAlive: Bool
    /// Lowercased tokens of all Connection fields.
    public var connectionTokens: [String]

    public init(
        status: Int, reason: String, versionMajor: Int, versionMinor: Int, fields: [HTTP1Field],
        framing: BodyFraming, keepAlive: Bool, connectionTokens: [String]
    ) {
        self.status = status
        self.reason = reason
        self.versionMajor = versionMajor
        self.versionMinor = versionMinor
        self.fields = fields
        self.framing = framing
        self.keepAlive = keepAlive
        self.connectionTokens = connectionTokens
    }
}

/// A message the decoder rejected, with the HTTP status to respond with and a short reason.
///
/// The request decoder uses 400, 414, 417, 431, 501 and 505. The response decoder always uses 502,
/// the status a gateway sends when its upstream misbehaves.
public struct HTTP1ParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public var status: Int
    public var reason: String

    public init(status: Int, reason: String) {
        self.status = status
        self.reason = reason
    }

    public var description: String { "HTTP/1.1 parse error \(status): \(reason)" }

    static func badRequest(_ reason: String) -> HTTP1ParseError {
        HTTP1ParseError(status: 400, reason: reason)
    }
}

/// One step of decoding a message.
public enum HTTP1Event: Equatable, Sendable {
    /// The head is complete and available from the decoder's `head` property.
    case head
    /// Body bytes, as a range of the buffer passed to the same `decode` call; they are not copied.
    case body(Range<Int>)
    /// The message is complete, trailers (if any) are in `trailers`, and the next message may follow.
    case end
}
