// A client connection: TLS handshake, request parsing, one exchange at a time, keep-alive and closing.

import Foundation
import Glibc
import SwitchyardEventLoop
import SwitchyardHTTP1
import SwitchyardPlugin

/// One downstream connection, used on its loop thread only. Requests are handled one at a time in arrival
/// order, so pipelined responses go back in request order. A pipelined request waits in the read buffer until
/// the previous response is queued.
final class ClientConnection: ChannelDelegate, DeadlineHandler {
    let channel: Channel
    private unowned let worker: Worker
    let peer: SocketAddress?
    let isTLS: Bool
    private var decoder: HTTP1RequestDecoder
    private var exchange: Exchange?
    private var handshaking: Bool
    private var processing = false
    private var reprocess = false
    private var closing = false
    private var lingering = false
    private var closed = false
    /// Loop time when the current request head started arriving, or 0 while idle.
    private var headStart: UInt64 = 0
    /// Loop time of the last activity, for the keep-alive timeout.
    private var lastActivity: UInt64
    /// Loop time when the current request head was complete.
    private(set) var requestStart: UInt64 = 0
    var deadline: UInt64 = 0
    var scheduledDeadline: UInt64 = 0

    init(channel: Channel, worker: Worker, peer: SocketAddress?, isTLS: Bool) {
        self.channel = channel
        self.worker = worker
        self.peer = peer
        self.isTLS = isTLS
        handshaking = isTLS
        decoder = HTTP1RequestDecoder(limits: worker.parserLimits)
        lastActivity = channel.loop.now
        channel.delegate = self
    }

    func start() throws {
        try channel.start(connecting: false)
        refreshDeadline()
    }

    var isIdle: Bool { exchange == nil && channel.input.isEmpty && !handshaking }

    // MARK: Input

    /// Parses and dispatches buffered input until the current exchange cannot take more.
    func processInput() {
        guard !closed, !closing || exchange != nil else {
            if lingering { channel.consume(channel.input.count) }
            return
        }
        if processing {
            reprocess = true
            return
        }
        processing = true
        repeat {
            reprocess = false
            processBufferedEvents()
        } while reprocess && !closed
        processing = false
        if !closed {
            channel.flush()
            refreshDeadline()
        }
    }

    private func processBufferedEvents() {
        while !closed {
            if let exchange, exchange.isTunneling {
                let input = channel.input
                guard !input.isEmpty, exchange.acceptsTunnelBytes else { return }
                exchange.tunnelFromClient(input)
                channel.consume(input.count)
                continue
            }
            if let exchange {
                guard !exchange.requestBodyComplete, exchange.acceptsRequestBody else { return }
            } else if closing {
                return
            }
            let input = channel.input
            // Without an exchange, an empty input cannot hold a head; with one, decoding it may end the body.
            if exchange == nil, input.isEmpty { return }
            if exchange == nil, headStart == 0 {
                headStart = channel.loop.now
            }
            let consumed: Int
            let event: HTTP1Event?
            do {
                (consumed, event) = try decoder.decode(input)
            } catch {
                rejectRequest(error)
                return
            }
            // Consumed before dispatching, because dispatching can close the connection or start lingering,
            // which discards the input. Body bytes stay valid: nothing reads into the buffer meanwhile.
            channel.consume(consumed)
            guard let event else {
                if channel.inputFull {
                    // The decoder's limits are below the buffer size, so this only guards against a stall.
                    rejectRequest(HTTP1ParseError(status: 431, reason: "request head does not fit the read buffer"))
                }
                return
            }
            switch event {
            case .head:
                startExchange()
            case .body(let range):
                exchange?.requestBody(UnsafeRawBufferPointer(rebasing: input[range]))
            case .end:
                exchange?.requestBodyEnded()
            }
        }
    }

    private func startExchange() {
        guard let head = decoder.head else { return }
        headStart = 0
        requestStart = channel.loop.now
        let context = worker.makeContext(for: head, peer: peer, isTLS: isTLS, serverName: serverName)
        let exchange = Exchange(client: self, worker: worker, chain: worker.chain, head: head, context: context)
        self.exchange = exchange
        exchange.start()
    }

    private var serverName: String? {
        (channel.transport as? TLSTransport)?.connection.serverName
    }

    /// Sends an error response for a request that failed to parse, then closes the connection, because after a
    /// framing error the rest of the stream cannot be trusted.
    private func rejectRequest(_ error: HTTP1ParseError) {
        if let exchange {
            // The exchange sends the error page and closes, or aborts if its response already started.
            let kind: GatewayError.Kind = error.status == 408 ? .requestBodyTimeout : .invalidRequestBody
            exchange.fail(GatewayError(kind, source: .client, cause: error))
            return
        }
        var bytes: [UInt8] = []
        let text = ErrorPages.clientErrorText(error.status)
        HeadWriter.appendResponseHead(
            ResponseHead(status: error.status, headers: HTTPHeaders([
                ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", String(text.utf8.count)),
                ("Connection", "close"),
            ])),
            into: &bytes)
        bytes.append(contentsOf: text.utf8)
        channel.consume(channel.input.count)
        channel.enqueue(bytes)
        worker.logger.info(
            "rejected a request", metadata: ["status": String(error.status), "reason": error.reason,
                                             "client": peer?.description ?? "?"])
        closeAfterFlush()
    }

    /// Sends `100 Continue` so the client starts sending its body.
    func sendContinue() {
        channel.enqueue("HTTP/1.1 100 Continue\r\n\r\n")
        channel.flush()
    }

    // MARK: Exchange completion

    func exchangeFinished(_ finished: Exchange) {
        guard finished === exchange else { return }
        exchange = nil
        lastActivity = channel.loop.now
        if finished.closeAfterResponse || worker.draining {
            closeAfterFlush()
            return
        }
        processInput()
        if !closed, isIdle {
            // A fresh decoder drops the finished request's head, so an idle keep-alive connection keeps no
            // field strings; at a message boundary it is equivalent to the old one.
            decoder = HTTP1RequestDecoder(limits: worker.parserLimits)
            channel.releaseInputBufferIfEmpty()
        }
    }

    /// Closes once every queued byte is written, after a lingering read so the client sees the whole response.
    func closeAfterFlush() {
        guard !closed, !closing else { return }
        closing = true
        channel.flush()
        if !closed, channel.pendingOutput == 0 {
            startLingering()
        }
        refreshDeadline()
    }

    /// Closes at once, for errors after a response started.
    func abort() {
        guard !closed else { return }
        closed = true
        deadline = 0
        let active = exchange
        exchange = nil
        active?.clientGone()
        channel.close()
        worker.connectionClosed(self)
    }

    /// Half-closes and reads what the client still sends for a short time, because closing a socket with
    /// unread input makes the kernel send a reset that can destroy the response in flight.
    private func startLingering() {
        lingering = true
        channel.transport.shutdown()
        _ = Glibc.shutdown(channel.fd, Int32(SHUT_WR))
        channel.consume(channel.input.count)
        channel.readingPaused = false
        if channel.peerClosed {
            abort()
        } else {
            deadline = channel.loop.deadline(after: worker.lingerTimeout)
            channel.loop.updateDeadline(self)
        }
    }

    /// Closes the connection if it waits for a new request, for graceful shutdown.
    func closeIfIdle() {
        if isIdle || handshaking { abort() }
    }

    // MARK: Deadlines

    private func refreshDeadline() {
        guard !closed, !lingering else { return }
        let timeouts = worker.timeouts
        let loop = channel.loop
        if channel.pendingOutput > 0 {
            deadline = channel.lastWriteProgress &+ UInt64(timeouts.send * 1e9)
        } else if handshaking {
            deadline = lastActivity &+ UInt64(timeouts.tlsHandshake * 1e9)
        } else if let exchange {
            if !exchange.requestBodyComplete, exchange.acceptsRequestBody {
                deadline = loop.deadline(after: timeouts.requestBody)
            } else {
                deadline = 0
            }
        } else if headStart != 0 {
            deadline = headStart &+ UInt64(timeouts.requestHeader * 1e9)
        } else {
            deadline = lastActivity &+ UInt64(timeouts.keepAlive * 1e9)
        }
        loop.updateDeadline(self)
    }

    func deadlineExpired() {
        if lingering || closing || handshaking || channel.pendingOutput > 0 {
            abort()
            return
        }
        if let exchange {
            if !exchange.requestBodyComplete, exchange.acceptsRequestBody {
                exchange.fail(GatewayError(.requestBodyTimeout, source: .client))
            }
            return
        }
        if headStart != 0 {
            rejectRequest(HTTP1ParseError(status: 408, reason: "request head not received in time"))
        } else {
            abort()
        }
    }

    // MARK: ChannelDelegate

    func channelConnected(error: Int32?) {}

    func channelHandshakeCompleted() {
        handshaking = false
        lastActivity = channel.loop.now
        refreshDeadline()
    }

    func channelReceived() {
        lastActivity = channel.loop.now
        if lingering {
            channel.consume(channel.input.count)
            return
        }
        processInput()
    }

    func channelDrained() {
        if closing {
            if !lingering { startLingering() }
            return
        }
        exchange?.clientDrained()
        refreshDeadline()
    }

    func channelPeerClosed(truncated: Bool) {
        if let exchange, exchange.isTunneling {
            processInput()
            exchange.tunnelClientClosed()
            return
        }
        if let exchange, exchange.requestBodyComplete, !closing {
            // A client may half-close after its request; the response still goes out, then the connection ends.
            exchange.markCloseAfterResponse()
            return
        }
        abort()
    }

    func channelFailed(_ error: Error) {
        abort()
    }
}
