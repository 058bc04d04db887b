// Registration of the built-in middleware: routing lookup, header injection, access log and gzip.

import SwitchyardPlugin

/// The version registered for every built-in middleware.
public let builtinMiddlewareVersion = "1.0.0"

/// Registers `routing-lookup`, `header-injection`, `access-log` and `gzip` in `registry`, through the same
/// registry calls that loaded plugins use. Throws if one of the names is already taken.
public func registerBuiltins(into registry: MiddlewareRegistry) throws {
    try registry.register(name: "routing-lookup", version: builtinMiddlewareVersion) { options, environment in
        try RoutingLookupMiddleware(options: options, environment: environment)
    }
    try registry.register(name: "header-injection", version: builtinMiddlewareVersion) { options, _ in
        try HeaderInjectionMiddleware(options: options)
    }
    try registry.register(name: "access-log", version: builtinMiddlewareVersion) { options, environment in
        try AccessLogMiddleware(options: options, environment: environment)
    }
    try registry.register(name: "gzip", version: builtinMiddlewareVersion) { options, _ in
        try GzipMiddleware(options: options)
    }
}
