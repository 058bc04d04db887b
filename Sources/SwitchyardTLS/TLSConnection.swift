// TLSConnection: one TLS session over a caller-owned non-blocking socket, driven by the caller's event loop.
internal import COpenSSL
import Glibc

/// A TLS session over a non-blocking socket that the caller owns and closes.
///
/// OpenSSL reads and writes the socket itself (`SSL_set_fd`). Every call returns at once. After `.wantRead` or
/// `.wantWrite`, call the same method again when the socket is readable or writable. A `write` retried after
/// `.wantWrite` must pass the same bytes (they may sit at a new address), because OpenSSL may already have taken some
/// of them, and the eventual `.bytes(n)` counts from the start of those bytes.
/// Buffers are released while idle (`SSL_MODE_RELEASE_BUFFERS`).
///
/// NOTE: OpenSSL writes with write(2), so writing to a peer that closed the connection raises SIGPIPE. The process
/// must ignore SIGPIPE (`signal(SIGPIPE, SIG_IGN)`) before using this type.
///
/// Threading: not thread-safe; one event loop owns each connection. Keeps its context alive.
public final class TLSConnection {
    let ssl: OwnedPointer
    /// Keeps the context, and so the SSL_CTX callbacks' target, alive as long as this connection.
    private let context: AnyObject
    /// The name the client side connects to, for error messages; nil on the server side.
    let peerName: String?
    /// Set after a fatal error or EOF, when OpenSSL forbids further use of the session except freeing it.
    var failed = false
    private var shutdownDone = false

    /// Creates the server side of a connection accepted on `fd`.
    public init(server context: TLSServerContext, fd: Int32) throws {
        self.ssl = try Self.makeSSL(context.defaultContext, fd: fd)
        self.context = context
        self.peerName = nil
        SSL_set_accept_state(ssl.pointer)
    }

    /// Creates the client side of a connection on `fd` to `serverName`, a DNS name or an IP literal (`[::1]` allowed).
    /// A DNS name is sent as SNI, and an IP literal is not. When the context verifies, the handshake checks the
    /// certificate against the DNS name, or against the IP address for an IP literal.
    public init(client context: TLSClientContext, fd: Int32, serverName: String) throws {
        let host = try ServerName(serverName)
        self.ssl = try Self.makeSSL(context.context.pointer, fd: fd)
        self.context = context
        self.peerName = serverName
        SSL_set_connect_state(ssl.pointer)
        try host.configure(ssl.pointer, verify: context.verify)
    }

    private static func makeSSL(_ context: OpaquePointer, fd: Int32) throws -> OwnedPointer {
        OpenSSLErrorQueue.clear()
        guard let raw = SSL_new(context) else {
            throw TLSError.openSSL("SSL_new", "cannot create a TLS session")
        }
        let ssl = OwnedPointer(raw) { SSL_free($0) }
        guard SSL_set_fd(raw, fd) == 1 else {
            throw TLSError.openSSL("SSL_set_fd", subject: String(fd), "cannot attach the socket")
        }
        _ = COpenSSL_SSL_set_mode(raw, ContextSettings.connectionModes)
        return ssl
    }

    /// Advances the handshake: `.bytes(0)` once complete, `.wantRead`/`.wantWrite` to retry, `.eof` or `.closed` when
    /// the peer went away. Throws on a protocol or verification failure.
    public func handshake() throws -> TLSIOResult {
        try perform("SSL_do_handshake") { ssl, _ in
            SSL_do_handshake(ssl)
        }
    }

    /// Reads decrypted bytes into `buffer`; `.bytes(n)` with n > 0, or a retry, `.closed` or `.eof`.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> TLSIOResult {
        guard let base = buffer.baseAddress, buffer.count > 0 else {
            return .bytes(0)
        }
        return try perform("SSL_read_ex") { ssl, count in
            SSL_read_ex(ssl, base, buffer.count, &count)
        }
    }

    /// Encrypts and sends a prefix of `bytes`; `.bytes(n)` may be less than `bytes.count` (partial write).
    public func write(_ bytes: UnsafeRawBufferPointer) throws -> TLSIOResult {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            return .bytes(0)
        }
        return try perform("SSL_write_ex") { ssl, count in
            SSL_write_ex(ssl, base, bytes.count, &count)
        }
    }

    /// Sends close_notify if the socket accepts it right away. Does not block or throw, and acts on the first call only.
    /// Sends nothing when the handshake has not finished or the session already failed, because OpenSSL forbids it.
    public func shutdown() {
        guard !shutdownDone else {
            return
        }
        shutdownDone = true
        guard !failed, SSL_is_init_finished(ssl.pointer) == 1 else {
            return
        }
        OpenSSLErrorQueue.clear()
        _ = SSL_shutdown(ssl.pointer)
        OpenSSLErrorQueue.clear()
    }

    /// The SNI host name the client sent (server side), or the name this client sent (client side).
    public var serverName: String? {
        SSL_get_servername(ssl.pointer, TLSEXT_NAMETYPE_host_name).map { String(cString: $0) }
    }

    /// The ALPN protocol both sides agreed on, or nil when none was negotiated.
    public var negotiatedALPN: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl.pointer, &data, &length)
        guard let data, length > 0 else {
            return nil
        }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// The negotiated protocol, such as `TLSv1.3`.
    public var protocolVersion: String {
        String(cString: SSL_get_version(ssl.pointer))
    }

    /// The negotiated cipher suite in OpenSSL's naming, such as `TLS_AES_256_GCM_SHA384`; nil before the handshake.
    public var cipherName: String? {
        guard let cipher = SSL_get_current_cipher(ssl.pointer), let name = SSL_CIPHER_get_name(cipher) else {
            return nil
        }
        return String(cString: name)
    }

    /// Decrypted bytes buffered inside OpenSSL that `read` can return without touching the socket.
    public var pendingBytes: Int {
        Int(SSL_pending(ssl.pointer))
    }

    /// The SSL_MODE_* flags in force on this connection.
    var openSSLModes: Int {
        COpenSSL_SSL_get_mode(ssl.pointer)
    }

    /// The SSL_OP_* flags in force on this connection.
    var openSSLOptions: UInt64 {
        SSL_get_options(ssl.pointer)
    }

    /// The DNS names of the certificate this side presents; after SNI selection on the server side.
    var localCertificateNames: [String] {
        SSL_get_certificate(ssl.pointer).map(CertificateLoading.dnsNames) ?? []
    }

    /// The DNS names of the certificate the peer presented, or an empty list before the handshake.
    var peerCertificateNames: [String] {
        SSL_get0_peer_certificate(ssl.pointer).map(CertificateLoading.dnsNames) ?? []
    }

    /// Runs one OpenSSL I/O call with a clean error queue and maps its outcome.
    /// `call` returns the OpenSSL return value (1 on success) and stores the byte count.
    private func perform(_ operation: String, _ call: (OpaquePointer, inout Int) -> Int32) throws -> TLSIOResult {
        OpenSSLErrorQueue.clear()
        errno = 0
        var count = 0
        let result = call(ssl.pointer, &count)
        if result == 1 {
            return .bytes(count)
        }
        let savedErrno = errno
        return try outcome(SSL_get_error(ssl.pointer, result), errno: savedErrno, operation: operation)
    }
}
