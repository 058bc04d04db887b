// TLS cases: protocol versions, SNI certificate selection, ALPN, renegotiation, close_notify and truncation.

import Foundation

enum TLSCases {
    private typealias C = Catalogue

    static var cases: [ConformanceCase] {
        versions + names + alpn + lifecycle
    }

    private static func tlsCase(_ id: String, _ title: String, _ clause: String, sent: String, expected: String,
                                needs: Set<Capability> = [.tls], exception: String? = nil,
                                body: @escaping @Sendable (CaseContext) throws -> CaseOutcome) -> ConformanceCase {
        ConformanceCase(id: id, title: title, clause: clause, profile: .tls, sent: sent, expected: expected,
                        exception: exception, needs: needs, body: body)
    }

    /// Connects and runs a handshake with `options`; returns the connection or the handshake error.
    static func handshake(_ context: CaseContext, _ options: TLSClientOptions) -> Result<TargetConnection, Error> {
        Result { try TargetConnection.open(context.target, tls: options, timeout: 5) }
    }

    /// Sends one GET through the prefix and returns the status, or nil when none came.
    static func request(over connection: TargetConnection, _ context: CaseContext) -> Int? {
        context.origin.beginCase(.ok)
        defer { _ = context.origin.endCase() }
        var interim: [Response] = []
        guard (try? connection.send(context.bytes(C.get("/tls")))) != nil else {
            return nil
        }
        return (try? connection.readResponse(method: "GET", deadline: .after(5), interim: &interim))?.status
    }

    private static var versions: [ConformanceCase] {
        let modern = { (id: String, title: String, version: Int32, name: String) -> ConformanceCase in
            tlsCase(id, title, "RFC 8446 §4.2.1; RFC 9325 §3.1.1", sent: "ClientHello offering only \(name)",
                    expected: "handshake completes with \(name), and a request is served") { context in
                var options = context.target.tlsOptions()
                options.minimumVersion = version
                options.maximumVersion = version
                switch handshake(context, options) {
                case .failure(let error):
                    return .failed(["handshake failed: \(error)"])
                case .success(let connection):
                    defer { connection.close() }
                    let status = request(over: connection, context)
                    return status == 200 ? .passed : .failed(["request over \(name) got \(status.map(String.init) ?? "no response")"])
                }
            }
        }
        let legacy = { (id: String, name: String, version: UInt16) -> ConformanceCase in
            tlsCase(id, "\(name) is rejected with an alert, never a ServerHello", "RFC 8446 §4.2.1, Appendix D; RFC 8996 §5",
                    sent: "raw ClientHello with client_version \(name) and no supported_versions",
                    expected: "a protocol_version or handshake_failure alert, or a close; no ServerHello") { context in
                legacyHello(context, version: version)
            }
        }
        return [
            modern("tls.version-1.3", "TLS 1.3 is offered and works", 0x0304, "TLS 1.3"),
            modern("tls.version-1.2", "TLS 1.2 is offered and works", 0x0303, "TLS 1.2"),
            legacy("tls.version-1.1-rejected", "TLS 1.1", 0x0302),
            legacy("tls.version-1.0-rejected", "TLS 1.0", 0x0301),
            legacy("tls.version-ssl3-rejected", "SSL 3.0", 0x0300),
        ]
    }

    /// Sends a ClientHello for an old version and reads the first record back.
    static func legacyHello(_ context: CaseContext, version: UInt16) -> CaseOutcome {
        guard let socket = try? BlockingSocket.connect(to: context.target.address, timeout: 5) else {
            return .failed(["cannot connect to the target"])
        }
        defer { socket.close() }
        do {
            try socket.write(clientHello(version: version), deadline: .after(3))
        } catch {
            return .failed(["sending the ClientHello failed: \(error)"])
        }
        switch socket.read(deadline: .after(3)) {
        case .data(let bytes):
            if bytes.count >= 7, bytes[0] == 0x15 {
                let description = bytes[6]
                return [70, 40].contains(description) ? .passed
                    : .failed(["the alert was \(description), expected protocol_version (70) or handshake_failure (40)"])
            }
            if bytes.count >= 6, bytes[0] == 0x16, bytes[5] == 0x02 {
                return .failed(["the server answered with a ServerHello"])
            }
            return .failed(["unexpected reply \(Template.printable(Array(bytes.prefix(16))))"])
        case .closed, .reset:
            return .passed
        case .timedOut:
            return .failed(["no alert and no close within 3s"])
        case .failed(let reason):
            return .failed([reason])
        }
    }

    /// A minimal ClientHello record with `version` as client_version and CBC and GCM suites.
    static func clientHello(version: UInt16) -> [UInt8] {
        let suites: [UInt8] = [0x00, 0x2F, 0x00, 0x35, 0xC0, 0x13, 0xC0, 0x14, 0x00, 0x0A]
        var body: [UInt8] = [UInt8(version >> 8), UInt8(version & 0xFF)]
        body += (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        body += [0x00]
        body += [UInt8(suites.count >> 8), UInt8(suites.count & 0xFF)] + suites
        body += [0x01, 0x00]
        let handshake: [UInt8] = [0x01, 0x00, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
        let recordVersion: UInt16 = min(version, 0x0301)
        return [0x16, UInt8(recordVersion >> 8), UInt8(recordVersion & 0xFF),
                UInt8(handshake.count >> 8), UInt8(handshake.count & 0xFF)] + handshake
    }

    private static var names: [ConformanceCase] {
        [
            tlsCase("tls.sni-default-certificate", "The certificate for the SNI name verifies", "RFC 6066 §3",
                    sent: "ClientHello with SNI = the target name, verifying the certificate",
                    expected: "handshake verifies against the name; a request is served") { context in
                switch handshake(context, context.target.tlsOptions()) {
                case .failure(let error): return .failed(["handshake failed: \(error)"])
                case .success(let connection):
                    defer { connection.close() }
                    return request(over: connection, context) == 200 ? .passed : .failed(["the request failed"])
                }
            },
            tlsCase("tls.sni-selects-certificate", "SNI selects the second certificate", "RFC 6066 §3",
                    sent: "ClientHello with SNI = the alternate name", expected: "the certificate for the alternate name",
                    needs: [.tls, .alternateName]) { context in
                guard let name = context.target.alternateName else {
                    return .skipped("no alternate name")
                }
                switch handshake(context, context.target.tlsOptions(serverName: name)) {
                case .failure(let error): return .failed(["handshake for \(name) failed: \(error)"])
                case .success(let connection):
                    defer { connection.close() }
                    let subject = connection.tls?.peerSubject ?? ""
                    return subject.contains(name) ? .passed : .failed(["certificate subject was \(subject)"])
                }
            },
            tlsCase("tls.sni-unknown", "An unknown SNI name gets the default certificate or an unrecognized_name alert",
                    "RFC 6066 §3", sent: "ClientHello with SNI = unknown.invalid",
                    expected: "a handshake with some certificate that serves requests, or a fatal alert") { context in
                var options = context.target.tlsOptions(serverName: "unknown.invalid")
                options.insecure = true
                switch handshake(context, options) {
                case .failure: return .passed
                case .success(let connection):
                    defer { connection.close() }
                    return request(over: connection, context) == nil ? .failed(["no response after the handshake"]) : .passed
                }
            },
            tlsCase("tls.no-sni", "A client without SNI gets the default certificate", "RFC 6066 §3",
                    sent: "ClientHello without server_name", expected: "handshake completes; a request is served") { context in
                var options = context.target.tlsOptions()
                options.serverName = nil
                options.insecure = true
                switch handshake(context, options) {
                case .failure(let error): return .failed(["handshake failed: \(error)"])
                case .success(let connection):
                    defer { connection.close() }
                    return request(over: connection, context) != nil ? .passed : .failed(["no response"])
                }
            },
            .http("host.disagrees-with-sni", "A Host not covered by the SNI-selected certificate gets 421",
                  "RFC 9110 §7.4, §15.5.20; RFC 6066 §3", send: "GET {P}/ HTTP/1.1\r\nHost: alt.localhost\r\n\r\n",
                  expect: Expect(status: .exactly(421), origin: .untouched), needs: [.tls, .selfConfigured]),
        ]
    }

    private static var alpn: [ConformanceCase] {
        let alpnCase = { (id: String, title: String, clause: String, offer: [String], check: @escaping @Sendable (Result<String?, Error>) -> CaseOutcome) -> ConformanceCase in
            tlsCase(id, title, clause, sent: "ClientHello with ALPN " + (offer.isEmpty ? "absent" : offer.joined(separator: ", ")),
                    expected: title) { context in
                let result = handshake(context, context.target.tlsOptions(alpn: offer)).map { connection -> String? in
                    defer { connection.close() }
                    return connection.tls?.negotiatedALPN
                }
                return check(result)
            }
        }
        return [
            alpnCase("tls.alpn-http11", "ALPN http/1.1 is selected when offered", "RFC 7301 §3.2", ["http/1.1"]) { result in
                guard case .success(let chosen) = result else { return .failed(["handshake failed"]) }
                return chosen == "http/1.1" ? .passed : .failed(["selected \(chosen ?? "nothing")"])
            },
            alpnCase("tls.alpn-prefers-offered", "Only a protocol the client offered is selected", "RFC 7301 §3.2",
                     ["h2", "http/1.1"]) { result in
                guard case .success(let chosen) = result else { return .failed(["handshake failed"]) }
                return chosen == "http/1.1" || chosen == "h2" ? .passed : .failed(["selected \(chosen ?? "nothing")"])
            },
            alpnCase("tls.alpn-no-overlap", "No common ALPN protocol ends the handshake with no_application_protocol",
                     "RFC 7301 §3.2", ["h3-unknown", "spdy/1"]) { result in
                switch result {
                case .failure(let error):
                    return "\(error)".contains("no application protocol") ? .passed
                        : .failed(["handshake failed, but not with no_application_protocol: \(error)"])
                case .success(let chosen):
                    return .failed(["the handshake completed (ALPN \(chosen ?? "none")) instead of a no_application_protocol alert"])
                }
            },
            alpnCase("tls.no-alpn", "A client without ALPN completes the handshake", "RFC 7301 §3.1", []) { result in
                guard case .success(let chosen) = result else { return .failed(["handshake failed"]) }
                return chosen == nil ? .passed : .failed(["selected \(chosen ?? "")"])
            },
        ]
    }

    private static var lifecycle: [ConformanceCase] {
        [
            tlsCase("tls.renegotiation-refused", "Client-initiated renegotiation does not complete",
                    "RFC 5746 §4.4 (a server may refuse); RFC 8446 §4.6 (TLS 1.3 has none)",
                    sent: "TLS 1.2 handshake, then SSL_renegotiate", expected: "the renegotiation handshake does not complete") { context in
                var options = context.target.tlsOptions()
                options.maximumVersion = 0x0303
                switch handshake(context, options) {
                case .failure(let error): return .failed(["TLS 1.2 handshake failed: \(error)"])
                case .success(let connection):
                    defer { connection.close() }
                    let renegotiated = connection.tls?.renegotiate(deadline: .after(3)) ?? false
                    return renegotiated ? .failed(["the server completed a client-initiated renegotiation"]) : .passed
                }
            },
            tlsCase("tls.plaintext-handshake-after-1.3", "A plaintext ClientHello after a TLS 1.3 handshake ends the connection",
                    "RFC 8446 §4.1.2, §5", sent: "TLS 1.3 handshake, then a raw unencrypted ClientHello record",
                    expected: "connection closed (unexpected_message alert); no HTTP response") { context in
                var options = context.target.tlsOptions()
                options.minimumVersion = 0x0304
                switch handshake(context, options) {
                case .failure(let error): return .failed(["TLS 1.3 handshake failed: \(error)"])
                case .success(let connection):
                    defer { connection.socket.close() }
                    try? connection.socket.write(clientHello(version: 0x0303), deadline: .after(3))
                    switch connection.read(deadline: .after(3)) {
                    case .data(let bytes): return .failed(["the server sent application data: \(Template.printable(bytes, limit: 80))"])
                    case .timedOut: return .failed(["the connection stayed open"])
                    default: return .passed
                    }
                }
            },
            .http("tls.close-notify-on-close", "The proxy sends close_notify before closing a connection", "RFC 8446 §6.1",
                  send: C.get("/", "Connection: close\r\n"),
                  expect: Expect(status: .exactly(200), connection: .closed, checks: [Checks.custom("closed with close_notify") { observation in
                      observation.closeKind?.contains("clean: true") == true ? nil : "closed as \(observation.closeKind ?? "unknown")"
                  }]), needs: [.tls]),
            .http("tls.truncated-body", "A request body cut by a TCP close without close_notify is never completed at the origin",
                  "RFC 8446 §6.1; RFC 9112 §9.8",
                  steps: [.send(C.request("POST", extra: "Content-Length: 10\r\n", body: "hello")), .pause(0.2), .abort],
                  expect: Expect(status: .any, checks: [Checks.noCompleteRequest]), needs: [.tls]),
            tlsCase("tls.plaintext-request", "A plaintext HTTP request on the TLS port is never forwarded", "RFC 8446 §5",
                    sent: "GET {P}/ HTTP/1.1 in plaintext", expected: "no forwarded request; a close or a plaintext 400") { context in
                context.origin.beginCase(.ok)
                guard let socket = try? BlockingSocket.connect(to: context.target.address, timeout: 5) else {
                    _ = context.origin.endCase()
                    return .failed(["cannot connect"])
                }
                defer { socket.close() }
                try? socket.write(context.bytes(C.get()), deadline: .after(3))
                var replied: [UInt8] = []
                while case .data(let bytes) = socket.read(deadline: .after(3)) {
                    replied += bytes
                }
                let origin = context.origin.endCase()
                if !origin.isEmpty {
                    return .failed(["the origin received the plaintext request"])
                }
                let text = String(decoding: replied, as: UTF8.self)
                return replied.isEmpty || text.hasPrefix("HTTP/1.1 400") || replied.first == 0x15 ? .passed
                    : .failed(["unexpected reply: \(Template.printable(Array(replied.prefix(60))))"])
            },
        ]
    }
}
