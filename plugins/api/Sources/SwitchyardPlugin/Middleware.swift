// The middleware contract: ordered phase callbacks with no-op defaults and small verdicts.

/// The phases a middleware takes part in. The chain runner calls a middleware only in the phases it declares,
/// so a middleware that never looks at bodies costs nothing per body chunk.
public struct MiddlewarePhases: OptionSet, Sendable, CustomStringConvertible {
    public let rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// `requestHead(_:)`: receives the client's request head first and may respond locally.
    public static let requestHead = MiddlewarePhases(rawValue: 1 << 0)
    /// `selectUpstream(_:)`: chooses the origin by setting `context.upstream`, or responds locally.
    public static let upstreamSelection = MiddlewarePhases(rawValue: 1 << 1)
    /// `upstreamRequestHead(_:_:)`: edits the head sent to the origin.
    public static let upstreamRequest = MiddlewarePhases(rawValue: 1 << 2)
    /// `responseHead(_:_:)`: edits the response head and may install a response body filter.
    public static let responseHead = MiddlewarePhases(rawValue: 1 << 3)
    /// `log(_:)`: runs once per request after the response ended or failed, whatever happened before.
    public static let logging = MiddlewarePhases(rawValue: 1 << 4)

    public var description: String {
        var names: [String] = []
        if contains(.requestHead) { names.append("request-head") }
        if contains(.upstreamSelection) { names.append("upstream-selection") }
        if contains(.upstreamRequest) { names.append("upstream-request") }
        if contains(.responseHead) { names.append("response-head") }
        if contains(.logging) { names.append("logging") }
        return names.joined(separator: ",")
    }
}

/// What a request phase decided.
public enum Verdict: Sendable {
    /// Go on with the next middleware.
    case proceed
    /// Stop the chain and send this response without contacting an origin. The response-head and logging phases
    /// still run.
    case respond(LocalResponse)
    /// Wait for asynchronous work, then use the verdict it returns. The work runs on the executor of the event
    /// loop that owns the connection, so the loop goes on serving other connections meanwhile.
    case suspend(Suspension)
}

/// Asynchronous work that a request phase waits for, wrapping a closure that returns the final verdict.
public struct Suspension: @unchecked Sendable {
    public let work: () async -> Verdict

    public init(_ work: @escaping () async -> Verdict) {
        self.work = work
    }
}

/// A middleware in the chain. One instance serves every request on every event loop, so its stored properties
/// must be immutable or synchronised; per-request state belongs in `RequestContext.state`.
///
/// Phases run on the event loop thread of the connection and must not block: a phase that waits for I/O returns
/// `.suspend`. Every method has a no-op default.
public protocol Middleware: AnyObject, Sendable {
    /// The phases this middleware implements; the chain runner skips the others.
    var phases: MiddlewarePhases { get }

    /// Sees the client's request head before an origin is chosen.
    func requestHead(_ context: RequestContext) -> Verdict

    /// Chooses the origin by setting `context.upstream`, or responds locally.
    func selectUpstream(_ context: RequestContext) -> Verdict

    /// Edits the request head sent to the origin, after the gateway removed hop-by-hop fields and added its
    /// forwarding fields.
    func upstreamRequestHead(_ context: RequestContext, _ head: inout RequestHead)

    /// Edits the response head sent to the client, for origin and local responses alike. A middleware that
    /// transforms the body installs a filter with `context.addResponseBodyFilter(_:)` and fixes the framing fields.
    func responseHead(_ context: RequestContext, _ head: inout ResponseHead)

    /// Runs once per request when the exchange ended, successfully or not.
    func log(_ context: RequestContext)
}

extension Middleware {
    public func requestHead(_ context: RequestContext) -> Verdict { .proceed }
    public func selectUpstream(_ context: RequestContext) -> Verdict { .proceed }
    public func upstreamRequestHead(_ context: RequestContext, _ head: inout RequestHead) {}
    public func responseHead(_ context: RequestContext, _ head: inout ResponseHead) {}
    public func log(_ context: RequestContext) {}
}

/// A streaming transformation of one response body, created per response, for example a gzip encoder.
///
/// Filters run on the event loop in installation order; each gets the previous one's output. The gateway calls
/// `filter` for every chunk as it arrives and once with `endOfStream: true` (possibly with an empty input).
public protocol ResponseBodyFilter: AnyObject {
    /// Transforms `input` and appends the result to `output`. With `endOfStream`, the filter flushes everything
    /// it still holds. A thrown error aborts the response.
    func filter(_ input: UnsafeRawBufferPointer, endOfStream: Bool, output: inout [UInt8]) throws
}
