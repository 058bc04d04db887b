// TLSClientContext: client-side TLS settings, trust anchors and peer verification for upstream connections.
internal import COpenSSL

/// Client-side TLS settings shared by outgoing connections.
///
/// With `verify` on, the peer's chain is checked against `caFile` when given, otherwise against the system trust store
/// (`SSL_CTX_set_default_verify_paths`), and each connection checks the server name or IP address it was created for.
/// With `verify` off, any certificate is accepted: use it only for origins reached over a trusted network.
///
/// Threading: immutable after `init`; any thread may create connections from it concurrently.
public final class TLSClientContext: @unchecked Sendable {
    let context: OwnedPointer
    /// Whether connections verify the peer's chain and name.
    public let verify: Bool

    /// Creates a client context.
    /// - Parameters:
    ///   - verify: verify the peer chain and host name; false accepts any certificate.
    ///   - caFile: PEM file of trusted certificates used instead of the system trust store.
    ///   - minimumVersion: lowest protocol version offered.
    ///   - maximumVersion: highest protocol version offered.
    ///   - alpn: protocols offered through ALPN, most preferred first; empty sends no ALPN extension.
    public convenience init(verify: Bool, caFile: String?, minimumVersion: TLSVersion = .v1_2,
                            maximumVersion: TLSVersion = .v1_3, alpn: [String] = []) throws {
        guard minimumVersion.openSSLValue <= maximumVersion.openSSLValue else {
            throw TLSError(operation: "TLSClientContext.init", subject: maximumVersion.rawValue,
                           message: "maximum version is below minimum version \(minimumVersion.rawValue); raise it")
        }
        try self.init(verify: verify, caFile: caFile, alpn: alpn,
                      versions: minimumVersion.openSSLValue...maximumVersion.openSSLValue,
                      cipherList: ContextSettings.tls12Ciphers)
    }

    /// Creates a context with raw OpenSSL version numbers and cipher list. Tests use it to act as an old client
    /// (TLS 1.1 with `@SECLEVEL=0` ciphers) that the server must reject.
    init(verify: Bool, caFile: String?, alpn: [String], versions: ClosedRange<Int32>, cipherList: String) throws {
        OpenSSLErrorQueue.clear()
        guard let raw = SSL_CTX_new(TLS_client_method()) else {
            throw TLSError.openSSL("SSL_CTX_new", "cannot create a client TLS context")
        }
        self.context = OwnedPointer(raw) { SSL_CTX_free($0) }
        self.verify = verify
        try ContextSettings.apply(to: raw, minimumVersion: versions.lowerBound, maximumVersion: versions.upperBound,
                                  cipherList: cipherList)
        try configureALPN(alpn)
        if verify {
            try configureTrust(caFile: caFile)
        }
    }

    private func configureALPN(_ protocols: [String]) throws {
        guard !protocols.isEmpty else {
            return
        }
        let wire = try ALPN.wireFormat(protocols)
        OpenSSLErrorQueue.clear()
        // SSL_CTX_set_alpn_protos returns 0 on success, unlike most OpenSSL calls.
        guard SSL_CTX_set_alpn_protos(context.pointer, wire, UInt32(wire.count)) == 0 else {
            throw TLSError.openSSL("SSL_CTX_set_alpn_protos", subject: protocols.joined(separator: ","),
                                   "cannot set the ALPN protocol list")
        }
    }

    private func configureTrust(caFile: String?) throws {
        SSL_CTX_set_verify(context.pointer, SSL_VERIFY_PEER, nil)
        OpenSSLErrorQueue.clear()
        guard let caFile else {
            guard SSL_CTX_set_default_verify_paths(context.pointer) == 1 else {
                throw TLSError.openSSL("SSL_CTX_set_default_verify_paths", "cannot load the system trust store")
            }
            return
        }
        try FileCheck.requireReadableFile(caFile, role: "CA certificates")
        guard SSL_CTX_load_verify_locations(context.pointer, caFile, nil) == 1 else {
            throw TLSError.openSSL("SSL_CTX_load_verify_locations", subject: caFile,
                                   "invalid CA file; it must hold one or more -----BEGIN CERTIFICATE----- blocks")
        }
    }
}
