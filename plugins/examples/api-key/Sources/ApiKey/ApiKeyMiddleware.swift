// The api-key middleware: answers 401 unless the request carries a key stored in a key-value namespace.

import SwitchyardPlugin

/// Checks the request's API key against a key-value namespace before any origin is chosen.
///
/// The key is read from a request field (`X-API-Key` by default) and looked up as a key of the namespace; the
/// stored value names the client and is kept in `context.state["api-key.client"]`. A missing or unknown key gets
/// `401` locally; a store failure gets `503`. The field is removed before forwarding unless `forward` is true, so
/// origins never see keys.
public final class ApiKeyMiddleware: Middleware {
    let namespace: String
    let header: String
    let forward: Bool

    public var phases: MiddlewarePhases { [.requestHead, .upstreamRequest] }

    private struct Options: Decodable {
        var namespace: String
        var header: String?
        var forward: Bool?
    }

    /// Validates `{ "use": "api-key", "namespace": "API_KEYS", "header": "X-API-Key", "forward": false }`.
    public init(options: MiddlewareOptions, environment: PluginEnvironment) throws {
        try options.rejectUnknownKeys(["namespace", "header", "forward"])
        let decoded = try options.decode(Options.self)
        guard environment.keyValue.namespaces.contains(decoded.namespace) else {
            let known = environment.keyValue.namespaces.joined(separator: ", ")
            throw ConfigurationError(
                key: "\(options.keyPath).namespace",
                message: "\"\(decoded.namespace)\" is not a configured kv namespace; configured: \(known.isEmpty ? "none" : known)")
        }
        let header = decoded.header ?? "X-API-Key"
        guard !header.isEmpty, header.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
            throw ConfigurationError(key: "\(options.keyPath).header", message: "\"\(header)\" is not a field name such as X-API-Key")
        }
        namespace = decoded.namespace
        self.header = header
        forward = decoded.forward ?? false
    }

    public func requestHead(_ context: RequestContext) -> Verdict {
        guard let key = context.request.headers[header], !key.isEmpty else {
            return .respond(Self.unauthorized("Missing API key: send it in the \(header) field."))
        }
        // LMDB keys are at most 511 bytes, so a longer value cannot be a stored key.
        guard key.utf8.count <= 511 else {
            return .respond(Self.unauthorized("Invalid API key."))
        }
        do {
            guard let client = try context.keyValue.get(namespace: namespace, key: key) else {
                context.logger.info("rejected an unknown API key")
                return .respond(Self.unauthorized("Invalid API key."))
            }
            context.state["api-key.client"] = String(decoding: client, as: UTF8.self)
            return .proceed
        } catch {
            context.logger.error("API key lookup failed", metadata: ["kv.namespace": namespace, "error": "\(error)"])
            return .respond(.text(503, "The API key check is unavailable; try again later."))
        }
    }

    public func upstreamRequestHead(_ context: RequestContext, _ head: inout RequestHead) {
        if !forward {
            head.headers.remove(header)
        }
    }

    private static func unauthorized(_ text: String) -> LocalResponse {
        var response = LocalResponse.text(401, text)
        response.head.headers.add("WWW-Authenticate", "ApiKey")
        return response
    }
}

/// Registers `api-key`; the entry point and the tests call it.
public func registerApiKey(into registry: MiddlewareRegistry) throws {
    try registry.register(name: "api-key", version: "1.0.0") { options, environment in
        try ApiKeyMiddleware(options: options, environment: environment)
    }
}

/// The entry point the gateway looks up after loading the library.
@_cdecl("switchyard_plugin_register")
public func switchyardPluginRegister(_ registrar: UnsafeMutableRawPointer?) -> Int32 {
    PluginEntryPoint.register(registrar, registerApiKey)
}
