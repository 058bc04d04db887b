// Reloading the configuration of a running gateway: new plugins, a new middleware chain, the old one drained.

import Foundation
import SwitchyardPlugin

/// The outcome of a successful reload.
public struct ReloadResult: Sendable {
    /// The plugin libraries of the new configuration.
    public let plugins: [LoadedPlugin]
    /// The `use` names of the new chain, in order.
    public let middleware: [String]
    /// Top-level keys whose changes only a restart applies; they keep their running values.
    public let keysNeedingRestart: [String]
}

extension GatewayServer {
    /// Rereads the configuration at `path`, loads the plugins it names that are not loaded yet, builds a new
    /// middleware chain and makes it the chain of every new request. Requests in flight finish on the old chain
    /// and no connection is closed.
    ///
    /// A configuration, plugin or middleware error leaves the running chain in place, reopens its files (so that
    /// SIGHUP after logrotate still works) and is logged and thrown. Changes to `listen`, `workers`, `kv`,
    /// `limits`, `timeouts`, `upstreamPoolSize`, `logLevel` and `viaName` are logged as needing a restart and
    /// otherwise ignored. `workersOverride` is the `serve --workers` value, which replaces the file's `workers`.
    @discardableResult
    public func reload(configurationPath path: String, workersOverride: Int? = nil) throws -> ReloadResult {
        do {
            var next = try ConfigurationLoader.load(path: path)
            if let workersOverride {
                next.workers = workersOverride
            }
            let (registry, plugins) = try PluginLoader.makeRegistry(plugins: next.plugins)
            let environment = PluginEnvironment(
                configDirectory: next.directory, keyValue: keyValue, logger: logger,
                defaultRedirectMode: Upstream.RedirectMode(rawValue: next.redirect) ?? .pass)
            let newChain = try MiddlewareChain.build(configuration: next, registry: registry, environment: environment)

            let restartKeys = Self.keysNeedingRestart(running: configuration, next: next)
            if !restartKeys.isEmpty {
                logger.warning(
                    "reload ignored settings that need a restart; restart the gateway to apply them",
                    metadata: ["config.keys": restartKeys.joined(separator: ",")])
            }
            replaceChain(newChain)
            logger.info(
                "configuration reloaded",
                metadata: ["config.path": path, "middleware": newChain.names.joined(separator: ","),
                           "plugins": String(plugins.count)])
            return ReloadResult(plugins: plugins, middleware: newChain.names, keysNeedingRestart: restartKeys)
        } catch {
            logger.error(
                "reload rejected; the running configuration stays in place",
                metadata: ["config.path": path, "error": "\(error)"])
            reopenFiles()
            throw error
        }
    }

    /// Returns the top-level keys that differ between the running and the next configuration but need a restart.
    /// Listeners and workers own sockets and threads, and workers copy the other settings when they start.
    static func keysNeedingRestart(running: GatewayConfiguration, next: GatewayConfiguration) -> [String] {
        var keys: [String] = []
        if running.listeners != next.listeners { keys.append("listen") }
        if running.workers != next.workers { keys.append("workers") }
        if running.namespaces != next.namespaces { keys.append("kv") }
        if running.limits != next.limits { keys.append("limits") }
        if running.timeouts != next.timeouts { keys.append("timeouts") }
        if running.upstreamPoolSize != next.upstreamPoolSize { keys.append("upstreamPoolSize") }
        if running.logLevel != next.logLevel { keys.append("logLevel") }
        if running.viaName != next.viaName { keys.append("viaName") }
        return keys
    }
}
