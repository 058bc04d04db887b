// A buffered, non-blocking byte channel over one socket and its transport, driven by the event loop.

import Glibc
import SwitchyardEventLoop

/// Receives a channel's events on its loop thread.
protocol ChannelDelegate: AnyObject {
    /// Reports that a non-blocking connect finished; `error` is nil on success.
    func channelConnected(error: Int32?)
    /// Reports that the transport's handshake finished.
    func channelHandshakeCompleted()
    /// New bytes are in `channel.input`.
    func channelReceived()
    /// Reports that every queued output byte was written.
    func channelDrained()
    /// Reports that the peer ended its side; `truncated` means TCP ended without a TLS close_notify.
    func channelPeerClosed(truncated: Bool)
    /// Reports a failed read, write or handshake; the delegate closes the channel.
    func channelFailed(_ error: Error)
}

/// One socket with a read buffer taken from the loop's pool and an output queue.
///
/// Input stays in the buffer until the delegate consumes it, so a delegate applies backpressure by pausing reads
/// and consuming nothing. Output is copied into the queue and written when the socket accepts it. Used on its
/// loop thread only.
final class Channel: EventHandler {
    let fd: Int32
    let loop: EventLoop
    let transport: Transport
    private let pool: BufferPool
    weak var delegate: ChannelDelegate?

    private var buffer: UnsafeMutableRawBufferPointer?
    private var readIndex = 0
    private var writeIndex = 0
    private var output: [UInt8] = []
    private var outputIndex = 0
    private var registeredInterest: EventLoop.Interest = []
    private var readBlockedOnWrite = false
    private var writeBlockedOnRead = false
    private var handshakeWants: EventLoop.Interest = []

    /// Whether the write side is shut down once the queued output is written.
    private var writeShutdownPending = false
    /// Whether reading stopped because the buffer is full of unconsumed input; consuming resumes it.
    private var pausedForSpace = false
    /// Whether a non-blocking connect is in progress.
    private(set) var connecting = false
    /// Whether the peer ended its side; no more input arrives.
    private(set) var peerClosed = false
    private(set) var closed = false
    /// The loop time of the last successful write, for send timeouts.
    private(set) var lastWriteProgress: UInt64 = 0

    /// When true, the channel does not read from the socket.
    var readingPaused = false {
        didSet {
            guard readingPaused != oldValue else { return }
            updateInterest()
            if !readingPaused, transport.bufferedBytes > 0 {
                loop.execute { [weak self] in self?.readAvailable() }
            }
        }
    }

    init(fd: Int32, loop: EventLoop, transport: Transport, pool: BufferPool) {
        self.fd = fd
        self.loop = loop
        self.transport = transport
        self.pool = pool
        lastWriteProgress = loop.now
    }

    deinit {
        if let buffer {
            pool.release(buffer)
        }
    }

    /// Registers the socket with the loop. With `connecting`, waits for a non-blocking connect first.
    func start(connecting: Bool) throws {
        self.connecting = connecting
        let interest: EventLoop.Interest = connecting ? .write : (transport.needsHandshake ? .read : .read)
        try loop.register(fd, interest: interest, handler: self)
        registeredInterest = interest
        if !connecting, transport.needsHandshake {
            continueHandshake()
        }
    }

    // MARK: Input

    /// The bytes received and not yet consumed.
    var input: UnsafeRawBufferPointer {
        guard let buffer else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(rebasing: buffer[readIndex..<writeIndex])
    }

    /// Whether the read buffer is full of unconsumed bytes.
    var inputFull: Bool { buffer != nil && readIndex == 0 && writeIndex == (buffer?.count ?? 0) }

    /// Drops `count` bytes from the front of the input.
    func consume(_ count: Int) {
        guard count > 0 else { return }
        readIndex = min(readIndex + count, writeIndex)
        if readIndex == writeIndex {
            readIndex = 0
            writeIndex = 0
        }
        if pausedForSpace {
            pausedForSpace = false
            updateInterest()
            if transport.bufferedBytes > 0 {
                loop.execute { [weak self] in self?.readAvailable() }
            }
        }
    }

    /// Returns the read buffer to the pool if it contains no input, so an idle connection keeps none.
    func releaseInputBufferIfEmpty() {
        guard let buffer, readIndex == writeIndex else { return }
        pool.release(buffer)
        self.buffer = nil
        readIndex = 0
        writeIndex = 0
    }

    // MARK: Output

    /// Bytes queued and not yet written.
    var pendingOutput: Int { output.count - outputIndex }

    func enqueue(_ bytes: UnsafeRawBufferPointer) {
        output.append(contentsOf: bytes)
    }

    func enqueue(_ bytes: [UInt8]) {
        output.append(contentsOf: bytes)
    }

    func enqueue(_ text: StaticString) {
        text.withUTF8Buffer { output.append(contentsOf: $0) }
    }

    /// Writes as much queued output as the socket takes now; the rest goes out when it becomes writable.
    func flush() {
        guard !closed, !connecting, !transport.needsHandshake else { return }
        let hadOutput = pendingOutput > 0
        do {
            try writePending()
        } catch {
            delegate?.channelFailed(error)
            return
        }
        if pendingOutput == 0, writeShutdownPending {
            shutdownWrite()
        }
        if pendingOutput == 0 {
            if output.capacity > 64 * 1024 {
                output = []
            } else {
                output.removeAll(keepingCapacity: true)
            }
            outputIndex = 0
        }
        updateInterest()
        if hadOutput, pendingOutput == 0 {
            delegate?.channelDrained()
        }
    }

    private func writePending() throws {
        writeBlockedOnRead = false
        while outputIndex < output.count {
            let result = try output.withUnsafeBytes { bytes in
                try transport.write(UnsafeRawBufferPointer(rebasing: bytes[outputIndex...]))
            }
            switch result {
            case .bytes(let count):
                outputIndex += count
                lastWriteProgress = loop.now
            case .wantWrite:
                return
            case .wantRead:
                writeBlockedOnRead = true
                return
            case .closed, .truncated:
                throw SystemCallError(call: "write", errno: EPIPE)
            }
        }
    }

    /// Ends the write direction (TLS close_notify, then TCP FIN) once every queued byte is written, while reads
    /// go on: a tunnel passes a peer's half-close on this way.
    func shutdownWriteWhenFlushed() {
        guard !closed else { return }
        writeShutdownPending = true
        if pendingOutput == 0 {
            shutdownWrite()
        }
    }

    private func shutdownWrite() {
        writeShutdownPending = false
        transport.shutdown()
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    /// Drops queued output and the read buffer, e.g. when a pooled connection is reused.
    func resetOutput() {
        output = []
        outputIndex = 0
    }

    // MARK: Lifecycle

    /// Unregisters and closes the socket. Idempotent.
    func close() {
        guard !closed else { return }
        closed = true
        if !transport.needsHandshake, !connecting {
            transport.shutdown()
        }
        loop.unregister(fd)
        Socket.close(fd)
        if let buffer {
            pool.release(buffer)
            self.buffer = nil
        }
        readIndex = 0
        writeIndex = 0
        output = []
        outputIndex = 0
    }

    // MARK: Events

    func handleEvent(readable: Bool, writable: Bool, hangup: Bool) {
        guard !closed else { return }
        if connecting {
            if writable || readable || hangup { finishConnect() }
            return
        }
        if transport.needsHandshake {
            continueHandshake()
            return
        }
        if hangup, !registeredInterest.contains(.read) {
            // Reading would surface the failure, but reads are paused; a write or the socket error reports it.
            flush()
            if !closed {
                let error = Socket.pendingError(fd)
                delegate?.channelFailed(SystemCallError(call: "epoll_wait", errno: error == 0 ? ECONNRESET : error))
            }
            return
        }
        if writable || (readable && writeBlockedOnRead) {
            flush()
        }
        if closed { return }
        if readable || hangup || (writable && readBlockedOnWrite) {
            readAvailable()
        }
    }

    private func finishConnect() {
        connecting = false
        let error = Socket.pendingError(fd)
        if error != 0 {
            delegate?.channelConnected(error: error)
            return
        }
        updateInterest()
        delegate?.channelConnected(error: nil)
        if !closed, transport.needsHandshake {
            continueHandshake()
        }
    }

    private func continueHandshake() {
        do {
            switch try transport.handshake() {
            case .bytes:
                handshakeWants = []
                updateInterest()
                delegate?.channelHandshakeCompleted()
                // The handshake may have read application data into OpenSSL's buffer already, which epoll
                // cannot report.
                if !closed { readAvailable() }
            case .wantRead:
                handshakeWants = .read
                updateInterest()
            case .wantWrite:
                handshakeWants = .write
                updateInterest()
            case .closed, .truncated:
                delegate?.channelFailed(TransportClosedDuringHandshake())
            }
        } catch {
            delegate?.channelFailed(error)
        }
    }

    /// Reads until the socket has nothing more, the buffer is full or reading is paused, then notifies the delegate.
    func readAvailable() {
        var received = false
        readBlockedOnWrite = false
        while !closed, !readingPaused, !peerClosed {
            if buffer == nil {
                buffer = pool.acquire()
            }
            guard let buffer else { return }
            if writeIndex == buffer.count {
                guard readIndex > 0 else {
                    // Level-triggered epoll would report the socket again at once; stop asking until the
                    // delegate consumes input.
                    pausedForSpace = true
                    updateInterest()
                    break
                }
                compact(buffer)
            }
            let space = UnsafeMutableRawBufferPointer(rebasing: buffer[writeIndex...])
            let result: TransportResult
            do {
                result = try transport.read(into: space)
            } catch {
                delegate?.channelFailed(error)
                return
            }
            switch result {
            case .bytes(let count):
                writeIndex += count
                received = true
                if count < space.count, transport.bufferedBytes == 0 {
                    deliver(received: true)
                    return
                }
            case .wantRead:
                deliver(received: received)
                return
            case .wantWrite:
                readBlockedOnWrite = true
                updateInterest()
                deliver(received: received)
                return
            case .closed, .truncated:
                peerClosed = true
                updateInterest()
                if received { delegate?.channelReceived() }
                if !closed { delegate?.channelPeerClosed(truncated: result == .truncated) }
                return
            }
        }
        deliver(received: received)
    }

    private func deliver(received: Bool) {
        if received, !closed {
            delegate?.channelReceived()
        }
        if buffer != nil, readIndex == writeIndex, !closed {
            releaseInputBufferIfEmpty()
        }
    }

    private func compact(_ buffer: UnsafeMutableRawBufferPointer) {
        let count = writeIndex - readIndex
        if count > 0 {
            buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + readIndex, byteCount: count)
        }
        readIndex = 0
        writeIndex = count
    }

    private func updateInterest() {
        guard !closed else { return }
        var interest: EventLoop.Interest = []
        if connecting {
            interest = .write
        } else if transport.needsHandshake {
            interest = handshakeWants.isEmpty ? .read : handshakeWants
        } else {
            if (!readingPaused && !pausedForSpace && !peerClosed) || writeBlockedOnRead { interest.insert(.read) }
            if pendingOutput > 0 || readBlockedOnWrite { interest.insert(.write) }
        }
        if interest != registeredInterest {
            registeredInterest = interest
            loop.modify(fd, interest: interest)
        }
    }
}

/// The peer closed the connection before the TLS handshake finished.
struct TransportClosedDuringHandshake: Error, CustomStringConvertible {
    var description: String { "connection closed during the TLS handshake" }
}
