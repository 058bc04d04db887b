// Streaming gzip encoder and decoder filters, each owning one z_stream on its own heap allocation.

import CZlib
import SwitchyardPlugin

/// A zlib failure while compressing or decompressing a response body.
public struct GzipError: Error, CustomStringConvertible, Equatable {
    /// The zlib call or the step that failed, for example `inflate`.
    public let operation: String
    /// zlib's return code, or 0 when the failure is not a zlib return code.
    public let code: Int32
    public let message: String

    public var description: String { "gzip \(operation) failed (\(code)): \(message)" }
}

/// The size of the buffer that zlib writes into before the bytes are appended to the filter output.
private let scratchSize = 16 * 1024

/// zlib's stream state with its scratch output buffer. The z_stream has its own allocation because zlib keeps
/// pointers to it in its internal state, so it must never move.
private struct ZlibState {
    let stream: UnsafeMutablePointer<z_stream>
    let scratch: UnsafeMutableBufferPointer<UInt8>

    /// Allocates a zeroed z_stream and runs `initialize` on it; frees everything when that fails.
    init(_ operation: String, initialize: (UnsafeMutablePointer<z_stream>) -> Int32) throws {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let code = initialize(stream)
        guard code == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw GzipError(operation: operation, code: code, message: "zlib could not set up its state")
        }
        self.stream = stream
        scratch = .allocate(capacity: scratchSize)
    }

    /// Ends the stream with `end` and frees both allocations.
    func free(end: (UnsafeMutablePointer<z_stream>) -> Int32) {
        _ = end(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        scratch.deallocate()
    }

    /// Points zlib at `input`, which must stay valid until `detachInput()`.
    func attachInput(_ input: UnsafeRawBufferPointer) {
        stream.pointee.next_in = input.baseAddress.map {
            UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self))
        }
        stream.pointee.avail_in = uInt(input.count)
    }

    func detachInput() {
        stream.pointee.next_in = nil
        stream.pointee.avail_in = 0
    }

    /// Runs one zlib call into the scratch buffer and appends what it produced to `output`.
    func step(_ call: (UnsafeMutablePointer<z_stream>) -> Int32, output: inout [UInt8]) -> Int32 {
        stream.pointee.next_out = scratch.baseAddress
        stream.pointee.avail_out = uInt(scratch.count)
        let code = call(stream)
        let produced = scratch.count - Int(stream.pointee.avail_out)
        output.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[..<produced]))
        return code
    }

    var outputFull: Bool { stream.pointee.avail_out == 0 }
    var hasInput: Bool { stream.pointee.avail_in > 0 }

    func error(_ operation: String, _ code: Int32) -> GzipError {
        let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib returned \(code)"
        return GzipError(operation: operation, code: code, message: message)
    }
}

/// Chunks handed to zlib at once, because its length fields are 32-bit.
private func forEachZlibChunk(_ input: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
    let limit = 1 << 30
    guard input.count > limit else { return try body(input) }
    var offset = 0
    while offset < input.count {
        let end = min(offset + limit, input.count)
        try body(UnsafeRawBufferPointer(rebasing: input[offset..<end]))
        offset = end
    }
}

/// Compresses a response body into one gzip member (RFC 1952), streaming: each chunk is deflated without a
/// flush, and `endOfStream` finishes the member.
///
/// Not thread-safe; one instance serves one response on its event loop. Memory: zlib's deflate state, by zlib's
/// documented formula `(1 << (windowBits + 2)) + (1 << (memLevel + 9))` bytes, which is 256 KiB at the defaults,
/// plus a 16 KiB scratch buffer, until the filter is released.
final class GzipEncoder: ResponseBodyFilter {
    private let state: ZlibState
    private var finished = false

    /// Creates an encoder at `level` (1-9). With a known `expectedLength`, the window and the hash table shrink
    /// to fit the body, so a small response does not pay for setting up the full 256 KiB state.
    init(level: Int32, expectedLength: Int? = nil) throws {
        let (windowBits, memoryLevel) = Self.windowSize(for: expectedLength)
        state = try ZlibState("deflateInit2") { stream in
            CZlib_deflateInit2(stream, level, Z_DEFLATED, 16 + windowBits, memoryLevel, Z_DEFAULT_STRATEGY)
        }
    }

    /// The smallest window (9-15 bits) that still covers `length` bytes, lowering the memory level with it.
    static func windowSize(for length: Int?) -> (windowBits: Int32, memoryLevel: Int32) {
        var windowBits: Int32 = MAX_WBITS
        var memoryLevel: Int32 = 8
        guard let length else { return (windowBits, memoryLevel) }
        while windowBits > 9 && length < 1 << (windowBits - 1) {
            windowBits -= 1
            memoryLevel = max(1, memoryLevel - 1)
        }
        return (windowBits, memoryLevel)
    }

    deinit {
        state.free { deflateEnd($0) }
    }

    func filter(_ input: UnsafeRawBufferPointer, endOfStream: Bool, output: inout [UInt8]) throws {
        guard !finished else {
            guard input.isEmpty else {
                throw GzipError(operation: "deflate", code: 0, message: "body data after the end of the stream")
            }
            return
        }
        try forEachZlibChunk(input) { chunk in
            try deflate(chunk, flush: Z_NO_FLUSH, output: &output)
        }
        if endOfStream {
            try deflate(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH, output: &output)
            finished = true
        }
    }

    /// Deflates all of `input`. Output is produced in scratch-sized steps, so the bytes appended per call are
    /// bounded by zlib's deflate bound of the input plus what it held back from earlier chunks.
    private func deflate(_ input: UnsafeRawBufferPointer, flush: Int32, output: inout [UInt8]) throws {
        state.attachInput(input)
        defer { state.detachInput() }
        while true {
            let code = state.step({ CZlib.deflate($0, flush) }, output: &output)
            switch code {
            case Z_STREAM_END:
                return
            case Z_OK where flush == Z_FINISH:
                continue
            case Z_BUF_ERROR where flush == Z_FINISH:
                throw state.error("deflate", code)
            case Z_OK, Z_BUF_ERROR:
                // Without a flush, deflate is done once it took all input and left room in the output. Z_BUF_ERROR
                // only means that no progress was possible because everything was already drained.
                if !state.outputFull && !state.hasInput {
                    return
                }
            default:
                throw state.error("deflate", code)
            }
        }
    }
}

/// Decompresses a gzip response body (RFC 1952) for a client that does not accept gzip. Several gzip members in
/// a row are decompressed one after the other, as `gzip -d` does.
///
/// Throws `GzipError` for corrupt data, for bytes after the stream that are not another member, and for a body
/// that ends inside a member.
///
/// Not thread-safe; one instance serves one response on its event loop. Memory: zlib's inflate state (about
/// 40 KiB with a 32 KiB window) plus a 16 KiB scratch buffer.
// NOTE: a small input can inflate to a large output (about 1000:1 at most for deflate), and all of it is appended
// in one call. Bounding that needs back-pressure from the gateway's filter contract, which it does not have yet.
final class GzipDecoder: ResponseBodyFilter {
    private let state: ZlibState
    private var memberEnded = false
    private var receivedInput = false

    init() throws {
        state = try ZlibState("inflateInit2") { stream in
            CZlib_inflateInit2(stream, 16 + MAX_WBITS)
        }
    }

    deinit {
        state.free { inflateEnd($0) }
    }

    func filter(_ input: UnsafeRawBufferPointer, endOfStream: Bool, output: inout [UInt8]) throws {
        if !input.isEmpty {
            receivedInput = true
            try forEachZlibChunk(input) { chunk in
                try inflate(chunk, output: &output)
            }
        }
        if endOfStream && receivedInput && !memberEnded {
            throw GzipError(operation: "inflate", code: Z_BUF_ERROR, message: "the gzip body ended inside a member")
        }
    }

    private func inflate(_ input: UnsafeRawBufferPointer, output: inout [UInt8]) throws {
        state.attachInput(input)
        defer { state.detachInput() }
        while state.hasInput || state.outputFull {
            if memberEnded {
                // More bytes after a complete member: they must be the next member.
                guard state.hasInput else { return }
                _ = inflateReset(state.stream)
                memberEnded = false
            }
            let code = state.step({ CZlib.inflate($0, Z_NO_FLUSH) }, output: &output)
            switch code {
            case Z_STREAM_END:
                memberEnded = true
            case Z_OK:
                break
            case Z_BUF_ERROR:
                return
            default:
                throw state.error("inflate", code)
            }
        }
    }
}
