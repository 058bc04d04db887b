// A real gateway on loopback with plugins loaded in front of a sample origin, for integration tests of plugins.

import Foundation
import SwitchyardPlugin

/// Starts a gateway on `127.0.0.1` (port chosen by the kernel) whose chain is `routing-lookup` followed by the
/// given middleware entries, with the storefront `shop` routed to a `SampleOrigin` on loopback. Requests to
/// `/shop/...` therefore reach the origin through the plugins.
///
/// The configuration is a real file in a temporary folder, loaded as `serve` loads it, so `reload()` exercises
/// the SIGHUP path. Call `stop()` at the end of the test.
public final class GatewayTestHarness: @unchecked Sendable {
    /// The temporary folder holding the configuration and the key-value store.
    public let folder: URL
    /// The configuration file.
    public let configurationPath: String
    /// The origin behind the gateway.
    public let origin: SampleOrigin
    /// The running gateway.
    public let server: GatewayServer
    /// The records the gateway and its middleware logged.
    public let logs = MemoryLogSink()

    /// The gateway's port on 127.0.0.1.
    public var port: Int { server.listenAddresses.first?.port ?? 0 }

    /// Writes the configuration, seeds `keyValue` (namespace, then key and text value) and starts the gateway.
    /// `middleware` contains JSON objects such as `{"use": "hello"}`, placed after `routing-lookup`. Throws the first
    /// configuration or plugin error, as start-up would report it.
    public init(
        plugins: [String], middleware: [String], keyValue: [String: [String: String]] = [:], workers: Int = 1
    ) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-harness-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        configurationPath = folder.appendingPathComponent("switchyard.json").path
        origin = SampleOrigin(name: "shop")
        try origin.start()
        do {
            server = try Self.startServer(
                configurationPath: configurationPath, plugins: plugins, middleware: middleware, keyValue: keyValue,
                workers: workers, originPort: origin.port, logs: logs)
        } catch {
            origin.stop()
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
    }

    private static func startServer(
        configurationPath: String, plugins: [String], middleware: [String], keyValue: [String: [String: String]],
        workers: Int, originPort: Int, logs: MemoryLogSink
    ) throws -> GatewayServer {
        let namespaces = ["ROUTING_CONFIG"] + keyValue.keys.sorted()
        try writeConfiguration(
            to: configurationPath, plugins: plugins, middleware: middleware, namespaces: namespaces, workers: workers)
        let configuration = try ConfigurationLoader.load(path: configurationPath)
        let registry = try PluginLoader.makeRegistry(plugins: configuration.plugins).registry
        // LMDB forbids opening one environment twice in a process, so the seeding handle closes before the
        // gateway opens its own.
        try seed(configuration, routes: ["shop": "{\"origin\": \"http://127.0.0.1:\(originPort)\"}"], keyValue)
        let server = try GatewayServer(configuration: configuration, registry: registry, logger: Logger(level: .info, sink: logs))
        server.start()
        return server
    }

    /// Replaces the configuration file's plugins and middleware, keeping everything else.
    public func rewriteConfiguration(plugins: [String], middleware: [String], keyValueNamespaces: [String] = []) throws {
        try Self.writeConfiguration(
            to: configurationPath, plugins: plugins, middleware: middleware,
            namespaces: ["ROUTING_CONFIG"] + keyValueNamespaces, workers: server.configuration.workers)
    }

    /// Rereads the configuration file as SIGHUP does.
    @discardableResult
    public func reload() throws -> ReloadResult {
        try server.reload(configurationPath: configurationPath)
    }

    /// Stops the gateway (closing connections after one second) and the origin, and removes the folder.
    public func stop() {
        server.shutdown(grace: 1)
        server.waitUntilStopped()
        origin.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    private static func writeConfiguration(
        to path: String, plugins: [String], middleware: [String], namespaces: [String], workers: Int
    ) throws {
        let pluginList = plugins.map { "\"\($0)\"" }.joined(separator: ", ")
        let kv = namespaces.map { "\"\($0)\": {\"backend\": \"lmdb\", \"path\": \"data/kv\"}" }.joined(separator: ", ")
        let entries = (["{\"use\": \"routing-lookup\", \"namespace\": \"ROUTING_CONFIG\"}"] + middleware)
            .joined(separator: ",\n    ")
        let text = """
            {
              "listen": [{"address": "127.0.0.1:0"}],
              "workers": \(workers),
              "kv": {\(kv)},
              "plugins": [\(pluginList)],
              "middleware": [
                \(entries)
              ]
            }
            """
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    private static func seed(
        _ configuration: GatewayConfiguration, routes: [String: String], _ values: [String: [String: String]]
    ) throws {
        let stores = try KeyValueNamespaces(configuration: configuration)
        for (namespace, pairs) in values.merging(["ROUTING_CONFIG": routes], uniquingKeysWith: { $0.merging($1) { _, new in new } }) {
            guard let (store, database) = stores.store(for: namespace) else { continue }
            try store.putAll(database: database, pairs.map { (key: $0.key, value: Array($0.value.utf8)) })
        }
    }
}

/// A log sink that keeps records in memory, for tests that check what the gateway logged. Thread-safe.
public final class MemoryLogSink: LogSink, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [(level: LogLevel, message: String, metadata: [String: String])] = []

    /// Makes an empty sink.
    public init() {}

    /// The records so far, in order.
    public var records: [(level: LogLevel, message: String, metadata: [String: String])] {
        lock.withLock { stored }
    }

    /// Appends a record.
    public func write(level: LogLevel, message: String, metadata: [String: String]) {
        lock.withLock { stored.append((level, message, metadata)) }
    }
}
