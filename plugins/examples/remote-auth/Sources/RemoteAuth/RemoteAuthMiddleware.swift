// The remote-auth middleware: asks an authorisation service on the same host about each request, asynchronously.

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SwitchyardPlugin

/// Sends the client's credentials to an authorisation service and lets the request through only on its `200`.
///
/// The request phase suspends (`Verdict.suspend`) while the HTTP call is in flight, so the event loop keeps
/// serving other connections. The service gets `GET <url>` with the client's credential field copied into
/// `X-Auth-Token`; a `200` body names the user, sent to the origin as `X-Authenticated-User`. `401` or `403`
/// from the service gets a local `403`; any other status, a failure or the timeout gets `503`. A request without
/// the credential field gets `401` without a call. The example only talks to services on loopback.
public final class RemoteAuthMiddleware: Middleware, @unchecked Sendable {
    let url: URL
    let header: String
    let timeout: Double
    let session: URLSession

    public var phases: MiddlewarePhases { [.requestHead, .upstreamRequest] }

    private struct Options: Decodable {
        var url: String
        var header: String?
        var timeout: Double?
    }

    /// Validates `{ "use": "remote-auth", "url": "http://127.0.0.1:9000/check", "header": "Authorization",
    /// "timeout": 2 }`; `timeout` is in seconds, from 0.1 to 60.
    public init(options: MiddlewareOptions) throws {
        try options.rejectUnknownKeys(["url", "header", "timeout"])
        let decoded = try options.decode(Options.self)
        guard let url = URL(string: decoded.url), url.scheme == "http",
            let host = url.host, ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host)
        else {
            throw ConfigurationError(
                key: "\(options.keyPath).url",
                message: "\"\(decoded.url)\" is not an http URL on loopback, such as http://127.0.0.1:9000/check")
        }
        let timeout = decoded.timeout ?? 2
        guard (0.1...60).contains(timeout) else {
            throw ConfigurationError(key: "\(options.keyPath).timeout", message: "is \(timeout); use 0.1 to 60 seconds")
        }
        self.url = url
        header = decoded.header ?? "Authorization"
        self.timeout = timeout
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        session = URLSession(configuration: configuration)
    }

    public func requestHead(_ context: RequestContext) -> Verdict {
        guard let credential = context.request.headers[header], !credential.isEmpty else {
            return .respond(.text(401, "Missing credentials: send the \(header) field."))
        }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.setValue(credential, forHTTPHeaderField: "X-Auth-Token")
        request.setValue(context.requestID, forHTTPHeaderField: "X-Request-ID")
        return .suspend(Suspension { [session] in
            // Runs on the connection's event loop executor; the await gives the loop back until the reply.
            do {
                let (data, response) = try await session.data(for: request)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                return Self.verdict(status: status, body: data, context: context)
            } catch {
                context.logger.error("authorisation service call failed", metadata: ["error": "\(error)"])
                return .respond(.text(503, "The authorisation service is unavailable; try again later."))
            }
        })
    }

    public func upstreamRequestHead(_ context: RequestContext, _ head: inout RequestHead) {
        if let user = context.state["remote-auth.user"] as? String {
            head.headers.set("X-Authenticated-User", user)
        }
    }

    private static func verdict(status: Int, body: Data, context: RequestContext) -> Verdict {
        switch status {
        case 200:
            let user = String(decoding: body.prefix(256), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            context.state["remote-auth.user"] = user
            return .proceed
        case 401, 403:
            return .respond(.text(403, "Access denied."))
        default:
            context.logger.error("authorisation service answered an unexpected status", metadata: ["status": String(status)])
            return .respond(.text(503, "The authorisation service is unavailable; try again later."))
        }
    }
}

/// Registers `remote-auth`; the entry point and the tests call it.
public func registerRemoteAuth(into registry: MiddlewareRegistry) throws {
    try registry.register(name: "remote-auth", version: "1.0.0") { options, _ in
        try RemoteAuthMiddleware(options: options)
    }
}

/// The entry point the gateway looks up after loading the library.
@_cdecl("switchyard_plugin_register")
public func switchyardPluginRegister(_ registrar: UnsafeMutableRawPointer?) -> Int32 {
    PluginEntryPoint.register(registrar, registerRemoteAuth)
}
