// Small value types shared by the TLS contexts and connections: protocol versions and I/O outcomes.

/// A TLS protocol version this module accepts; versions below 1.2 are never negotiated.
public enum TLSVersion: String, Sendable, CaseIterable {
    case v1_2 = "1.2"
    case v1_3 = "1.3"

    /// The OpenSSL protocol version constant (TLS1_2_VERSION, TLS1_3_VERSION).
    var openSSLValue: Int32 {
        switch self {
        case .v1_2: return 0x0303
        case .v1_3: return 0x0304
        }
    }
}

/// The outcome of a non-blocking TLS step.
public enum TLSIOResult: Equatable, Sendable {
    /// The step moved this many bytes; `handshake()` returns `.bytes(0)` once the handshake is complete.
    case bytes(Int)
    /// Retry the same call when the socket is readable.
    case wantRead
    /// Retry the same call when the socket is writable.
    case wantWrite
    /// The peer sent close_notify: a clean end of the stream.
    case closed
    /// The TCP stream ended without close_notify, so the data may have been truncated.
    case eof
}
