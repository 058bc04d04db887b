// TLSError and the helpers that clear and drain OpenSSL's per-thread error queue.
internal import COpenSSL

/// A failed TLS operation: the OpenSSL call, the messages OpenSSL queued for it, the file or value involved and a fix.
public struct TLSError: Error, CustomStringConvertible {
    /// The OpenSSL function (or step) that failed, for example `SSL_do_handshake`.
    public var operation: String
    /// The OpenSSL error queue drained right after the failure, oldest first.
    public var openSSLErrors: [String]
    /// The file path, host name or value the operation worked on, when there is one.
    public var subject: String?
    /// A plain-language description of the failure and of the fix.
    public var message: String

    public init(operation: String, subject: String? = nil, message: String, openSSLErrors: [String] = []) {
        self.operation = operation
        self.subject = subject
        self.message = message
        self.openSSLErrors = openSSLErrors
    }

    public var description: String {
        var text = "TLS error in \(operation)"
        if let subject {
            text += " for \"\(subject)\""
        }
        text += ": \(message)"
        if !openSSLErrors.isEmpty {
            text += " [OpenSSL: \(openSSLErrors.joined(separator: "; "))]"
        }
        return text
    }
}

/// Wrappers around OpenSSL's thread-local error queue.
enum OpenSSLErrorQueue {
    /// Empties the queue so the next call's errors are not mixed with stale ones.
    static func clear() {
        ERR_clear_error()
    }

    /// Removes every queued error and returns them as text, oldest first.
    static func drain() -> [String] {
        var messages: [String] = []
        var data: UnsafePointer<CChar>?
        var flags: Int32 = 0
        while true {
            let code = ERR_get_error_all(nil, nil, nil, &data, &flags)
            if code == 0 {
                break
            }
            messages.append(describe(code: code, data: data, flags: flags))
        }
        return messages
    }

    /// Returns the reason code of the oldest queued error without removing it, or 0 when the queue is empty.
    static func peekReason() -> Int32 {
        let code = ERR_peek_error()
        return code == 0 ? 0 : ERR_GET_REASON(code)
    }

    private static func describe(code: UInt, data: UnsafePointer<CChar>?, flags: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        var text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if let data, flags & ERR_TXT_STRING != 0 {
            let extra = String(cString: data)
            if !extra.isEmpty {
                text += " (\(extra))"
            }
        }
        return text
    }
}

extension TLSError {
    /// Builds an error for a failed OpenSSL call and drains the queue into it.
    static func openSSL(_ operation: String, subject: String? = nil, _ message: String) -> TLSError {
        TLSError(operation: operation, subject: subject, message: message, openSSLErrors: OpenSSLErrorQueue.drain())
    }
}
