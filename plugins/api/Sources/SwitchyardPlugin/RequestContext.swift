// Per-request state shared by the middleware chain: ids, the client, the chosen upstream and timings.

import Foundation

/// The state of one request as it passes through the chain. The gateway creates one per request; it is used on
/// the event loop of its connection only and is not thread-safe.
public final class RequestContext {
    /// A unique id for this request, also sent to the origin in `X-Request-ID` when the client sent none.
    public let requestID: String
    /// The client's IP address as text, without port.
    public let clientAddress: String
    /// The client's port.
    public let clientPort: Int
    /// Whether the client connected over TLS.
    public let isTLS: Bool
    /// The TLS server name the client sent, if any.
    public let serverName: String?
    /// The request head exactly as the client sent it.
    public let request: RequestHead
    /// Wall-clock time when the request head was complete.
    public let startTime: Date
    /// Key-value namespaces in the configuration, read-only.
    public let keyValue: KeyValueAccess
    /// The logger for this request, with `request.id` in its metadata.
    public var logger: Logger

    /// The storefront id, set by the routing middleware.
    public var storefrontID: String?
    /// The origin chosen in the upstream selection phase.
    public var upstream: Upstream?
    /// The status sent to the client, once a response head went out.
    public var responseStatus: Int?
    /// The status the origin returned, if an origin answered.
    public var originStatus: Int?
    /// Seconds from sending the request to the origin until its response head arrived.
    public var originDuration: Double?
    /// Body bytes sent to the client.
    public var bytesSent: Int = 0
    /// Seconds from the complete request head until the end of the response.
    public var duration: Double?
    /// A short description of why the exchange failed, for logs; nil when it succeeded.
    public var failure: String?

    /// Per-request storage for middleware, keyed by any string the middleware chooses (its own name is a good
    /// key).
    public var state: [String: Any] = [:]

    /// Response body filters installed in the response-head phase, in order.
    public private(set) var responseBodyFilters: [ResponseBodyFilter] = []

    public init(
        requestID: String, clientAddress: String, clientPort: Int, isTLS: Bool, serverName: String?,
        request: RequestHead, startTime: Date = Date(), keyValue: KeyValueAccess, logger: Logger
    ) {
        self.requestID = requestID
        self.clientAddress = clientAddress
        self.clientPort = clientPort
        self.isTLS = isTLS
        self.serverName = serverName
        self.request = request
        self.startTime = startTime
        self.keyValue = keyValue
        self.logger = logger
    }

    /// Installs a filter that transforms the response body after the filters installed before it.
    public func addResponseBodyFilter(_ filter: ResponseBodyFilter) {
        responseBodyFilters.append(filter)
    }
}

/// Read access to the key-value namespaces of the configuration. Reads see the latest committed write.
public protocol KeyValueAccess: AnyObject, Sendable {
    /// The names of the configured namespaces.
    var namespaces: [String] { get }

    /// Returns the value stored under `key` in `namespace`, or nil if the key is absent. Throws if the namespace
    /// is not configured or the store fails.
    func get(namespace: String, key: String) throws -> [UInt8]?
}
