// One event loop's share of the gateway: its listening sockets, client connections and origin pool.

import Foundation
import Glibc
import SwitchyardEventLoop
import SwitchyardHTTP1
import SwitchyardPlugin
import SwitchyardTLS

/// A listening socket of one worker and the TLS context of its listener, if any.
final class ListeningSocket: EventHandler {
    let fd: Int32
    let tls: TLSServerContext?
    unowned let worker: Worker

    init(fd: Int32, tls: TLSServerContext?, worker: Worker) {
        self.fd = fd
        self.tls = tls
        self.worker = worker
    }

    func handleEvent(readable: Bool, writable: Bool, hangup: Bool) {
        worker.acceptConnections(from: self)
    }
}

/// The state of one event loop. Everything here runs on `loop`'s thread, except `start` and the methods that
/// queue work onto the loop.
final class Worker {
    let loop: EventLoop
    /// The chain for requests that start on this loop; replaced on the loop thread by a reload.
    var chain: MiddlewareChain
    let keyValue: KeyValueAccess
    let logger: Logger
    let limits: GatewayConfiguration.Limits
    let timeouts: GatewayConfiguration.Timeouts
    let parserLimits: HTTP1Limits
    let viaName: String
    let lingerTimeout: Double = 2
    let buffers: BufferPool
    let upstreams: UpstreamPool
    private(set) var draining = false
    private var listeners: [ListeningSocket] = []
    private var clients: [ObjectIdentifier: ClientConnection] = [:]
    private var scratch: [[UInt8]] = []
    private var requestCounter: UInt64 = 0
    private let requestIDPrefix: String
    private let onStopped: @Sendable () -> Void

    init(
        index: Int, configuration: GatewayConfiguration, chain: MiddlewareChain, keyValue: KeyValueAccess,
        logger: Logger, tlsClientContexts: TLSClientContextCache, onStopped: @escaping @Sendable () -> Void
    ) throws {
        loop = try EventLoop(index: index)
        self.chain = chain
        self.keyValue = keyValue
        var workerLogger = logger
        workerLogger[metadataKey: "worker"] = String(index)
        self.logger = workerLogger
        limits = configuration.limits
        timeouts = configuration.timeouts
        parserLimits = HTTP1Limits(
            maxRequestLineBytes: configuration.limits.maxRequestLineBytes,
            maxHeaderBytes: configuration.limits.maxHeaderBytes,
            maxHeaderCount: configuration.limits.maxHeaderCount)
        viaName = configuration.viaName
        // A whole request or response head must fit one buffer, because the decoders consume whole lines only.
        let largestHead = max(configuration.limits.maxHeaderBytes, configuration.limits.maxResponseHeaderBytes)
        buffers = BufferPool(bufferSize: max(16 * 1024, largestHead + 1024))
        upstreams = UpstreamPool(
            loop: loop, buffers: buffers, tlsContexts: tlsClientContexts,
            maxIdlePerKey: configuration.upstreamPoolSize, connectTimeout: configuration.timeouts.upstreamConnect,
            idleTimeout: configuration.timeouts.upstreamIdle,
            maxResponseHeaderBytes: configuration.limits.maxResponseHeaderBytes)
        requestIDPrefix = String(UInt32.random(in: 0...UInt32.max), radix: 16) + String(index, radix: 16)
        self.onStopped = onStopped
    }

    /// Registers listening sockets with the loop. Call before the loop thread starts.
    func addListener(fd: Int32, tls: TLSServerContext?) throws {
        let listener = ListeningSocket(fd: fd, tls: tls, worker: self)
        try loop.register(fd, interest: .read, handler: listener)
        listeners.append(listener)
    }

    /// The number of open client connections.
    var connectionCount: Int { clients.count }

    func acceptConnections(from listener: ListeningSocket) {
        // A bounded batch per wake-up keeps one busy listener from starving established connections.
        for _ in 0..<64 {
            let accepted: (fd: Int32, peer: SocketAddress?)?
            do {
                accepted = try TCP.accept(listener.fd)
            } catch {
                logger.error("accept failed", metadata: ["error": "\(error)"])
                return
            }
            guard let (fd, peer) = accepted else { return }
            guard clients.count < limits.maxConnections, !draining else {
                Socket.close(fd)
                continue
            }
            openClient(fd: fd, peer: peer, tls: listener.tls)
        }
    }

    private func openClient(fd: Int32, peer: SocketAddress?, tls: TLSServerContext?) {
        try? Socket.setOption(fd, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
        do {
            let transport: Transport
            if let tls {
                transport = TLSTransport(connection: try TLSConnection(server: tls, fd: fd))
            } else {
                transport = PlainTransport(fd: fd)
            }
            let channel = Channel(fd: fd, loop: loop, transport: transport, pool: buffers)
            let client = ClientConnection(channel: channel, worker: self, peer: peer, isTLS: tls != nil)
            clients[ObjectIdentifier(client)] = client
            try client.start()
        } catch {
            logger.error("could not set up a client connection", metadata: ["error": "\(error)"])
            Socket.close(fd)
        }
    }

    func connectionClosed(_ client: ClientConnection) {
        clients[ObjectIdentifier(client)] = nil
        if draining, clients.isEmpty {
            finishDraining()
        }
    }

    /// Creates the per-request context with a new request id.
    func makeContext(for head: HTTP1RequestHead, peer: SocketAddress?, isTLS: Bool, serverName: String?)
        -> RequestContext
    {
        requestCounter += 1
        let requestID = requestIDPrefix + "-" + String(requestCounter, radix: 16)
        var headers = HTTPHeaders(reservingCapacity: head.fields.count)
        for field in head.fields {
            headers.add(field.name, field.value)
        }
        let request = RequestHead(
            method: head.method, target: head.target,
            version: HTTPVersion(major: head.versionMajor, minor: head.versionMinor), headers: headers)
        var requestLogger = logger
        requestLogger[metadataKey: "request.id"] = requestID
        return RequestContext(
            requestID: requestID, clientAddress: peer?.host ?? "", clientPort: peer?.port ?? 0, isTLS: isTLS,
            serverName: serverName, request: request, keyValue: keyValue, logger: requestLogger)
    }

    // MARK: Scratch buffers

    /// An empty byte array with spare capacity for serialising a head; give it back with `returnScratch`.
    func takeScratch() -> [UInt8] {
        if var bytes = scratch.popLast() {
            bytes.removeAll(keepingCapacity: true)
            return bytes
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1024)
        return bytes
    }

    func returnScratch(_ bytes: [UInt8]) {
        if scratch.count < 8, bytes.capacity <= 64 * 1024 {
            scratch.append(bytes)
        }
    }

    // MARK: Shutdown

    /// Stops accepting, closes idle connections and lets active ones finish. Runs on the loop thread.
    func beginDraining() {
        guard !draining else { return }
        draining = true
        for listener in listeners {
            loop.unregister(listener.fd)
            Socket.close(listener.fd)
        }
        listeners.removeAll()
        for client in Array(clients.values) {
            client.closeIfIdle()
        }
        upstreams.closeIdle()
        if clients.isEmpty {
            finishDraining()
        }
    }

    /// Closes every remaining connection, when the grace period is over.
    func forceClose() {
        for client in Array(clients.values) {
            client.abort()
        }
        finishDraining()
    }

    private func finishDraining() {
        upstreams.closeIdle()
        loop.stop()
        onStopped()
    }
}
