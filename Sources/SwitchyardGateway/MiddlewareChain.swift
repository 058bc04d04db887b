// The configured middleware instances in order, with the members of each phase precomputed for the chain runner.

import Foundation
import SwitchyardPlugin

/// The middleware chain built from the configuration's `middleware` entries.
///
/// Threading: immutable after `build`, so every event loop may share one chain. The per-phase arrays let the
/// runner skip middleware that do not take part in a phase without testing `phases` per request.
public final class MiddlewareChain: @unchecked Sendable {
    /// Every middleware in configuration order.
    public let middlewares: [Middleware]
    /// The `use` name of each middleware, parallel to `middlewares`.
    public let names: [String]
    public let requestHead: [Middleware]
    public let upstreamSelection: [Middleware]
    public let upstreamRequest: [Middleware]
    public let responseHead: [Middleware]
    public let logging: [Middleware]

    /// Makes a chain from middleware instances that already exist, for tests and embedding.
    public init(middlewares: [Middleware], names: [String]) {
        self.middlewares = middlewares
        self.names = names
        requestHead = middlewares.filter { $0.phases.contains(.requestHead) }
        upstreamSelection = middlewares.filter { $0.phases.contains(.upstreamSelection) }
        upstreamRequest = middlewares.filter { $0.phases.contains(.upstreamRequest) }
        responseHead = middlewares.filter { $0.phases.contains(.responseHead) }
        logging = middlewares.filter { $0.phases.contains(.logging) }
    }

    /// Makes every configured middleware with the factory registered under its `use` name. Throws
    /// `ConfigurationError` for an unknown name, and for invalid options with the key path of the entry.
    public static func build(
        configuration: GatewayConfiguration, registry: MiddlewareRegistry, environment: PluginEnvironment
    ) throws -> MiddlewareChain {
        var middlewares: [Middleware] = []
        for entry in configuration.middleware {
            middlewares.append(try make(entry, registry: registry, environment: environment))
        }
        return MiddlewareChain(middlewares: middlewares, names: configuration.middleware.map(\.use))
    }

    /// Builds every entry and returns every error instead of stopping at the first; for `switchyard check`.
    public static func validate(
        configuration: GatewayConfiguration, registry: MiddlewareRegistry, environment: PluginEnvironment
    ) -> [ConfigurationError] {
        var errors: [ConfigurationError] = []
        for entry in configuration.middleware {
            do {
                _ = try make(entry, registry: registry, environment: environment)
            } catch let error as ConfigurationError {
                errors.append(error)
            } catch {
                errors.append(ConfigurationError(key: entry.keyPath, message: "\(error)"))
            }
        }
        return errors
    }

    private static func make(
        _ entry: GatewayConfiguration.MiddlewareEntry, registry: MiddlewareRegistry, environment: PluginEnvironment
    ) throws -> Middleware {
        guard let descriptor = registry.descriptor(named: entry.use) else {
            let known = registry.all.map(\.name)
            let list = known.isEmpty ? "none are registered" : "known: \(known.joined(separator: ", "))"
            throw ConfigurationError(key: "\(entry.keyPath).use", message: "unknown middleware \"\(entry.use)\"; \(list)")
        }
        do {
            return try descriptor.make(MiddlewareOptions(values: entry.options, keyPath: entry.keyPath), environment)
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError(
                key: entry.keyPath, message: "middleware \"\(entry.use)\" (\(descriptor.library)) failed to start: \(error)")
        }
    }
}
