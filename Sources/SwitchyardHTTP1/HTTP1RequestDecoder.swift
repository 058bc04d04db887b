// Strict incremental decoder for HTTP/1.1 requests, including pipelined ones.

/// Decodes requests from a byte stream, one event per call, without copying body bytes.
///
/// The owner keeps a buffer of received bytes and calls `decode` with the bytes not yet consumed, dropping
/// `consumed` bytes after each call, until the event is nil. Then it reads more and calls again with the
/// unconsumed rest followed by the new bytes. A head split across reads is consumed line by line, so the owner
/// keeps at most one partial line of it (bounded by the limits).
///
/// Rules beyond the grammar, chosen to stop request smuggling:
/// - A Content-Length list of equal values (`5, 5`, or two fields with `5`) is taken as that value, as
///   RFC 9110 section 8.6 allows; the owner must frame the forwarded message from `framing`, not copy the fields.
/// - Transfer-Encoding must end in `chunked` (400); other codings before it are not decoded and get 501.
/// - An empty Content-Length or Transfer-Encoding list member is rejected, although RFC 9110 section 5.6.1
///   lets recipients ignore empty members in general lists.
/// - Versions other than HTTP/1.0 and HTTP/1.1 get 505, including HTTP/1.2, which RFC 9110 would serve as 1.1.
/// - Up to 8 empty lines before a request line are skipped.
/// - Field values with bytes above 0x7F must be valid UTF-8, so the String fields keep every byte.
///
/// After a thrown error the decoder stays failed and throws the same error again; the connection must close.
/// Not thread-safe: one connection's event loop owns it. Cost: one String per target, and per method, field name
/// and field value unless it equals a common one, which reuses a literal; plus the fields array.
public struct HTTP1RequestDecoder {
    private enum State {
        case head
        case body
        case failed(HTTP1ParseError)
    }

    public let limits: HTTP1Limits
    private var state = State.head
    private var headReader: HeadReader<RequestLine>
    private var bodyReader: BodyReader
    private var bodyLimits: BodyLimits

    /// The head of the current message, set when `.head` is returned and kept until the next head.
    public private(set) var head: HTTP1RequestHead?

    /// The trailer fields of the current message, complete once `.end` is returned.
    public var trailers: [HTTP1Field] { bodyReader.trailers }

    public init(limits: HTTP1Limits = HTTP1Limits()) {
        self.limits = limits
        headReader = HeadReader(
            limits: HeadLimits(
                maxStartLineBytes: limits.maxRequestLineBytes, startLineTooLongStatus: 414,
                maxFieldBytes: limits.maxHeaderBytes, maxFieldCount: limits.maxHeaderCount, maxLeadingEmptyLines: 8),
            isRequest: true)
        bodyLimits = BodyLimits(
            maxChunkLineBytes: limits.maxChunkLineBytes, maxTrailerBytes: limits.maxTrailerBytes,
            maxTrailerCount: limits.maxHeaderCount)
        bodyReader = BodyReader(framing: .none, limits: bodyLimits)
    }

    /// Consumes bytes from the start of `input` and returns at most one event; nil means more bytes are needed.
    ///
    /// `.head`: the head is in `head`. `.body(range)`: the body bytes are `input[range]`, valid only as long as
    /// the owner's buffer is. `.end`: the message is complete and the next call starts the next request.
    ///
    /// NOTE: Swift 6.3.1 crashes while compiling a closure marked `throws(HTTP1ParseError)` that is passed to
    /// `Array.withUnsafeBytes`; call `decode` from an untyped `throws` closure there.
    public mutating func decode(
        _ input: UnsafeRawBufferPointer
    ) throws(HTTP1ParseError) -> (consumed: Int, event: HTTP1Event?) {
        do throws(HTTP1ParseError) {
            return try step(input)
        } catch {
            state = .failed(error)
            throw error
        }
    }

    /// Reports the peer's close: nil when no request was in progress, and an error when one was cut short.
    public mutating func finishOnClose() throws(HTTP1ParseError) -> HTTP1Event? {
        switch state {
        case .failed(let error):
            throw error
        case .head:
            guard !headReader.hasStarted else {
                throw fail(.badRequest("connection closed before the request head was complete"))
            }
            return nil
        case .body:
            throw fail(.badRequest("connection closed before the request body was complete"))
        }
    }

    private mutating func fail(_ error: HTTP1ParseError) -> HTTP1ParseError {
        state = .failed(error)
        return error
    }

    private mutating func step(_ input: UnsafeRawBufferPointer) throws(HTTP1ParseError) -> (Int, HTTP1Event?) {
        switch state {
        case .failed(let error):
            throw error

        case .head:
            let (consumed, parts) = try headReader.read(input)
            guard let parts else {
                return (consumed, nil)
            }
            let head = try HTTP1RequestDecoder.makeHead(parts)
            self.head = head
            bodyReader = BodyReader(framing: head.framing, limits: bodyLimits)
            state = .body
            return (consumed, .head)

        case .body:
            let result = try bodyReader.read(input)
            if result.event == .end {
                state = .head
            }
            return result
        }
    }

    /// Applies the rules that need the whole head: Host, framing and expectations.
    private static func makeHead(_ parts: HeadReader<RequestLine>.Head) throws(HTTP1ParseError) -> HTTP1RequestHead {
        let line = parts.startLine
        let facts = parts.facts
        let isHTTP11 = line.versionMinor == 1
        guard facts.hostCount <= 1 else {
            throw .badRequest("more than one Host field")
        }
        guard facts.hostCount == 1 || !isHTTP11 else {
            throw .badRequest("HTTP/1.1 request has no Host field")
        }
        let framing = try requestFraming(facts, isHTTP11: isHTTP11)
        guard !facts.hasUnknownExpectation else {
            throw HTTP1ParseError(status: 417, reason: "Expect supports only 100-continue")
        }

        let keepAlive = isHTTP11 ? !facts.hasCloseToken : facts.hasKeepAliveToken && !facts.hasCloseToken
        return HTTP1RequestHead(
            method: line.method, target: line.target, versionMajor: line.versionMajor,
            versionMinor: line.versionMinor, fields: parts.fields, framing: framing, keepAlive: keepAlive,
            expectsContinue: facts.expectsContinue && isHTTP11, connectionTokens: facts.connectionTokens)
    }

    /// Derives request framing by RFC 9112 section 6.3: chunked when Transfer-Encoding ends in chunked,
    /// else Content-Length, else no body.
    private static func requestFraming(_ facts: FramingFacts, isHTTP11: Bool) throws(HTTP1ParseError) -> BodyFraming {
        guard facts.hasTransferEncoding else {
            return facts.contentLength.map(BodyFraming.contentLength) ?? .none
        }
        guard facts.contentLength == nil else {
            throw .badRequest("Content-Length and Transfer-Encoding both present")
        }
        guard isHTTP11 else {
            throw .badRequest("Transfer-Encoding in an HTTP/1.0 request")
        }
        guard facts.lastCodingIsChunked else {
            throw .badRequest("final transfer coding is not chunked")
        }
        guard facts.otherCodingCount == 0 else {
            throw HTTP1ParseError(status: 501, reason: "transfer codings other than chunked are not supported")
        }
        return .chunked
    }
}
