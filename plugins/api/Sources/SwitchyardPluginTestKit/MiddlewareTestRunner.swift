// Runs middleware through the gateway's phase order against synthetic requests and responses, without sockets.

import Foundation
import SwitchyardPlugin

/// The origin's side of a synthetic exchange: the response head and the body chunks as they would arrive.
public struct SyntheticOrigin {
    /// The response head the origin sends.
    public var head: ResponseHead
    /// The body in the chunks the gateway would read; each chunk goes through the body filters on its own.
    public var bodyChunks: [[UInt8]]

    /// Makes an origin response; by default `200 OK` with an empty body.
    public init(head: ResponseHead = ResponseHead(status: 200), bodyChunks: [[UInt8]] = []) {
        self.head = head
        self.bodyChunks = bodyChunks
    }

    /// Makes an origin response whose body is `text` split into `chunks` in the given sizes; the rest of the text
    /// forms the last chunk.
    public static func text(
        _ text: String, status: Int = 200, contentType: String = "text/plain", chunkSizes: [Int] = []
    ) -> SyntheticOrigin {
        var headers = HTTPHeaders()
        headers.add("Content-Type", contentType)
        var remaining = Array(text.utf8)[...]
        var chunks: [[UInt8]] = []
        for size in chunkSizes where !remaining.isEmpty {
            chunks.append(Array(remaining.prefix(size)))
            remaining = remaining.dropFirst(size)
        }
        if !remaining.isEmpty {
            chunks.append(Array(remaining))
        }
        return SyntheticOrigin(head: ResponseHead(status: status, headers: headers), bodyChunks: chunks)
    }
}

/// The outcome of one synthetic exchange.
public struct MiddlewareTestResult {
    /// The request context after the logging phase, with `storefrontID`, `upstream` and `state` as the
    /// middleware left them.
    public let context: RequestContext
    /// The local response a request phase returned, as the middleware returned it (before the response-head
    /// phase), or nil when the request went on to the origin.
    public let localResponse: LocalResponse?
    /// The head that would be sent to the origin after the upstream-request phase, or nil for a local response.
    public let upstreamRequest: RequestHead?
    /// The response head sent to the client after the response-head phase.
    public let responseHead: ResponseHead
    /// The response body sent to the client after every body filter.
    public let body: [UInt8]

    /// The body decoded as UTF-8; invalid bytes become U+FFFD.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// Runs middleware the way the gateway's chain runner does, in memory: the request-head phase of every
/// middleware, then upstream selection, then (unless a phase returned a local response) the upstream-request phase, the
/// response-head phase, the body filters chunk by chunk, and finally the logging phase.
///
/// `.suspend` verdicts are awaited in place. Unlike the gateway, the runner does not remove hop-by-hop fields
/// or add forwarding fields, so the upstream request shows only what the middleware changed.
public struct MiddlewareTestRunner {
    /// The chain in order.
    public var middlewares: [Middleware]
    /// The key-value namespaces the middleware read through `RequestContext.keyValue`.
    public var keyValue: KeyValueAccess
    /// The logger each request context gets.
    public var logger: Logger

    /// Makes a runner for a chain of middleware instances.
    public init(_ middlewares: [Middleware], keyValue: KeyValueAccess = InMemoryKeyValue(), logger: Logger = .disabled) {
        self.middlewares = middlewares
        self.keyValue = keyValue
        self.logger = logger
    }

    /// Makes the middleware registered under `name` by `register` with `options`, as the gateway does for a
    /// `{ "use": name, ...options }` entry. Throws the plugin's `ConfigurationError` for invalid options.
    public static func makeMiddleware(
        name: String, options: [String: Any] = [:], keyValue: KeyValueAccess = InMemoryKeyValue(),
        logger: Logger = .disabled, configDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
        register: (MiddlewareRegistry) throws -> Void
    ) throws -> Middleware {
        let registry = MiddlewareRegistry()
        try register(registry)
        guard let descriptor = registry.descriptor(named: name) else {
            let known = registry.all.map(\.name).joined(separator: ", ")
            throw ConfigurationError(key: "middleware[0].use", message: "unknown middleware \"\(name)\"; known: \(known)")
        }
        let environment = PluginEnvironment(configDirectory: configDirectory, keyValue: keyValue, logger: logger)
        return try descriptor.make(MiddlewareOptions(values: options, keyPath: "middleware[0]"), environment)
    }

    /// Makes the request context for `request`, as the gateway does when a request head is complete.
    public func makeContext(
        _ request: RequestHead, clientAddress: String = "127.0.0.1", clientPort: Int = 40000, isTLS: Bool = false,
        serverName: String? = nil, requestID: String = "test-1"
    ) -> RequestContext {
        var requestLogger = logger
        requestLogger[metadataKey: "request.id"] = requestID
        return RequestContext(
            requestID: requestID, clientAddress: clientAddress, clientPort: clientPort, isTLS: isTLS,
            serverName: serverName, request: request, keyValue: keyValue, logger: requestLogger)
    }

    /// Runs one exchange of `request` against `origin` and returns what the client would receive. Throws the
    /// first error a body filter throws.
    public func run(_ request: RequestHead, origin: SyntheticOrigin = SyntheticOrigin(), clientAddress: String = "127.0.0.1")
        async throws -> MiddlewareTestResult
    {
        let context = makeContext(request, clientAddress: clientAddress)
        let local = await runRequestPhases(context)

        var upstreamRequest: RequestHead?
        var responseHead: ResponseHead
        var chunks: [[UInt8]]
        if let local {
            responseHead = local.head
            chunks = [local.body]
        } else {
            upstreamRequest = runUpstreamRequestPhase(context)
            responseHead = origin.head
            context.originStatus = origin.head.status
            chunks = origin.bodyChunks
        }

        context.responseStatus = responseHead.status
        for middleware in middlewares where middleware.phases.contains(.responseHead) {
            middleware.responseHead(context, &responseHead)
        }
        context.responseStatus = responseHead.status
        let body = try Self.filterBody(chunks, through: context.responseBodyFilters)
        context.bytesSent = body.count

        for middleware in middlewares where middleware.phases.contains(.logging) {
            middleware.log(context)
        }
        return MiddlewareTestResult(
            context: context, localResponse: local, upstreamRequest: upstreamRequest, responseHead: responseHead,
            body: body)
    }

    /// Runs the request-head and upstream-selection phases, awaiting suspensions; returns the local response if a
    /// phase answered.
    public func runRequestPhases(_ context: RequestContext) async -> LocalResponse? {
        let steps: [(Middleware, Bool)] =
            middlewares.filter { $0.phases.contains(.requestHead) }.map { ($0, true) }
            + middlewares.filter { $0.phases.contains(.upstreamSelection) }.map { ($0, false) }
        for (middleware, isRequestHead) in steps {
            var verdict = isRequestHead ? middleware.requestHead(context) : middleware.selectUpstream(context)
            while case .suspend(let suspension) = verdict {
                verdict = await suspension.work()
            }
            if case .respond(let response) = verdict {
                return response
            }
        }
        return nil
    }

    /// Runs the upstream-request phase on a copy of the client's head aimed at the chosen upstream (or, if none
    /// was chosen, at `http://origin.test` with the client's target).
    public func runUpstreamRequestPhase(_ context: RequestContext) -> RequestHead {
        let upstream = context.upstream ?? Upstream(scheme: "http", host: "origin.test", port: 80, target: context.request.target)
        var head = context.request
        head.target = upstream.target
        head.headers.set("Host", upstream.authority)
        for middleware in middlewares where middleware.phases.contains(.upstreamRequest) {
            middleware.upstreamRequestHead(context, &head)
        }
        return head
    }

    /// Passes each chunk through `filters` in order, then an empty end-of-stream call, and returns the
    /// concatenated output. With no filters it returns the chunks joined.
    public static func filterBody(_ chunks: [[UInt8]], through filters: [ResponseBodyFilter]) throws -> [UInt8] {
        var output: [UInt8] = []
        let inputs = chunks.map { ($0, false) } + [([UInt8](), true)]
        for (chunk, endOfStream) in inputs {
            var current = chunk
            for filter in filters {
                var next: [UInt8] = []
                try current.withUnsafeBytes { try filter.filter($0, endOfStream: endOfStream, output: &next) }
                current = next
            }
            output += current
        }
        return output
    }
}
