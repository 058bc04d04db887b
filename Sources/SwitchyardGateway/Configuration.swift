// The validated gateway configuration: listeners, key-value namespaces, the middleware chain and limits.

import Foundation

/// A validated configuration. Paths are absolute, resolved against the configuration file's folder.
public struct GatewayConfiguration: Sendable {
    /// One listening socket.
    public struct Listener: Sendable, Equatable {
        /// The IP address to bind, without brackets, for example `127.0.0.1` or `::`.
        public var host: String
        public var port: Int
        /// The TLS settings, or nil for a plain-HTTP listener.
        public var tls: TLSSettings?

        public init(host: String, port: Int, tls: TLSSettings? = nil) {
            self.host = host
            self.port = port
            self.tls = tls
        }
    }

    /// TLS settings of a listener.
    public struct TLSSettings: Sendable, Equatable {
        /// Certificate and key pairs; SNI selects among them, and the first is the default.
        public var certificates: [CertificatePair]
        /// `1.2` or `1.3`; the lowest version accepted.
        public var minVersion: String

        public init(certificates: [CertificatePair], minVersion: String = "1.2") {
            self.certificates = certificates
            self.minVersion = minVersion
        }
    }

    /// A PEM certificate chain and its private key.
    public struct CertificatePair: Sendable, Equatable {
        public var cert: String
        public var key: String

        public init(cert: String, key: String) {
            self.cert = cert
            self.key = key
        }
    }

    /// A key-value namespace stored in LMDB.
    public struct Namespace: Sendable, Equatable {
        public var name: String
        /// The LMDB environment folder.
        public var path: String
        /// The LMDB map size in bytes: the maximum size of the store.
        public var mapSize: Int

        public init(name: String, path: String, mapSize: Int = 1 << 30) {
            self.name = name
            self.path = path
            self.mapSize = mapSize
        }
    }

    /// One entry of the middleware chain.
    public struct MiddlewareEntry: @unchecked Sendable {
        /// The registered middleware name from `use`.
        public var use: String
        /// The entry's other keys.
        public var options: [String: Any]
        /// `middleware[N]`, for error messages.
        public var keyPath: String

        public init(use: String, options: [String: Any] = [:], keyPath: String) {
            self.use = use
            self.options = options
            self.keyPath = keyPath
        }
    }

    /// Size limits for client requests.
    public struct Limits: Sendable, Equatable {
        /// Maximum length of the request line in bytes; longer gets 414.
        public var maxRequestLineBytes = 8 * 1024
        /// Maximum size of the whole request head in bytes; larger gets 431.
        public var maxHeaderBytes = 32 * 1024
        /// Maximum number of header fields; more gets 431.
        public var maxHeaderCount = 100
        /// Maximum request body size in bytes; larger gets 413. Zero means no limit.
        public var maxBodyBytes: Int64 = 0
        /// Maximum size of a response head from an origin in bytes; larger gets 502.
        public var maxResponseHeaderBytes = 64 * 1024
        /// Maximum number of concurrent client connections per worker; more are accepted and closed at once.
        public var maxConnections = 10_000

        public init() {}
    }

    /// Timeouts in seconds.
    public struct Timeouts: Sendable, Equatable {
        /// Time allowed for a complete request head, from the first byte or the end of the previous request;
        /// exceeded gets 408.
        public var requestHeader: Double = 30
        /// Time allowed between two reads of a request body; exceeded gets 408.
        public var requestBody: Double = 60
        /// Time a keep-alive connection may sit idle between requests before it is closed.
        public var keepAlive: Double = 75
        /// Time allowed for the TLS handshake.
        public var tlsHandshake: Double = 10
        /// Time allowed to connect to an origin, including its TLS handshake; exceeded gets 504.
        public var upstreamConnect: Double = 5
        /// Time allowed between two reads from an origin; exceeded gets 504 before the response head.
        public var upstreamRead: Double = 60
        /// Time an idle pooled origin connection is kept.
        public var upstreamIdle: Double = 60
        /// Time allowed for in-flight requests to finish after SIGTERM or SIGINT.
        public var shutdownGrace: Double = 10
        /// Time allowed to write to a client without progress.
        public var send: Double = 60

        public init() {}
    }

    public var listeners: [Listener]
    public var namespaces: [Namespace]
    public var middleware: [MiddlewareEntry]
    /// Shared library paths or folders of plugins to load.
    public var plugins: [String]
    /// Number of event loops; defaults to the number of cores.
    public var workers: Int
    public var limits: Limits
    public var timeouts: Timeouts
    /// Idle keep-alive connections kept per origin and worker.
    public var upstreamPoolSize: Int
    /// The global redirect mode, overridden per storefront by the routing value.
    public var redirect: String
    /// The gateway's own log level (`info` by default).
    public var logLevel: String
    /// The value of the gateway's `Via` field pseudonym, `switchyard` by default.
    public var viaName: String
    /// The folder of the configuration file.
    public var directory: URL

    /// A configuration with the defaults for everything but the listeners, namespaces and middleware; for tests
    /// and embedding. `ConfigurationLoader` builds validated instances from a file.
    public init(
        listeners: [Listener], namespaces: [Namespace] = [], middleware: [MiddlewareEntry] = [], plugins: [String] = [],
        workers: Int = GatewayConfiguration.defaultWorkers, limits: Limits = Limits(), timeouts: Timeouts = Timeouts(),
        upstreamPoolSize: Int = 16, redirect: String = "pass", logLevel: String = "info", viaName: String = "switchyard",
        directory: URL
    ) {
        self.listeners = listeners
        self.namespaces = namespaces
        self.middleware = middleware
        self.plugins = plugins
        self.workers = workers
        self.limits = limits
        self.timeouts = timeouts
        self.upstreamPoolSize = upstreamPoolSize
        self.redirect = redirect
        self.logLevel = logLevel
        self.viaName = viaName
        self.directory = directory
    }

    /// The default number of event loops: the number of active cores, at least 1 and at most 256.
    public static var defaultWorkers: Int {
        min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 256)
    }
}
