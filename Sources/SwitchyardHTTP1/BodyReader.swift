// Incremental body decoding for Content-Length, chunked and close-delimited framing (RFC 9112 sections 6 and 7).

/// Bounds on the framing bytes of a chunked body.
struct BodyLimits {
    var maxChunkLineBytes: Int
    var maxTrailerBytes: Int
    var maxTrailerCount: Int
}

/// Reads one message body and reports body ranges of the caller's buffer without copying them.
struct BodyReader {
    private enum State {
        case fixed(remaining: UInt64)
        case chunkSizeLine
        case chunkData(remaining: UInt64)
        case chunkDataCR
        case chunkDataLF
        case trailers
        case untilClose
        case finished
    }

    private let limits: BodyLimits
    private var state: State
    private var lineFinder = LineFinder()
    private var trailerBytes = 0
    private(set) var trailers: [HTTP1Field] = []

    init(framing: BodyFraming, limits: BodyLimits) {
        self.limits = limits
        switch framing {
        case .none: state = .finished
        case .contentLength(let length): state = .fixed(remaining: length)
        case .chunked: state = .chunkSizeLine
        case .untilClose: state = .untilClose
        }
    }

    /// Whether the body ends only when the peer closes the connection.
    var isCloseDelimited: Bool {
        if case .untilClose = state {
            return true
        }
        return false
    }

    /// Consumes framing bytes and at most one run of body bytes; returns `.end` once the body is complete.
    mutating func read(_ input: UnsafeRawBufferPointer) throws(HTTP1ParseError) -> (consumed: Int, event: HTTP1Event?) {
        switch state {
        case .finished:
            return (0, .end)
        case .fixed(let remaining):
            return readFixed(input, remaining: remaining)
        case .untilClose:
            return input.isEmpty ? (0, nil) : (input.count, .body(0..<input.count))
        default:
            return try readChunked(input)
        }
    }

    private mutating func readFixed(_ input: UnsafeRawBufferPointer, remaining: UInt64) -> (Int, HTTP1Event?) {
        guard remaining > 0 else {
            state = .finished
            return (0, .end)
        }
        guard !input.isEmpty else {
            return (0, nil)
        }
        let count = Int(min(remaining, UInt64(input.count)))
        state = .fixed(remaining: remaining - UInt64(count))
        return (count, .body(0..<count))
    }

    /// Walks chunk framing until body bytes, the end of the trailers, or the end of `input`.
    private mutating func readChunked(
        _ input: UnsafeRawBufferPointer
    ) throws(HTTP1ParseError) -> (consumed: Int, event: HTTP1Event?) {
        var position = 0
        while true {
            switch state {
            case .chunkSizeLine:
                guard let next = try readChunkSizeLine(input, from: position) else {
                    return (position, nil)
                }
                position = next

            case .chunkData(let remaining):
                guard position < input.count else {
                    return (position, nil)
                }
                let count = Int(min(remaining, UInt64(input.count - position)))
                let left = remaining - UInt64(count)
                state = left == 0 ? .chunkDataCR : .chunkData(remaining: left)
                return (position + count, .body(position..<(position + count)))

            case .chunkDataCR, .chunkDataLF:
                guard position < input.count else {
                    return (position, nil)
                }
                try readChunkDataEnd(input[position])
                position += 1

            case .trailers:
                guard let (next, isEnd) = try readTrailerLine(input, from: position) else {
                    return (position, nil)
                }
                position = next
                if isEnd {
                    state = .finished
                    return (position, .end)
                }

            case .fixed, .untilClose, .finished:
                return (position, nil)
            }
        }
    }

    /// Reads `chunk-size [ chunk-ext ] CRLF`; returns the index after it, or nil until the whole line is here.
    private mutating func readChunkSizeLine(
        _ input: UnsafeRawBufferPointer, from start: Int
    ) throws(HTTP1ParseError) -> Int? {
        let limit = limits.maxChunkLineBytes
        guard let line = try lineFinder.next(
            in: input, from: start, maxLength: limit,
            tooLong: .badRequest("chunk size line is longer than \(limit) bytes"))
        else {
            return nil
        }
        let size = try parseChunkSizeLine(input, line.content)
        state = size == 0 ? .trailers : .chunkData(remaining: size)
        return line.next
    }

    /// Requires exactly CRLF after chunk data; anything else means the chunk size lied.
    private mutating func readChunkDataEnd(_ byte: UInt8) throws(HTTP1ParseError) {
        if case .chunkDataCR = state {
            guard byte == ASCII.cr else {
                throw .badRequest("chunk data is not followed by CRLF")
            }
            state = .chunkDataLF
        } else {
            guard byte == ASCII.lf else {
                throw .badRequest("chunk data is followed by CR without LF")
            }
            state = .chunkSizeLine
        }
    }

    /// Reads one trailer line; returns the index after it and whether it was the empty line ending the section.
    private mutating func readTrailerLine(
        _ input: UnsafeRawBufferPointer, from start: Int
    ) throws(HTTP1ParseError) -> (Int, Bool)? {
        let limit = limits.maxTrailerBytes
        guard let line = try lineFinder.next(
            in: input, from: start, maxLength: limit - trailerBytes,
            tooLong: HTTP1ParseError(status: 431, reason: "trailer section is larger than \(limit) bytes"))
        else {
            return nil
        }
        trailerBytes += line.next - start
        if line.content.isEmpty {
            return (line.next, true)
        }
        guard trailers.count < limits.maxTrailerCount else {
            throw HTTP1ParseError(status: 431, reason: "more than \(limits.maxTrailerCount) trailer fields")
        }
        trailers.append(try FieldLine(parsing: input, line: line).makeField(in: input))
        return (line.next, false)
    }
}

/// Parses `1*16HEXDIG *( BWS ";" BWS name [ BWS "=" BWS value ] )`; whitespace is allowed only before a `;`.
func parseChunkSizeLine(_ input: UnsafeRawBufferPointer, _ line: Range<Int>) throws(HTTP1ParseError) -> UInt64 {
    var size: UInt64 = 0
    var index = line.lowerBound
    while index < line.upperBound, let digit = hexValue(input[index]) {
        guard index - line.lowerBound < 16 else {
            throw .badRequest("chunk size has more than 16 hex digits")
        }
        size = size << 4 | digit
        index += 1
    }
    guard index > line.lowerBound else {
        throw .badRequest("chunk size line does not start with a hex digit")
    }

    guard let extensionsEnd = input.skippingParameters(from: index, to: line.upperBound),
        extensionsEnd == line.upperBound
    else {
        throw .badRequest("chunk size line has a malformed extension or trailing bytes")
    }
    return size
}
