// Handshake tests over socketpairs: protocol versions, SNI certificate selection and ALPN.
@testable import SwitchyardTLS
import Testing

@Suite struct TLSHandshakeTests {
    let folder: TemporaryFolder
    let primary: TestCertificate
    let shop: TestCertificate

    init() throws {
        folder = try TemporaryFolder()
        primary = try TestCertificate(in: folder, name: "primary", dnsNames: ["localhost", "default.test"],
                                      ipAddresses: ["127.0.0.1"])
        shop = try TestCertificate(in: folder, name: "shop", dnsNames: ["*.shop.test", "shop.test"])
    }

    func serverContext(minimumVersion: TLSVersion = .v1_2, alpn: [String] = ["http/1.1"]) throws -> TLSServerContext {
        try TLSServerContext(certificates: [primary.pair, shop.pair], minimumVersion: minimumVersion, alpn: alpn)
    }

    @Test func handshakeNegotiatesTLS13ByDefault() throws {
        let pair = try TLSPair(server: serverContext(), client: TLSClientContext(verify: false, caFile: nil),
                               serverName: "localhost")
        let outcome = try pair.handshake()
        #expect(outcome.client.isCompleted)
        #expect(outcome.server.isCompleted)
        #expect(pair.client.connection.protocolVersion == "TLSv1.3")
        #expect(pair.server.connection.protocolVersion == "TLSv1.3")
    }

    @Test func clientMaximumForcesTLS12() throws {
        let client = try TLSClientContext(verify: false, caFile: nil, maximumVersion: .v1_2)
        let pair = try TLSPair(server: serverContext(), client: client, serverName: "localhost")
        let outcome = try pair.handshake()
        #expect(outcome.client.isCompleted)
        #expect(outcome.server.isCompleted)
        #expect(pair.client.connection.protocolVersion == "TLSv1.2")
        #expect(pair.server.connection.protocolVersion == "TLSv1.2")
    }

    @Test func serverRejectsTLS11Client() throws {
        // An old client: TLS 1.1 at most, with the SHA-1 suites TLS 1.1 needs (allowed only at security level 0).
        let legacy = try TLSClientContext(verify: false, caFile: nil, alpn: [], versions: 0x0301...0x0302,
                                          cipherList: "DEFAULT:@SECLEVEL=0")
        let pair = try TLSPair(server: serverContext(), client: legacy, serverName: "localhost")
        let outcome = try pair.handshake()
        #expect(!outcome.client.isCompleted)
        let serverError = try #require(outcome.server.error)
        #expect(serverError.operation == "SSL_do_handshake")
        #expect(serverError.description.contains("unsupported protocol"))
    }

    @Test func serverMinimumTLS13RejectsTLS12Client() throws {
        let client = try TLSClientContext(verify: false, caFile: nil, maximumVersion: .v1_2)
        let pair = try TLSPair(server: serverContext(minimumVersion: .v1_3), client: client, serverName: "localhost")
        let outcome = try pair.handshake()
        #expect(!outcome.client.isCompleted)
        #expect(outcome.server.error != nil)
    }

    @Test func sniSelectsWildcardCertificate() throws {
        let client = try TLSClientContext(verify: true, caFile: shop.cert)
        let pair = try TLSPair(server: serverContext(), client: client, serverName: "a.shop.test")
        let outcome = try pair.handshake()
        #expect(outcome.client.isCompleted, "\(String(describing: outcome.client.error))")
        #expect(pair.server.connection.serverName == "a.shop.test")
        #expect(pair.server.connection.localCertificateNames == ["*.shop.test", "shop.test"])
        #expect(pair.client.connection.peerCertificateNames == ["*.shop.test", "shop.test"])
    }

    @Test func sniSelectsDefaultForFirstName() throws {
        let client = try TLSClientContext(verify: true, caFile: primary.cert)
        let pair = try TLSPair(server: serverContext(), client: client, serverName: "default.test")
        let outcome = try pair.handshake()
        #expect(outcome.client.isCompleted, "\(String(describing: outcome.client.error))")
        #expect(pair.client.connection.peerCertificateNames == ["localhost", "default.test"])
    }

    @Test func unknownSNIGetsDefaultCertificate() throws {
        let client = try TLSClientContext(verify: false, caFile: nil)
        let pair = try TLSPair(server: serverContext(), client: client, serverName: "unknown.test")
        let outcome = try pair.handshake()
        #expect(outcome.server.isCompleted)
        #expect(pair.server.connection.serverName == "unknown.test")
        #expect(pair.client.connection.peerCertificateNames == ["localhost", "default.test"])
    }

    @Test func alpnSelectsHTTP11() throws {
        let client = try TLSClientContext(verify: false, caFile: nil, alpn: ["h2", "http/1.1"])
        let pair = try TLSPair(server: serverContext(), client: client, serverName: "localhost")
        let outcome = try pair.handshake()
        #expect(outcome.server.isCompleted)
        #expect(pair.server.connection.negotiatedALPN == "http/1.1")
        #expect(pair.client.connection.negotiatedALPN == "http/1.1")
    }

    @Test func alpnWithoutOverlapFailsHandshake() throws {
        let client = try TLSClientContext(verify: false, caFile: nil, alpn: ["h2"])
        let pair = try TLSPair(server: serverContext(), client: client, serverName: "localhost")
        let outcome = try pair.handshake()
        #expect(!outcome.server.isCompleted)
        #expect(!outcome.client.isCompleted)
        #expect("\(String(describing: outcome.client.error))".contains("no application protocol"))
    }

    @Test func noALPNOfferStillCompletes() throws {
        let client = try TLSClientContext(verify: false, caFile: nil, alpn: [])
        let pair = try TLSPair(server: serverContext(), client: client, serverName: "localhost")
        let outcome = try pair.handshake()
        #expect(outcome.client.isCompleted)
        #expect(outcome.server.isCompleted)
        #expect(pair.server.connection.negotiatedALPN == nil)
    }

    @Test func alpnAfterSNISwitchStillSelected() throws {
        let client = try TLSClientContext(verify: false, caFile: nil, alpn: ["http/1.1"])
        let pair = try TLSPair(server: serverContext(), client: client, serverName: "www.shop.test")
        _ = try pair.handshake()
        #expect(pair.server.connection.localCertificateNames == ["*.shop.test", "shop.test"])
        #expect(pair.client.connection.negotiatedALPN == "http/1.1")
    }

    @Test func rsaCertificateHandshakes() throws {
        let rsa = try TestCertificate(in: folder, name: "rsa", dnsNames: ["rsa.test"], keyType: .rsa2048)
        let server = try TLSServerContext(certificates: [rsa.pair])
        let client = try TLSClientContext(verify: true, caFile: rsa.cert, maximumVersion: .v1_2)
        let pair = try TLSPair(server: server, client: client, serverName: "rsa.test")
        let outcome = try pair.handshake()
        #expect(outcome.client.isCompleted, "\(String(describing: outcome.client.error))")
        #expect(pair.client.connection.protocolVersion == "TLSv1.2")
    }
}

@Suite struct TLSSettingsTests {
    let folder: TemporaryFolder
    let certificate: TestCertificate

    init() throws {
        folder = try TemporaryFolder()
        certificate = try TestCertificate(in: folder, name: "settings", dnsNames: ["localhost"])
    }

    @Test func serverPrefersItsCipherOrder() throws {
        // The client lists ChaCha20 first; the server's list puts AES-128-GCM first and must win.
        let client = try TLSClientContext(verify: false, caFile: nil, alpn: [], versions: 0x0303...0x0303,
                                          cipherList: "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256")
        let server = try TLSServerContext(certificates: [certificate.pair])
        let pair = try TLSPair(server: server, client: client, serverName: "localhost")
        let outcome = try pair.handshake()
        #expect(outcome.server.isCompleted)
        #expect(pair.server.connection.cipherName == "ECDHE-ECDSA-AES128-GCM-SHA256")
        #expect(pair.client.connection.cipherName == "ECDHE-ECDSA-AES128-GCM-SHA256")
    }

    @Test func connectionsReleaseBuffersAndRefuseRenegotiation() throws {
        let server = try TLSServerContext(certificates: [certificate.pair])
        let client = try TLSClientContext(verify: false, caFile: nil)
        let pair = try TLSPair(server: server, client: client, serverName: "localhost")
        for connection in [pair.server.connection, pair.client.connection] {
            #expect(connection.openSSLModes & ContextSettings.connectionModes == ContextSettings.connectionModes)
            #expect(connection.openSSLOptions & ContextSettings.commonOptions == ContextSettings.commonOptions)
        }
    }
}
