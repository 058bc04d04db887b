// A blocking TLS client over BlockingSocket with the knobs the TLS cases need: versions, SNI, ALPN, renegotiation.
internal import COpenSSL
import Glibc

/// How the suite's client sets up TLS.
struct TLSClientOptions: Sendable {
    /// The SNI name to send; nil sends none.
    var serverName: String?
    /// The name or IP address the certificate must match when verifying.
    var verifyName: String
    /// A PEM CA file to trust; nil uses the system trust store.
    var caFile: String?
    /// Skips certificate verification.
    var insecure: Bool
    var alpn: [String] = ["http/1.1"]
    /// OpenSSL protocol version numbers: 0x0303 is TLS 1.2, 0x0304 TLS 1.3.
    var minimumVersion: Int32 = 0x0303
    var maximumVersion: Int32 = 0x0304
}

/// One TLS client connection. Not thread-safe.
final class TLSClientSession {
    private let context: OpaquePointer
    private let ssl: OpaquePointer
    let socket: BlockingSocket

    init(socket: BlockingSocket, options: TLSClientOptions) throws {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw CaseError("SSL_CTX_new failed")
        }
        self.context = context
        guard let ssl = SSL_new(context) else {
            SSL_CTX_free(context)
            throw CaseError("SSL_new failed")
        }
        self.ssl = ssl
        self.socket = socket
        try configure(options)
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    private func configure(_ options: TLSClientOptions) throws {
        _ = COpenSSL_SSL_CTX_set_min_proto_version(context, options.minimumVersion)
        _ = COpenSSL_SSL_CTX_set_max_proto_version(context, options.maximumVersion)
        _ = SSL_set_fd(ssl, socket.fd)
        SSL_set_connect_state(ssl)
        if let name = options.serverName {
            _ = COpenSSL_SSL_set_tlsext_host_name(ssl, name)
        }
        if !options.alpn.isEmpty {
            var wire: [UInt8] = []
            for name in options.alpn {
                wire.append(UInt8(name.utf8.count))
                wire.append(contentsOf: name.utf8)
            }
            _ = SSL_set_alpn_protos(ssl, wire, UInt32(wire.count))
        }
        guard !options.insecure else {
            SSL_set_verify(ssl, SSL_VERIFY_NONE, nil)
            return
        }
        try configureVerification(options)
    }

    private func configureVerification(_ options: TLSClientOptions) throws {
        SSL_set_verify(ssl, SSL_VERIFY_PEER, nil)
        if let caFile = options.caFile {
            guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else {
                throw CaseError("cannot load the CA file \(caFile); pass a PEM file of certificates with --ca")
            }
        } else {
            _ = SSL_CTX_set_default_verify_paths(context)
        }
        let name = options.verifyName
        if inet_addr(name) != INADDR_NONE || name.contains(":") {
            _ = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name)
        } else {
            _ = SSL_set1_host(ssl, name)
        }
    }

    /// Runs the handshake; throws with OpenSSL's reason when it fails or the deadline passes.
    func handshake(deadline: Deadline) throws {
        socket.setTimeouts(deadline.remaining)
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        guard result == 1 else {
            throw CaseError("TLS handshake failed: \(failureReason(result))")
        }
    }

    func write(_ bytes: [UInt8], deadline: Deadline) throws {
        var offset = 0
        while offset < bytes.count {
            socket.setTimeouts(deadline.remaining)
            ERR_clear_error()
            var written = 0
            let result = bytes[offset...].withUnsafeBytes { SSL_write_ex(ssl, $0.baseAddress, $0.count, &written) }
            guard result == 1 else {
                throw CaseError("TLS write failed: \(failureReason(result))")
            }
            offset += written
        }
    }

    func read(deadline: Deadline, maximum: Int = 65_536) -> ReadResult {
        guard !deadline.hasPassed || SSL_pending(ssl) > 0 else {
            return .timedOut
        }
        socket.setTimeouts(deadline.remaining)
        var buffer = [UInt8](repeating: 0, count: maximum)
        var count = 0
        ERR_clear_error()
        errno = 0
        let result = buffer.withUnsafeMutableBytes { SSL_read_ex(ssl, $0.baseAddress, $0.count, &count) }
        if result == 1 {
            return .data(Array(buffer[0..<count]))
        }
        let savedErrno = errno
        let code = SSL_get_error(ssl, result)
        switch code {
        case SSL_ERROR_ZERO_RETURN:
            return .closed(clean: true)
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return .timedOut
        case SSL_ERROR_SYSCALL where savedErrno == EAGAIN || savedErrno == EWOULDBLOCK:
            return .timedOut
        case SSL_ERROR_SYSCALL where savedErrno == ECONNRESET:
            return .reset
        case SSL_ERROR_SYSCALL where savedErrno == 0:
            return .closed(clean: false)
        default:
            let reason = failureReason(result, code: code, savedErrno: savedErrno)
            if reason.contains("unexpected eof") {
                return .closed(clean: false)
            }
            return .failed(reason)
        }
    }

    /// Starts a client-initiated renegotiation (TLS 1.2) and returns whether the server completed it.
    func renegotiate(deadline: Deadline) -> Bool {
        socket.setTimeouts(deadline.remaining)
        guard SSL_renegotiate(ssl) == 1 else {
            return false
        }
        return SSL_do_handshake(ssl) == 1
    }

    /// Sends close_notify.
    func sendCloseNotify() {
        _ = SSL_shutdown(ssl)
    }

    var negotiatedALPN: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else {
            return nil
        }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// The negotiated protocol, such as `TLSv1.3`.
    var protocolVersion: String {
        String(cString: SSL_get_version(ssl))
    }

    /// The peer certificate's subject in OpenSSL's one-line form, such as `/CN=localhost`.
    var peerSubject: String? {
        guard let certificate = SSL_get0_peer_certificate(ssl),
            let line = X509_NAME_oneline(X509_get_subject_name(certificate), nil, 0)
        else {
            return nil
        }
        defer { CRYPTO_free(line, #file, #line) }
        return String(cString: line)
    }

    private func failureReason(_ result: Int32, code: Int32? = nil, savedErrno: Int32? = nil) -> String {
        let errorCode = code ?? SSL_get_error(ssl, result)
        var reasons: [String] = []
        while true {
            let error = ERR_get_error()
            if error == 0 {
                break
            }
            if let text = ERR_reason_error_string(error) {
                reasons.append(String(cString: text))
            }
        }
        if reasons.isEmpty {
            let number = savedErrno ?? errno
            return errorCode == SSL_ERROR_SYSCALL
                ? (number == 0 ? "connection closed by peer" : String(cString: strerror(number)))
                : "SSL error \(errorCode)"
        }
        return reasons.joined(separator: "; ")
    }
}
