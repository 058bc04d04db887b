// Client-side verification tests: CA file trust, host name and IP checks, system trust store, verify off.
import SwitchyardTLS
import Testing

@Suite struct TLSVerificationTests {
    let folder: TemporaryFolder
    let certificate: TestCertificate
    let server: TLSServerContext

    init() throws {
        folder = try TemporaryFolder()
        certificate = try TestCertificate(in: folder, name: "origin", dnsNames: ["origin.test", "localhost"],
                                          ipAddresses: ["127.0.0.1", "::1"])
        server = try TLSServerContext(certificates: [certificate.pair])
    }

    @Test func verificationSucceedsWithCAFile() throws {
        let client = try TLSClientContext(verify: true, caFile: certificate.cert)
        let outcome = try TLSPair(server: server, client: client, serverName: "origin.test").handshake()
        #expect(outcome.client.isCompleted, "\(String(describing: outcome.client.error))")
        #expect(outcome.server.isCompleted)
    }

    @Test func verificationFailsForWrongHostName() throws {
        let client = try TLSClientContext(verify: true, caFile: certificate.cert)
        let outcome = try TLSPair(server: server, client: client, serverName: "wrong.example.net").handshake()
        let error = try #require(outcome.client.error)
        #expect(error.description.contains("hostname mismatch"))
        #expect(error.subject == "wrong.example.net")
        #expect(!outcome.server.isCompleted)
    }

    @Test func verificationFailsAgainstSystemTrustStore() throws {
        let client = try TLSClientContext(verify: true, caFile: nil)
        let outcome = try TLSPair(server: server, client: client, serverName: "origin.test").handshake()
        let error = try #require(outcome.client.error)
        #expect(error.description.contains("certificate verification failed"))
        #expect(error.description.contains("self-signed certificate"))
    }

    @Test func verifyOffAcceptsAnyCertificate() throws {
        let client = try TLSClientContext(verify: false, caFile: nil)
        let outcome = try TLSPair(server: server, client: client, serverName: "wrong.example.net").handshake()
        #expect(outcome.client.isCompleted)
        #expect(outcome.server.isCompleted)
    }

    @Test func ipLiteralVerifiesIPAddressWithoutSNI() throws {
        let client = try TLSClientContext(verify: true, caFile: certificate.cert)
        let pair = try TLSPair(server: server, client: client, serverName: "127.0.0.1")
        let outcome = try pair.handshake()
        #expect(outcome.client.isCompleted, "\(String(describing: outcome.client.error))")
        #expect(pair.server.connection.serverName == nil)
    }

    @Test func bracketedIPv6LiteralVerifies() throws {
        let client = try TLSClientContext(verify: true, caFile: certificate.cert)
        let outcome = try TLSPair(server: server, client: client, serverName: "[::1]").handshake()
        #expect(outcome.client.isCompleted, "\(String(describing: outcome.client.error))")
    }

    @Test func verificationFailsForWrongIPAddress() throws {
        let client = try TLSClientContext(verify: true, caFile: certificate.cert)
        let outcome = try TLSPair(server: server, client: client, serverName: "127.0.0.2").handshake()
        let error = try #require(outcome.client.error)
        #expect(error.description.contains("IP address mismatch"))
    }

    @Test func verificationFailsForOtherCA() throws {
        let other = try TestCertificate(in: folder, name: "other", dnsNames: ["origin.test"])
        let client = try TLSClientContext(verify: true, caFile: other.cert)
        let outcome = try TLSPair(server: server, client: client, serverName: "origin.test").handshake()
        let error = try #require(outcome.client.error)
        #expect(error.description.contains("certificate verification failed"))
    }
}
