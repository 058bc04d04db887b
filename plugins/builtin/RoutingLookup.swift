// The routing-lookup middleware: finds a storefront's origin in a key-value namespace by the first path segment.

import SwitchyardPlugin

/// Routes `/<storefrontId>/rest?q` to the origin stored under `storefrontId` in a key-value namespace, which
/// receives `/rest?q`.
///
/// Answers locally with 400 when the path has no storefront segment or the segment is not a valid id, 404 when the
/// id is not in the namespace, and 500 (logged with the id) when the stored value is invalid or the store fails.
/// Sets `storefrontID` once the id is found in the store, and `upstream` when its value is valid.
///
/// Options: `namespace` (required, a configured namespace) and `redirect` (`pass` or `follow`; by default the
/// configuration's top-level `redirect`, else `pass`), the redirect mode for storefronts whose value sets none.
///
/// Thread-safe: the instance holds only immutable settings, and parsed values are cached per thread. Cost per
/// request: one store read and a comparison of the value's bytes with the thread's cached copy (a JSON parse when
/// they differ). The target is split without allocating unless it has dot segments or percent-encoded ids.
public final class RoutingLookupMiddleware: Middleware {
    static let welcomeText = "Welcome to our multi-tenant platform. Please specify a storefront ID in the URL path."
    static let internalErrorText = "An error occurred while processing your request."

    /// The namespace that maps storefront ids to routing values.
    public let namespace: String
    /// The redirect mode used when a routing value has none.
    public let defaultRedirect: Upstream.RedirectMode

    public var phases: MiddlewarePhases { .upstreamSelection }

    private struct Options: Decodable {
        var namespace: String
        var redirect: String?
    }

    /// Validates the options; the namespace must be one of `environment.keyValue.namespaces`.
    public init(options: MiddlewareOptions, environment: PluginEnvironment) throws {
        try options.rejectUnknownKeys(["namespace", "redirect"])
        let decoded = try options.decode(Options.self)

        let configured = environment.keyValue.namespaces
        guard configured.contains(decoded.namespace) else {
            let list = configured.isEmpty ? "none" : configured.sorted().joined(separator: ", ")
            throw ConfigurationError(
                key: "\(options.keyPath).namespace",
                message: "\"\(decoded.namespace)\" is not a configured namespace (configured: \(list)); "
                    + "add it under \"kv\" or fix the name")
        }
        let redirectText = decoded.redirect ?? environment.defaultRedirectMode.rawValue
        guard let redirect = Upstream.RedirectMode(rawValue: redirectText) else {
            throw ConfigurationError(
                key: "\(options.keyPath).redirect", message: "\"\(redirectText)\" is invalid; use \"pass\" or \"follow\"")
        }
        namespace = decoded.namespace
        defaultRedirect = redirect
    }

    /// The longest storefront ID in bytes: LMDB's maximum key size.
    static let maxKeyBytes = 511

    public func selectUpstream(_ context: RequestContext) -> Verdict {
        let target = RouteTarget(target: context.request.target)
        guard !target.rawKey.isEmpty else {
            return .respond(.text(400, Self.welcomeText))
        }
        let key: String
        do {
            key = try RouteKey.decode(target.rawKey)
        } catch {
            return .respond(.text(400, error.responseText))
        }
        guard key.utf8.count <= Self.maxKeyBytes else {
            // No store key can be this long (LMDB's limit), so this is the client's error, not a store failure.
            return .respond(.text(400, "The storefront ID is longer than \(Self.maxKeyBytes) bytes."))
        }

        let stored: [UInt8]?
        do {
            stored = try context.keyValue.get(namespace: namespace, key: key)
        } catch {
            return fail(context, "routing lookup failed", key: key, error: "\(error)")
        }
        guard let stored else {
            return .respond(.text(404, "Storefront \"\(key)\" not found."))
        }
        context.storefrontID = key

        do {
            let value = try Self.parse(stored, key: key)
            context.upstream = upstream(for: value, target: target)
            return .proceed
        } catch {
            return fail(context, "invalid routing value", key: key, error: "\(error)")
        }
    }

    /// Parses a stored value, reusing the calling thread's earlier parse of the same bytes.
    private static func parse(_ stored: [UInt8], key: String) throws -> RouteValue {
        guard let cache = RouteValueCache.forCurrentThread() else {
            return try RouteValue.parse(stored)
        }
        return try cache.value(for: stored, key: key)
    }

    private func upstream(for value: RouteValue, target: RouteTarget) -> Upstream {
        let origin = value.origin
        return Upstream(
            scheme: origin.scheme, host: origin.host, port: origin.port,
            target: Self.concatenate(origin.basePath[...], target.forwardedPath, target.query),
            basePath: origin.basePath, verifyCertificate: value.verifyTLS, caFile: value.caFile,
            redirectMode: value.redirect ?? defaultRedirect, gatewayPrefix: Self.concatenate("/", target.rawKey, ""))
    }

    /// Joins three strings with one allocation and byte copies, where `String + Substring` appends Characters one
    /// at a time.
    private static func concatenate(_ first: Substring, _ second: Substring, _ third: Substring) -> String {
        var first = first
        var second = second
        var third = third
        let count = first.utf8.count + second.utf8.count + third.utf8.count
        return String(unsafeUninitializedCapacity: count) { buffer in
            let firstEnd = first.withUTF8 { copy($0, to: buffer, at: 0) }
            let secondEnd = second.withUTF8 { copy($0, to: buffer, at: firstEnd) }
            return third.withUTF8 { copy($0, to: buffer, at: secondEnd) }
        }
    }

    /// Copies `source` into `buffer` at `offset` and returns the offset after it.
    private static func copy(
        _ source: UnsafeBufferPointer<UInt8>, to buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int
    ) -> Int {
        _ = UnsafeMutableBufferPointer(rebasing: buffer[offset...]).initialize(from: source)
        return offset + source.count
    }

    /// Logs an error with the storefront id and answers with the generic 500 page.
    private func fail(_ context: RequestContext, _ message: String, key: String, error: String) -> Verdict {
        context.logger.error(
            "\(message) for storefront \"\(key)\": \(error)",
            metadata: ["storefront.id": key, "kv.namespace": namespace, "error": error])
        return .respond(.text(500, Self.internalErrorText))
    }
}
