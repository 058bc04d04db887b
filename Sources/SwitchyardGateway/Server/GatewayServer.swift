// The gateway process: builds the chain and workers from a configuration, runs one thread per event loop, and
// shuts down gracefully.

import Foundation
import Glibc
import SwitchyardEventLoop
import SwitchyardPlugin
import SwitchyardTLS

/// A running gateway. Create it, call `start()`, and later `shutdown(grace:)` and `waitUntilStopped()`.
public final class GatewayServer: @unchecked Sendable {
    public let configuration: GatewayConfiguration
    /// The middleware chain that new requests use; a reload replaces it.
    public var chain: MiddlewareChain { chainLock.withLock { activeChain } }
    private var activeChain: MiddlewareChain
    private let chainLock = NSLock()
    let keyValue: KeyValueNamespaces
    let logger: Logger
    private(set) var workers: [Worker] = []
    private var threads: [Thread] = []
    private let stoppedWorkers = DispatchSemaphore(value: 0)
    private let stopLock = NSLock()
    private var stoppedIndexes: Set<Int> = []
    private let waitLock = NSLock()
    private var stopped = false
    /// The bound address of each configured listener, in configuration order; port 0 becomes the chosen port.
    public private(set) var listenAddresses: [SocketAddress] = []

    public init(configuration: GatewayConfiguration, registry: MiddlewareRegistry, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        keyValue = try KeyValueNamespaces(configuration: configuration)
        let environment = PluginEnvironment(
            configDirectory: configuration.directory, keyValue: keyValue, logger: logger,
            defaultRedirectMode: Upstream.RedirectMode(rawValue: configuration.redirect) ?? .pass)
        let chain = try MiddlewareChain.build(configuration: configuration, registry: registry, environment: environment)
        activeChain = chain
        let clientContexts = TLSClientContextCache()
        for index in 0..<configuration.workers {
            let worker = try Worker(
                index: index, configuration: configuration, chain: chain, keyValue: keyValue, logger: logger,
                tlsClientContexts: clientContexts, onStopped: { [weak self] in self?.workerStopped(index) })
            workers.append(worker)
        }
        try bindListeners()
    }

    private func bindListeners() throws {
        for (index, listener) in configuration.listeners.enumerated() {
            let tls = try Self.makeTLSContext(listener, index: index)
            guard var address = SocketAddress(ipAddress: listener.host, port: listener.port) else {
                throw ConfigurationError(key: "listen[\(index)].address", message: "\(listener.host) is not an IP address")
            }
            if address.port != 0 {
                try Self.checkPortIsFree(address, index: index)
            }
            for worker in workers {
                let fd = try TCP.listen(on: address, reusePort: true)
                if address.port == 0 {
                    // Port 0 picks a free port once; the other workers share it through SO_REUSEPORT.
                    address = try TCP.localAddress(fd)
                }
                try worker.addListener(fd: fd, tls: tls)
            }
            listenAddresses.append(address)
        }
    }

    /// Loads a listener's certificates and keys into a TLS context; nil for a plain-HTTP listener.
    static func makeTLSContext(_ listener: GatewayConfiguration.Listener, index: Int) throws -> TLSServerContext? {
        guard let settings = listener.tls else { return nil }
        do {
            return try TLSServerContext(
                certificates: settings.certificates.map { (cert: $0.cert, key: $0.key) },
                minimumVersion: settings.minVersion == "1.3" ? .v1_3 : .v1_2)
        } catch {
            throw ConfigurationError(key: "listen[\(index)].tls.certificates", message: "\(error)")
        }
    }

    /// Returns an error for every TLS listener whose certificates or keys do not load, as `switchyard check`
    /// reports them.
    public static func tlsErrors(_ configuration: GatewayConfiguration) -> [ConfigurationError] {
        configuration.listeners.enumerated().compactMap { index, listener in
            do {
                _ = try makeTLSContext(listener, index: index)
                return nil
            } catch let error as ConfigurationError {
                return error
            } catch {
                return ConfigurationError(key: "listen[\(index)]", message: "\(error)")
            }
        }
    }

    /// Fails when another process already listens on the address. SO_REUSEPORT would otherwise let a second
    /// gateway bind the same port and silently take part of the traffic; a socket bound without it fails then.
    private static func checkPortIsFree(_ address: SocketAddress, index: Int) throws {
        do {
            let probe = try TCP.listen(on: address, backlog: 1, reusePort: false)
            Socket.close(probe)
        } catch let error as SystemCallError where error.errno == EADDRINUSE {
            throw ConfigurationError(
                key: "listen[\(index)].address",
                message: "\(address) is already in use by another process; stop it or choose another port")
        }
    }

    /// Starts one thread per worker.
    public func start() {
        for worker in workers {
            let thread = Thread { worker.loop.run() }
            thread.name = "switchyard-loop-\(worker.loop.index)"
            thread.stackSize = 1 << 20
            threads.append(thread)
            thread.start()
        }
        let addresses = listenAddresses.map(\.description).joined(separator: ", ")
        logger.info("gateway started", metadata: ["listen": addresses, "workers": String(workers.count)])
    }

    /// Stops accepting connections, lets requests in flight finish for up to `grace` seconds, then closes the
    /// rest. Returns at once; `waitUntilStopped()` waits for the end.
    public func shutdown(grace: Double) {
        logger.info("shutting down", metadata: ["grace_seconds": String(grace)])
        for worker in workers {
            worker.loop.execute { worker.beginDraining() }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + grace) { [weak self] in
            guard let self else { return }
            for worker in self.workers {
                worker.loop.execute { worker.forceClose() }
            }
        }
    }

    /// Blocks until every worker stopped. Safe to call more than once and from several threads.
    public func waitUntilStopped() {
        waitLock.lock()
        defer { waitLock.unlock() }
        guard !stopped else { return }
        for _ in workers {
            stoppedWorkers.wait()
        }
        stopped = true
        logger.info("gateway stopped")
    }

    private func workerStopped(_ index: Int) {
        let first = stopLock.withLock { stoppedIndexes.insert(index).inserted }
        if first {
            stoppedWorkers.signal()
        }
    }

    /// Makes `newChain` the chain of every request that starts from now on, and waits (up to five seconds, in
    /// case a loop has stopped) until every loop switched. Requests in flight keep the chain they started with,
    /// which is released, closing its files, when the last of them ends. Must not run on a loop thread.
    func replaceChain(_ newChain: MiddlewareChain) {
        chainLock.withLock { activeChain = newChain }
        let switched = DispatchGroup()
        for worker in workers {
            switched.enter()
            worker.loop.execute {
                worker.chain = newChain
                switched.leave()
            }
        }
        if switched.wait(timeout: .now() + 5) == .timedOut {
            logger.warning("an event loop did not switch to the new chain within 5 seconds; it may be stopping")
        }
    }

    /// Reopens the files middleware writes to, such as access logs after logrotate moved them.
    public func reopenFiles() {
        for case let middleware as FileReopening in chain.middlewares {
            middleware.reopenFiles()
        }
        logger.info("reopened log files")
    }
}
