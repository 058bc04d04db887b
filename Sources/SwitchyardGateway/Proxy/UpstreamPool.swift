// Per-loop keep-alive pool of origin connections, with connection set-up and a small DNS cache.

import Dispatch
import Glibc
import Synchronization
import SwitchyardEventLoop
import SwitchyardTLS

/// Origin connections of one event loop: idle connections by key, and new connections on demand. Used on its
/// loop thread only.
final class UpstreamPool {
    private let loop: EventLoop
    private let buffers: BufferPool
    private let tlsContexts: TLSClientContextCache
    private let maxIdlePerKey: Int
    private let connectTimeout: Double
    private let idleTimeout: Double
    private let maxResponseHeaderBytes: Int
    private var idle: [UpstreamKey: [UpstreamConnection]] = [:]
    private var open: [ObjectIdentifier: UpstreamConnection] = [:]
    private var resolved: [String: (addresses: [SocketAddress], expires: UInt64)] = [:]

    init(
        loop: EventLoop, buffers: BufferPool, tlsContexts: TLSClientContextCache, maxIdlePerKey: Int,
        connectTimeout: Double, idleTimeout: Double, maxResponseHeaderBytes: Int
    ) {
        self.loop = loop
        self.buffers = buffers
        self.tlsContexts = tlsContexts
        self.maxIdlePerKey = maxIdlePerKey
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
        self.maxResponseHeaderBytes = maxResponseHeaderBytes
    }

    /// The number of open origin connections, idle or not.
    var openCount: Int { open.count }

    /// Returns an idle connection for `key`, or starts a new one and reports to `owner` when it is ready or
    /// failed. A returned connection is ready at once.
    func acquire(_ key: UpstreamKey, owner: UpstreamConnectionOwner) -> UpstreamConnection? {
        // Popped in place through the dictionary, so the list is not copied on every request.
        while let connection = idle[key]?.popLast() {
            guard connection.state == .idle, !connection.channel.peerClosed else { continue }
            connection.setTimeout(nil)
            return connection
        }
        resolve(key.host, port: key.port) { [weak self, weak owner] result in
            guard let self, let owner else { return }
            switch result {
            case .success(let addresses):
                self.connect(key, addresses: addresses, owner: owner)
            case .failure(let error):
                self.report(GatewayError(.resolveFailed, cause: error), to: owner)
            }
        }
        return nil
    }

    private func connect(_ key: UpstreamKey, addresses: [SocketAddress], owner: UpstreamConnectionOwner) {
        do {
            let address = addresses[0]
            let fd = try TCP.startConnect(to: address)
            let transport: Transport
            if key.scheme == "https" {
                do {
                    let context = try tlsContexts.context(verify: key.verifyCertificate, caFile: key.caFile)
                    transport = TLSTransport(connection: try TLSConnection(client: context, fd: fd, serverName: key.host))
                } catch {
                    Socket.close(fd)
                    throw GatewayError(.tlsFailed, cause: error)
                }
            } else {
                transport = PlainTransport(fd: fd)
            }
            let channel = Channel(fd: fd, loop: loop, transport: transport, pool: buffers)
            let connection = UpstreamConnection(key: key, channel: channel, pool: self, maxHeaderBytes: maxResponseHeaderBytes)
            connection.owner = owner
            open[ObjectIdentifier(connection)] = connection
            try channel.start(connecting: true)
            connection.setTimeout(connectTimeout)
        } catch let error as GatewayError {
            report(error, to: owner)
        } catch let error as SystemCallError {
            report(GatewayError(error.errno == ECONNREFUSED ? .connectRefused : .connectFailed, cause: error), to: owner)
        } catch {
            report(GatewayError(.connectFailed, cause: error), to: owner)
        }
    }

    /// Reports a failure on the next loop turn, so an owner never hears of it while still inside `acquire`.
    private func report(_ error: GatewayError, to owner: UpstreamConnectionOwner) {
        loop.execute { [weak owner] in
            owner?.upstreamFailed(nil, error)
        }
    }

    /// Keeps an idle connection for reuse, or closes it when the key already has enough.
    func park(_ connection: UpstreamConnection) {
        guard (idle[connection.key]?.count ?? 0) < maxIdlePerKey else {
            connection.close()
            return
        }
        idle[connection.key, default: []].append(connection)
        connection.setTimeout(idleTimeout)
    }

    /// Drops a closed connection from the pool's books.
    func forget(_ connection: UpstreamConnection) {
        open[ObjectIdentifier(connection)] = nil
        if let index = idle[connection.key]?.firstIndex(where: { $0 === connection }) {
            idle[connection.key]?.remove(at: index)
        }
    }

    /// Closes every idle connection, for shutdown.
    func closeIdle() {
        for connection in idle.values.flatMap({ $0 }) {
            connection.close()
        }
        idle.removeAll()
    }

    /// Resolves a host name off the loop thread, caching results for 30 seconds. IP literals need no lookup.
    private func resolve(_ host: String, port: Int, completion: @escaping (Result<[SocketAddress], Error>) -> Void) {
        if let literal = SocketAddress(ipAddress: host, port: port) {
            completion(.success([literal]))
            return
        }
        let cacheKey = "\(host):\(port)"
        if let cached = resolved[cacheKey], cached.expires > loop.now {
            completion(.success(cached.addresses))
            return
        }
        let loop = self.loop
        DispatchQueue.global().async {
            let result = Result { try SocketAddress.resolve(host: host, port: port) }
            loop.execute { [weak self] in
                if case .success(let addresses) = result, !addresses.isEmpty, let self {
                    self.resolved[cacheKey] = (addresses, loop.deadline(after: 30))
                }
                if case .success(let addresses) = result, addresses.isEmpty {
                    completion(.failure(ResolveError(host: host, message: "no addresses")))
                    return
                }
                completion(result)
            }
        }
    }
}

/// TLS client contexts shared by every loop, one per verification setting. Building a context loads the trust
/// store, so it happens once per setting.
final class TLSClientContextCache: @unchecked Sendable {
    private struct Key: Hashable {
        var verify: Bool
        var caFile: String?
    }

    private let contexts = Mutex<[Key: TLSClientContext]>([:])

    func context(verify: Bool, caFile: String?) throws -> TLSClientContext {
        let key = Key(verify: verify, caFile: caFile)
        return try contexts.withLock { contexts in
            if let context = contexts[key] {
                return context
            }
            let context = try TLSClientContext(verify: verify, caFile: caFile)
            contexts[key] = context
            return context
        }
    }
}
