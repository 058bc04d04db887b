// Test driver that feeds decoders the way a connection's read buffer does and records what they report.

import SwitchyardHTTP1
import Testing

/// The decode step shared by the request and response decoders.
protocol IncrementalDecoder {
    mutating func decode(_ input: UnsafeRawBufferPointer) throws(HTTP1ParseError) -> (consumed: Int, event: HTTP1Event?)
}

extension HTTP1RequestDecoder: IncrementalDecoder {}
extension HTTP1ResponseDecoder: IncrementalDecoder {}

/// Piece sizes used to split input: whole, byte by byte, and sizes that cut lines and CRLFs at odd places.
let splitSizes = [Int.max, 1, 2, 3, 7, 64]

/// Feeds `bytes` in pieces of `pieceSize`, keeping unconsumed bytes like an owner's buffer, and calls `handle`
/// with each event and, for `.body`, a copy of the body bytes. Returns the bytes left unconsumed.
@discardableResult
func feed<Decoder: IncrementalDecoder>(
    _ decoder: inout Decoder, _ bytes: [UInt8], pieceSize: Int = Int.max,
    handle: (inout Decoder, HTTP1Event, [UInt8]) -> Void
) throws -> [UInt8] {
    var pending: [UInt8] = []
    var offset = 0
    repeat {
        let end = bytes.count - offset > pieceSize ? offset + pieceSize : bytes.count
        pending.append(contentsOf: bytes[offset..<end])
        offset = end
        try drain(&decoder, &pending, handle: handle)
    } while offset < bytes.count
    return pending
}

/// Calls `decode` until it needs more bytes, dropping consumed bytes after each call.
func drain<Decoder: IncrementalDecoder>(
    _ decoder: inout Decoder, _ pending: inout [UInt8],
    handle: (inout Decoder, HTTP1Event, [UInt8]) -> Void
) throws {
    while true {
        var bodyBytes: [UInt8] = []
        let (consumed, event) = try pending.withUnsafeBytes { buffer in
            let result = try decoder.decode(buffer)
            if case .body(let range) = result.event {
                #expect(range.upperBound <= result.consumed, "body range \(range) lies beyond consumed bytes")
                bodyBytes = Array(buffer[range])
            }
            return result
        }
        #expect(consumed <= pending.count, "consumed \(consumed) of \(pending.count) bytes")
        pending.removeFirst(consumed)
        guard let event else {
            return
        }
        handle(&decoder, event, bodyBytes)
    }
}

/// What a request decoder reported for a byte stream.
struct RequestTranscript: Equatable {
    var heads: [HTTP1RequestHead] = []
    /// Body bytes per message, in order.
    var bodies: [[UInt8]] = []
    /// Trailer fields per completed message.
    var trailers: [[HTTP1Field]] = []
    /// Events in order, with body ranges replaced by `.body(0..<0)` so transcripts of different splits compare.
    var events: [HTTP1Event] = []
}

func decodeRequests(
    _ bytes: [UInt8], pieceSize: Int = Int.max, limits: HTTP1Limits = HTTP1Limits()
) throws -> RequestTranscript {
    var decoder = HTTP1RequestDecoder(limits: limits)
    var transcript = RequestTranscript()
    try feed(&decoder, bytes, pieceSize: pieceSize) { decoder, event, body in
        transcript.record(event, body: body, head: decoder.head, trailers: decoder.trailers)
    }
    return transcript
}

func decodeRequests(
    _ text: String, pieceSize: Int = Int.max, limits: HTTP1Limits = HTTP1Limits()
) throws -> RequestTranscript {
    try decodeRequests(Array(text.utf8), pieceSize: pieceSize, limits: limits)
}

/// Decodes `text` with every split size, checks that all splits report the same, and returns that transcript.
func decodeRequestsAllSplits(
    _ text: String, limits: HTTP1Limits = HTTP1Limits(), sourceLocation: SourceLocation = #_sourceLocation
) throws -> RequestTranscript {
    let whole = try decodeRequests(text, limits: limits)
    for size in splitSizes.dropFirst() {
        let split = try decodeRequests(text, pieceSize: size, limits: limits)
        #expect(split == whole, "pieces of \(size) bytes decode differently", sourceLocation: sourceLocation)
    }
    return whole
}

extension RequestTranscript {
    mutating func record(_ event: HTTP1Event, body: [UInt8], head: HTTP1RequestHead?, trailers: [HTTP1Field]) {
        switch event {
        case .head:
            if let head {
                heads.append(head)
            }
            bodies.append([])
            events.append(.head)
        case .body:
            if !bodies.isEmpty {
                bodies[bodies.count - 1].append(contentsOf: body)
            }
            // Merge runs of body events, whose count depends on the split.
            if events.last != .body(0..<0) {
                events.append(.body(0..<0))
            }
        case .end:
            self.trailers.append(trailers)
            events.append(.end)
        }
    }
}

/// What a response decoder reported for a byte stream.
struct ResponseTranscript: Equatable {
    var heads: [HTTP1ResponseHead] = []
    var bodies: [[UInt8]] = []
    var trailers: [[HTTP1Field]] = []
    var events: [HTTP1Event] = []
    /// Bytes the decoder left unconsumed, as after an upgrade.
    var unconsumed: [UInt8] = []
}

/// Decodes responses to requests with `methods`; with `closeAtEnd`, reports the server's close afterwards.
func decodeResponses(
    _ text: String, methods: [String], pieceSize: Int = Int.max, closeAtEnd: Bool = false
) throws -> ResponseTranscript {
    var decoder = HTTP1ResponseDecoder()
    for method in methods {
        decoder.expectResponse(toMethod: method)
    }
    var transcript = ResponseTranscript()
    transcript.unconsumed = try feed(&decoder, Array(text.utf8), pieceSize: pieceSize) { decoder, event, body in
        transcript.record(event, body: body, head: decoder.head, trailers: decoder.trailers)
    }
    if closeAtEnd, let event = try decoder.finishOnClose() {
        transcript.record(event, body: [], head: decoder.head, trailers: decoder.trailers)
    }
    return transcript
}

func decodeResponsesAllSplits(
    _ text: String, methods: [String], closeAtEnd: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
) throws -> ResponseTranscript {
    let whole = try decodeResponses(text, methods: methods, closeAtEnd: closeAtEnd)
    for size in splitSizes.dropFirst() {
        let split = try decodeResponses(text, methods: methods, pieceSize: size, closeAtEnd: closeAtEnd)
        #expect(split == whole, "pieces of \(size) bytes decode differently", sourceLocation: sourceLocation)
    }
    return whole
}

extension ResponseTranscript {
    mutating func record(_ event: HTTP1Event, body: [UInt8], head: HTTP1ResponseHead?, trailers: [HTTP1Field]) {
        switch event {
        case .head:
            if let head {
                heads.append(head)
            }
            bodies.append([])
            events.append(.head)
        case .body:
            if !bodies.isEmpty {
                bodies[bodies.count - 1].append(contentsOf: body)
            }
            if events.last != .body(0..<0) {
                events.append(.body(0..<0))
            }
        case .end:
            self.trailers.append(trailers)
            events.append(.end)
        }
    }
}

/// Runs `body` and returns the parse error it threw, or nil when it threw nothing or another error type.
func parseError(_ body: () throws -> Void) -> HTTP1ParseError? {
    do {
        try body()
        return nil
    } catch let error as HTTP1ParseError {
        return error
    } catch {
        Issue.record("unexpected error type: \(error)")
        return nil
    }
}

/// Checks that the request decoder rejects `bytes` with `status`, whole and byte by byte.
func expectRequestRejected(
    _ bytes: [UInt8], status: Int, limits: HTTP1Limits = HTTP1Limits(),
    sourceLocation: SourceLocation = #_sourceLocation
) {
    for size in [Int.max, 1] {
        let error = parseError { _ = try decodeRequests(bytes, pieceSize: size, limits: limits) }
        let text = String(decoding: bytes, as: UTF8.self).debugDescription
        #expect(error != nil, "accepted \(text) in pieces of \(size)", sourceLocation: sourceLocation)
        #expect(error.map(\.status) ?? status == status, "\(text): \(String(describing: error))",
                sourceLocation: sourceLocation)
        #expect(error.map { !$0.reason.isEmpty } ?? true, sourceLocation: sourceLocation)
    }
}

func expectRequestRejected(
    _ text: String, status: Int, limits: HTTP1Limits = HTTP1Limits(),
    sourceLocation: SourceLocation = #_sourceLocation
) {
    expectRequestRejected(Array(text.utf8), status: status, limits: limits, sourceLocation: sourceLocation)
}

/// Checks that the response decoder rejects `text` with 502, whole and byte by byte.
func expectResponseRejected(
    _ text: String, method: String = "GET", sourceLocation: SourceLocation = #_sourceLocation
) {
    for size in [Int.max, 1] {
        let error = parseError { _ = try decodeResponses(text, methods: [method], pieceSize: size) }
        #expect(error != nil, "accepted \(text.debugDescription) in pieces of \(size)", sourceLocation: sourceLocation)
        #expect(error.map(\.status) ?? 502 == 502, "\(String(describing: error))", sourceLocation: sourceLocation)
    }
}
