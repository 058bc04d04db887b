// The gateway's error type: what failed, on which side, whether a retry is safe, and the page the client gets.

import SwitchyardPlugin

/// A failure while handling a request.
struct GatewayError: Error, CustomStringConvertible {
    enum Kind: String {
        case resolveFailed = "origin host did not resolve"
        case connectRefused = "origin refused the connection"
        case connectFailed = "could not connect to the origin"
        case connectTimeout = "connecting to the origin timed out"
        case tlsFailed = "TLS handshake with the origin failed"
        case readTimeout = "the origin did not respond in time"
        case invalidResponse = "the origin sent an invalid response"
        case upstreamClosed = "the origin closed the connection early"
        case tooManyRedirects = "the origin redirected more than 20 times"
        case invalidRedirect = "the origin sent an invalid redirect"
        case bodyFilterFailed = "a response body filter failed"
        case middlewareFailed = "a middleware failed"
        case clientClosed = "the client closed the connection"
        case invalidRequestBody = "the request body is malformed"
        case requestBodyTimeout = "the request body was not received in time"
        case requestBodyTooLarge = "the request body is larger than limits.maxBodyBytes"
        case internalError = "internal error"
    }

    /// Which side caused the failure.
    enum Source: String {
        case client, upstream, `internal`
    }

    let kind: Kind
    let source: Source
    /// Whether the request may be sent again on a new connection: true only when the origin cannot have
    /// processed it, for example a reused keep-alive connection that was already closed.
    let retryable: Bool
    let cause: Error?

    init(_ kind: Kind, source: Source = .upstream, retryable: Bool = false, cause: Error? = nil) {
        self.kind = kind
        self.source = source
        self.retryable = retryable
        self.cause = cause
    }

    var description: String {
        if let cause {
            return "\(kind.rawValue): \(cause)"
        }
        return kind.rawValue
    }

    /// The status code the client gets when no response has started yet.
    var status: Int {
        switch kind {
        case .connectTimeout, .readTimeout: return 504
        case .resolveFailed, .connectRefused, .connectFailed, .tlsFailed, .invalidResponse, .upstreamClosed,
            .tooManyRedirects, .invalidRedirect:
            return 502
        case .invalidRequestBody: return 400
        case .requestBodyTimeout: return 408
        case .requestBodyTooLarge: return 413
        case .bodyFilterFailed, .middlewareFailed, .clientClosed, .internalError: return 500
        }
    }

    /// The page the client gets when no response has started yet.
    var response: LocalResponse {
        ErrorPages.page(for: status)
    }
}

/// The plain-text pages the gateway sends for its own errors.
enum ErrorPages {
    static let noStorefront = "Welcome to our multi-tenant platform. Please specify a storefront ID in the URL path."
    static let internalError = "An error occurred while processing your request."
    static let badGateway = "The storefront's origin server could not be reached. Please try again later."
    static let gatewayTimeout = "The storefront's origin server did not respond in time. Please try again later."

    static func page(for status: Int) -> LocalResponse {
        switch status {
        case 502: return .text(502, badGateway)
        case 504: return .text(504, gatewayTimeout)
        case 500: return .text(500, internalError)
        default: return .text(status, clientErrorText(status))
        }
    }

    /// Short pages for requests the gateway rejects before routing.
    static func clientErrorText(_ status: Int) -> String {
        switch status {
        case 400: return "Bad request."
        case 408: return "The request was not received in time."
        case 413: return "The request body is larger than this gateway accepts."
        case 414: return "The request target is longer than this gateway accepts."
        case 417: return "The expectation in the Expect header is not supported."
        case 431: return "The request header fields are larger than this gateway accepts."
        case 501: return "This request is not supported by this gateway."
        case 505: return "Only HTTP/1.0 and HTTP/1.1 are supported."
        default: return HTTPStatus.reasonPhrase(status)
        }
    }
}
