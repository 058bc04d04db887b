// Maps OpenSSL's SSL_get_error codes to TLSIOResult values or TLSErrors for TLSConnection.
internal import COpenSSL
import Glibc

extension TLSConnection {
    /// Turns a failed call's SSL_get_error code into a retry, an end of stream, or a thrown TLSError.
    func outcome(_ code: Int32, errno savedErrno: Int32, operation: String) throws -> TLSIOResult {
        switch code {
        case SSL_ERROR_WANT_READ:
            return .wantRead
        case SSL_ERROR_WANT_WRITE:
            return .wantWrite
        case SSL_ERROR_ZERO_RETURN:
            return .closed
        case SSL_ERROR_SYSCALL:
            return try systemCallOutcome(errno: savedErrno, operation: operation)
        case SSL_ERROR_SSL:
            return try protocolOutcome(operation: operation)
        default:
            failed = true
            throw TLSError.openSSL(operation, subject: peerName, "unexpected SSL_get_error code \(code)")
        }
    }

    /// SSL_ERROR_SYSCALL: an EOF with nothing queued, a would-block the BIO did not flag, or a socket error.
    private func systemCallOutcome(errno savedErrno: Int32, operation: String) throws -> TLSIOResult {
        let queued = OpenSSLErrorQueue.drain()
        if queued.isEmpty && savedErrno == 0 {
            failed = true
            return .eof
        }
        if queued.isEmpty && (savedErrno == EAGAIN || savedErrno == EWOULDBLOCK || savedErrno == EINTR) {
            return SSL_want(ssl.pointer) == SSL_WRITING ? .wantWrite : .wantRead
        }
        failed = true
        let reason = savedErrno == 0 ? "socket error" : String(cString: strerror(savedErrno))
        throw TLSError(operation: operation, subject: peerName, message: "socket failed: \(reason)",
                       openSSLErrors: queued)
    }

    /// SSL_ERROR_SSL: OpenSSL 3 reports a TCP EOF without close_notify here; anything else is a protocol failure.
    private func protocolOutcome(operation: String) throws -> TLSIOResult {
        failed = true
        if OpenSSLErrorQueue.peekReason() == SSL_R_UNEXPECTED_EOF_WHILE_READING {
            OpenSSLErrorQueue.clear()
            return .eof
        }
        // With SSL_VERIFY_NONE OpenSSL still records a verify result, but it did not cause this failure.
        let verifying = SSL_get_verify_mode(ssl.pointer) & SSL_VERIFY_PEER != 0
        let verifyResult = SSL_get_verify_result(ssl.pointer)
        if verifying && verifyResult != Int(X509_V_OK) {
            let reason = String(cString: X509_verify_cert_error_string(verifyResult))
            throw TLSError.openSSL(operation, subject: peerName,
                                   "certificate verification failed: \(reason); check the server name and the CA file")
        }
        let step = operation == "SSL_do_handshake" ? "TLS handshake failed" : "TLS record processing failed"
        throw TLSError.openSSL(operation, subject: peerName, "\(step); the OpenSSL errors give the cause")
    }
}

/// A client's target: a DNS name or an IP literal, which decides between SNI plus name check and an IP check.
struct ServerName {
    let name: String
    let isIPAddress: Bool

    /// Accepts `example.com`, `example.com.`, `127.0.0.1`, `::1` or `[::1]`.
    init(_ raw: String) throws {
        var name = raw
        if name.hasPrefix("["), name.hasSuffix("]") {
            name = String(name.dropFirst().dropLast())
        }
        if name.hasSuffix(".") {
            name.removeLast()
        }
        guard !name.isEmpty, !name.utf8.contains(0), name.utf8.count <= 253 else {
            throw TLSError(operation: "TLSConnection.init", subject: raw,
                           message: "invalid server name; pass a DNS name or an IP address")
        }
        self.name = name
        self.isIPAddress = Self.isIPLiteral(name)
    }

    static func isIPLiteral(_ text: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET, text, &address) == 1 || inet_pton(AF_INET6, text, &address) == 1
    }

    /// Sets SNI for a DNS name and, when verifying, the name or IP address the certificate must match.
    func configure(_ ssl: OpaquePointer, verify: Bool) throws {
        OpenSSLErrorQueue.clear()
        if !isIPAddress, COpenSSL_SSL_set_tlsext_host_name(ssl, name) != 1 {
            throw TLSError.openSSL("SSL_set_tlsext_host_name", subject: name, "cannot set the SNI host name")
        }
        guard verify else {
            return
        }
        if isIPAddress {
            guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name) == 1 else {
                throw TLSError.openSSL("X509_VERIFY_PARAM_set1_ip_asc", subject: name, "invalid IP address")
            }
            return
        }
        SSL_set_hostflags(ssl, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
        guard SSL_set1_host(ssl, name) == 1 else {
            throw TLSError.openSSL("SSL_set1_host", subject: name, "cannot set the host name to verify")
        }
    }
}
