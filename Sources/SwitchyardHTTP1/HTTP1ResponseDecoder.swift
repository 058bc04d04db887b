// Strict incremental decoder for HTTP/1.1 responses read from an upstream server.

/// Decodes responses, one event per call, without copying body bytes; same calling contract as
/// `HTTP1RequestDecoder`. Every error has status 502, which the gateway sends downstream.
///
/// Call `expectResponse(toMethod:)` once per request sent, in order, so requests may be pipelined. Framing follows
/// RFC 9112 section 6.3. Responses to HEAD, and 1xx, 204 and 304 responses, have no body. Otherwise
/// Transfer-Encoding must be exactly `chunked`, because this codec decodes no other coding, and Content-Length
/// beside it is rejected. Without Transfer-Encoding, Content-Length frames the body, and without either the body
/// runs until the server closes.
///
/// A 1xx response yields `.head` then `.end`, and the decoder keeps waiting for the final response to the same
/// request. After `101 Switching Protocols`, or a 2xx response to CONNECT, the connection no longer carries
/// HTTP/1.1: `isUpgraded` becomes true and `decode` consumes nothing, leaving the bytes to the new protocol.
/// Not thread-safe: one connection's event loop owns it.
public struct HTTP1ResponseDecoder {
    private enum State {
        case head
        case body
        case upgraded
        case failed(HTTP1ParseError)
    }

    private enum RequestKind {
        case head
        case connect
        case other
    }

    private var state = State.head
    private var headReader: HeadReader<StatusLine>
    private var bodyReader: BodyReader
    private let bodyLimits: BodyLimits
    /// Requests sent whose final response has not ended yet, oldest first.
    private var outstanding: [RequestKind] = []
    private var upgradesAfterBody = false

    /// The head of the current response, set when `.head` is returned; a 1xx head is replaced by the next one.
    public private(set) var head: HTTP1ResponseHead?

    /// The trailer fields of the current response, complete once `.end` is returned.
    public var trailers: [HTTP1Field] { bodyReader.trailers }

    /// Whether a 101 or a 2xx response to CONNECT ended HTTP/1.1 on this connection.
    public var isUpgraded: Bool {
        if case .upgraded = state {
            return true
        }
        return false
    }

    /// Creates a decoder whose status line, header section and trailer section may each span `maxHeaderBytes`,
    /// CRLFs included, with at most `maxHeaderCount` header fields and as many trailer fields.
    public init(maxHeaderBytes: Int = 65536, maxHeaderCount: Int = 100) {
        headReader = HeadReader(
            limits: HeadLimits(
                maxStartLineBytes: maxHeaderBytes, startLineTooLongStatus: 502, maxFieldBytes: maxHeaderBytes,
                maxFieldCount: maxHeaderCount, maxLeadingEmptyLines: 0),
            isRequest: false)
        bodyLimits = BodyLimits(
            maxChunkLineBytes: 4096, maxTrailerBytes: maxHeaderBytes, maxTrailerCount: maxHeaderCount)
        bodyReader = BodyReader(framing: .none, limits: bodyLimits)
    }

    /// Records that a request with `method` was sent, so its response is framed correctly.
    public mutating func expectResponse(toMethod method: String) {
        switch method {
        case "HEAD": outstanding.append(.head)
        case "CONNECT": outstanding.append(.connect)
        default: outstanding.append(.other)
        }
    }

    /// Consumes bytes from the start of `input` and returns at most one event; nil means more bytes are needed.
    public mutating func decode(
        _ input: UnsafeRawBufferPointer
    ) throws(HTTP1ParseError) -> (consumed: Int, event: HTTP1Event?) {
        if case .failed(let error) = state {
            throw error
        }
        do throws(HTTP1ParseError) {
            return try step(input)
        } catch {
            let upstreamError = HTTP1ParseError(status: 502, reason: "invalid response from upstream: \(error.reason)")
            state = .failed(upstreamError)
            throw upstreamError
        }
    }

    /// Reports the server's close: `.end` for a close-delimited body, nil when idle, and an error when a response
    /// was expected or cut short.
    public mutating func finishOnClose() throws(HTTP1ParseError) -> HTTP1Event? {
        switch state {
        case .failed(let error):
            throw error
        case .upgraded:
            return nil
        case .head:
            guard outstanding.isEmpty && !headReader.hasStarted else {
                throw fail("upstream closed the connection before the response head was complete")
            }
            return nil
        case .body:
            guard bodyReader.isCloseDelimited else {
                throw fail("upstream closed the connection before the response body was complete")
            }
            finishMessage()
            return .end
        }
    }

    private mutating func fail(_ reason: String) -> HTTP1ParseError {
        let error = HTTP1ParseError(status: 502, reason: reason)
        state = .failed(error)
        return error
    }

    private mutating func step(_ input: UnsafeRawBufferPointer) throws(HTTP1ParseError) -> (Int, HTTP1Event?) {
        switch state {
        case .failed(let error):
            throw error  // Unreachable: decode checks first, so the error is not wrapped twice.
        case .upgraded:
            return (0, nil)
        case .head:
            return try stepHead(input)
        case .body:
            let result = try bodyReader.read(input)
            if result.event == .end {
                finishMessage()
            }
            return result
        }
    }

    private mutating func stepHead(_ input: UnsafeRawBufferPointer) throws(HTTP1ParseError) -> (Int, HTTP1Event?) {
        guard let request = outstanding.first else {
            if input.isEmpty {
                return (0, nil)
            }
            throw .badRequest("bytes arrived with no request outstanding")
        }
        let (consumed, parts) = try headReader.read(input)
        guard let parts else {
            return (consumed, nil)
        }

        let head = try HTTP1ResponseDecoder.makeHead(parts, request: request)
        let status = head.status
        upgradesAfterBody = status == 101 || (request == .connect && (200...299).contains(status))
        if status >= 200 || upgradesAfterBody {
            outstanding.removeFirst()
        }
        self.head = head
        bodyReader = BodyReader(framing: head.framing, limits: bodyLimits)
        state = .body
        return (consumed, .head)
    }

    private mutating func finishMessage() {
        state = upgradesAfterBody ? .upgraded : .head
    }

    private static func makeHead(
        _ parts: HeadReader<StatusLine>.Head, request: RequestKind
    ) throws(HTTP1ParseError) -> HTTP1ResponseHead {
        let line = parts.startLine
        let facts = parts.facts
        let framing = try responseFraming(facts, status: line.status, request: request, isHTTP11: line.versionMinor == 1)
        let persistent = line.versionMinor == 1 ? !facts.hasCloseToken : facts.hasKeepAliveToken && !facts.hasCloseToken
        return HTTP1ResponseHead(
            status: line.status, reason: line.reason, versionMajor: line.versionMajor,
            versionMinor: line.versionMinor, fields: parts.fields, framing: framing,
            keepAlive: persistent && framing != .untilClose, connectionTokens: facts.connectionTokens)
    }

    /// Derives response framing by RFC 9112 section 6.3.
    private static func responseFraming(
        _ facts: FramingFacts, status: Int, request: RequestKind, isHTTP11: Bool
    ) throws(HTTP1ParseError) -> BodyFraming {
        let isTunnel = request == .connect && (200...299).contains(status)
        if request == .head || status < 200 || status == 204 || status == 304 || isTunnel {
            return .none
        }
        guard facts.hasTransferEncoding else {
            return facts.contentLength.map(BodyFraming.contentLength) ?? .untilClose
        }
        guard facts.contentLength == nil else {
            throw .badRequest("Content-Length and Transfer-Encoding both present")
        }
        // RFC 9112 section 6.1: Transfer-Encoding in an HTTP/1.0 message means the framing is faulty.
        guard isHTTP11 else {
            throw .badRequest("Transfer-Encoding in an HTTP/1.0 response")
        }
        guard facts.lastCodingIsChunked, facts.otherCodingCount == 0 else {
            throw .badRequest("Transfer-Encoding other than chunked")
        }
        return .chunked
    }
}
