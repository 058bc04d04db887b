// Byte transports under a connection: plain TCP, or TLS through OpenSSL on the same socket.

import SwitchyardEventLoop
import SwitchyardTLS

/// The outcome of a transport operation.
enum TransportResult: Equatable {
    case bytes(Int)
    /// Retry when the socket is readable.
    case wantRead
    /// Retry when the socket is writable.
    case wantWrite
    /// The peer closed cleanly (TCP FIN, or TLS close_notify).
    case closed
    /// The peer's TCP connection ended without a TLS close_notify, so the data may be truncated.
    case truncated
}

/// Reads and writes bytes on a non-blocking socket. Used on one event loop only.
protocol Transport: AnyObject {
    /// Whether a handshake must finish before data moves.
    var needsHandshake: Bool { get }
    func handshake() throws -> TransportResult
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> TransportResult
    func write(_ bytes: UnsafeRawBufferPointer) throws -> TransportResult
    /// Bytes already decrypted and waiting inside the transport, which epoll cannot signal.
    var bufferedBytes: Int { get }
    /// Sends a close_notify where the protocol has one. Never blocks.
    func shutdown()
}

/// Plain TCP.
final class PlainTransport: Transport {
    let fd: Int32

    init(fd: Int32) {
        self.fd = fd
    }

    var needsHandshake: Bool { false }
    var bufferedBytes: Int { 0 }

    func handshake() throws -> TransportResult { .bytes(0) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> TransportResult {
        switch try Socket.read(fd, into: buffer) {
        case .bytes(let count): return .bytes(count)
        case .wouldBlock: return .wantRead
        case .eof: return .closed
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws -> TransportResult {
        switch try Socket.write(fd, bytes) {
        case .bytes(let count): return .bytes(count)
        case .wouldBlock, .eof: return .wantWrite
        }
    }

    func shutdown() {}
}

/// TLS over the socket, with OpenSSL doing the socket I/O.
final class TLSTransport: Transport {
    let connection: TLSConnection
    private var handshakeDone = false

    init(connection: TLSConnection) {
        self.connection = connection
    }

    var needsHandshake: Bool { !handshakeDone }
    var bufferedBytes: Int { connection.pendingBytes }

    func handshake() throws -> TransportResult {
        let result = Self.map(try connection.handshake())
        if case .bytes = result {
            handshakeDone = true
        }
        return result
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> TransportResult {
        Self.map(try connection.read(into: buffer))
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws -> TransportResult {
        Self.map(try connection.write(bytes))
    }

    func shutdown() {
        connection.shutdown()
    }

    private static func map(_ result: TLSIOResult) -> TransportResult {
        switch result {
        case .bytes(let count): return .bytes(count)
        case .wantRead: return .wantRead
        case .wantWrite: return .wantWrite
        case .closed: return .closed
        case .eof: return .truncated
        }
    }
}
