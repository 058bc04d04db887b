// TLSServerContext: the server's certificates, protocol settings, SNI certificate selection and ALPN choice.
internal import COpenSSL

/// Server-side TLS settings shared by all accepted connections.
///
/// Each certificate pair gets its own `SSL_CTX`, all configured alike. The first pair is the default. When a client
/// sends SNI, the certificate whose SAN DNS names (or CN when it has no SAN DNS names) match the name is presented, with
/// wildcards such as `*.example.com` matching one leftmost label. An unknown name, or no SNI at all, gets the default
/// certificate instead of a handshake failure, as most servers do.
///
/// ALPN: the server picks the first protocol of its own `alpn` list that the client offered. When the client offers
/// ALPN but none of those protocols (say only `h2`), the handshake fails with a no_application_protocol alert, as
/// RFC 7301 section 3.2 requires. A client that offers no ALPN gets none, and `negotiatedALPN` is nil.
///
/// Settings: TLS 1.2 and 1.3 only, the server's cipher order, no renegotiation, no compression, session tickets on,
/// partial writes and released buffers on every connection.
///
/// Threading: immutable after `init`; any thread may create connections from it concurrently.
/// A `TLSConnection` keeps its context alive, because OpenSSL's callbacks reach the context through an
/// unretained pointer.
public final class TLSServerContext: @unchecked Sendable {
    /// One `SSL_CTX` per certificate pair, in configuration order; index 0 is the default.
    let contexts: [OwnedPointer]
    let selector: CertificateSelector
    private let alpnPreference: [[UInt8]]

    /// The lowest protocol version accepted.
    public let minimumVersion: TLSVersion
    /// The DNS names found in each certificate, in configuration order.
    public var certificateNames: [[String]] { selector.namesPerCertificate }

    /// Loads `certificates` (PEM chain path, PEM key path) pairs; the first pair is the default.
    /// Throws a TLSError naming the file when a file is missing or unreadable, contains invalid PEM, or the key does
    /// not match its certificate.
    public init(certificates: [(cert: String, key: String)], minimumVersion: TLSVersion = .v1_2,
                alpn: [String] = ["http/1.1"]) throws {
        guard !certificates.isEmpty else {
            throw TLSError(operation: "TLSServerContext.init",
                           message: "no certificate configured; pass at least one (certificate, key) pair")
        }
        _ = try ALPN.wireFormat(alpn)

        var contexts: [OwnedPointer] = []
        var names: [[String]] = []
        for pair in certificates {
            let context = try Self.makeContext(minimumVersion: minimumVersion)
            try CertificateLoading.load(certificatePath: pair.cert, keyPath: pair.key, into: context.pointer)
            if let leaf = SSL_CTX_get0_certificate(context.pointer) {
                names.append(CertificateLoading.dnsNames(of: leaf))
            } else {
                names.append([])
            }
            contexts.append(context)
        }
        self.contexts = contexts
        self.selector = CertificateSelector(namesPerCertificate: names)
        self.alpnPreference = alpn.map { Array($0.utf8) }
        self.minimumVersion = minimumVersion
        installCallbacks()
    }

    var defaultContext: OpaquePointer { contexts[0].pointer }

    private static func makeContext(minimumVersion: TLSVersion) throws -> OwnedPointer {
        OpenSSLErrorQueue.clear()
        guard let raw = SSL_CTX_new(TLS_server_method()) else {
            throw TLSError.openSSL("SSL_CTX_new", "cannot create a server TLS context")
        }
        let context = OwnedPointer(raw) { SSL_CTX_free($0) }
        try ContextSettings.apply(to: raw, minimumVersion: minimumVersion.openSSLValue,
                                  maximumVersion: TLSVersion.v1_3.openSSLValue, cipherList: ContextSettings.tls12Ciphers)
        let options = ContextSettings.commonOptions | UInt64(COpenSSL_SSL_OP_CIPHER_SERVER_PREFERENCE())
        _ = COpenSSL_SSL_CTX_set_options(raw, options)
        return context
    }

    /// Points OpenSSL's SNI and ALPN callbacks at this object.
    private func installCallbacks() {
        // Unretained: self owns every SSL_CTX that can call back, and each TLSConnection keeps a strong reference
        // to self, so self outlives every callback. No retain is taken, so none needs a release.
        let argument = Unmanaged.passUnretained(self).toOpaque()
        _ = COpenSSL_SSL_CTX_set_tlsext_servername_callback(defaultContext, serverNameCallback)
        _ = COpenSSL_SSL_CTX_set_tlsext_servername_arg(defaultContext, argument)
        guard !alpnPreference.isEmpty else {
            return
        }
        for context in contexts {
            // After an SNI switch OpenSSL runs the ALPN callback of the switched-to context, so each gets it.
            SSL_CTX_set_alpn_select_cb(context.pointer, alpnCallback, argument)
        }
    }

    /// Switches `ssl` to the certificate matching the client's SNI name; keeps the default when none matches.
    fileprivate func selectCertificate(for ssl: OpaquePointer) {
        guard let name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name),
            let index = selector.certificateIndex(forServerName: String(cString: name)), index != 0
        else {
            return
        }
        _ = SSL_set_SSL_CTX(ssl, contexts[index].pointer)
    }

    /// Picks the ALPN protocol for a client's offer, or returns nil when none of the offered protocols is supported.
    fileprivate func selectALPN(clientWire: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        ALPN.select(serverPreference: alpnPreference, clientWire: clientWire)
    }
}

private let serverNameCallback: @convention(c) (OpaquePointer, UnsafeMutablePointer<Int32>, UnsafeMutableRawPointer?)
    -> Int32 = { ssl, _, argument in
        if let argument {
            Unmanaged<TLSServerContext>.fromOpaque(argument).takeUnretainedValue().selectCertificate(for: ssl)
        }
        return SSL_TLSEXT_ERR_OK
    }

private let alpnCallback: SSL_CTX_alpn_select_cb_func = { _, out, outLength, clientWire, clientLength, argument in
    guard let argument, let out, let outLength, let clientWire else {
        return SSL_TLSEXT_ERR_NOACK
    }
    let context = Unmanaged<TLSServerContext>.fromOpaque(argument).takeUnretainedValue()
    let offered = UnsafeBufferPointer(start: clientWire, count: Int(clientLength))
    guard let chosen = context.selectALPN(clientWire: offered) else {
        // RFC 7301 section 3.2: a server that supports none of the offered protocols sends a fatal
        // no_application_protocol alert.
        return SSL_TLSEXT_ERR_ALERT_FATAL
    }
    // The result points into the client's list, which OpenSSL keeps until it copies the selection.
    out.pointee = clientWire + chosen.lowerBound
    outLength.pointee = UInt8(chosen.count)
    return SSL_TLSEXT_ERR_OK
}

/// Settings every context gets, server or client.
enum ContextSettings {
    /// TLS 1.2 suites with forward secrecy and AEAD only, strongest first. TLS 1.3 suites keep OpenSSL's defaults.
    static let tls12Ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
        + "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
        + "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

    static var commonOptions: UInt64 {
        UInt64(COpenSSL_SSL_OP_NO_RENEGOTIATION()) | UInt64(COpenSSL_SSL_OP_NO_COMPRESSION())
    }

    static var connectionModes: Int {
        COpenSSL_SSL_MODE_RELEASE_BUFFERS() | COpenSSL_SSL_MODE_ENABLE_PARTIAL_WRITE()
            | COpenSSL_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER()
    }

    /// Applies the version bounds, cipher list, options, modes and no-password callback to `context`.
    static func apply(to context: OpaquePointer, minimumVersion: Int32, maximumVersion: Int32,
                      cipherList: String) throws {
        OpenSSLErrorQueue.clear()
        guard COpenSSL_SSL_CTX_set_min_proto_version(context, minimumVersion) == 1,
            COpenSSL_SSL_CTX_set_max_proto_version(context, maximumVersion) == 1
        else {
            throw TLSError.openSSL("SSL_CTX_set_min_proto_version", subject: String(minimumVersion, radix: 16),
                                   "cannot set the protocol version range")
        }
        guard SSL_CTX_set_cipher_list(context, cipherList) == 1 else {
            throw TLSError.openSSL("SSL_CTX_set_cipher_list", subject: cipherList, "no usable cipher in the list")
        }
        _ = COpenSSL_SSL_CTX_set_options(context, commonOptions)
        _ = COpenSSL_SSL_CTX_set_mode(context, connectionModes)
        SSL_CTX_set_default_passwd_cb(context, noPasswordCallback)
    }
}
